"""The library source: H5P activities, SCORM packages and documents of ``lms.library`` (through its ``api.py`` only).

Each item gives one document ``"<id>"`` (``kind`` h5p, scorm or document), found by exactly whoever
``lms.library.access`` lets see it:

- an approved item: everyone (``access.can_play`` lets anyone play it, also without logging in) → ``public``;
- a draft, an item under review or one returned with comments: the people ``api.item_viewer_ids`` names — the
  uploader, the school's staff holding ``library.change_libraryitem`` (``access.can_manage``) and, while it is
  submitted, the current reviewer (who opens it on the admin item page) → ``user:<id>``; superusers see all.

Text: title, description (summary) and, as the body, the text of an H5P ``content.json`` (every string value, HTML
stripped, without H5P's interface labels, file references and licence fields) or of a document (plain text, CSV and
the OpenXML / OpenDocument formats); for a PDF, the text the library extracted from it on upload
(``LibraryItem.extracted_text``, pypdf). Files are read from storage in chunks (also on S3) and the text is capped at
:data:`MAX_BODY` characters.

Signals: ``post_save`` / ``post_delete`` of ``LibraryItem`` (upload, edit, submit, review step, approval, return,
deletion) and changes to its outcomes reindex the item.
"""

from __future__ import annotations

import codecs
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from html import unescape
from xml.parsers import expat

from django.urls import reverse
from django.utils.html import strip_tags

from search import permissions
from search.query import IndexDocument
from search.sources import DocumentSource

SOURCE = "library"
STATUS_PUBLISHED, STATUS_DRAFT, STATUS_REVIEW = "published", "draft", "review"
MAX_BODY = 100_000  # characters of text indexed per item
MAX_JSON_BYTES = 8 * 1024 * 1024  # content.json read at most this far
MAX_STRING = 20_000  # one JSON string longer than this is cut
MAX_OFFICE_BYTES = 50 * 1024 * 1024  # OpenXML / OpenDocument files larger than this are not opened
CHUNK = 64 * 1024

# content.json keys whose values are not the activity's text: H5P interface labels and settings, file references,
# sub-content bookkeeping, licence and authorship metadata.
SKIPPED_KEYS = frozenset(
    {
        "l10n",
        "localize",
        "confirmCheck",
        "confirmRetry",
        "contentName",
        "UI",
        "i10n",
        "behaviour",
        "a11y",
        "override",
        "overallFeedback",
        "library",
        "subContentId",
        "path",
        "mime",
        "license",
        "licenseVersion",
        "licenseExtras",
        "copyright",
        "contentType",
        "source",
        "authors",
        "changes",
        "authorComments",
        "yearFrom",
        "yearTo",
        "defaultLanguage",
        "codec",
        "quality",
        "width",
        "height",
        "playerMode",
        "scoreBarLabel",
        "correct",
    }
)
# Interface labels many content types keep beside their text ("checkAnswerButton", Blanks' "tryAgain" …).
_LABEL_KEY = re.compile(
    r"[a-z](Button|Label|Message|Header)$"
    r"|^(checkAnswer|submitAnswer|tryAgain|retry|showSolutions?|notFilledOut|answerIsCorrect|answerIsWrong"
    r"|answeredCorrectly|answeredIncorrectly|confirmCheck|confirmRetry|a11y\w*|score\w*)$"
)
_NOT_TEXT = re.compile(r"^(?:[a-z][a-z0-9+.-]*://\S*|#[0-9a-f]{3,8}|[\d\s.,:%/-]*|true|false)$", re.I)


