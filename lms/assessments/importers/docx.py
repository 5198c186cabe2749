"""Vietnamese Word exams (.docx), read as raw OOXML (no Word library: the zip and ``word/document.xml``).

The layout is that of ``shared/docs/formats.md`` §3:

- ``Câu n.`` / ``Câu n:`` / ``Bài n`` / ``Question n:`` start a question (numbering may restart in each part);
- ``PHẦN I / II / III`` (or ``Phần 1``, ``I. TRẮC NGHIỆM``, ``II. ĐÚNG SAI``, ``III. TRẢ LỜI NGẮN``) set the part:
  I = single choice, II = Đúng/Sai with statements a)–d), III = short numeric answer on the 2025 answer sheet;
- options ``A.`` … ``H.`` (or ``A)``) one per line, several per line, or run together;
- the key: an underlined / bold / italic / highlighted option label (or statement label for Part II), a leading
  ``*``, a line ``Đáp án: X`` (also ``Đáp số:``, ``Trả lời:``, ``<key=…>``), a bare answer letter on its own line,
  ``Chọn X`` inside the solution, a ``1-A 2.B 3C`` answer table, or a table with one question per row and an
  answer column (the VNHSGE layout: ID | image | question | key | image | explanation);
- ``Lời giải`` / ``Hướng dẫn giải`` / ``Giải thích`` start the solution; ``a) Đúng … b) Sai`` inside it is compared
  with the underlined statements and a conflict is reported;
- Word equations (OMML) become LaTeX ``\\(…\\)``; pictures are kept (attached where they appear).

Every question that cannot be read completely is reported with its number and a hint; nothing is dropped.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse

from lms.assessments.importers.omml import M, to_latex
from lms.assessments.ir import Choice, ImportResult, NumericAnswer, QType, Question, Statement, TextAnswer
from lms.assessments.rules import get_rule_set
from lms.assessments.scoring import check_answer_sheet

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
V = "{urn:schemas-microsoft-com:vml}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

QUESTION = re.compile(r"^\s*(?:Câu|CÂU|Bài|BÀI|Question|QUESTION)\s*(\d+)\s*(\([^)]*\))?\s*[.:)]?\s*", re.U)
PART = re.compile(
    r"^\s*(?:PHẦN|Phần|PHAN|Phan|Part|PART)\s+(I{1,3}|IV|[1-4])\b"
    r"|^\s*(I{1,3})\s*[.:]\s*(TRẮC NGHIỆM|ĐÚNG\s*[-/]?\s*SAI|TRẢ LỜI NGẮN|Câu trắc nghiệm|ĐỌC HIỂU|LÀM VĂN|TỰ LUẬN)",
    re.U | re.I,
)
OPTION = re.compile(r"^\s*(\*?)\s*([A-H])\s*[.)]\s?")
STATEMENT = re.compile(r"^\s*(\*?)\s*([a-h])\s*\)\s?")
KEY_LINE = re.compile(r"^\s*(?:Đáp án|ĐÁP ÁN|Đáp số|ĐÁP SỐ|Trả lời|TRẢ LỜI|Key|Answer)\s*[:.]\s*(.+?)\s*$", re.I)
KEY_TAG = re.compile(r"<\s*key\s*=\s*([^>]+)>", re.I)
SOLUTION = re.compile(
    r"^\s*(Lời giải|LỜI GIẢI|Hướng dẫn giải|HƯỚNG DẪN GIẢI|Hướng dẫn chi tiết|Giải thích chi tiết|Giải thích|Giải)"
    r"\s*[:.]?\s*",
    re.U,
)
RUBRIC = re.compile(r"^\s*(?:Hướng dẫn chấm|HƯỚNG DẪN CHẤM|Biểu điểm|BIỂU ĐIỂM)\s*[:.]?\s*$")
CHOOSE = re.compile(r"\b(?:Chọn|CHỌN)\s*(?:đáp án|phương án)?\s*:?\s*([A-H])\b")
SOLUTION_KEY = re.compile(r"(?:Đáp án|ĐÁP ÁN)\s*(?:đúng)?\s*(?:là)?\s*[:.]?\s*([A-H])\b")
ANSWER_TABLE_ITEM = re.compile(r"(\d+)\s*[-.:]?\s*([A-H])\b")
TF_IN_SOLUTION = re.compile(r"\b([a-d])\)\s*(Đúng|Sai|ĐÚNG|SAI|Đ|S)\b")
POINTS = re.compile(r"\((\d+(?:[.,]\d+)?)\s*điểm\)", re.I)
LEVEL_TAG = re.compile(r"\[\s*(?:\d\s*,\s*)?(NB|TH|VDC|VD|Biết|Hiểu|Vận dụng)\s*\]", re.I)
LEVELS = {"nb": "nb", "th": "th", "vd": "vd", "vdc": "vdc", "biết": "biet", "hiểu": "hieu", "vận dụng": "van_dung"}
END = re.compile(r"^\s*[-–—]*\s*HẾT\s*[-–—]*\s*$")
# câu chùm: "Đọc đoạn văn sau và trả lời các câu từ 5 đến 8", "Dùng thông tin sau cho câu 3 và câu 4",
# "Read the passage and answer questions 39 to 43". A heading counts only when it names its questions.
STIMULUS = re.compile(
    r"^\s*(?:Đọc|ĐỌC|Dùng|DÙNG|Sử dụng|SỬ DỤNG|Căn cứ|Dựa vào|DỰA VÀO|Cho|Read|Use)\b[^:]{0,160}?"
    r"(?:sau|dưới đây|SAU|DƯỚI ĐÂY|following|below)\b[^:]{0,120}?\b(?:các\s+)?(?:câu|Câu|CÂU|questions?|Questions?)"
    r"(?:\s+hỏi)?\s*(?:từ|số|from)?\s*(\d+)((?:\s*(?:,|và|đến|tới|and|to|-|–)\s*(?:câu|Câu|question)?\s*\d+)*)"
    r"\s*[.:]?\s*",
    re.U,
)
# a passage heading that names no question ("Read the following passage and mark the letter A, B, C, or D to indicate
# the correct answer to each of the questions.", "Đọc đoạn văn sau và trả lời câu hỏi"): the passage serves every
# question that follows, up to the next heading, part, section instruction or "HẾT"
OPEN_STIMULUS = re.compile(
    r"^\s*(?:Đọc|Read)\b[^:]{0,120}?\b(?:đoạn văn|đoạn trích|văn bản|bài đọc|đoạn thông tin|thông tin|bài văn|bài thơ"
    r"|đoạn thơ|passage|text|extract|article)\b[^:]{0,300}?\b(?:trả lời|thực hiện|answers?|mark|questions?)\b"
    r"[^:]{0,250}[.:]?\s*$",
    re.I | re.U,
)
# a section instruction of an English exam ("Mark the letter A, B, C, or D to indicate …"): it ends an open passage
INSTRUCTION = re.compile(
    r"^\s*(?:Mark|Choose|Indicate|Select|Read|Chọn|Khoanh|Hãy chọn)\b[^:]{0,250}?"
    r"(?:A,\s*B,\s*C,?\s*(?:or|hoặc|và)?\s*D|each of the (?:following )?questions|các câu(?: hỏi)? sau)",
    re.I | re.U,
)
PASSAGE_WORDS = re.compile(r"đoạn văn|đoạn trích|đoạn thông tin|thông tin sau|bài đọc|văn bản sau|passage", re.I)
ROMAN = {"I": "I", "II": "II", "III": "III", "IV": "IV", "1": "I", "2": "II", "3": "III", "4": "IV"}


@dataclass
class Seg:
    text: str
    marked: bool = False  # underline / bold / italic / highlight


@dataclass
class Line:
    segs: list[Seg] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    role: str = ""  # "key" / "solution" / "stem-media" for lines built from table columns
    lead: str = ""  # text before "Câu n" in the same table cell (instructions, a reading passage)
    numbered: bool = False  # Word's automatic list numbering: its numbers/letters are not in the text

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segs)


class DocxError(ValueError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


# ------------------------------------------------------------------------------------------------- OOXML → lines
class _Reader:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.media: dict[str, bytes] = {}
        self.rels: dict[str, str] = {}
        self.styles_marked: set[str] = set()
        self.warnings: list[str] = []
        try:
            rels = fromstring(archive.read("word/_rels/document.xml.rels"))
            self.rels = {r.get("Id"): r.get("Target") for r in rels.iter(f"{REL}Relationship")}
        except KeyError:
            pass
        try:
            styles = fromstring(archive.read("word/styles.xml"))
            for style in styles.iter(f"{W}style"):
                rpr = style.find(f"{W}rPr")
                if rpr is not None and self._marked(rpr):
                    self.styles_marked.add(style.get(f"{W}styleId"))
        except KeyError:
            pass

    @staticmethod
    def _on(el: Element | None) -> bool:
        return el is not None and el.get(f"{W}val", "true") not in ("0", "false", "none", "off")

    def _marked(self, rpr: Element | None) -> bool:
        if rpr is None:
            return False
        if self._on(rpr.find(f"{W}u")) or self._on(rpr.find(f"{W}b")) or self._on(rpr.find(f"{W}i")):
            return True
        if self._on(rpr.find(f"{W}highlight")):
            return True
        shd = rpr.find(f"{W}shd")
        if shd is not None and (shd.get(f"{W}fill") or "auto").lower() not in ("auto", "ffffff", ""):
            return True
        style = rpr.find(f"{W}rStyle")
        return style is not None and style.get(f"{W}val") in self.styles_marked

    def image(self, rid: str) -> str | None:
        target = self.rels.get(rid)
        if not target:
            return None
        path = posixpath.normpath(posixpath.join("word", target)) if not target.startswith("/") else target[1:]
        try:
            data = self.archive.read(path)
        except KeyError:
            self.warnings.append(f"picture {target} is missing from the file")
            return None
        name = posixpath.basename(path)
        self.media[name] = data
        return name

    def paragraph(self, p: Element) -> list[Line]:
        """One paragraph → one or more lines (``w:br`` breaks a line)."""
        lines = [Line()]
        # (pPr/rPr formats only the paragraph mark, not the text: it is ignored)
        if p.find(f"{W}pPr/{W}numPr") is not None:
            lines[0].numbered = True
        style = p.find(f"{W}pPr/{W}pStyle")
        style_marked = style is not None and style.get(f"{W}val") in self.styles_marked

        def walk(el: Element):
            for child in el:
                tag = child.tag
                if tag == f"{W}r":
                    run(child)
                elif tag in (f"{M}oMath", f"{M}oMathPara"):
                    lines[-1].segs.append(Seg(r"\(" + to_latex(child) + r"\)"))
                elif tag in (f"{W}hyperlink", f"{W}smartTag", f"{W}ins", f"{W}sdt", f"{W}sdtContent", f"{W}fldSimple"):
                    walk(child)
                elif tag == f"{W}del":
                    continue

        def run(r: Element):
            marked = self._marked(r.find(f"{W}rPr")) or style_marked
            for child in r:
                tag = child.tag
                if tag == f"{W}t":
                    lines[-1].segs.append(Seg(child.text or "", marked))
                elif tag == f"{W}tab":
                    lines[-1].segs.append(Seg("\t"))
                elif tag in (f"{W}br", f"{W}cr"):
                    lines.append(Line())
                elif tag in (f"{W}drawing", f"{W}pict", f"{W}object"):
                    for blip in child.iter(f"{A}blip"):
                        name = self.image(blip.get(f"{R}embed") or blip.get(f"{R}link") or "")
                        if name:
                            lines[-1].images.append(name)
                    for data in child.iter(f"{V}imagedata"):
                        name = self.image(data.get(f"{R}id") or "")
                        if name:
                            lines[-1].images.append(name)
                    if tag == f"{W}object":
                        self.warnings.append("an embedded object (MathType?) was kept as its picture")

        walk(p)
        return lines

    def cell_lines(self, tc: Element) -> list[Line]:
        out: list[Line] = []
        for child in tc:
            if child.tag == f"{W}p":
                out.extend(self.paragraph(child))
            elif child.tag == f"{W}tbl":
                for row in child.iter(f"{W}tr"):
                    for cell in row.findall(f"{W}tc"):
                        out.extend(self.cell_lines(cell))
        return out

    def lines(self, body: Element) -> list[Line]:
        out: list[Line] = []
        for child in body:
            out.extend(self.block(child))
        return out

    def block(self, child: Element) -> list[Line]:
        """One child of ``w:body`` (a paragraph, a table, a content control) → its lines."""
        if child.tag == f"{W}p":
            return self.paragraph(child)
        if child.tag == f"{W}tbl":
            return self.table(child)
        if child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                return self.lines(content)
        return []

    def stream(self, xml: IO[bytes]) -> Iterator[Line]:
        """The lines of ``word/document.xml`` read as a stream (``iterparse``): each child of ``w:body`` is turned
        into lines when its end tag is read and then dropped, so the document is never held as one tree."""
        depth = 0
        body: Element | None = None
        for event, el in iterparse(xml, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth == 2 and el.tag == f"{W}body":
                    body = el
                continue
            depth -= 1
            if depth == 2 and body is not None:
                yield from self.block(el)
                body.remove(el)

    def table(self, tbl: Element) -> list[Line]:
        """A table with one question per row (a "Câu n" cell and an answer column) becomes question lines with
        explicit key / solution roles; any other table is read cell by cell."""
        rows = [[self.cell_lines(tc) for tc in tr.findall(f"{W}tc")] for tr in tbl.findall(f"{W}tr")]
        header = [(" ".join(line.text for line in cell)).strip().lower() for cell in rows[0]] if rows else []
        out: list[Line] = []
        for cells in rows:
            q_index = next((i for i, cell in enumerate(cells) if any(QUESTION.match(line.text) for line in cell)), None)
            if q_index is None:
                answer_row = _answer_table_row(cells)
                if answer_row:
                    out.extend(answer_row)
                    continue
                for cell in cells:
                    out.extend(cell)
                continue
            cell = cells[q_index]
            first = next(i for i, line in enumerate(cell) if QUESTION.match(line.text))
            lead = "\n".join(line.text.strip() for line in cell[:first] if line.text.strip())
            lead_images = [name for line in cell[:first] for name in line.images]
            question_lines = cell[first:]
            question_lines[0].lead = lead
            question_lines[0].images = lead_images + question_lines[0].images
            out.extend(question_lines)
            stem_media = [name for c in cells[:q_index] for line in c for name in line.images]
            if stem_media:
                out.append(Line(images=stem_media, role="stem-media"))
            for i, other in enumerate(cells[q_index + 1 :], start=q_index + 1):
                text = "\n".join(line.text for line in other).strip()
                images = [name for line in other for name in line.images]
                column = header[i] if i < len(header) else ""
                if re.fullmatch(r"[A-H]{1,8}|[ĐS]{4}|-?\d+(?:[.,]\d+)?", text) and not images:
                    out.append(Line([Seg(text)], role="key"))
                elif text or images:
                    for line in other:
                        line.role = "rubric" if column in ("đáp án", "dap an") else "solution"
                    out.extend(other)
        return out


def _answer_table_row(cells: list[list[Line]]) -> list[Line]:
    texts = [" ".join(line.text for line in cell).strip() for cell in cells]
    if len(texts) >= 3 and texts[0].lower() in ("câu", "đáp án", "câu hỏi"):
        return []  # header-style answer tables are read through the "1-A" text of their cells
    return []


# ------------------------------------------------------------------------------------------------- lines → questions
@dataclass
class _Draft:
    number: int
    label: int
    part: str
    line_no: int
    stem: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    options: list[tuple[str, str, bool, bool]] = field(default_factory=list)  # label, text, marked, starred
    statements: list[tuple[str, str, bool, bool]] = field(default_factory=list)
    keys: list[tuple[str, str]] = field(default_factory=list)  # (source, value)
    solution: list[str] = field(default_factory=list)
    rubric: list[str] = field(default_factory=list)
    points: Decimal | None = None
    in_solution: bool = False
    in_rubric: bool = False
    level: str = ""
    numbered: list[str] = field(default_factory=list)  # lines that use Word's automatic numbering
    lead: str = ""  # the text before "Câu n" in its table cell (html)
    stimulus: _Stimulus | None = None


@dataclass
class _Stimulus:
    """A shared passage (câu chùm): kept once, its questions become the parts of one ``group`` question."""

    heading: str
    part: str
    numbers: set[int] | None  # the questions it names (None: those that share a table row's passage)
    passage: list[str] = field(default_factory=list)
    drafts: list[_Draft] = field(default_factory=list)
    collecting: bool = True  # before its first question: the lines are the passage
    open_ended: bool = False  # a heading that names no question: it takes every question up to the next heading

    def takes(self, label: int, part: str) -> bool:
        return part == self.part and (self.numbers is None or label in self.numbers)


def _stimulus_numbers(first: str, rest: str) -> set[int]:
    numbers = {int(first)}
    previous = int(first)
    for sep, number in re.findall(r"(,|và|đến|tới|and|to|-|–)\s*(?:câu|Câu|question)?\s*(\d+)", rest):
        n = int(number)
        if sep in ("đến", "tới", "to", "-", "–") and previous < n <= previous + 50:
            numbers.update(range(previous, n + 1))
        else:
            numbers.add(n)
        previous = n
    return numbers


def _split_options(line: Line) -> list[tuple[str, str, bool, bool]]:
    """``A. x B. y`` (or run together, ``A. xB. y``) → [(label, text, label marked, starred)]. Labels must come in
    order A, B, C… so that letters inside option text are not mistaken for labels."""
    text = line.text
    marks = []  # per character: marked?
    for seg in line.segs:
        marks.extend([seg.marked] * len(seg.text))
    found = []
    pos = 0
    expected = None
    while True:
        if expected is None:
            m = OPTION.match(text)
            if not m:
                return []
            expected = m.group(2)
            found.append((m.start(2), m.end(), m.group(2), bool(m.group(1))))
            pos = m.end()
        nxt = chr(ord(found[-1][2]) + 1)
        m = re.compile(r"(\*?)(?<![A-Za-zÀ-ỹ0-9_\\])" + nxt + r"\s*[.)]\s?").search(text, pos)
        if not m:
            break
        found.append((m.start() + len(m.group(1)), m.end(), nxt, bool(m.group(1))))
        pos = m.end()
    out = []
    for i, (start, end, label, starred) in enumerate(found):
        stop = found[i + 1][0] - (1 if found[i + 1][3] else 0) if i + 1 < len(found) else len(text)
        label_marked = any(marks[start:end][:2]) if start < len(marks) else False
        out.append((label, text[end:stop].strip(), label_marked, starred))
    return out


def parse(data: bytes, *, result: ImportResult | None = None) -> ImportResult:
    result = result or ImportResult(format="docx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        result.error(None, "The file is not a Word .docx document.", "Save it from Word as .docx (not .doc).")
        return result
    reader = _Reader(archive)
    read = ImportResult(format="docx")  # what reading finds, kept only if the whole document could be read
    try:
        with archive.open("word/document.xml") as xml:
            drafts = _drafts(reader.stream(xml), read)
    except (ParseError, DefusedXmlException, zipfile.BadZipFile) as exc:
        result.error(None, f"word/document.xml is damaged: {exc}", "Open and save the file again in Word.")
        return result
    for warning in dict.fromkeys(reader.warnings):
        result.warn(None, warning)
    result.warnings.extend(read.warnings)
    result.errors.extend(read.errors)
    groups: dict[int, Question] = {}  # id(stimulus) → its group question
    for draft in drafts:
        if draft.numbered:
            result.error(
                draft.number,
                f"{_where(draft)}: “{draft.numbered[0]}” is an automatically numbered list item; its number or "
                "letter is not in the text, so options and statements cannot be told apart",
                "Type the labels (A., B., a), b)) instead of using Word's numbering, then import again.",
            )
            continue
        try:
            q = _build(draft, reader.media, result)
            if draft.part == "I" and q.type == QType.SINGLE and len(q.choices) != 4:
                result.warn(draft.number, f"{_where(draft)}: {len(q.choices)} options; THPT 2025 Part I has 4 (R26)")
        except DocxError as exc:
            result.error(draft.number, f"{_where(draft)}: {exc}", getattr(exc, "hint", ""))
            continue
        if draft.stimulus is None:
            result.questions.append(q)
            continue
        group = groups.get(id(draft.stimulus))
        if group is None:
            group = groups[id(draft.stimulus)] = _group(draft.stimulus, reader.media, number=q.number)
            result.questions.append(group)
        group.parts.append(q)
        group.points = sum((part.points for part in group.parts), Decimal(0))
        group.media.update(q.media)
    for draft in drafts:
        group = groups.get(id(draft.stimulus)) if draft.stimulus is not None else None
        if group is None or draft is not draft.stimulus.drafts[0]:
            continue
        group.name = f"{group.parts[0].name}–{draft.stimulus.drafts[-1].label}"
        if len(group.parts) < len(draft.stimulus.drafts):
            result.warn(
                group.number,
                f"{group.name}: the shared passage was kept with the questions that could be read; the others are "
                "reported",
            )
    if not drafts:
        result.error(None, "No question found.", "Start each question with “Câu 1.”, “Câu 2.”, …")
    return result


def _group(stimulus: _Stimulus, media: dict[str, bytes], *, number: int | None) -> Question:
    """The câu chùm: the passage once, as the stem of a ``group`` question whose parts are its questions."""
    stem = "<br>".join(line for line in stimulus.passage if line)
    group = Question(type=QType.GROUP, stem=stem, number=number, exam_part=stimulus.part, text_format="html")
    group.points = Decimal(0)
    used = set(re.findall(r"@@PLUGINFILE@@/([^\"]+)\"", stem))
    group.media = {name: media[name] for name in used if name in media}
    return group


def _where(d: _Draft) -> str:
    return f"Phần {d.part}, Câu {d.label}" if d.part else f"Câu {d.label}"


def _drafts(lines: Iterable[Line], result: ImportResult) -> list[_Draft]:
    drafts: list[_Draft] = []
    by_label: dict[tuple[str, int], _Draft] = {}
    part = ""
    current: _Draft | None = None
    stimulus: _Stimulus | None = None
    after_end = False  # after "HẾT" or an answer table: "Câu n" lines are solutions of existing questions
    for line_no, line in enumerate(lines, start=1):
        text = line.text.strip()
        sm = None if line.role or after_end else STIMULUS.match(text)
        if sm and not QUESTION.match(text):
            stimulus = _Stimulus(
                heading=text[: sm.end()].strip(), part=part, numbers=_stimulus_numbers(sm.group(1), sm.group(2))
            )
            current = None
            rest = _trim_line(line, sm.end())
            if rest.text.strip() or rest.images:
                stimulus.passage.append(_html(rest, None))
            continue
        if not line.role and not after_end and not QUESTION.match(text):
            if (
                stimulus is not None
                and stimulus.open_ended
                and not stimulus.collecting
                and INSTRUCTION.match(text)
                and not OPEN_STIMULUS.match(text)
            ):
                stimulus = current = None  # a new section: the open passage served the questions before it
            elif (
                OPEN_STIMULUS.match(text)
                and len(text) <= 400
                and not re.search(r"\d", text)
                and (stimulus is None or not stimulus.collecting)  # right after a heading: part of its passage
            ):
                stimulus = _Stimulus(heading=text, part=part, numbers=None, open_ended=True)
                current = None
                continue
        if line.role == "stem-media" and current:
            current.media.extend(line.images)
            continue
        if line.role == "key" and current:
            current.keys.append(("column", text))
            continue
        if line.role in ("solution", "rubric") and current:
            target = current.solution if line.role == "solution" else current.rubric
            if text or line.images:
                target.append(_html(line, current))
            continue
        if not text and not line.images:
            continue
        if END.match(text):
            after_end = True
            current = stimulus = None
            continue
        pm = PART.match(text)
        if pm and not QUESTION.match(text):
            part = ROMAN.get((pm.group(1) or pm.group(2) or "").upper(), "")
            if "ĐỌC HIỂU" in text.upper() or "LÀM VĂN" in text.upper() or "TỰ LUẬN" in text.upper():
                part = ""
            current = stimulus = None
            continue
        table_keys = ANSWER_TABLE_ITEM.findall(text)
        if len(table_keys) >= 2 and re.fullmatch(r"(?:\s*\d+\s*[-.:]?\s*[A-H]\b[\s,;|]*)+", text):
            for number, key in table_keys:
                target = by_label.get((part, int(number))) or by_label.get(("", int(number)))
                if target is None:
                    result.warn(None, f"the answer table names Câu {number}, which is not in the file")
                else:
                    target.keys.append(("answer table", key))
            after_end = True
            current = None
            continue
        qm = QUESTION.match(text)
        if qm:
            label = int(qm.group(1))
            if current is not None and current.in_solution and label != current.label + 1:
                # "Câu 1 – …" inside the solution of Câu 1 is solution text, not the next question
                _solution_line(current, line)
                continue
            if after_end and (part, label) in by_label:
                current = by_label[(part, label)]
                current.in_solution = True
                rest = text[qm.end() :].strip()
                if rest:
                    current.solution.append(html.escape(rest))
                continue
            current = _Draft(number=len(drafts) + 1, label=label, part=part, line_no=line_no)
            if stimulus is not None and stimulus.takes(label, part):
                stimulus.collecting = False
                stimulus.drafts.append(current)
                current.stimulus = stimulus
            elif stimulus is not None:
                _close_stimulus(stimulus, result)
                stimulus = None
            drafts.append(current)
            by_label.setdefault((part, label), current)
            if line.lead:
                current.lead = html.escape(line.lead).replace("\n", "<br>")
            head = qm.group(2) or ""
            pts = POINTS.search(head) or POINTS.search(text)
            if pts:
                current.points = Decimal(pts.group(1).replace(",", "."))
            # the rest of the line may hold the stem and inline options; a matrix tag "[1, TH]" gives the level
            rest = _trim_line(line, qm.end())
            tag = LEVEL_TAG.search(rest.text)
            if tag:
                current.level = LEVELS[tag.group(1).lower()]
                rest = _cut(rest, tag.start(), tag.end())
            _add_content(current, rest, result)
            continue
        if line.numbered and current is not None and not current.in_solution:
            current.numbered.append(text[:40])
        elif line.numbered and current is None:
            result.warn(None, f"“{text[:40]}” is an automatically numbered list item outside any question")
        if current is None:
            if stimulus is not None and stimulus.collecting:
                if text or line.images:
                    stimulus.passage.append(_html(line, None))
            elif text or line.images:
                result.warn(None, f"text outside any question ignored: {text[:60]!r}")
            continue
        _add_content(current, line, result)
    if stimulus is not None:
        _close_stimulus(stimulus, result)
    _group_shared_leads(drafts)
    for d in drafts:
        if d.lead and d.stimulus is None:
            d.stem.insert(0, d.lead)  # an instruction or passage of this question alone stays in its stem
    return drafts


def _close_stimulus(stimulus: _Stimulus, result: ImportResult) -> None:
    """A heading whose questions did not all follow it is reported (its questions are still grouped)."""
    found = {d.label for d in stimulus.drafts}
    missing = sorted((stimulus.numbers or set()) - found)
    if missing:
        result.warn(
            stimulus.drafts[0].number if stimulus.drafts else None,
            f"“{stimulus.heading[:80]}” names Câu {', '.join(map(str, missing))}, which do not follow it",
        )


def _group_shared_leads(drafts: list[_Draft]) -> None:
    """The table layout (VNHSGE) repeats a reading passage in the cell of every question it serves: consecutive
    questions with the same passage become one câu chùm, the passage kept once."""
    i = 0
    while i < len(drafts):
        d = drafts[i]
        j = i + 1
        if d.lead and d.stimulus is None and (len(d.lead) >= 200 or PASSAGE_WORDS.search(d.lead)):
            while j < len(drafts) and drafts[j].lead == d.lead and drafts[j].stimulus is None:
                j += 1
        if j - i >= 2:
            stimulus = _Stimulus(heading="", part=d.part, numbers=None, passage=[d.lead], collecting=False)
            for other in drafts[i:j]:
                other.stimulus = stimulus
                stimulus.drafts.append(other)
        i = j


def _trim_line(line: Line, start: int) -> Line:
    out = Line(images=list(line.images))
    pos = 0
    for seg in line.segs:
        end = pos + len(seg.text)
        if end > start:
            out.segs.append(Seg(seg.text[max(0, start - pos) :], seg.marked))
        pos = end
    return out


def _cut(line: Line, start: int, end: int) -> Line:
    """``line`` without the characters start…end (keeping the formatting of the rest)."""
    out = Line(images=list(line.images))
    pos = 0
    for seg in line.segs:
        a, b = pos, pos + len(seg.text)
        kept = seg.text[: max(0, start - a)] + seg.text[max(0, end - a) :] if a < end and b > start else seg.text
        out.segs.append(Seg(kept, seg.marked))
        pos = b
    return out


def _html(line: Line, draft: _Draft | None) -> str:
    text = html.escape(line.text.strip(), quote=False)
    pictures = "".join(f'<img src="@@PLUGINFILE@@/{name}" alt="">' for name in line.images)
    return f"{text} {pictures}" if text and pictures else text + pictures


def _add_content(d: _Draft, line: Line, result: ImportResult) -> None:
    text = line.text.strip()
    if RUBRIC.match(text):
        d.in_rubric = True
        return
    if d.in_rubric:
        if text or line.images:
            d.rubric.append(_html(line, d))
        return
    sol = SOLUTION.match(text)
    if sol and (sol.end() == len(text) or text[sol.end() - 1 : sol.end()] in (":", ".") or not d.in_solution):
        if sol.group(1) in ("Giải", "Giải thích") and sol.end() < len(text) and text[sol.end() - 1] not in ":.":
            pass
        else:
            d.in_solution = True
            rest = _trim_line(line, sol.end())
            if rest.text.strip() or rest.images:
                _solution_line(d, rest)
            return
    key = KEY_LINE.match(text) or KEY_TAG.search(text)
    if key and (d.in_solution or d.options or d.statements or KEY_LINE.match(text)):
        d.keys.append(("Đáp án", key.group(1).strip()))
        return
    if d.in_solution:
        _solution_line(d, line)
        return
    if not d.options and not d.statements and re.fullmatch(r"[A-H]", text) and False:
        return
    if d.options and re.fullmatch(r"[A-H]", text):
        d.keys.append(("answer line", text))
        return
    options = _split_options(line)
    if options and d.options and options[0][0] == d.options[-1][0]:
        label, text_, marked, starred = d.options[-1]
        result.warn(d.number, f"{_where(d)}: option {label} appears twice; the second line was added to the first")
        d.options[-1] = (label, f"{text_} {html.escape(text, quote=False)}", marked, starred)
        return
    if options and (d.options or options[0][0] == "A"):
        if d.options and options[0][0] != chr(ord(d.options[-1][0]) + 1) and options[0][0] == "A":
            result.warn(d.number, f"{_where(d)}: a second list of options starting at A was merged into the text")
            d.stem.append(_html(line, d))
            return
        d.options.extend(options)
        if line.images:
            label, text_, marked, starred = d.options[-1]
            d.options[-1] = (
                label,
                text_ + "".join(f'<img src="@@PLUGINFILE@@/{n}" alt="">' for n in line.images),
                marked,
                starred,
            )
        return
    st = STATEMENT.match(text)
    if st and (d.statements or st.group(2) == "a"):
        label_marked = any(seg.marked for seg in _trim_line(line, 0).segs[:1]) or _label_marked(line, st)
        d.statements.append(
            (st.group(2), html.escape(text[st.end() :].strip(), quote=False), label_marked, bool(st.group(1)))
        )
        return
    if d.options or d.statements:
        # a continuation line of the last option / statement
        if d.options:
            label, text_, marked, starred = d.options[-1]
            d.options[-1] = (label, (text_ + " " + _html(line, d)).strip(), marked, starred)
        else:
            label, text_, marked, starred = d.statements[-1]
            d.statements[-1] = (label, (text_ + " " + _html(line, d)).strip(), marked, starred)
        return
    if text or line.images:
        d.stem.append(_html(line, d))


def _label_marked(line: Line, match: re.Match) -> bool:
    marks = []
    for seg in line.segs:
        marks.extend([seg.marked] * len(seg.text))
    return any(marks[match.start(2) : match.end(2)])


def _solution_line(d: _Draft, line: Line) -> None:
    text = line.text.strip()
    if not text and not line.images:
        return
    key = KEY_LINE.match(text) or KEY_TAG.search(text)
    if key:
        d.keys.append(("Đáp án", key.group(1).strip()))
    d.solution.append(_html(line, d))


def _option_html(text: str) -> str:
    return text if "<img" in text else html.escape(text, quote=False)


def _build(d: _Draft, media: dict[str, bytes], result: ImportResult) -> Question:
    stem = "<br>".join(s for s in d.stem if s)
    images = [f'<img src="@@PLUGINFILE@@/{n}" alt="">' for n in d.media]
    stem = f"{stem} {''.join(images)}".strip()
    q = Question(type=QType.ESSAY, stem=stem, number=d.number, exam_part=d.part, text_format="html", level=d.level)
    q.name = _where(d)
    q.solution = "<br>".join(d.solution)
    if d.points is not None:
        q.points = d.points
    used = set(re.findall(r"@@PLUGINFILE@@/([^\"]+)\"", stem + q.solution + "".join(o[1] for o in d.options)))
    q.media = {name: media[name] for name in used if name in media}
    if not stem and d.stimulus is not None and f"({d.label})" in " ".join(d.stimulus.passage):
        stem = f"({d.label})"  # a gap of the shared passage ("… (34) ….. …"): the question is that gap
        q.stem = stem
    if not stem:
        raise DocxError("the question has no text", "Write the question after “Câu n.”.")
    solution_text = " ".join(d.solution)
    if d.statements or d.part == "II":
        return _tf4(q, d, solution_text)
    if d.options:
        return _choice(q, d, solution_text)
    keys = [value for _source, value in d.keys]
    if d.part == "III" or keys:
        if not keys:
            raise DocxError("no answer (Đáp án: …) for the short-answer question", "Add a line “Đáp án: -1,5”.")
        value = keys[-1]
        q.answer_sheet = "THPT2025" if d.part == "III" else ""
        alternatives = [_weighted(v) for v in value.split(" | ")]
        try:
            numeric = [_numeric_answer(text, fraction) for text, fraction in alternatives]
        except (InvalidOperation, ValueError):
            if d.part == "III":
                raise DocxError(f"the answer {value!r} is not a number", "Part III answers are numbers.") from None
            q.type = QType.SHORT
            q.answers = [TextAnswer(text, fraction) for text, fraction in alternatives]
            return q
        q.type = QType.NUMERIC
        q.numeric = numeric
        if q.answer_sheet:
            problem = check_answer_sheet(value.replace(".", ",").replace("−", "-"), get_rule_set().answer_sheet)
            if problem:
                raise DocxError(
                    f"the answer {value!r} does not fit the 2025 answer sheet ({problem})",
                    "Round it so that it has at most 4 characters from 0–9, “-” and “,”.",
                )
        return q
    q.type = QType.ESSAY
    if d.rubric:
        from lms.assessments.ir import RubricCriterion

        q.rubric = [RubricCriterion("<br>".join(d.rubric), q.points)]
    return q


def _choice(q: Question, d: _Draft, solution_text: str) -> Question:
    labels = [o[0] for o in d.options]
    if len(d.options) < 2:
        raise DocxError("fewer than two options", "Write at least options A. and B.")
    if labels != [chr(ord("A") + i) for i in range(len(labels))]:
        raise DocxError(f"options out of order: {' '.join(labels)}", "Label the options A, B, C, D in order.")
    candidates: list[tuple[str, set[str]]] = []
    marked = {o[0] for o in d.options if o[2]}
    starred = {o[0] for o in d.options if o[3]}
    if starred:
        candidates.append(("*", starred))
    if marked and len(marked) < len(labels):
        candidates.append(("underlined/bold label", marked))
    for source, value in d.keys:
        letters = set(re.sub(r"[^A-H]", "", value.upper()))
        if letters:
            candidates.append((source, letters))
    in_solution = SOLUTION_KEY.findall(solution_text)
    if in_solution:
        candidates.append(("Đáp án in the solution", {in_solution[-1]}))
    chosen = CHOOSE.findall(solution_text)
    if chosen:
        candidates.append(("Chọn … in the solution", {chosen[-1]}))
    if not candidates:
        raise DocxError(
            "no answer key",
            "Underline the label of the right option, put * before it, or add a line “Đáp án: B”.",
        )
    key = candidates[0][1]
    for source, other in candidates[1:]:
        if other != key and source not in ("underlined/bold label",):
            raise DocxError(
                f"the keys disagree: {candidates[0][0]} says {''.join(sorted(key))}, {source} says "
                f"{''.join(sorted(other))}",
                "Keep one key per question.",
            )
    unknown = key - set(labels)
    if unknown:
        raise DocxError(f"the key {''.join(sorted(unknown))} is not one of the options", "")
    q.type = QType.SINGLE if len(key) == 1 else QType.MULTIPLE
    q.choices = [Choice(label, _option_html(text), label in key) for label, text, _m, _s in d.options]
    return q


def _tf4(q: Question, d: _Draft, solution_text: str) -> Question:
    labels = [s[0] for s in d.statements]
    if labels != ["a", "b", "c", "d"]:
        raise DocxError(
            f"a Đúng/Sai question needs statements a) b) c) d), found {' '.join(labels) or 'none'}",
            "Write the four statements as a) … b) … c) … d) … on their own lines.",
        )
    truth = None
    marked = [s[2] or s[3] for s in d.statements]
    if any(marked):
        truth = marked
    for _source, value in d.keys:
        letters = re.sub(r"[^ĐSđsDTFdtf]", "", value)
        if len(letters) == 4:
            from_key = [ch.upper() in ("Đ", "D", "T") for ch in letters]
            if truth is not None and from_key != truth:
                raise DocxError("the underlined statements and the “Đáp án” line disagree", "Keep one key.")
            truth = from_key
    in_solution = dict(TF_IN_SOLUTION.findall(solution_text))
    if len(in_solution) == 4:
        from_solution = [in_solution[label].upper().startswith("Đ") for label in "abcd"]
        if truth is not None and from_solution != truth:
            raise DocxError(
                "the solution (a) Đúng … b) Sai …) contradicts the underlined statements",
                "Correct either the underlining or the solution.",
            )
        truth = from_solution
    if truth is None:
        raise DocxError("no key for the statements", "Underline the labels of the true statements (a, b, c, d).")
    q.type = QType.TF4
    q.statements = [Statement(label, text, t) for (label, text, _m, _s), t in zip(d.statements, truth, strict=True)]
    if d.points is None:
        q.points = Decimal(1)
    return q


def _weighted(text: str) -> tuple[str, Decimal]:
    m = re.fullmatch(r"(.*?)\s*\((-?\d+(?:[.,]\d+)?)%\)", text.strip())
    if m:
        return m.group(1).strip(), Decimal(m.group(2).replace(",", ".")) / 100
    return text.strip(), Decimal(1)


def _numeric_answer(text: str, fraction: Decimal) -> NumericAnswer:
    value, _, tolerance = text.partition("±")
    number = Decimal(value.replace("−", "-").replace(",", ".").replace(" ", ""))
    tol = Decimal(tolerance.replace(",", ".").strip()) if tolerance.strip() else Decimal(0)
    return NumericAnswer(number, tol, fraction)
