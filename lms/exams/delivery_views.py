"""Pages for delivering tests beyond the basic flow: scheduling a sitting, the principal's force-majeure decisions,
taking an attempt over on another device, the essay marking queue, key corrections and regrading. Thin: the services
write and decide who may."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lms.exams import selectors, services
from lms.exams.delivery_forms import SittingForm
from lms.exams.models import Sitting, Test, TestStatus


@login_required
def schedule(request, pk):
    """A teacher of a course schedules an approved test for it (R12 network rules, per-student extra time)."""
    try:
        test = Test.objects.select_related("subject", "school").get(pk=pk)
    except Test.DoesNotExist:
        raise Http404 from None
    if test.status != TestStatus.APPROVED:
        messages.error(request, _("The test must be approved by the subject group before it is scheduled."))
        return redirect("exams:home")
    form = SittingForm(request.POST or None, test=test, user=request.user)
    if not form.fields["course"].queryset.exists():
        raise PermissionDenied(_("Only a teacher of the course schedules its tests."))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sitting = services.schedule_sitting(
                test=test,
                course=data["course"],
                title=data["title"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                duration=timedelta(minutes=data["duration"]),
                late_join_minutes=data["late_join_minutes"],
                access_code=data["access_code"],
                review=data["review"],
                kind=data["kind"],
                allowed_networks=data["allowed_networks"],
                extra_minutes=data["extra_minutes"],
                created_by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The test is scheduled; every student of the class has an exam code."))
            return redirect("exams:invigilate", pk=sitting.pk)
    return render(request, "exams/schedule.html", {"test": test, "form": form})


@login_required
def force_majeure(request, pk):
    """The principal records a force-majeure decision (TT 09 Art. 6(2)) for named students of a periodic sitting."""
    from lms.exams.delivery_forms import ForceMajeureForm
    from lms.schools import api as schools_api

    try:
        sitting = selectors.get_sitting(pk)
    except Sitting.DoesNotExist:
        raise Http404 from None
    principal = schools_api.get_principal(sitting.test.school)
    if principal is None or principal.pk != request.user.pk:
        raise PermissionDenied(_("Only the principal records a force-majeure decision."))
    students = [a.student for a in sitting.attempts.select_related("student").order_by("student__last_name")]
    form = ForceMajeureForm(request.POST or None, students=students)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_force_majeure(
                sitting=sitting,
                by=request.user,
                number=data["number"],
                decided_on=data["decided_on"],
                reason=data["reason"],
                students=data["students"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The decision is recorded: the students named may take the test off site."))
            return redirect("exams:force_majeure", pk=sitting.pk)
    decisions = sitting.force_majeure.prefetch_related("students").select_related("recorded_by")
    return render(request, "exams/force_majeure.html", {"sitting": sitting, "form": form, "decisions": decisions})


@login_required
def move(request, pk):
    """A teacher of the course moves the sitting to a later time before anyone has started, saying why; the moves
    are listed."""
    from lms.exams import sitting_moves
    from lms.exams.delivery_forms import MoveSittingForm

    sitting = _teacher_sitting(request, pk)
    length = sitting.closes_at - sitting.opens_at
    form = MoveSittingForm(request.POST or None, initial={"opens_at": sitting.opens_at, "closes_at": sitting.closes_at})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sitting = sitting_moves.reschedule_sitting(
                sitting=sitting,
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The test is moved; the students waiting see the new time."))
            return redirect("exams:move", pk=sitting.pk)
    return render(
        request,
        "exams/move.html",
        {
            "sitting": sitting,
            "form": form,
            "moves": sitting_moves.get_moves(sitting),
            "movable": sitting_moves.can_move(sitting),
            "deadline": sitting_moves.move_deadline(sitting),
            "length_minutes": int(length.total_seconds() // 60),
        },
    )


@login_required
def marking(request, pk):
    """The essay marking queue of a sitting for the teachers of the course: points per rubric criterion, a comment."""
    sitting = _teacher_sitting(request, pk)
    if request.method == "POST":
        attempt = sitting.attempts.filter(pk=request.POST.get("attempt") or 0).first()
        if attempt is None:
            raise Http404
        criteria = {k[1:]: v for k, v in request.POST.items() if k.startswith("c") and k[1:].isdigit()}
        try:
            marked = services.mark_essay(
                attempt=attempt,
                slot=int(request.POST.get("slot") or 0),
                by=request.user,
                criteria=criteria,
                comment=request.POST.get("comment", ""),
            )
            messages.success(
                request,
                _("Marked: %(student)s now has %(points)s points.")
                % {
                    "student": attempt.student.get_full_name() or attempt.student.username,
                    "points": services.format_points(marked.points),
                },
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("exams:marking", pk=sitting.pk)
    rows = selectors.essay_queue(sitting)
    return render(
        request,
        "exams/marking.html",
        {"sitting": sitting, "rows": rows, "unmarked": sum(1 for r in rows if r["mark"] is None)},
    )


def _teacher_sitting(request, pk) -> Sitting:
    from lms.courses import api as courses_api

    try:
        sitting = selectors.get_sitting(pk)
    except Sitting.DoesNotExist:
        raise Http404 from None
    if not courses_api.can_edit_course(request.user, sitting.course):
        raise PermissionDenied
    return sitting


@login_required
def regrade(request, pk):
    """Key corrections of an approved test (typed, or a newer ready version of a question) and regrading its
    submitted attempts, with the audit trail."""
    from lms.assessments import api as bank_api
    from lms.exams.models import AuditEntry

    try:
        test = Test.objects.select_related("subject").get(pk=pk)
    except Test.DoesNotExist:
        raise Http404 from None
    if not services.may_correct(request.user, test):
        raise PermissionDenied
    if request.method == "POST":
        action, reason = request.POST.get("action"), request.POST.get("reason", "")
        try:
            if action == "regrade":
                changed = services.regrade_test(test=test, by=request.user, reason=reason)
                messages.success(request, _("Regraded: %(n)s attempts changed.") % {"n": len(changed)})
                _gradebook_messages(request, changed.gradebook)
            elif action in ("correct", "use_newer"):
                version_id = int(request.POST.get("version") or 0)
                newer = None
                if action == "use_newer":
                    newer = bank_api.QuestionVersion.objects.filter(pk=request.POST.get("new_version") or 0).first()
                    if newer is None:
                        raise ValidationError(_("That version does not exist."))
                services.correct_key(
                    test=test,
                    version_id=version_id,
                    by=request.user,
                    reason=reason,
                    key=request.POST.get("key", ""),
                    new_version=newer,
                )
                messages.success(request, _("The key is corrected in every exam code. Regrade the attempts now."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("exams:regrade", pk=test.pk)
    return render(
        request,
        "exams/regrade.html",
        {
            "test": test,
            "rows": services.key_table(test),
            "history": AuditEntry.objects.filter(test=test, action__in=["key_corrected", "regraded"]).select_related(
                "by"
            ),
        },
    )


def _gradebook_messages(request, report: dict) -> None:
    """How many marks already moved into gradebooks followed the regrade, and each one that did not, and why."""
    if report["updated"]:
        messages.success(
            request, _("Gradebook: %(n)s marks moved from this test were updated.") % {"n": len(report["updated"])}
        )
    for row in report["not_updated"]:
        messages.warning(
            request,
            _(
                "Gradebook not updated for %(student)s (%(gradebook)s, %(column)s: %(old)s, the test now gives "
                "%(new)s): %(why)s."
            )
            % row,
        )


@login_required
def variant_file(request, pk, code, fmt, teachers=False):
    """One exam code's "pdf" (the questions and the answer sheet) or "docx" (the students' copy, the same without
    keys; ``teachers``: the teachers' copy, keys underlined and written under each question); ``code`` "dap-an" with
    "pdf": the key table of every code. For the author, the approvers and the teachers who give the test."""
    from django.http import HttpResponse

    from lms.exams import printing

    try:
        test = Test.objects.select_related("school", "subject").get(pk=pk)
    except Test.DoesNotExist:
        raise Http404 from None
    if not services.may_correct(request.user, test):
        raise PermissionDenied
    if fmt not in ("pdf", "docx"):
        raise Http404
    if code == "dap-an" and fmt == "pdf":
        data, name, mime = printing.keys_pdf(test), f"dap-an-{test.pk}.pdf", "application/pdf"
    else:
        variant = test.variants.filter(code=code).first()
        if variant is None:
            raise Http404
        if fmt == "pdf":
            data, mime = printing.variant_pdf(variant), "application/pdf"
        else:
            data, mime = printing.variant_docx(variant, teachers=teachers), EXPORT_DOCX
        name = f"de-{test.pk}-ma-{variant.code}{'-giao-vien' if teachers else ''}.{fmt}"
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


EXPORT_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
