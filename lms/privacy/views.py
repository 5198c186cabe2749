"""Pages under /du-lieu-ca-nhan/. Thin: access checks here (every refusal logged), work in services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.privacy import access, rules, selectors, services
from lms.privacy.forms import (
    AdminRequestForm,
    ConsentForm,
    IncidentForm,
    PaperConsentForm,
    PersonalIdForm,
    PublicationForm,
    RequestForm,
    StatusForm,
)
from lms.privacy.models import (
    REQUEST_TRANSITIONS,
    ConsentRole,
    DataSubjectRequest,
    Incident,
    ProcessingRestriction,
    Publication,
    RequestDelivery,
)
from lms.schools.api import (
    Role,
    School,
    get_children,
    get_guardians,
    get_people,
    get_school_by_code,
    get_schools_for_user,
)


def _school(code: str) -> School:
    try:
        return get_school_by_code(code)
    except School.DoesNotExist:
        raise Http404 from None


def _refuse(request, resource: str, *, subject=None, school=None):
    services.record_refused_access(request.user, subject, resource, request, school=school)
    raise PermissionDenied


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
def home(request):
    user = request.user
    schools = list(get_schools_for_user(user))
    managed = [s for s in schools if access.can_manage(user, s)]
    context = {
        "children": list(get_children(user)),
        "is_student": selectors.student_school(user) is not None,
        "managed": managed,
        "log_readers": [s for s in schools if access.can_read_logs(user, s)],
        "publishers": [s for s in schools if access.can_publish(user, s)],
        "schools": schools,
        "my_requests": list(selectors.requests_filed_by(user)[:20]),
    }
    return render(request, "privacy/home.html", context)


@login_required
def delivery_download(request, token):
    delivery = get_object_or_404(
        RequestDelivery.objects.select_related("request__school", "request__subject"), token=token
    )
    try:
        handle = services.open_delivery(user=request.user, delivery=delivery)
    except PermissionDenied:
        _refuse(request, "export produced for a data-subject request", subject=delivery.request.subject)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("privacy:home")
    response = FileResponse(handle, as_attachment=True, filename=f"du-lieu-{delivery.request.subject.username}.zip")
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------------------------------
# Consent pages: a parent's for each child, a student's own
# --------------------------------------------------------------------------------------------------------------------
@login_required
def child_consents(request, student_id: int):
    student = get_object_or_404(get_user_model(), pk=student_id)
    if not access.is_representative_of(request.user, student):
        _refuse(request, "consents of a student", subject=student)
    return _consent_page(request, student, ConsentRole.REPRESENTATIVE)


@login_required
def own_consents(request):
    if selectors.student_school(request.user) is None:
        raise Http404
    return _consent_page(request, request.user, ConsentRole.STUDENT)


def _consent_page(request, student, as_role: str):
    config = rules.current()
    may_consent = as_role == ConsentRole.REPRESENTATIVE or selectors.required_consenters(student)[ConsentRole.STUDENT]
    mine = {c.purpose: c for c in selectors.active_consents(student).filter(given_by=request.user)}
    forms_by_purpose = {}
    request_form = RequestForm(prefix="request")
    if request.method == "POST" and may_consent:
        purpose = request.POST.get("purpose", "")
        action = request.POST.get("action")
        try:
            if action == "request":
                request_form = RequestForm(request.POST, prefix="request")
                if request_form.is_valid():
                    services.create_request(
                        actor=request.user,
                        school=selectors.student_school(student),
                        subject=student,
                        kind=request_form.cleaned_data["kind"],
                        details=request_form.cleaned_data["details"],
                    )
                    messages.success(request, _("Your request has been sent to the school."))
                    return redirect(request.path)
            elif action == "withdraw":
                hidden = services.withdraw_consent(actor=request.user, student=student, purpose=purpose)
                messages.success(request, _("Consent withdrawn."))
                if hidden:
                    messages.info(
                        request,
                        _("%(count)s published item(s) are no longer shown.") % {"count": len(hidden)},
                    )
                return redirect(request.path)
            elif action == "give" and purpose in rules.consent_purposes():
                form = ConsentForm(request.POST, purpose=purpose)
                if form.is_valid():
                    services.give_consent(
                        actor=request.user, student=student, purpose=purpose, notice_version=config["notice_version"]
                    )
                    messages.success(request, _("Consent recorded."))
                    return redirect(request.path)
                forms_by_purpose[purpose] = form
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not do this."))
    rows = []
    for code, spec in rules.purposes().items():
        rows.append(
            {
                "code": code,
                "spec": spec,
                "basis": rules.LEGAL_BASIS_LABELS[spec["legal_basis"]],
                "needs_consent": spec["legal_basis"] == rules.LegalBasis.CONSENT,
                "mine": mine.get(code),
                "holds": selectors.consent_holds(student, code),
                "form": forms_by_purpose.get(code) or ConsentForm(purpose=code),
            }
        )
    return render(
        request,
        "privacy/consents.html",
        {
            "student": student,
            "as_role": as_role,
            "may_consent": may_consent,
            "rows": rows,
            "history": list(selectors.consent_history(student)[:50]),
            "config": config,
            "request_form": request_form,
            "is_representative": as_role == ConsentRole.REPRESENTATIVE,
        },
    )


# --------------------------------------------------------------------------------------------------------------------
# Publications
# --------------------------------------------------------------------------------------------------------------------
def showcase(request, school_code: str):
    school = _school(school_code)
    return render(
        request,
        "privacy/showcase.html",
        {
            "school": school,
            "publications": list(selectors.visible_publications(school, request.user)),
            "can_publish": access.can_publish(request.user, school),
        },
    )


def publication_file(request, uuid):
    publication = get_object_or_404(Publication, uuid=uuid)
    # The file of a hidden item is as unreachable as its card: consent withdrawn means not served at all.
    if not selectors.visible_publications(publication.school, request.user).filter(pk=publication.pk).exists():
        raise Http404
    if not publication.file:
        raise Http404
    response = FileResponse(publication.file.open("rb"), filename=publication.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def publish(request, school_code: str):
    school = _school(school_code)
    if not access.can_publish(request.user, school):
        _refuse(request, "publish students' work", school=school)
    students = get_people(school, Role.STUDENT)
    form = PublicationForm(request.POST or None, request.FILES or None, students=students)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.publish(
                actor=request.user,
                school=school,
                student=data["student"],
                kind=data["kind"],
                title=data["title"],
                audience=data["audience"],
                file=data["file"],
                link=data["link"],
            )
            messages.success(request, _("Published on the school showcase."))
            return redirect("privacy:showcase", school_code=school.code)
        except ValidationError as error:
            _errors_to_form(form, error)
    return render(request, "privacy/publish.html", {"school": school, "form": form})


# --------------------------------------------------------------------------------------------------------------------
# Request inbox and export (school administrator)
# --------------------------------------------------------------------------------------------------------------------
def _managed_school(request, school_code: str, resource: str) -> School:
    school = _school(school_code)
    if not access.can_manage(request.user, school):
        _refuse(request, resource, school=school)
    return school


@login_required
def inbox(request, school_code: str):
    school = _managed_school(request, school_code, "data-subject requests")
    form = AdminRequestForm(request.POST or None, people=get_people(school))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_request(
                actor=request.user,
                school=school,
                subject=data["subject"],
                kind=data["kind"],
                details=data["details"],
                channel=data["channel"],
                received_at=data["received_at"] or None,
            )
            messages.success(request, _("Request recorded."))
            return redirect("privacy:request", school_code=school.code, request_id=created.pk)
        except ValidationError as error:
            _errors_to_form(form, error)
    return render(
        request,
        "privacy/inbox.html",
        {
            "school": school,
            "requests": list(selectors.get_requests(school)),
            "form": form,
            "now": timezone.now(),
        },
    )


@login_required
def request_detail(request, school_code: str, request_id: int):
    school = _managed_school(request, school_code, "data-subject request")
    subject_request = get_object_or_404(DataSubjectRequest, pk=request_id, school=school)
    allowed = REQUEST_TRANSITIONS[subject_request.status]
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("carry_out", "lift"):
        try:
            if action == "carry_out":
                services.carry_out_request(
                    actor=request.user, request=subject_request, note=request.POST.get("note", "")
                )
                messages.success(request, _("Done: the request is completed and the person can see what was done."))
            else:
                restriction = get_object_or_404(
                    ProcessingRestriction, pk=request.POST.get("restriction"), request=subject_request
                )
                services.lift_restriction(
                    actor=request.user, restriction=restriction, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Restriction lifted."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(request.path)
    form = StatusForm(request.POST or None, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_status(
                actor=request.user,
                request=subject_request,
                to_status=form.cleaned_data["to_status"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Request updated."))
            return redirect(request.path)
        except ValidationError as error:
            _errors_to_form(form, error)
    return render(
        request,
        "privacy/request.html",
        {
            "school": school,
            "item": subject_request,
            "events": list(subject_request.events.select_related("actor")),
            "form": form if allowed else None,
            "is_student": get_people(school, Role.STUDENT).filter(pk=subject_request.subject_id).exists(),
            "can_carry_out": services.can_carry_out(subject_request),
            "delivery": RequestDelivery.objects.filter(request=subject_request).first(),
            "restrictions": list(subject_request.restrictions.select_related("lifted_by")),
        },
    )


@login_required
def export(request, school_code: str, student_id: int):
    school = _school(school_code)
    student = get_people(school, Role.STUDENT).filter(pk=student_id).first()
    if student is None:
        raise Http404
    if not access.can_manage(request.user, school):
        _refuse(request, "export of a student's data", subject=student, school=school)
    data = services.export_student(
        actor=request.user, school=school, student=student, include_behaviour=request.GET.get("hanh-vi") == "1"
    )
    response = HttpResponse(data, content_type="application/zip")
    filename = f"du-lieu-{student.ma_dinh_danh or student.pk}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------------------------------
# Sensitive logs and refusals (school administrator and principal)
# --------------------------------------------------------------------------------------------------------------------
def _log_school(request, school_code: str, resource: str) -> School:
    school = _school(school_code)
    if not access.can_read_logs(request.user, school):
        _refuse(request, resource, school=school)
    return school


@login_required
def refusals(request, school_code: str):
    school = _log_school(request, school_code, "refusal log")
    return render(request, "privacy/refusals.html", {"school": school, "refusals": selectors.get_refusals(school)})


@login_required
def behaviour(request, school_code: str):
    school = _log_school(request, school_code, "behaviour log")
    services.log_sensitive_read(actor=request.user, school=school, what="behaviour log")
    return render(
        request,
        "privacy/behaviour.html",
        {
            "school": school,
            "events": selectors.get_behaviour_events(school),
            "retention_days": rules.current()["behaviour_log_retention_days"],
        },
    )


# --------------------------------------------------------------------------------------------------------------------
# Incidents (school administrator)
# --------------------------------------------------------------------------------------------------------------------
@login_required
def incidents(request, school_code: str):
    school = _managed_school(request, school_code, "incidents")
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_incident(actor=request.user, school=school, **form.cleaned_data)
            messages.success(request, _("Incident recorded. Notify the authority before the deadline shown."))
            return redirect("privacy:incidents", school_code=school.code)
        except ValidationError as error:
            _errors_to_form(form, error)
    return render(
        request,
        "privacy/incidents.html",
        {
            "school": school,
            "incidents": list(selectors.get_incidents(school)),
            "form": form,
            "hours": rules.current()["incident_notify_hours"],
        },
    )


@login_required
@require_POST
def incident_notified(request, school_code: str, incident_id: int):
    school = _managed_school(request, school_code, "incidents")
    incident = get_object_or_404(Incident, pk=incident_id, school=school)
    services.mark_incident_notified(actor=request.user, incident=incident)
    messages.success(request, _("The notification to the authority has been recorded."))
    return redirect(reverse("privacy:incidents", args=[school.code]))


@login_required
def incident_report(request, school_code: str, incident_id: int):
    """A plain-text notification to send to the specialised authority, filled from the record (R43)."""
    school = _managed_school(request, school_code, "incidents")
    incident = get_object_or_404(Incident, pk=incident_id, school=school)
    response = render(
        request,
        "privacy/incident_report.txt",
        {"school": school, "incident": incident},
        content_type="text/plain; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="thong-bao-su-co-{incident.pk}.txt"'
    return response


# --------------------------------------------------------------------------------------------------------------------
# Students (school administrator): consents given on paper, the personal ID
# --------------------------------------------------------------------------------------------------------------------
def _managed_student(request, school_code: str, student_id: int, resource: str):
    school = _school(school_code)
    student = get_people(school, Role.STUDENT).filter(pk=student_id).first()
    if student is None:
        raise Http404
    if not access.can_manage(request.user, school):
        _refuse(request, resource, subject=student, school=school)
    return school, student


@login_required
def students(request, school_code: str):
    school = _managed_school(request, school_code, "students' personal data")
    rows = [
        {"student": student, "masked_id": services.masked_personal_id(student)}
        for student in get_people(school, Role.STUDENT)
    ]
    return render(request, "privacy/students.html", {"school": school, "rows": rows})


@login_required
def paper_consent(request, school_code: str, student_id: int):
    school, student = _managed_student(request, school_code, student_id, "consent on paper")
    parents = get_user_model().objects.filter(
        pk__in=get_guardians(student).filter(is_legal_representative=True).values("parent")
    )
    form = PaperConsentForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_paper_consent(
                actor=request.user,
                school=school,
                student=student,
                parent=data["parent"],
                purpose=data["purpose"],
                reference=data["reference"],
            )
            messages.success(request, _("The consent signed on paper has been recorded."))
            return redirect(request.path)
        except ValidationError as error:
            _errors_to_form(form, error)
    return render(
        request,
        "privacy/paper_consent.html",
        {
            "school": school,
            "student": student,
            "form": form,
            "history": list(selectors.consent_history(student).select_related("recorded_by")[:50]),
            "config": rules.current(),
        },
    )


@login_required
def personal_id(request, school_code: str, student_id: int):
    school, student = _managed_student(request, school_code, student_id, "personal ID")
    form = PersonalIdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_personal_id(actor=request.user, user=student, value=form.cleaned_data["value"])
            messages.success(request, _("Personal ID saved."))
            return redirect(request.path)
        except ValidationError as error:
            _errors_to_form(form, error)
    return render(
        request,
        "privacy/personal_id.html",
        {"school": school, "student": student, "form": form, "masked": services.masked_personal_id(student)},
    )
