"""Pages for delivering tests beyond the basic flow: scheduling a sitting, the principal's force-majeure decisions,
taking an attempt over on another device, the essay marking queue, key corrections and regrading. Thin: the services
write and decide who may."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lms.exams import services
from lms.exams.delivery_forms import SittingForm
from lms.exams.models import Test, TestStatus


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


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
        from datetime import timedelta

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