# -- H5P content.json ------------------------------------------------------------------------------------------------
def json_strings(chunks: Iterable[str]) -> Iterator[tuple[tuple[str, ...], str]]:
    """``(keys, value)`` for every string value of a JSON text given in pieces, without holding more than one piece
    and one string (cut at :data:`MAX_STRING`): ``keys`` are the object keys leading to it."""
    stack: list[list] = []  # per open container: [is_object, key it sits under, last key seen in it]
    in_string = escape = False
    raw: list[str] = []
    length = 0
    pending: str | None = None  # a finished string: a key when the next token is ":", else a value

    def resolve(is_key: bool) -> tuple[tuple[str, ...], str] | None:
        nonlocal pending
        text, pending = pending, None
        if not stack:
            return None
        top = stack[-1]
        if is_key:
            if top[0]:
                top[2] = text
            return None
        keys = tuple(k for entry in stack for k in (entry[1],) if k) + ((top[2],) if top[0] and top[2] else ())
        return keys, text

    def decode(parts: list[str]) -> str:
        body = "".join(parts)
        try:
            return json.loads(f'"{body}"')
        except ValueError:  # cut inside an escape sequence
            return body.rsplit("\\", 1)[0].replace("\\/", "/")

    for chunk in chunks:
        i, n = 0, len(chunk)
        while i < n:
            if in_string:
                if escape:
                    escape = False
                    if length < MAX_STRING:
                        raw.append(chunk[i])
                    i += 1
                    continue
                quote, backslash = chunk.find('"', i), chunk.find("\\", i)
                stop = min(p for p in (quote, backslash, n) if p != -1)
                if length < MAX_STRING:
                    raw.append(chunk[i:stop][: MAX_STRING - length])
                length += stop - i
                i = stop
                if i >= n:
                    continue
                if chunk[i] == "\\":
                    escape = True
                    if length < MAX_STRING:
                        raw.append("\\")
                    i += 1
                    continue
                in_string = False  # the closing quote
                pending = decode(raw)
                i += 1
                continue
            char = chunk[i]
            i += 1
            if char in " \t\r\n":
                continue
            if pending is not None:
                found = resolve(char == ":")
                if found is not None:
                    yield found
            if char == '"':
                in_string, raw, length = True, [], 0
            elif char in "{[":
                if stack:
                    top = stack[-1]
                    under = top[2] if top[0] else None
                else:
                    under = None
                stack.append([char == "{", under, None])
            elif char in "}]" and stack:
                stack.pop()
    if pending is not None:
        found = resolve(False)
        if found is not None:
            yield found


MAX_SEMANTICS_BYTES = 1024 * 1024
_NOT_TEXT_TYPES = frozenset({"select", "boolean", "number", "image", "file", "video", "audio"})
_CONTENT_NAMES = frozenset({"text", "question", "questions", "title", "answer", "answers", "alt", "description"})


def interface_fields(item) -> frozenset[str]:
    """Names of the fields the item's H5P libraries declare as interface labels (``"common": true`` in
    ``semantics.json``) or as settings (select, boolean, number, file fields): their values are not the text."""
    from lms.library.api import open_library_files

    labels: set[str] = set()
    content: set[str] = set()  # a name some library uses for text or sub-content is never dropped

    def walk(fields):
        for field in fields if isinstance(fields, list) else []:
            if not isinstance(field, dict):
                continue
            name = field.get("name")
            if isinstance(name, str):
                label = field.get("common") or field.get("type") in _NOT_TEXT_TYPES
                (labels if label else content).add(name)
                if label:
                    continue
            walk(field.get("fields"))
            if isinstance(field.get("field"), dict):
                walk([field["field"]])

    for _key, handle in open_library_files(item, "semantics.json"):
        with handle:
            raw = handle.read(MAX_SEMANTICS_BYTES + 1)
        if len(raw) > MAX_SEMANTICS_BYTES:
            continue
        try:
            walk(json.loads(raw))
        except ValueError:
            continue
    return frozenset(labels - content - _CONTENT_NAMES)


def _wanted(keys: tuple[str, ...], value: str, skipped: frozenset[str] = frozenset()) -> bool:
    if any(k in SKIPPED_KEYS or k in skipped for k in keys):
        return False
    if "metadata" in keys and value.startswith("Untitled "):
        return False  # the editor's placeholder title of a sub-content
    if keys and _LABEL_KEY.search(keys[-1]):
        return False  # an interface label; "text", "question", "answers" … stay
    return not _NOT_TEXT.match(value.strip())


def _clean(value: str) -> str:
    return " ".join(unescape(strip_tags(value)).split())


