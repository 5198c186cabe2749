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
