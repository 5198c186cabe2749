"""The library's LearningObjectProviders: lessons embed H5P and SCORM items and documents through them
(content.learning_objects)."""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from content.api import Kind, LearningObjectSummary
from lms.library import selectors
from lms.library.access import can_play, make_play_token
from lms.library.models import ItemKind, ItemStatus

# H5P plays with an opaque origin: scripts run, but it can neither read our cookies nor touch the lesson page.
H5P_SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox allow-downloads"
# SCOs look for the API in a parent window, which needs one origin; forms and modals are what old SCOs use.
SCORM_SANDBOX = "allow-scripts allow-same-origin allow-forms allow-popups allow-modals allow-downloads"


class LibraryProvider:
    def __init__(self, kind: str, item_kind: str):
        self.kind = kind
        self.item_kind = item_kind

    def validate(self, reference: str, *, user=None) -> LearningObjectSummary | None:
        item = selectors.get_item(reference)
        if item is None or item.kind != self.item_kind or item.status != ItemStatus.APPROVED:
            return None
        if user is not None and not selectors.usable_items(user, kind=self.item_kind).filter(pk=item.pk).exists():
            return None
        return LearningObjectSummary(reference=str(item.uuid), title=item.title, kind=self.kind)

    def may_embed(self, user, reference: str) -> bool:
        """Whether ``user`` may embed the item: approved, of their schools, shared with their education authority
        or public (``selectors.usable_items``)."""
        item = selectors.get_item(reference)
        return (
            item is not None
            and item.kind == self.item_kind
            and selectors.usable_items(user, kind=self.item_kind).filter(pk=item.pk).exists()
        )

    def search(self, query: str, *, user=None, limit: int = 20) -> list[LearningObjectSummary]:
        if user is None:
            items = selectors.search_items(query, kind=self.item_kind, limit=limit)
        else:
            items = selectors.usable_items(user, kind=self.item_kind)
            items = list((items.filter(title__icontains=query) if query else items)[:limit])
        return [LearningObjectSummary(reference=str(i.uuid), title=i.title, kind=self.kind) for i in items]

    def chooser_widget(self):
        """The editor's chooser for this kind (Wagtail's modal, searchable by title; value: the item's UUID)."""
        from lms.library.chooser import chooser_widget

        return chooser_widget(self.item_kind)

    def render(self, reference: str, *, request=None, context=None) -> str:
        item = selectors.get_item(reference)
        user = getattr(request, "user", None)
        if item is None or item.kind != self.item_kind or not can_play(user, item):
            return ""
        title = ((context or {}).get("value") or {}).get("title") if context else None
        if self.item_kind == ItemKind.DOCUMENT:
            return render_to_string(
                "library/document_preview.html", {"item": item, "title": title or item.title}, request=request
            )
        logged_in = bool(getattr(user, "is_authenticated", False))
        playable, unavailable, src, sandbox = True, "", "", ""
        if self.item_kind == ItemKind.H5P:
            missing = selectors.missing_libraries(item)
            if missing:
                playable = False
                unavailable = _("This activity needs H5P libraries the library does not have yet: %(libraries)s.") % {
                    "libraries": ", ".join(missing)
                }
            src = reverse("library:player", args=[make_play_token(item, user)])
            sandbox = H5P_SANDBOX
        else:
            if not logged_in:
                playable = False
                unavailable = _("Log in to work through this SCORM package.")
            src = reverse("library:scorm_player", args=[item.uuid])
            sandbox = SCORM_SANDBOX
        return render_to_string(
            "library/embed.html",
            {
                "item": item,
                "title": title or item.title,
                "src": src,
                "sandbox": sandbox,
                "playable": playable,
                "unavailable": unavailable,
                "tracked": logged_in,
                "csrf": get_token(request) if request is not None and logged_in else "",
                "result": selectors.get_result(item, user) if logged_in else None,
            },
            request=request,
        )


PROVIDERS = {
    ItemKind.H5P: LibraryProvider(Kind.H5P, ItemKind.H5P),
    ItemKind.SCORM: LibraryProvider(Kind.SCORM, ItemKind.SCORM),
    ItemKind.DOCUMENT: LibraryProvider(Kind.DOCUMENT, ItemKind.DOCUMENT),
}


def provider_for(item_kind: str) -> LibraryProvider:
    return PROVIDERS[item_kind]


def register() -> None:
    from content.api import register_provider

    for provider in PROVIDERS.values():
        register_provider(provider)
