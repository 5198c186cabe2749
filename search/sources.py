"""The registry of document sources: what each app contributes to the index.

A source owns one kind of object (lessons here; library items and questions once ``lms.library`` and
``lms.assessments`` exist). It knows

- which objects exist (:meth:`DocumentSource.object_ids`, for ``manage.py reindex``),
- the documents of one object as they should be indexed *now* (:meth:`DocumentSource.documents_for`: none when it
  was deleted, one for a published item, a second for a draft or an item under review), each with its access list,
- and when an object changed (:meth:`DocumentSource.connect`: it connects its signals to
  ``search.indexing.object_changed``, which reindexes the object through Celery after the transaction commits).

``search`` sits *above* the apps it indexes (see the layers in pyproject.toml): they never import it. So a source
lives here in ``search/`` (``search/lessons.py``; ``search/library.py`` and ``search/questions.py`` at merge), reads
its app only through that app's ``api.py``, listens to that app's signals (``post_save``/``post_delete`` of its
models, or a signal the app's ``api.py`` exports), and is registered in ``SearchConfig.ready()``::

    from search.sources import register_source
    register_source(QuestionSource())

Access lists are principals (see ``search.permissions``): ``public``, ``school:<id>``, ``org:<id>`` (every school of
that education authority), ``group:<id>`` (a subject group), ``user:<id>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from search.query import IndexDocument


class DocumentSource:
    """Base class (and documentation) of a source; subclasses set ``name`` and implement the three methods."""

    name: str = ""
    label: str = ""  # shown as the "type" facet value when documents carry ``kind == name``

    def object_ids(self) -> Iterator[str]:
        raise NotImplementedError

    def documents_for(self, object_id: str) -> list[IndexDocument]:
        raise NotImplementedError

    def documents_for_many(self, object_ids: Iterable[str]) -> Iterator[tuple[str, list[IndexDocument]]]:
        """``(object_id, documents)`` for each id; override to batch the queries (``reindex`` uses it)."""
        for object_id in object_ids:
            yield object_id, self.documents_for(object_id)

    def connect(self) -> None:
        """Connect the signals that say an object changed to ``search.indexing.object_changed``."""

    def disconnect(self) -> None:
        pass


_sources: dict[str, DocumentSource] = {}


def register_source(source: DocumentSource) -> None:
    if not source.name:
        raise ValueError(f"{type(source).__name__} has no name.")
    previous = _sources.get(source.name)
    if previous is not None and previous is not source:
        previous.disconnect()
    _sources[source.name] = source
    source.connect()


def unregister_source(name: str) -> None:
    source = _sources.pop(name, None)
    if source is not None:
        source.disconnect()


def get_source(name: str) -> DocumentSource:
    try:
        return _sources[name]
    except KeyError:
        raise LookupError(f"No search source {name!r} (registered: {', '.join(sorted(_sources)) or 'none'}).") from None


def get_sources() -> list[DocumentSource]:
    return [_sources[name] for name in sorted(_sources)]
