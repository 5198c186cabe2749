"""The Word (.docx) copies of an exam code, written as plain OOXML from the same printed questions as the PDF
(``lms.exams.paper``): header, ``PHẦN I.`` …, "Câu n." with the stem, the options / statements / items / gap options
one per line, a câu chùm's sub-questions, and "------ HẾT ------".

- The teachers' copy underlines the right labels and puts "Đáp án: …" under every question (then its "Lời giải" and
  an essay's "Hướng dẫn chấm" when the bank has them), so the bank's Word import reads it back with its keys.
- The students' copy (``teachers=False``) has none of that: the candidate's name and number lines under the header,
  and the answer sheet (phiếu trả lời) as a table on its own page after "HẾT", as in the PDF.

Maths is written as
Unicode text (``latex_text``), except that maths with plain fractions (``\\frac{1}{2} + x^2``) becomes a Word equation
(OMML ``m:f``); pictures are embedded at their size up to the text width, and a picture that cannot
be read is named instead.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from xml.sax.saxutils import escape

from django.utils.html import strip_tags
from PIL import Image, UnidentifiedImageError

from lms.exams.latex_text import MATH, fraction_pieces, math_to_text
from lms.exams.paper import CANDIDATE_LINES, ROW_LABEL, Printed, PrintedPart

IMG = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']*)[\"'][^>]*>", re.IGNORECASE)
BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>|</div>\s*<div[^>]*>", re.IGNORECASE)
PLUGINFILE = "@@PLUGINFILE@@/"
IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "bmp": "image/bmp", "tiff": "image/tiff"}
EMU_PER_PX = 9525  # at 96 dpi
TEXT_WIDTH_PX = 640  # A4 less 2 cm margins each side, at 96 dpi
TWIPS_PER_MM = 56.7
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    f'xmlns:w="{W}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
)


def _spaces(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text)


def _math_run(text: str) -> str:
    return f'<m:r><m:t xml:space="preserve">{escape(text)}</m:t></m:r>' if text else ""


def _equation(pieces: list) -> str:
    """A Word equation (OMML) of text and plain fractions (``latex_text.fraction_pieces``)."""
    body = "".join(
        _math_run(_spaces(piece))
        if isinstance(piece, str)
        else f"<m:f><m:num>{_math_run(piece[0])}</m:num><m:den>{_math_run(piece[1])}</m:den></m:f>"
        for piece in pieces
    )
    return f"<m:oMath>{body}</m:oMath>"


class _Document:
    def __init__(self):
        self.body: list[str] = []
        self.files: dict[str, bytes] = {}  # "media/imageN.png" → bytes
        self.media: dict[str, bytes] = {}  # the current question's pictures

    @staticmethod
    def run(text: str, *, bold: bool = False, underline: bool = False, italic: bool = False) -> str:
        if not text:
            return ""
        props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + ('<w:u w:val="single"/>' * underline)
        props = f"<w:rPr>{props}</w:rPr>" if props else ""
        return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'

    def picture(self, name: str) -> str:
        data = self.media.get(name)
        try:
            with Image.open(io.BytesIO(data or b"")) as image:
                width, height = image.size
                kind = (image.format or "").lower()
        except (UnidentifiedImageError, OSError, ValueError):
            kind = ""
        if kind not in IMAGE_TYPES:
            return self.run(f"[Hình {name}: không in được]")
        number = len(self.files) + 1
        self.files[f"media/image{number}.{kind}"] = data
        scale = min(1.0, TEXT_WIDTH_PX / max(width, 1))
        cx, cy = int(width * scale * EMU_PER_PX), int(height * scale * EMU_PER_PX)
        return (
            f'<w:r><w:drawing><wp:inline><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{number}" '
            f'name="{escape(name)}"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/'
            f'picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{number}" name="{escape(name)}"/><pic:cNvPicPr/>'
            f'</pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdImg{number}"/><a:stretch><a:fillRect/></a:stretch>'
            f'</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
            f"</wp:inline></w:drawing></w:r>"
        )

    def text(self, fragment: str) -> str:
        """Text runs of an HTML fragment without pictures: maths with plain fractions as a Word equation, other
        maths as Unicode text."""
        text = html.unescape(strip_tags(re.sub(r"</?p[^>]*>", "", fragment or "")))
        out, start = [], 0
        for match in MATH.finditer(text):
            out.append(self.run(_spaces(text[start : match.start()])))
            source = next(group for group in match.groups() if group is not None)
            pieces = fraction_pieces(source)
            out.append(self.run(_spaces(math_to_text(source))) if pieces is None else _equation(pieces))
            start = match.end()
        out.append(self.run(_spaces(text[start:])))
        return "".join(out)

    def rich(self, fragment: str) -> list[str]:
        """An HTML fragment as the runs of its paragraphs (split at <br> and </p><p>), pictures embedded."""
        paragraphs = []
        for chunk in BREAK.split(fragment or ""):
            runs, start = [], 0
            for match in IMG.finditer(chunk):
                runs.append(self.text(chunk[start : match.start()]))
                runs.append(self.picture(match.group(1).removeprefix(PLUGINFILE)))
                start = match.end()
            runs.append(self.text(chunk[start:]))
            paragraphs.append("".join(runs))
        return paragraphs

    def paragraph(self, runs: str, *, align: str = "", indent: int = 0, page_break: bool = False) -> None:
        props = (
            ("<w:pageBreakBefore/>" if page_break else "")
            + (f'<w:jc w:val="{align}"/>' if align else "")
            + (f'<w:ind w:left="{indent}"/>' if indent else "")
        )
        self.body.append(f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{runs}</w:p>")

    def table(self, rows: list[list[tuple[str, float]]]) -> None:
        """A bordered table; each row its own cells of (text, width in mm), so rows may differ in length."""
        widest = max(len(row) for row in rows)
        grid = "".join(f'<w:gridCol w:w="{round(TWIPS_PER_MM * ROW_LABEL)}"/>' for _ in range(widest))
        borders = "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        body = []
        for row in rows:
            cells = "".join(
                f'<w:tc><w:tcPr><w:tcW w:w="{round(width * TWIPS_PER_MM)}" w:type="dxa"/></w:tcPr>'
                f"<w:p>{self.run(text)}</w:p></w:tc>"
                for text, width in row
            )
            body.append(f"<w:tr>{cells}</w:tr>")
        self.body.append(
            f'<w:tbl><w:tblPr><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="autofit"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(body)}</w:tbl>"
        )

    def lead(self, head: str, fragment: str, *, indent: int = 0) -> None:
        """``head`` runs, then the fragment's first paragraph on the same line, its other paragraphs below."""
        paragraphs = self.rich(fragment)
        self.paragraph(head + paragraphs[0], indent=indent)
        for extra in paragraphs[1:]:
            self.paragraph(extra, indent=indent)


