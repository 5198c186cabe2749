"""Showing question texts safely: imported HTML is reduced to a whitelist of tags and attributes (no scripts, no
event handlers, no styles), and ``@@PLUGINFILE@@/name`` becomes the stored file's URL. Maths stays as LaTeX text for
KaTeX to typeset in the browser.

:func:`clean_html` applies the same whitelist to what a teacher writes in the rich-text editor before it is stored,
keeping the ``@@PLUGINFILE@@/name`` references (the stored form) instead of turning them into URLs."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from django.utils.safestring import SafeString, mark_safe

ALLOWED = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "span", "div", "ul", "ol", "li", "table", "thead",
    "tbody", "tr", "td", "th", "img", "a", "blockquote", "pre", "code", "hr", "ruby", "rt", "rp",
    "math", "mrow", "mi", "mn", "mo", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mtext", "mspace",
    "mtable", "mtr", "mtd", "mover", "munder", "munderover", "semantics", "annotation", "mstyle", "mfenced",
}  # fmt: skip
VOID = {"br", "img", "hr"}
ATTRIBUTES = {"img": {"src", "alt", "width", "height"}, "a": {"href"}, "td": {"colspan", "rowspan"}}
ATTRIBUTES["th"] = ATTRIBUTES["td"]


PLUGINFILE = "@@PLUGINFILE@@/"
_FILE_NAME = re.compile(r"[\w.-]+")


class _Sanitiser(HTMLParser):
    def __init__(self, urls: dict[str, str] | None):
        super().__init__(convert_charrefs=True)
        self.urls = urls  # None: keep @@PLUGINFILE@@/name references as they are
        self.out: list[str] = []
        self.open: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
            return
        if tag not in ALLOWED:
            return
        kept = []
        for name, value in attrs:
            if name not in ATTRIBUTES.get(tag, set()) or value is None:
                continue
            if name == "src":
                if value.startswith(PLUGINFILE):
                    file_name = value.removeprefix(PLUGINFILE)
                    if self.urls is not None:
                        value = self.urls.get(file_name, "")
                    elif not _FILE_NAME.fullmatch(file_name):
                        continue
                elif not value.startswith(("https://", "http://", "/")):
                    continue
            if name == "href" and not value.startswith(("https://", "http://")):
                continue
            kept.append(f' {name}="{html.escape(value)}"')
        if tag == "img" and not any(k.startswith(" src=") for k in kept):
            return  # a picture whose address was removed (or whose file is missing) shows nothing
        if tag == "a":
            kept.append(' rel="noopener nofollow"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
            return
        if tag in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == tag:
                    break

    def handle_data(self, data):
        if not self.skip:
            self.out.append(html.escape(data, quote=False))

    def close(self):
        super().close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")


def safe_html(text: str, urls: dict[str, str] | None = None, *, text_format: str = "html") -> SafeString:
    if text_format in ("plain", "markdown"):
        # importers differ on whether a plain text is already escaped (Aiken: yes, GIFT: no)
        return mark_safe(html.escape(html.unescape(text or "")).replace("\n", "<br>"))
    parser = _Sanitiser(urls or {})
    parser.feed(text or "")
    parser.close()
    return mark_safe("".join(parser.out))


def image_size(data: bytes | None) -> tuple[int, int] | None:
    """Width and height of a picture (None when it cannot be read)."""
    if not data:
        return None
    try:
        from io import BytesIO

        from PIL import Image

        with Image.open(BytesIO(data)) as picture:
            return picture.size
    except Exception:
        return None


def drag_image_svg(q, urls: dict[str, str], size: tuple[int, int] | None = None) -> SafeString:
    """The preview of a drag-onto-image question: an SVG with the background picture and, on it, every drop zone
    (ddimageortext: a box at x/y with the item that belongs there; ddmarker: the zone's shape with its marker's
    label). Positions are SVG attributes, so no inline style is needed (CSP)."""
    drag = q.drag
    if drag is None:
        return mark_safe("")
    items = {i.no: i for i in drag.items}
    coords = []
    for z in drag.zones:
        coords.append((z.x, z.y))
        for pair in (z.coords or "").split(";"):
            try:
                coords.append(tuple(float(v) for v in pair.split(",")[:2]))
            except ValueError:
                continue
    width, height = size or (
        max((c[0] for c in coords if len(c) == 2), default=0) + 150,
        max((c[1] for c in coords if len(c) == 2), default=0) + 60,
    )
    esc = html.escape
    out = [
        f'<svg class="drag-image" viewBox="0 0 {int(width)} {int(height)}" width="{int(width)}" '
        f'height="{int(height)}" role="img" data-drag-kind="{esc(drag.kind)}">',
        f'<image href="{esc(urls.get(drag.background, ""))}" x="0" y="0" width="{int(width)}" height="{int(height)}"/>',
    ]
    for z in drag.zones:
        item = items.get(z.choice)
        label = esc(item.text if item and item.text else (z.label or str(z.choice)))
        if drag.kind == "marker":
            points = [p.split(",") for p in z.coords.split(";") if p.strip()]
            if z.shape == "circle" and len(points) >= 2:
                (cx, cy), r = points[0], points[1][0]
                out.append(f'<circle class="drop-zone" cx="{esc(cx)}" cy="{esc(cy)}" r="{esc(r)}"/>')
                tx, ty = cx, cy
            elif z.shape == "rectangle" and len(points) >= 2:
                (x, y), (w, h) = points[0], points[1][:2]
                out.append(f'<rect class="drop-zone" x="{esc(x)}" y="{esc(y)}" width="{esc(w)}" height="{esc(h)}"/>')
                tx, ty = x, y
            else:
                joined = " ".join(",".join(p[:2]) for p in points)
                out.append(f'<polygon class="drop-zone" points="{esc(joined)}"/>')
                tx, ty = points[0][:2] if points else ("0", "0")
            out.append(f'<text class="drop-label" x="{esc(str(tx))}" y="{esc(str(ty))}">{label}</text>')
        else:
            out.append(
                f'<rect class="drop-zone" x="{z.x}" y="{z.y}" width="120" height="32" data-zone="{z.no}" '
                f'data-choice="{z.choice}"/>'
            )
            if item and item.image and urls.get(item.image):
                out.append(
                    f'<image href="{esc(urls[item.image])}" x="{z.x}" y="{z.y}" width="120" height="32">'
                    f"<title>{label}</title></image>"
                )
            else:
                out.append(f'<text class="drop-label" x="{z.x + 6}" y="{z.y + 21}">{label}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))


def clean_html(text: str) -> str:
    """The stored form of rich text a teacher wrote: the whitelist of :func:`safe_html` (no scripts, no event
    handlers, no styles, no classes), pictures kept as ``@@PLUGINFILE@@/name``; empty markup becomes ""."""
    parser = _Sanitiser(None)
    parser.feed(text or "")
    parser.close()
    out = "".join(parser.out).strip()
    bare = re.sub(r"<(?!img\b)[^>]*>|&nbsp;|\s", "", out.replace("\xa0", ""))
    return out if bare else ""


def has_markup(text: str) -> bool:
    return bool(re.search(r"</?[a-zA-Z][^>]*>", text or ""))


def plain_to_html(text: str) -> str:
    """Plain text (a textarea without the editor, an Aiken or GIFT plain question) as HTML: escaped, line breaks
    kept."""
    lines = (text or "").strip().replace("\r\n", "\n").split("\n")
    return "<br>".join(html.escape(line, quote=False) for line in lines)
