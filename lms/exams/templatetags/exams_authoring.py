from django import template

from lms.exams.authoring import authoring_subjects

register = template.Library()


@register.simple_tag
def may_author(user) -> bool:
    """Whether ``user`` teaches in a subject group and so writes tests and blueprints (links on /kiem-tra/)."""
    return bool(authoring_subjects(user))
