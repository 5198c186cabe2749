"""Who may see a published lesson (R9, R14, R45).

- ``public``: everyone, also without logging in (open educational resources);
- ``district``: anyone with a role at a school under the same education authority;
- ``school``: anyone with a role at the lesson's school (its students, their parents, its staff).

Drafts are never served to the public site (Wagtail serves only live pages); authors and reviewers see drafts in the
admin. Superusers see everything.
"""

from __future__ import annotations

from lms.schools.api import get_schools_for_user


def visible_school_ids(user) -> tuple[set[int], set[int]]:
    """(ids of the person's schools, ids of the education authorities of those schools)."""
    if not getattr(user, "is_authenticated", False):
        return set(), set()
    cached = getattr(user, "_lesson_visibility_cache", None)
    if cached is None:
        schools = list(get_schools_for_user(user).only("id", "organisation_id"))
        cached = ({s.id for s in schools}, {s.organisation_id for s in schools})
        user._lesson_visibility_cache = cached
    return cached


def can_view_lesson(user, lesson) -> bool:
    from content.models import SharingScope

    if lesson.sharing == SharingScope.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    school_ids, organisation_ids = visible_school_ids(user)
    if lesson.school_id in school_ids:
        return True
    return (
        lesson.sharing == SharingScope.DISTRICT
        and lesson.school is not None
        and (lesson.school.organisation_id in organisation_ids)
    )


def visible_lessons_q(user, prefix: str = ""):
    """A Q object selecting the lessons ``user`` may see, for lists, search and counts. ``prefix`` is
    ``"lessonpage__"`` when filtering a queryset of plain Wagtail pages."""
    from django.db.models import Q

    from content.models import SharingScope

    public = Q(**{f"{prefix}sharing": SharingScope.PUBLIC})
    if not getattr(user, "is_authenticated", False):
        return public
    if user.is_superuser:
        return Q()
    school_ids, organisation_ids = visible_school_ids(user)
    return (
        public
        | Q(**{f"{prefix}school_id__in": school_ids})
        | Q(**{f"{prefix}sharing": SharingScope.DISTRICT, f"{prefix}school__organisation_id__in": organisation_ids})
    )