def _decoded_chunks(handle, limit: int) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    read = 0
    while read < limit:
        block = handle.read(min(CHUNK, limit - read))
        if not block:
            break
        read += len(block)
        yield decoder.decode(block)
    yield decoder.decode(b"", final=True)


def _capped(pieces: Iterable[str], limit: int = MAX_BODY) -> str:
    out, size = [], 0
    for piece in pieces:
        if not piece:
            continue
        out.append(piece)
        size += len(piece) + 1
        if size >= limit:
            break
    return "\n".join(out)[:limit]


def h5p_text(item) -> str:
    """The text of an H5P item's ``content/content.json`` (streamed from storage)."""
    from lms.library.api import open_package_file

    handle = open_package_file(item, "content/content.json")
    if handle is None:
        return ""
    skipped = interface_fields(item)
    with handle:
        strings = json_strings(_decoded_chunks(handle, MAX_JSON_BYTES))
        return _capped(_clean(value) for keys, value in strings if _wanted(keys, value, skipped))


# -- documents -------------------------------------------------------------------------------------------------------
# (member name pattern, the local names of the elements holding text, of those ending a paragraph)
_OFFICE_PARTS = {
    "docx": (re.compile(r"^word/(document|footnotes|endnotes)\.xml$"), {"t"}, {"p"}),
    "pptx": (re.compile(r"^ppt/slides/slide\d+\.xml$"), {"t"}, {"p"}),
    "odt": (re.compile(r"^content\.xml$"), {"p", "h"}, {"p", "h"}),
    "odp": (re.compile(r"^content\.xml$"), {"p", "h"}, {"p", "h"}),
}


class _Refused(Exception):
    pass


def _refuse(*args) -> None:
    raise _Refused


def _xml_text(stream, text_tags: set[str], break_tags: set[str]) -> Iterator[str]:
    """Text inside the elements named ``text_tags`` (any namespace), one line per ``break_tags`` element, parsed in
    chunks with expat. A DTD or an entity declaration stops the reading (XML bombs)."""
    parser = expat.ParserCreate(namespace_separator="}")
    lines: list[str] = []
    line: list[str] = []
    inside = 0

    def start(name, attrs):
        nonlocal inside
        if name.rsplit("}", 1)[-1] in text_tags:
            inside += 1

    def end(name):
        nonlocal inside
        local = name.rsplit("}", 1)[-1]
        if local in text_tags:
            inside -= 1
        if local in break_tags and line:
            lines.append("".join(line))
            line.clear()

    def characters(data):
        if inside:
            line.append(data)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse
    try:
        while block := stream.read(CHUNK):
            parser.Parse(block, False)
            yield from lines
            lines.clear()
        parser.Parse(b"", True)
    except (_Refused, expat.ExpatError):
        return
    yield from lines
    if line:
        yield "".join(line)


def _office_text(handle, extension: str) -> Iterator[str]:
    pattern, text_tags, break_tags = _OFFICE_PARTS[extension]
    try:
        with zipfile.ZipFile(handle) as archive:
            for info in archive.infolist():
                if pattern.match(info.filename):
                    with archive.open(info) as member:
                        yield from _xml_text(member, text_tags, break_tags)
    except (zipfile.BadZipFile, OSError, EOFError):
        return


def document_text(item) -> str:
    """Plain text and CSV as they are; Word, PowerPoint and OpenDocument text from their XML; PDF text as the library
    extracted it on upload. Not spreadsheets, images or media."""
    from lms.library.api import open_document

    extension = item.original_name.rsplit(".", 1)[-1].lower() if "." in item.original_name else ""
    if extension == "pdf":
        return _capped([item.extracted_text or ""], MAX_BODY)
    if extension not in {"txt", "csv", *_OFFICE_PARTS}:
        return ""
    if extension in _OFFICE_PARTS and item.size > MAX_OFFICE_BYTES:
        return ""
    handle = open_document(item)
    if handle is None:
        return ""
    with handle:
        if extension in {"txt", "csv"}:
            return _capped(_decoded_chunks(handle, MAX_BODY * 4), MAX_BODY)
        return _capped(_office_text(handle, extension))


