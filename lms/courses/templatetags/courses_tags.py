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
