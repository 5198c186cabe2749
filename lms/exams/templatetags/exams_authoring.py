from django import template

from lms.exams.authoring import authoring_subjects

register = template.Library()


@register.simple_tag
def may_author(user) -> bool:
    """Whether ``user`` teaches in a subject group and so writes tests and blueprints (links on /kiem-tra/)."""
    return bool(authoring_subjects(user))


@register.filter
def qtype_label(value: str) -> str:
    """The bank's name of a question type (single_choice → Single choice), "–" when the part takes any type."""
    from lms.assessments.api import QuestionType

    return str(dict(QuestionType.choices).get(value, value)) if value else "–"
