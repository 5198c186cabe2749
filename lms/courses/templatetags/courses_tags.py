from django import template

from lms.courses.rules import format_score

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def score(value):
    """8.5 → 8,5 (decimal comma, R17)."""
    return format_score(value)


@register.filter
def index(sequence, position):
    return sequence[position]


@register.simple_tag
def dashboard_cells(row):
    """The cells of one student's row of the dashboard as HTML, built in Python: a class of 45 × 60 items is 2,700
    cells, and a template block per cell would dominate the page's render time."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext

    done, submitted, opened = escape(gettext("done")), escape(gettext("submitted")), escape(gettext("opened"))
    in_progress = escape(gettext("in progress"))
    no_consent = escape(gettext("Time not shown: no consent to learning analytics"))
    parts = []
    for cell in row.cells:
        if cell.completed_at or cell.library_completed or cell.provided_done:
            text = f"✓ {done}"
        elif cell.handed_in or cell.submitted_at:
            text = f"✓ {submitted}" + (' <span class="late">!</span>' if cell.is_late else "")
        elif cell.provided_in_progress:
            text = in_progress
        elif cell.seen or cell.opened_at or cell.played:
            text = opened
        else:
            text = "–"
        if cell.score is not None:
            text += f" · <strong>{format_score(cell.score)}</strong>"
        if not cell.time_allowed:
            if cell.started:
                text += f' · <span class="muted" title="{no_consent}">—</span>'
        elif cell.seconds:
            text += f" · {cell.minutes}′"
        parts.append(f"<td>{text}</td>")
    return mark_safe("".join(parts))
