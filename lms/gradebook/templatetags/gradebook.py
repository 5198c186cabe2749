from decimal import Decimal

from django import template

from lms.gradebook import rules

register = template.Library()


@register.filter
def get(mapping, key):
    if not mapping or key is None:
        return ""
    return mapping.get(key, "")


@register.filter
def shown(value):
    """A Decimal with a decimal comma; a rating code as its label."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return rules.format_score(value)
    return rules.Rating.LABELS.get(value, value)


@register.filter
def whole_score(value):
    """A primary periodic-test score (TT 27: whole numbers): 9, never 9,0."""
    if value is None or value == "":
        return ""
    return rules.format_score(Decimal(value), whole=True)
