"""The interface every search backend implements, and the parts they share."""

from __future__ import annotations

from collections.abc import Iterable

from search.query import IndexDocument, QueryTerm, SearchQuery, SearchResults, Suggestion


class BaseSearchBackend:
    """A search backend stores :class:`IndexDocument` objects and answers :class:`SearchQuery` objects.

    ``alias`` is its name in ``settings.SEARCH_BACKENDS``; ``params`` the rest of its entry (``OPTIONS`` etc.).
    """

    name = "base"

    def __init__(self, alias: str, params: dict) -> None:
        self.alias = alias
        self.params = params
        self.options = dict(params.get("OPTIONS") or {})

    # Writes ------------------------------------------------------------------------------------------------------
    def index(self, documents: Iterable[IndexDocument]) -> int:
        """Add or replace documents (by source + key); returns how many were written."""
        raise NotImplementedError

    def delete_object(self, source: str, object_id: str, *, keep_keys: Iterable[str] = ()) -> int:
        """Remove every document of one object except ``keep_keys``; returns how many were removed."""
        raise NotImplementedError

    def clear(self, source: str | None = None) -> None:
        """Remove every document (of ``source``, or all)."""
        raise NotImplementedError

    def setup(self) -> None:
        """Create what the backend needs (an index, its mapping); idempotent."""

    def count(self, source: str | None = None) -> int:
        raise NotImplementedError

    # Reads -------------------------------------------------------------------------------------------------------
    def known_terms(self, candidates: Iterable[str]) -> set[str] | None:
        """Which of these folded words occur in the index (for typing-slip correction), or ``None`` when the backend
        cannot tell cheaply (it then relies on its own fuzziness)."""
        return None

    def search(self, query: SearchQuery) -> SearchResults:
        raise NotImplementedError

    def autocomplete(
        self, *, terms: tuple[QueryTerm, ...], prefix: str, principals: frozenset[str], limit: int
    ) -> list[Suggestion]:
        """Titles of documents the principals may see whose title has every word of ``terms`` and a word starting
        with ``prefix`` (all folded)."""
        raise NotImplementedError

    def close(self) -> None:
        pass
