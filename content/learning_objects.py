"""The interface through which lessons embed things other apps own: H5P and SCORM items and documents
(lms.library) and practice questions (lms.assessments).

``content`` sits below those apps, so it cannot import them. A lesson block stores only a reference (the item's
UUID); the owning app registers a :class:`LearningObjectProvider` for its kind from its ``AppConfig.ready()``. The
provider validates references when a lesson is saved, renders the item for a student, and lists items for the
editor's chooser; a provider may also give the editor's form widget for its references (``chooser_widget()``, e.g.
a Wagtail chooser modal), else the editor types the reference.
Until a provider for a kind is registered, a block of that kind cannot be saved (the editor gets a
clear message), so no lesson ever points to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Kind:
    H5P = "h5p"
    SCORM = "scorm"
    DOCUMENT = "document"
    QUESTION = "question"


@dataclass(frozen=True)
class LearningObjectSummary:
    reference: str
    title: str
    kind: str


class LearningObjectProvider(Protocol):
    kind: str

    def validate(self, reference: str, *, user=None) -> LearningObjectSummary | None:
        """The item's summary if ``reference`` names an item that lessons may embed, else ``None``."""

    def render(self, reference: str, *, request=None, context=None) -> str:
        """HTML for the student (an iframe for H5P/SCORM players, a question form, …)."""

    def search(self, query: str, *, user=None, limit: int = 20) -> list[LearningObjectSummary]:
        """Items the editor may choose from."""

    # Optional: ``may_embed(self, user, reference) -> bool`` — whether ``user`` (the lesson's editor) may embed the
    # item, e.g. by the item's sharing scope. The lesson form asks it for each reference the edit *adds* (references
    # already in the lesson, put there by an earlier editor, stay valid); a provider without it allows everyone.
    # Optional: ``chooser_widget(self) -> django.forms.Widget`` — the form widget of the block's reference field
    # (its value is the reference). A widget with ``get_value_data(value)`` (Wagtail's choosers) gets its state
    # from it.


_providers: dict[str, LearningObjectProvider] = {}


def register_provider(provider: LearningObjectProvider) -> None:
    _providers[provider.kind] = provider


def unregister_provider(kind: str) -> None:
    _providers.pop(kind, None)


def get_provider(kind: str) -> LearningObjectProvider | None:
    return _providers.get(kind)


def may_embed(kind: str, user, reference: str) -> bool:
    """Whether ``user`` may embed ``reference`` of ``kind`` (the provider's ``may_embed``; allowed when the provider
    does not say, and refused when no provider is registered)."""
    provider = get_provider(kind)
    if provider is None:
        return False
    check = getattr(provider, "may_embed", None)
    return True if check is None else bool(check(user, reference))
