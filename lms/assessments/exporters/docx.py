"""Word (.docx) in the Vietnamese exam layout (formats.md §3.3), written as raw OOXML and read back by
``importers.docx``:

``PHẦN I.`` single choice (options A.–D. one per line, the correct label underlined), ``PHẦN II.`` Đúng/Sai
(statements a)–d), true labels underlined), ``PHẦN III.`` short answers (``Đáp án: -1,5``), ``PHẦN IV.`` other
questions; ``Lời giải`` after each question; a câu chùm as "Đọc thông tin sau và trả lời các câu từ n đến m." with
its passage once, then its questions; pictures embedded; LaTeX kept as ``\\(…\\)`` text.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
from xml.sax.saxutils import escape

from lms.assessments.ir import QType, Question, format_decimal

PARTS = {
    "I": "PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn.",
    "II": "PHẦN II. Câu trắc nghiệm đúng sai.",
    "III": "PHẦN III. Câu trắc nghiệm trả lời ngắn.",
    "IV": "PHẦN IV. Tự luận.",
}
SUPPORTED = {QType.SINGLE, QType.MULTIPLE, QType.TF4, QType.NUMERIC, QType.SHORT, QType.ESSAY}


class ExportError(ValueError):
    pass


def part_of(q: Question) -> str:
    if q.exam_part in PARTS:
        return q.exam_part
    if q.type == QType.GROUP and q.parts:
        return part_of(q.parts[0])
    if q.type in (QType.SINGLE, QType.MULTIPLE):
        return "I"
    if q.type == QType.TF4:
        return "II"
    if q.type == QType.NUMERIC and q.answer_sheet:
        return "III"
    return "IV"


def _image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        w, h = struct.unpack(">II", data[16:24])
        return w, h
    if data[:2] == b"\xff\xd8":
        i = 2
        while i < len(data) - 9:
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return w, h
            i += 2 + length
    return 400, 300


class _Writer:
    def __init__(self):
        self.body: list[str] = []
        self.media: dict[str, bytes] = {}
        self.rels: list[tuple[str, str]] = []
        self.pic_id = 0

    def image(self, name: str, data: bytes) -> str:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", name.rsplit("/", 1)[-1])
        target = f"media/{safe}"
        if target in self.media and self.media[target] != data:
            target = f"media/{len(self.media) + 1}_{safe}"
        self.media[target] = data
        rid = f"rIdImg{len(self.rels) + 1}"
        self.rels.append((rid, target))
        self.pic_id += 1
        w, h = _image_size(data)
        scale = min(1.0, 420 / max(w, 1))
        cx, cy = int(w * scale * 9525), int(h * scale * 9525)
        return (
            f'<w:r><w:drawing><wp:inline><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{self.pic_id}" '
            f'name="{escape(name)}"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/'
            f'picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{self.pic_id}" name="{escape(name)}"/><pic:cNvPicPr/>'
            f'</pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect">'
            f"<a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        )

    @staticmethod
    def run(text: str, *, underline: bool = False, bold: bool = False) -> str:
        if not text:
            return ""
        props = ("<w:b/>" if bold else "") + ('<w:u w:val="single"/>' if underline else "")
        rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
        return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'

    def rich(self, markup: str, media: dict[str, bytes]) -> list[str]:
        """Our HTML fragment → runs, split into paragraphs at <br>/<p>; pictures embedded."""
        paragraphs: list[str] = []
        for chunk in re.split(r"<br\s*/?>|</p>\s*<p[^>]*>|</div>\s*<div[^>]*>", markup or ""):
            runs = []
            for piece in re.split(r"(<img[^>]*>)", chunk):
                if piece.startswith("<img"):
                    src = re.search(r'src="@@PLUGINFILE@@/([^"]+)"', piece)
                    if src and media.get(src.group(1)):
                        runs.append(self.image(src.group(1), media[src.group(1)]))
                    continue
                text = html.unescape(re.sub(r"<[^>]+>", "", piece))
                runs.append(self.run(text))
            paragraphs.append("".join(runs))
        return paragraphs

    def paragraph(self, runs: str) -> None:
        self.body.append(f"<w:p>{runs}</w:p>")


def export(questions: list[Question]) -> bytes:
    unsupported = [x for q in questions for x in ([q] if q.type != QType.GROUP else q.parts) if x.type not in SUPPORTED]
    if unsupported:
        q = unsupported[0]
        raise ExportError(f"The Word layout cannot hold a {q.type} question (question {q.number or q.name!r})")
    w = _Writer()
    by_part: dict[str, list[Question]] = {}
    for q in questions:
        by_part.setdefault(part_of(q), []).append(q)
    for part in ("I", "II", "III", "IV"):
        if part not in by_part:
            continue
        w.paragraph(w.run(PARTS[part], bold=True))
        number = 0
        for q in by_part[part]:
            if q.type == QType.GROUP:
                # câu chùm: a heading naming its questions, the passage once, then the questions
                first, last = number + 1, number + len(q.parts)
                named = f"câu {first} và câu {last}" if last == first + 1 else f"các câu từ {first} đến {last}"
                if first == last:
                    named = f"câu {first}"
                w.paragraph(w.run(f"Đọc thông tin sau và trả lời {named}.", bold=True))
                for line in w.rich(q.stem, q.media):
                    w.paragraph(line)
                for sub in q.parts:
                    number += 1
                    _question(w, sub, number, part, q.media)
                continue
            number += 1
            _question(w, q, number, part, q.media)
    w.paragraph(w.run("------ HẾT ------"))
    return _package(w)


def _question(w: _Writer, q: Question, number: int, part: str, media: dict[str, bytes]) -> None:
    media = {**media, **q.media}
    points = f" ({format_decimal(q.points, comma=True)} điểm)" if q.points != 1 or part == "IV" else ""
    stem = w.rich(q.stem, media)
    w.paragraph(w.run(f"Câu {number}{points}. ", bold=True) + stem[0])
    for extra in stem[1:]:
        w.paragraph(extra)
    if q.type in (QType.SINGLE, QType.MULTIPLE):
        for c in q.choices:
            text = w.rich(c.text, media)
            w.paragraph(w.run(f"{c.label}.", underline=c.correct) + w.run(" ") + " ".join(text))
    elif q.type == QType.TF4:
        for s in q.statements:
            text = w.rich(s.text, media)
            w.paragraph(w.run(f"{s.label})", underline=s.true) + w.run(" ") + " ".join(text))
        # the key also as a line: with all four statements false nothing would be underlined
        w.paragraph(w.run(f"Đáp án: {q.key}"))
    elif q.type == QType.NUMERIC:
        values = [
            format_decimal(a.value, comma=part == "III")
            + (f" ± {format_decimal(a.tolerance)}" if a.tolerance else "")
            + (f" ({format_decimal(a.fraction * 100)}%)" if a.fraction != 1 else "")
            for a in q.numeric
        ]
        w.paragraph(w.run("Đáp án: " + " | ".join(values)))
    elif q.type == QType.SHORT:
        values = [a.text + (f" ({format_decimal(a.fraction * 100)}%)" if a.fraction != 1 else "") for a in q.answers]
        w.paragraph(w.run("Đáp án: " + " | ".join(values)))
    if q.solution:
        w.paragraph(w.run("Lời giải", bold=True))
        for line in w.rich(q.solution, media):
            w.paragraph(line)
    if q.type == QType.ESSAY and q.rubric:
        w.paragraph(w.run("Hướng dẫn chấm", bold=True))
        for line in w.rich("<br>".join(r.text for r in q.rubric), media):
            w.paragraph(line)


NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
)


def _package(w: _Writer) -> bytes:
    buffer = io.BytesIO()
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NAMESPACES}><w:body>'
        + "".join(w.body)
        + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" '
        'w:left="1134" w:header="709" w:footer="709" w:gutter="0"/></w:sectPr></w:body></w:document>'
    )
    rels = "".join(
        f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        f'Target="{target}"/>'
        for rid, target in w.rels
    )
    extensions = {t.rsplit(".", 1)[-1].lower() for t in w.media if "." in t}
    defaults = "".join(
        f'<Default Extension="{ext}" ContentType="image/{"jpeg" if ext in ("jpg", "jpeg") else ext}"/>'
        for ext in sorted(extensions)
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + defaults
            + '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        z.writestr("word/document.xml", document)
        z.writestr(
            "word/_rels/document.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for target, data in w.media.items():
            z.writestr(f"word/{target}", data)
    return buffer.getvalue()
