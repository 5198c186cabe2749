"""Builds small Word files by hand (raw OOXML) so importer tests control every run's formatting."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100"
    "05fe02fea7d6a4510000000049454e44ae426082"
)


def r(text: str, *, u=False, b=False) -> str:
    props = ("<w:b/>" if b else "") + ('<w:u w:val="single"/>' if u else "")
    return f'<w:r>{"<w:rPr>" + props + "</w:rPr>" if props else ""}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def p(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def line(text: str) -> str:
    return p(r(text))


def frac(num: str, den: str) -> str:
    return (
        f"<m:oMath><m:f><m:num><m:r><m:t>{num}</m:t></m:r></m:num><m:den><m:r><m:t>{den}</m:t></m:r></m:den></m:f>"
        "</m:oMath>"
    )


def sqrt_sup(base: str, exp: str) -> str:
    return (
        f'<m:oMath><m:rad><m:radPr><m:degHide m:val="1"/></m:radPr><m:deg/><m:e><m:sSup><m:e><m:r><m:t>{base}'
        f"</m:t></m:r></m:e><m:sup><m:r><m:t>{exp}</m:t></m:r></m:sup></m:sSup></m:e></m:rad></m:oMath>"
    )


def picture(rid: str = "rIdImg1") -> str:
    return (
        '<w:r><w:drawing><wp:inline><wp:extent cx="9525" cy="9525"/><wp:docPr id="1" name="h"/><a:graphic>'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:blipFill>'
        f'<a:blip r:embed="{rid}"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
    )


def docx(*paragraphs: str, images: dict[str, bytes] | None = None) -> bytes:
    images = images if images is not None else {"hinh1.png": PNG}
    buffer = io.BytesIO()
    rels = "".join(
        f'<Relationship Id="rIdImg{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"'
        f' Target="media/{name}"/>'
        for i, name in enumerate(images, start=1)
    )
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>'
            + "".join(paragraphs)
            + "</w:body></w:document>",
        )
        z.writestr(
            "word/_rels/document.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + rels
            + "</Relationships>",
        )
        for name, data in images.items():
            z.writestr(f"word/media/{name}", data)
    return buffer.getvalue()
