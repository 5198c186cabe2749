"""Who may see an item, and the signed play tokens that open its files.

An H5P activity plays in a sandboxed frame without ``allow-same-origin``: the frame's origin is opaque, so the
browser sends it no cookies. Its files are therefore reached under a signed, expiring token naming the item and the
viewer (read-only); every write (xAPI statements, resume state, SCORM commits) goes to session-authenticated,
CSRF-protected endpoints — H5P's through the lesson page, which relays the frame's messages.
"""

from __future__ import annotations

from django.core import signing

from lms.library.models import ItemStatus, LibraryItem

SALT = "library.play"
TOKEN_MAX_AGE = 12 * 60 * 60  # a school day; the lesson page issues a fresh one on every view


def make_play_token(item: LibraryItem, user) -> str:
    user_id = user.pk if getattr(user, "is_authenticated", False) else 0
    return signing.dumps({"i": str(item.uuid), "u": user_id}, salt=SALT, compress=True)


def read_play_token(token: str) -> tuple[str, int] | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return data["i"], int(data["u"])


def can_manage(user, item: LibraryItem) -> bool:
    """The uploader, the school's staff with the library permission, and superusers."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or item.owner_id == user.pk:
        return True
    return user.has_perm("library.change_libraryitem") and item.school_id is not None and _at_school(user, item)


def _at_school(user, item) -> bool:
    from lms.schools.api import get_schools_for_user

    return any(s.pk == item.school_id for s in get_schools_for_user(user))


def can_play(user, item: LibraryItem) -> bool:
    """Students see only approved items; whoever manages an item may preview it before review."""
    return item.status == ItemStatus.APPROVED or can_manage(user, item)
