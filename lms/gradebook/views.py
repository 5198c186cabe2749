"""Gradebook pages under /so-diem/. Thin: access.py decides (and logs refusals), services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from curriculum.api import Subject
from lms.courses.api import SchoolClass, get_class
from lms.exams import api as exams_api
from lms.gradebook import access, exports, rules, selectors, services
from lms.gradebook.models import Column, ColumnKind, Gradebook, Period, Profile
from lms.gradebook.rules import Level, YearLevel
from lms.schools.api import get_schools_for_user


def _class_or_404(class_id: int):
    try:
        return get_class(class_id)
    except SchoolClass.DoesNotExist:
        raise Http404 from None


def _book_or_404(gradebook_id: int) -> Gradebook:
    try:
        return selectors.get_gradebook(gradebook_id)
    except Gradebook.DoesNotExist:
        raise Http404 from None


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def home(request):
    sections = []
    for school in get_schools_for_user(request.user):
        visible = selectors.get_visible_gradebooks(request.user, school)
        if visible["taught"] or visible["classes"]:
            sections.append((school, visible))
    return render(
        request,
        "gradebook/home.html",
        {
            "sections": sections,
            "semesters": (1, 2),
            "primary_grades": rules.PROFILES[rules.PRIMARY_PROFILE]["grades"],
            "quality_checkpoints": rules.PROFILES[rules.PRIMARY_PROFILE]["quality_checkpoints"],
        },
    )


@login_required
def open_book(request, class_id: int, subject_code: str, semester: int):
    school_class = _class_or_404(class_id)
    subject = get_object_or_404(Subject, code=subject_code)
    if semester not in (1, 2):
        raise Http404
    existing = Gradebook.objects.filter(school_class=school_class, subject=subject, semester=semester).first()
    probe = existing or Gradebook(school_class=school_class, subject=subject, semester=semester)
    access.require(
        access.can_read(request.user, probe),
        user=request.user,
        what="read gradebook",
        obj=school_class,
        request=request,
    )
    if existing is None:
        if not access.can_edit(request.user, probe):
            messages.info(request, _("The subject's teacher has not opened this gradebook yet."))
            return redirect("gradebook:home")
        try:
            existing = services.open_gradebook(school_class=school_class, subject=subject, semester=semester)
        except ValidationError as error:
            _errors(request, error)
            return redirect("gradebook:home")
    return redirect("gradebook:book", existing.pk)


@login_required
def book(request, gradebook_id: int):
    gradebook = _book_or_404(gradebook_id)
    access.require(
        access.can_read(request.user, gradebook),
        user=request.user,
        what="read gradebook",
        obj=gradebook,
        request=request,
    )
    can_edit = access.can_edit(request.user, gradebook)
    if request.method == "POST":
        if not can_edit:
            access.refuse(user=request.user, what="edit gradebook", obj=gradebook, request=request)
        entries = {}
        for key, value in request.POST.items():
            if key.startswith("m-"):
                _prefix, column_id, student_id = key.split("-")
                entries[(int(column_id), int(student_id))] = value
        try:
            changed = services.record_marks(
                actor=request.user, gradebook=gradebook, entries=entries, reason=request.POST.get("reason", "")
            )
        except ValidationError as error:
            _errors(request, error)
            table = selectors.get_table(gradebook)
            return render(
                request, "gradebook/book.html", _book_context(request, gradebook, table, request.POST), status=400
            )
        messages.success(request, _("%(count)s marks saved.") % {"count": changed})
        return redirect("gradebook:book", gradebook.pk)
    table = selectors.get_table(gradebook)
    return render(request, "gradebook/book.html", _book_context(request, gradebook, table, None))


def _book_context(request, gradebook, table, posted):
    school = gradebook.school_class.school_year.school
    rows = []
    for row in table.rows:
        cells = []
        for column, mark in row.cells:
            name = f"m-{column.pk}-{row.student.pk}"
            shown = ""
            if mark is not None:
                shown = (
                    rules.format_score(mark.score, whole=column.kind == ColumnKind.TEST)
                    if mark.score is not None
                    else mark.rating
                )
            cells.append(
                {"column": column, "name": name, "value": posted.get(name, shown) if posted else shown, "mark": mark}
            )
        rows.append({"row": row, "cells": cells, "average": rules.format_score(row.average)})
    ratings = []
    if gradebook.profile == Profile.TT27_2020:
        ratings = [(r, rules.Rating.LABELS[r]) for r in rules.PROFILES["TT27_2020"]["subject_ratings"]]
    elif gradebook.method == "comment":
        ratings = [(r, rules.Rating.LABELS[r]) for r in (rules.Rating.DAT, rules.Rating.CHUA_DAT)]
    return {
        "gradebook": gradebook,
        "table": table,
        "rows": rows,
        "can_edit": access.can_edit(request.user, gradebook),
        "can_lock": access.can_lock(request.user, gradebook),
        "can_unlock": access.can_unlock(request.user, school),
        "can_read_class": access.can_read_class(request.user, gradebook.school_class),
        "ratings": ratings,
    }


@login_required
@require_POST
def add_column(request, gradebook_id: int):
    gradebook = _book_or_404(gradebook_id)
    access.require(
        access.can_edit(request.user, gradebook),
        user=request.user,
        what="edit gradebook",
        obj=gradebook,
        request=request,
    )
    try:
        services.add_regular_column(actor=request.user, gradebook=gradebook)
    except ValidationError as error:
        _errors(request, error)
    return redirect("gradebook:book", gradebook.pk)


@login_required
@require_POST
def lock(request, gradebook_id: int, column_id: int | None = None):
    gradebook = _book_or_404(gradebook_id)
    access.require(
        access.can_lock(request.user, gradebook),
        user=request.user,
        what="lock gradebook",
        obj=gradebook,
        request=request,
    )
    if column_id is None:
        services.lock_gradebook(actor=request.user, gradebook=gradebook)
        messages.success(request, _("The gradebook is locked."))
    else:
        column = get_object_or_404(Column, pk=column_id, gradebook=gradebook)
        services.lock_column(actor=request.user, column=column)
        messages.success(request, _("%(column)s is locked.") % {"column": column.label})
    return redirect("gradebook:book", gradebook.pk)


@login_required
@require_POST
def unlock(request, gradebook_id: int, column_id: int | None = None):
    gradebook = _book_or_404(gradebook_id)
    school = gradebook.school_class.school_year.school
    access.require(
        access.can_unlock(request.user, school),
        user=request.user,
        what="unlock gradebook",
        obj=gradebook,
        request=request,
    )
    reason = request.POST.get("reason", "")
    try:
        if column_id is None:
            services.unlock_gradebook(actor=request.user, gradebook=gradebook, reason=reason)
            messages.success(request, _("The gradebook is unlocked."))
        else:
            column = get_object_or_404(Column, pk=column_id, gradebook=gradebook)
            services.unlock_column(actor=request.user, column=column, reason=reason)
            messages.success(request, _("%(column)s is unlocked.") % {"column": column.label})
    except ValidationError as error:
        _errors(request, error)
    return redirect("gradebook:book", gradebook.pk)


@login_required
def audit(request, gradebook_id: int):
    gradebook = _book_or_404(gradebook_id)
    access.require(
        access.can_read(request.user, gradebook),
        user=request.user,
        what="read gradebook audit",
        obj=gradebook,
        request=request,
    )
    entries = selectors.get_audit(gradebook=gradebook)[:500]
    return render(request, "gradebook/audit.html", {"gradebook": gradebook, "entries": entries})


@login_required
def summary(request, class_id: int, period: str):
    school_class = _class_or_404(class_id)
    if period not in Period.values:
        raise Http404
    access.require(
        access.can_read_class(request.user, school_class),
        user=request.user,
        what="read class results",
        obj=school_class,
        request=request,
    )
    can_confirm = access.can_confirm_results(request.user, school_class)
    if request.method == "POST":
        if not can_confirm:
            access.refuse(user=request.user, what="confirm class results", obj=school_class, request=request)
        students = {s.student.pk: s for s in selectors.get_class_summary(school_class, period).lines}
        try:
            for pk, line in students.items():
                level = request.POST.get(f"level-{pk}", "")
                if level and line.result.level != level:
                    services.confirm_level(
                        actor=request.user,
                        school_class=school_class,
                        period=period,
                        student=line.student,
                        level=level,
                        suggested=line.suggested or "",
                    )
                conduct = request.POST.get(f"conduct-{pk}", "")
                comment = request.POST.get(f"comment-{pk}", "")
                if conduct and (
                    line.result is None
                    or (line.result.conduct, line.result.conduct_comment) != (conduct, comment.strip())
                ):
                    services.record_conduct(
                        actor=request.user,
                        school_class=school_class,
                        period=period,
                        student=line.student,
                        conduct=conduct,
                        comment=comment,
                    )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Results saved."))
        return redirect("gradebook:summary", school_class.pk, period)
    data = selectors.get_class_summary(school_class, period)
    return render(
        request,
        "gradebook/summary.html",
        {
            "summary": data,
            "school_class": school_class,
            "period": period,
            "period_label": Period(period).label,
            "levels": Level.CHOICES,
            "level_labels": dict(Level.CHOICES),
            "award_labels": rules.Award.LABELS,
            "can_confirm": can_confirm,
        },
    )


@login_required
def export(request, class_id: int, semester: int, fmt: str):
    school_class = _class_or_404(class_id)
    if semester not in (1, 2) or fmt not in ("xlsx", "csv"):
        raise Http404
    access.require(
        access.can_read_class(request.user, school_class),
        user=request.user,
        what=f"export marks {fmt}",
        obj=school_class,
        request=request,
    )
    filename = f"so-diem-{school_class.name}-hk{semester}"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.excel_markbook(school_class, semester),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            "\ufeff" + exports.exchange_csv(school_class, semester), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _primary_class_or_404(class_id: int):
    school_class = _class_or_404(class_id)
    if rules.profile_for_grade(school_class.grade) != rules.PRIMARY_PROFILE:
        raise Http404
    return school_class


@login_required
def qualities(request, class_id: int, checkpoint: str):
    """TT 27 Art. 7(2): the homeroom teacher rates each pupil's qualities and competences at a checkpoint."""
    school_class = _primary_class_or_404(class_id)
    checkpoints = rules.PROFILES[rules.PRIMARY_PROFILE]["quality_checkpoints"]
    if checkpoint not in checkpoints:
        raise Http404
    access.require(
        access.can_read_class(request.user, school_class),
        user=request.user,
        what="read qualities and competences",
        obj=school_class,
        request=request,
    )
    can_edit = access.can_confirm_results(request.user, school_class)
    posted = None
    status = 200
    if request.method == "POST":
        if not can_edit:
            access.refuse(user=request.user, what="rate qualities and competences", obj=school_class, request=request)
        entries = {}
        for key, value in request.POST.items():
            if key.startswith("q-"):
                _prefix, student_id, item = key.split("-", 2)
                entries[(int(student_id), item)] = value
        try:
            changed = services.record_quality_ratings(
                actor=request.user,
                school_class=school_class,
                checkpoint=checkpoint,
                entries=entries,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            _errors(request, error)
            posted, status = request.POST, 400
        else:
            messages.success(request, _("%(count)s ratings saved.") % {"count": changed})
            return redirect("gradebook:qualities", school_class.pk, checkpoint)
    items = rules.primary_quality_items()
    rows = []
    for row in selectors.get_quality_sheet(school_class, checkpoint):
        cells = []
        for item in items:
            name = f"q-{row.student.pk}-{item}"
            cells.append({"name": name, "value": posted.get(name, "") if posted is not None else row.ratings[item]})
        rows.append({"student": row.student, "cells": cells})
    ratings = [(r, rules.Rating.LABELS[r]) for r in rules.PROFILES[rules.PRIMARY_PROFILE]["quality_ratings"]]
    return render(
        request,
        "gradebook/qualities.html",
        {
            "school_class": school_class,
            "checkpoint": checkpoint,
            "checkpoints": checkpoints,
            "items": [(item, rules.QUALITY_LABELS[item]) for item in items],
            "quality_count": len(rules.PROFILES[rules.PRIMARY_PROFILE]["qualities"]),
            "competence_count": len(rules.PROFILES[rules.PRIMARY_PROFILE]["competences"]),
            "rows": rows,
            "ratings": ratings,
            "rating_labels": rules.Rating.LABELS,
            "can_edit": can_edit,
        },
        status=status,
    )


@login_required
def primary_year(request, class_id: int):
    """TT 27 Art. 9: the suggested year-end summary per pupil, which the homeroom teacher confirms."""
    school_class = _primary_class_or_404(class_id)
    access.require(
        access.can_read_class(request.user, school_class),
        user=request.user,
        what="read primary year summary",
        obj=school_class,
        request=request,
    )
    can_confirm = access.can_confirm_results(request.user, school_class)
    if request.method == "POST":
        if not can_confirm:
            access.refuse(user=request.user, what="confirm primary year summary", obj=school_class, request=request)
        try:
            for line in selectors.get_primary_year_summary(school_class).lines:
                level = request.POST.get(f"level-{line.student.pk}", "")
                if level and line.result.level != level:
                    services.confirm_primary_year(
                        actor=request.user,
                        school_class=school_class,
                        student=line.student,
                        level=level,
                        suggested=line.suggested or "",
                    )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Results saved."))
        return redirect("gradebook:primary_year", school_class.pk)
    return render(
        request,
        "gradebook/primary_year.html",
        {
            "summary": selectors.get_primary_year_summary(school_class),
            "school_class": school_class,
            "levels": YearLevel.CHOICES,
            "level_labels": dict(YearLevel.CHOICES),
            "rating_labels": rules.Rating.LABELS,
            "checkpoints": rules.PROFILES[rules.PRIMARY_PROFILE]["quality_checkpoints"],
            "can_confirm": can_confirm,
        },
    )


@login_required
def from_exam(request, gradebook_id: int):
    """Choose a graded sitting of the class's course and a column, preview the scores, transfer them (POST)."""
    gradebook = _book_or_404(gradebook_id)
    access.require(
        access.can_edit(request.user, gradebook),
        user=request.user,
        what="transfer test scores",
        obj=gradebook,
        request=request,
    )
    sittings = exams_api.get_graded_sittings(school_class=gradebook.school_class, subject=gradebook.subject)
    kinds = services.exam_column_kinds(gradebook)
    columns = [c for c in gradebook.columns.all() if c.kind in kinds]
    data = request.POST if request.method == "POST" else request.GET
    sitting = next((s for s in sittings if str(s.pk) == data.get("sitting")), None)
    column = next((c for c in columns if str(c.pk) == data.get("column")), None)
    if request.method == "POST":
        if sitting is None or column is None:
            messages.error(request, _("Choose a graded test and a column."))
        else:
            try:
                result = services.transfer_exam_scores(
                    actor=request.user, gradebook=gradebook, sitting=sitting, column=column
                )
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(
                    request,
                    _("%(changed)s scores transferred into %(column)s, %(unchanged)s already there.")
                    % {"changed": result["changed"], "column": column.label, "unchanged": result["unchanged"]},
                )
                for student, why in result["missing"]:
                    messages.warning(
                        request,
                        _("%(student)s left empty: %(why)s.") % {"student": student.get_full_name(), "why": why},
                    )
                return redirect("gradebook:book", gradebook.pk)
    preview = selectors.get_exam_preview(gradebook, sitting, column) if sitting and column else None
    return render(
        request,
        "gradebook/from_exam.html",
        {
            "gradebook": gradebook,
            "sittings": sittings,
            "columns": columns,
            "sitting": sitting,
            "column": column,
            "preview": preview,
            "locked": gradebook.is_locked or (column is not None and column.is_locked),
        },
    )
