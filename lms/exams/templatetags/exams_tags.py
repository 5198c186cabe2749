from decimal import Decimal
from html import escape as _escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from lms.assessments.api import QuestionType
from lms.exams.analysis import part_name as _part_name
from lms.exams.services import NETWORK_ACTIONS, format_points

register = template.Library()


@register.filter
def points(value) -> str:
    """0.25 → 0,25; 10.00 → 10 (decimal comma)."""
    return format_points(value)


@register.filter
def network_action(value) -> str:
    """The ``detail`` of a ``network_refused`` event (start / page / save / takeover) in words."""
    return str(NETWORK_ACTIONS.get(value, value))


@register.filter
def stat(value, places: int = 2) -> str:
    if value is None:
        return "–"
    return f"{float(value):.{int(places)}f}".replace(".", ",")


@register.filter
def response_text(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, dict):
        return " ".join(f"{k}) {v}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "Đúng" if value else "Sai"
    if isinstance(value, Decimal):
        return format_points(value)
    return str(value)


@register.simple_tag
def review_rows(rows, show_answers) -> str:
    """The result page's table rows (``selectors.attempt_review``): part, question, the answer, the key when shown, the
    points and the marker's comment. Built here rather than in a template loop, which cost ~2,5 times as much for a
    40-question paper, and with the standard library's ``html.escape`` (what Django's ``escape`` calls, without its
    lazy-text and safe-string checks on every value: half the page's time went there); every value is plain text.
    At time-up a whole room's results are built within seconds."""
    not_marked = f'<span class="muted">{_escape(str(_("not marked yet")))}</span>'
    out = []
    for r in rows:
        mark = r["mark"]
        answer = r["response_text"] or response_text(r["response"])
        key = f"<td>{_escape(str(r['key']))}</td>" if show_answers else ""
        got = not_marked if r["unmarked"] else format_points(r["points"])
        comment = (
            f'<p class="comment" data-testid="mark-comment">{_escape(str(mark.comment))}</p>'
            if mark is not None and mark.comment
            else ""
        )
        out.append(
            f"<tr><td>{_escape(str(r['part']))}</td><td>{int(r['number'])}</td><td>{_escape(str(answer))}</td>{key}"
            f"<td>{got} / {format_points(r['max'])}{comment}</td></tr>"
        )
    return mark_safe("".join(out))  # every value above is escaped (or a number)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key) if isinstance(mapping, dict) else None


@register.filter
def html(text):
    """Question text through the bank's whitelist sanitiser."""
    from lms.assessments.api import safe_html

    return safe_html(text or "")


@register.filter
def plain(text) -> str:
    """A question text without its markup, for an <option> or an aria-label (which cannot hold HTML)."""
    from django.utils.html import strip_tags

    return " ".join(strip_tags(text or "").split())


@register.filter
def option_text(text) -> str:
    """A text for an <option>, which KaTeX cannot typeset: no markup, and maths without its \\( \\) delimiters
    (``\\(3x^2\\)`` reads ``3x^2``)."""
    import re

    return re.sub(r"\\[()\[\]]|\$", "", plain(text)).strip()


@register.filter
def part_name(part) -> str:
    """The name of a part of a question in the item analysis ("pair x²", "gap 2", "sub-question 1: …")."""
    return _part_name(part.kind, part.number, part.label)


@register.filter
def qtype_label(value) -> str:
    return str(dict(QuestionType.choices).get(value, value))