def body_text(item) -> str:
    from lms.library.api import ItemKind

    try:
        if item.kind == ItemKind.H5P:
            return h5p_text(item)
        if item.kind == ItemKind.DOCUMENT:
            return document_text(item)
        return _capped(entry.get("title", "") for entry in item.toc)  # SCORM: the titles of its organisation
    except OSError:  # a file missing from storage must not stop indexing
        return ""


# -- documents of an item --------------------------------------------------------------------------------------------
def status_of(item) -> str:
    from lms.library.api import ItemStatus

    if item.status == ItemStatus.APPROVED:
        return STATUS_PUBLISHED
    if item.status == ItemStatus.SUBMITTED:
        return STATUS_REVIEW
    return STATUS_DRAFT  # draft, or returned with comments


def access_of(item) -> list[str]:
    from lms.library.api import ItemStatus, item_viewer_ids

    if item.status == ItemStatus.APPROVED:
        return [permissions.PUBLIC]
    return sorted(permissions.person(uid) for uid in item_viewer_ids(item))


def url_of(item) -> str:
    """An approved item's own page (/thu-vien/<uuid>/, the player or preview); otherwise the admin item page."""
    from lms.library.api import ItemStatus

    if item.status == ItemStatus.APPROVED:
        return reverse("library:item_page", args=[item.uuid])
    return reverse("library_admin:item", args=[item.uuid])


def item_documents(item) -> list[IndexDocument]:
    return [
        IndexDocument(
            source=SOURCE,
            key=str(item.pk),
            object_id=str(item.pk),
            title=item.title,
            url=url_of(item),
            summary=item.description or "",
            body=body_text(item),
            kind=item.kind,
            subject=item.subject.code if item.subject_id else "",
            grade=item.grade,
            level="",  # library items carry no cognitive level
            outcomes=sorted(o.code for o in item.outcomes.all()),
            school=item.school_id,
            sharing="",  # library items carry no sharing scope: approved items are open to everyone
            status=status_of(item),
            access=access_of(item),
            updated_at=item.updated_at,
        )
    ]


class LibraryItemSource(DocumentSource):
    name = SOURCE

    def object_ids(self) -> Iterator[str]:
        from lms.library.api import item_ids

        for pk in item_ids():
            yield str(pk)

    def _items(self, object_ids: Iterable[str]):
        from lms.library.api import items_for_index

        return items_for_index(int(i) for i in object_ids if str(i).isdigit())

    def documents_for(self, object_id: str) -> list[IndexDocument]:
        item = self._items([object_id]).first()
        return item_documents(item) if item is not None else []

    def documents_for_many(self, object_ids: Iterable[str]) -> Iterator[tuple[str, list[IndexDocument]]]:
        object_ids = list(object_ids)
        items = {str(i.pk): i for i in self._items(object_ids)}
        for object_id in object_ids:
            item = items.get(str(object_id))
            yield object_id, item_documents(item) if item is not None else []

    # -- freshness -------------------------------------------------------------------------------------------------
    def connect(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from lms.library.api import LibraryItem

        post_save.connect(_item_changed, sender=LibraryItem, dispatch_uid="search.library.saved")
        post_delete.connect(_item_changed, sender=LibraryItem, dispatch_uid="search.library.deleted")
        m2m_changed.connect(
            _outcomes_changed, sender=LibraryItem.outcomes.through, dispatch_uid="search.library.outcomes"
        )

    def disconnect(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from lms.library.api import LibraryItem

        post_save.disconnect(sender=LibraryItem, dispatch_uid="search.library.saved")
        post_delete.disconnect(sender=LibraryItem, dispatch_uid="search.library.deleted")
        m2m_changed.disconnect(sender=LibraryItem.outcomes.through, dispatch_uid="search.library.outcomes")


def _item_changed(sender, instance, **kwargs) -> None:
    from search.indexing import object_changed

    object_changed(SOURCE, instance.pk)


def _outcomes_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    from search.indexing import object_changed

    if not reverse:
        object_changed(SOURCE, instance.pk)
        return
    for pk in pk_set or ():  # an outcome gained or lost items
        object_changed(SOURCE, pk)
