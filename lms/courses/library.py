"""Library items (lms.library: H5P, SCORM, documents and media) in course plans.

A teacher plans an *approved* item of the course's school, or one shared by no school in particular (the library's
own catalogue), for the course's subject and grade (or for none in particular). Students open it from the plan
(H5P and SCORM play on the item page through the library's player; documents open on the library's page) and the
library's tracking (completion, score, playback time) shows in the course's progress.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from lms.library import api as library_api


def plannable_items(course, *, limit: int = 300) -> list:
    school = course.school_class.school_year.school
    return list(
        library_api.LibraryItem.objects.filter(status=library_api.ItemStatus.APPROVED)
        .filter(Q(school_id=school.pk) | Q(school__isnull=True))
        .filter(Q(subject_id=course.subject_id) | Q(subject__isnull=True))
        .filter(Q(grade=course.school_class.grade) | Q(grade__isnull=True))
        .order_by("title", "pk")[:limit]
    )


def check_reference(course, reference):
    """The approved library item ``reference`` (its UUID) names, if this course may plan it."""
    item = library_api.get_item(str(reference or "").strip())
    if item is None:
        raise ValidationError({"reference": _("There is no library item with that identifier.")})
    if item.status != library_api.ItemStatus.APPROVED:
        raise ValidationError(
            {"reference": _("“%(title)s” has not been approved for students yet.") % {"title": item.title}}
        )
    school = course.school_class.school_year.school
    if item.school_id is not None and item.school_id != school.pk:
        raise ValidationError(
            {"reference": _("“%(title)s” belongs to another school's library.") % {"title": item.title}}
        )
    return item


def get_item(plan_item):
    if plan_item.kind != "library" or not plan_item.reference:
        return None
    return library_api.get_item(plan_item.reference)


def player(plan_item, request) -> dict:
    """What the item page shows: the library item, the embedded player (H5P, SCORM) or the document's page link."""
    from django.urls import reverse

    from content.api import get_provider

    item = get_item(plan_item)
    if item is None:
        return {"missing": True}
    context = {"library_item": item}
    if item.kind == library_api.ItemKind.DOCUMENT:
        context["document_url"] = reverse("library:document_page", args=[item.uuid])
    else:
        provider = get_provider(item.kind)
        context["embed"] = provider.render(str(item.uuid), request=request) if provider else ""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from lms.courses.rules import format_score

        result = get_results([plan_item], [user.pk]).get((plan_item.pk, user.pk))
        context["result"] = result
        context["score_text"] = format_score(score_on_ten(result))
    return context


def get_results(plan_items, student_ids) -> dict:
    """``{(plan item pk, student id): library_api.TrackedResult}`` for the library items among ``plan_items``, in a
    fixed number of queries."""
    references = {p.pk: p.reference for p in plan_items if p.kind == "library" and p.reference}
    if not references:
        return {}
    by_uuid = {
        str(uuid): pk
        for pk, uuid in library_api.LibraryItem.objects.filter(uuid__in=set(references.values())).values_list(
            "pk", "uuid"
        )
    }
    tracked = library_api.get_results_for(by_uuid.values(), student_ids)
    results = {}
    for plan_pk, reference in references.items():
        library_pk = by_uuid.get(reference)
        if library_pk is None:
            continue
        for student_id in student_ids:
            found = tracked.get((library_pk, student_id))
            if found is not None:
                results[(plan_pk, student_id)] = found
    return results


def students_with_results(plan_item, student_ids) -> int:
    return len(get_results([plan_item], list(student_ids)))


def score_on_ten(result):
    """A library score as a 0–10 score (one decimal, half-up), or ``None`` without a score."""
    from decimal import ROUND_HALF_UP, Decimal

    if result is None:
        return None
    if result.score_scaled is not None:
        scaled = result.score_scaled
    elif result.score_raw is not None and result.score_max:
        scaled = result.score_raw / result.score_max
    else:
        return None
    value = (Decimal(scaled) * 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return max(Decimal("0.0"), min(Decimal("10.0"), value))