def _question(doc: _Document, q: Printed, teachers: bool) -> None:
    head = "" if q.type == "description" else doc.run(f"Câu {q.number}. ", bold=True)
    if q.intro:
        doc.paragraph(head + doc.run(q.intro, bold=True))
        head = ""
    doc.lead(head, q.stem)
    for line in q.lines:
        label = doc.run(line.prefix.strip(), underline=teachers and line.right)
        doc.lead(label + doc.run(" "), line.text, indent=360)
    for part in q.parts:
        _question(doc, part, teachers)
    if not teachers:
        return
    if q.type != "group" and q.sheet:
        doc.paragraph(doc.run(f"Đáp án: {q.key}", italic=True))
    if q.solution:
        doc.paragraph(doc.run("Lời giải", bold=True))
        doc.lead("", q.solution)
    if q.rubric:
        doc.paragraph(doc.run("Hướng dẫn chấm", bold=True))
        for criterion in q.rubric:
            doc.lead("", criterion)


def _answer_sheet(doc: _Document, test, variant, parts: list[PrintedPart]) -> None:
    """The phiếu trả lời on a page of its own: name and number lines, then per part a row per question."""
    doc.paragraph(doc.run("PHIẾU TRẢ LỜI", bold=True), align="center", page_break=True)
    doc.paragraph(doc.run(f"{test.title} · Mã đề {variant.code}"), align="center")
    _candidate_lines(doc)
    for part in parts:
        rows = [
            [(f"Câu {row.number}", ROW_LABEL)] + [(cell.text, cell.width) for cell in row.sheet]
            for q in part.questions
            for row in q.rows()
        ]
        if rows:
            doc.paragraph(doc.run(f"PHẦN {part.code}", bold=True))
            doc.table(rows)


def _candidate_lines(doc: _Document) -> None:
    for line in CANDIDATE_LINES:
        doc.paragraph(doc.run(line))


def document(
    test, variant, parts: list[PrintedPart], media: list[list[dict[str, bytes]]], *, teachers: bool = True
) -> bytes:
    """The .docx of ``variant``, the teachers' copy or (``teachers=False``) the students'; ``media[p][n]`` is
    ``{file name: bytes}`` of question n of part p."""
    doc = _Document()
    doc.paragraph(doc.run(test.school.name.upper(), bold=True))
    doc.paragraph(doc.run(test.title.upper(), bold=True), align="center")
    subject = f"Môn: {test.subject.name} · " if test.subject_id else ""
    doc.paragraph(doc.run(f"{subject}Thời gian làm bài: {test.minutes} phút"), align="center")
    doc.paragraph(doc.run(f"Mã đề {variant.code}", bold=True), align="right")
    if not teachers:
        _candidate_lines(doc)
    for part, pictures in zip(parts, media, strict=True):
        doc.paragraph(doc.run(f"PHẦN {part.code}. {part.title}".strip(), bold=True))
        for q, files in zip(part.questions, pictures, strict=True):
            doc.media = files
            _question(doc, q, teachers)
    doc.paragraph(doc.run("------ HẾT ------", bold=True), align="center")
    if not teachers:
        _answer_sheet(doc, test, variant, parts)
    return _package(doc)


def _package(doc: _Document) -> bytes:
    body = "".join(doc.body)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NAMESPACES}><w:body>{body}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" '
        'w:left="1134" w:header="709" w:footer="709" w:gutter="0"/></w:sectPr></w:body></w:document>'
    )
    image_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
    rels = "".join(
        f'<Relationship Id="rIdImg{i}" Type="{image_type}" Target="{target}"/>'
        for i, target in enumerate(doc.files, start=1)
    )
    kinds = sorted({target.rsplit(".", 1)[1] for target in doc.files})
    defaults = "".join(f'<Default Extension="{kind}" ContentType="{IMAGE_TYPES[kind]}"/>' for kind in kinds)
    out = io.BytesIO()
    package = "http://schemas.openxmlformats.org/package/2006"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{defaults}'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{package}/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr("word/document.xml", xml)
        z.writestr(
            "word/_rels/document.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{package}/relationships">'
            f"{rels}</Relationships>",
        )
        for target, data in doc.files.items():
            z.writestr(f"word/{target}", data)
    return out.getvalue()
