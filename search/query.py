"""What a backend is asked (:class:`SearchQuery`) and what it answers (:class:`SearchResults`).

Backends never see a user: the caller (``search.api``) turns the user into the set of *principals* they act as
(``public``, ``school:3``, ``org:1``, ``group:7``, ``user:42``, or ``*`` for a superuser) and every backend keeps only
documents whose access list shares one of them, *before* counting, faceting, ranking or suggesting anything.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from search import folding

# Facet fields: every document carries them (empty when it does not apply). ``outcomes`` is multi-valued.
FACET_FIELDS = ("kind", "question_type", "subject", "grade", "level", "outcomes", "school", "sharing", "status")
SORTS = ("relevance", "newest", "oldest", "title")
ALL = "*"  # the principal of a superuser: sees every document
MAX_PER_PAGE = 100
# Function words (folded) that a query does not *require* when it has other words: "phương trình của đường tròn"
# needs "phuong trinh duong tron"; "của" still adds to the rank. A query of function words only requires them all.
STOPWORDS = frozenset(
    [
        "cua",
        "la",
        "va",
        "cac",
        "nhung",
        "duoc",
        "cho",
        "trong",
        "voi",
        "nao",
        "sau",
        "day",
        "khong",
        "mot",
        "nay",
        "khi",
        "thi",
        "da",
        "de",
        "ve",
        "tu",
        "o",
        "ra",
        "vao",
        "nhu",
        "theo",
        "tren",
        "hay",
        "hoac",
        "bi",
        "boi",
        "vi",
        "nen",
        "ma",
        "cung",
        "se",
        "dang",
        "rat",
        "lai",
        "hon",
        "ta",
        "em",
    ]
)


class SearchError(ValueError):
    """A request the search cannot answer (an unknown filter, sort or page)."""


@dataclass
class IndexDocument:
    """One searchable document, as a source hands it to a backend.

    ``source`` + ``key`` identify it (``key`` is e.g. ``"12"`` for the live lesson 12 and ``"12:draft"`` for its draft);
    ``object_id`` is the object the source owns, so every document of an object can be removed together.
    """

    source: str
    key: str
    object_id: str
    title: str
    url: str = ""
    summary: str = ""
    body: str = ""
    kind: str = ""
    question_type: str = ""  # questions only: the bank's type code (single_choice, true_false_4, …)
    subject: str = ""
    grade: int | None = None
    level: str = ""
    outcomes: list[str] = field(default_factory=list)
    school: int | None = None
    sharing: str = ""
    status: str = ""
    access: list[str] = field(default_factory=list)
    updated_at: datetime.datetime | None = None

    def facet_values(self, name: str) -> list[str]:
        value = getattr(self, name)
        if isinstance(value, list):
            return [str(v) for v in value if v not in (None, "")]
        return [] if value in (None, "") else [str(value)]


@dataclass(frozen=True)
class QueryTerm:
    """One word of the query: its folded form, the folded words it may stand for (typing slips the index knows), and
    the word as typed (lower case, diacritics kept) when it carried diacritics."""

    folded: str
    alternatives: tuple[str, ...] = ()
    exact: str = ""
    optional: bool = False  # a function word: not required when the query has other words

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.folded, *[a for a in self.alternatives if a != self.folded])


@dataclass
class SearchQuery:
    text: str = ""
    principals: frozenset[str] = frozenset({"public"})
    filters: dict[str, list[str]] = field(default_factory=dict)
    facets: tuple[str, ...] = FACET_FIELDS
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    terms: tuple[QueryTerm, ...] = ()  # filled by ``search.api`` (slip variants need the backend's vocabulary)
    match_all_terms: bool = True

    def __post_init__(self) -> None:
        for name in self.filters:
            if name not in FACET_FIELDS:
                raise SearchError(f"Unknown filter “{name}”; filters are {', '.join(FACET_FIELDS)}.")
        for name in self.facets:
            if name not in FACET_FIELDS:
                raise SearchError(f"Unknown facet “{name}”; facets are {', '.join(FACET_FIELDS)}.")
        if self.sort not in SORTS:
            raise SearchError(f"Unknown sort “{self.sort}”; use one of {', '.join(SORTS)}.")
        if self.page < 1:
            raise SearchError("Pages are numbered from 1.")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise SearchError(f"Between 1 and {MAX_PER_PAGE} results per page.")
        self.filters = {k: [str(v) for v in vs if str(v) != ""] for k, vs in self.filters.items()}
        self.filters = {k: vs for k, vs in self.filters.items() if vs}
        if not self.terms:
            self.terms = parse_terms(self.text)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def sees_everything(self) -> bool:
        return ALL in self.principals

    def folded_words(self) -> set[str]:
        return {form for term in self.terms for form in term.forms}

    @property
    def required_terms(self) -> tuple[QueryTerm, ...]:
        """The words every match must have (all of them when the query is only function words)."""
        required = tuple(term for term in self.terms if not term.optional)
        return required or self.terms


_FOLDED_PIECE = re.compile(r"[a-z0-9]+")


def parse_terms(text: str) -> tuple[QueryTerm, ...]:
    """The query's words, folded (duplicates dropped, order kept)."""
    seen, terms = set(), []
    for word in folding.exact_tokens(text):
        # "x_0" (a LaTeX subscript) is two words to the index, as underscores separate words there too.
        pieces = _FOLDED_PIECE.findall(folding.fold(word))
        for folded in pieces:
            if folded in seen:
                continue
            seen.add(folded)
            exact = word if len(pieces) == 1 and folding.has_diacritics(word) else ""
            terms.append(QueryTerm(folded=folded, exact=exact, optional=folded in STOPWORDS))
    return tuple(terms[:32])


@dataclass
class Hit:
    source: str
    key: str
    object_id: str
    title: str
    url: str
    kind: str
    subject: str
    grade: int | None
    level: str
    school: int | None
    sharing: str
    status: str
    updated_at: datetime.datetime | None
    question_type: str = ""
    score: float = 0.0
    title_html: str = ""  # escaped, with <mark> around matched words
    excerpt_html: str = ""


@dataclass
class FacetValue:
    value: str
    count: int
    label: str = ""
    selected: bool = False


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    relaxed: bool = False  # no document had every word: these have some of them
    total_capped: bool = False  # more than ``total`` documents match (a broad query: "more than 1,000 results")
    facets_approximate: bool = False  # the facet counts come from a sample of the matches, not from all of them
    backend: str = ""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass
class Suggestion:
    title: str
    url: str
    kind: str
    title_html: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "url": self.url, "kind": self.kind, "title_html": self.title_html}
