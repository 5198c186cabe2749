"""Class pages: student home, course plans, items and assignments, the teacher's dashboard and its exports, the
parents' view, roster import and force-majeure declarations. Views are thin: access.py decides who may, services
write, selectors read."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.courses import access, providers, roster, selectors, services
from lms.courses import library as course_library
from lms.courses.forms import (
    AssignmentForm,
    AttendanceForm,
    ClassForm,
    ForceMajeureForm,
    OfferingForm,
    PlanItemEditForm,
    PlanItemForm,
    RosterUploadForm,
    ScoreForm,
    SemesterForm,
    SessionForm,
    SubmissionForm,
    TeachingForm,
)
from lms.courses.models import (
    AssignmentAttachment,
    Course,
    ItemKind,
    PlanItem,
    RosterImport,
    SchoolClass,
    SchoolYear,
    Submission,
    SubmissionFile,
)
from lms.courses.rules import format_score
from lms.schools.api import Role, get_children, get_people, get_roles_by_school


def _get(getter, *args):
    try:
        return getter(*args)
    except (Course.DoesNotExist, PlanItem.DoesNotExist, Submission.DoesNotExist):
        raise Http404 from None


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --------------------------------------------------------------------------------------------------------------------
# Home: what each role starts from
# --------------------------------------------------------------------------------------------------------------------
@login_required
def home(request):
    user = request.user
    roles_by_school = get_roles_by_school(user)
    from lms.courses.notifications import unread

    context = {"roles_by_school": roles_by_school, "now": timezone.now(), "notifications": unread(user)}
    if any(Role.STUDENT in roles for roles in roles_by_school.values()):
        context["overview"] = selectors.get_student_overview(user, with_self_study=True)
    if any(Role.TEACHER in roles for roles in roles_by_school.values()):
        context["teacher_courses"] = list(selectors.get_teacher_courses(user))
        context["homeroom_classes"] = list(
            SchoolClass.objects.filter(homeroom_teacher=user, school_year__is_current=True)
        )
    if any(Role.PARENT in roles for roles in roles_by_school.values()):
        context["children"] = list(get_children(user))
    context["managed_schools"] = [
        {
            "school": school,
            "years": list(SchoolYear.objects.filter(school=school)),
            "courses": list(selectors.get_school_courses(school)) if Role.LEADERSHIP in roles else [],
            "principal": access.can_declare_force_majeure(user, school),
        }
        for school, roles in roles_by_school.items()
        if {Role.SCHOOL_ADMIN, Role.LEADERSHIP} & roles
    ]
    return render(request, "courses/home.html", context)


# --------------------------------------------------------------------------------------------------------------------
# Courses and their plans
# --------------------------------------------------------------------------------------------------------------------
def _plannable_lessons(course: Course):
    from content.api import LessonPage, SharingScope

    school = course.school_class.school_year.school
    from django.db.models import Q

    return (
        LessonPage.objects.live()
        .filter(subject_id=course.subject_id, grade=course.school_class.grade)
        .filter(
            Q(school_id=school.pk)
            | Q(sharing=SharingScope.PUBLIC)
            | Q(sharing=SharingScope.DISTRICT, school__organisation_id=school.organisation_id)
        )
        .order_by("path")
    )


@login_required
def course_detail(request, course_id: int):
    course = _get(selectors.get_course, course_id)
    access.require(access.can_view_plan(request.user, course), user=request.user, what="course plan", obj=course)
    can_edit = access.can_edit_course(request.user, course)
    staff_view = (
        can_edit or access.can_view_results(request.user, course) or access.heads_group_of(request.user, course)
    )
    items = selectors.get_plan(course, released_only=not staff_view)
    context = {
        "course": course,
        "items": items,
        "can_edit": can_edit,
        "can_view_results": access.can_view_results(request.user, course),
        "now": timezone.now(),
    }
    context["sessions"] = selectors.get_sessions(course)
    context["can_join"] = can_edit or access.is_enrolled(request.user, course.school_class)
    context["can_discuss"] = access.can_read_discussion(request.user, course)
    if can_edit:
        context["item_form"] = PlanItemForm(
            lessons=_plannable_lessons(course),
            library_items=course_library.plannable_items(course),
            provided=_provided_choices(course),
        )
        context["session_form"] = SessionForm()
    return render(request, "courses/course.html", context)


def _provided_choices(course) -> dict:
    """``{kind: (label, choices)}`` of every registered plan-item provider (tests, practice sets) for the editor."""
    out = {}
    for kind in providers.provided_kinds():
        provider = providers.get_provider(kind)
        out[kind] = (provider.choice_label or ItemKind(kind).label, provider.choices(course))
    return out


@login_required
@require_POST
def add_item(request, course_id: int):
    course = _get(selectors.get_course, course_id)
    access.require(access.can_edit_course(request.user, course))
    form = PlanItemForm(
        request.POST,
        lessons=_plannable_lessons(course),
        library_items=course_library.plannable_items(course),
        provided=_provided_choices(course),
    )
    if form.is_valid():
        data = form.cleaned_data
        reference = form.chosen_reference()
        try:
            services.add_plan_item(
                actor=request.user,
                course=course,
                kind=data["kind"],
                lesson=data["lesson"],
                reference=reference,
                title=data["title"],
                release_at=data["release_at"],
                due_at=data["due_at"],
                delivery_form=data["delivery_form"],
            )
            messages.success(request, _("The item is in the plan."))
        except ValidationError as error:
            _errors(request, error)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect("courses:course", course_id=course.pk)


@login_required
def add_assignment(request, course_id: int):
    course = _get(selectors.get_course, course_id)
    access.require(access.can_edit_course(request.user, course))
    form = AssignmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_assignment(
                actor=request.user,
                course=course,
                title=data["title"],
                instructions=data["instructions"],
                release_at=data["release_at"],
                due_at=data["due_at"],
                late_policy=data["late_policy"],
                delivery_form=data["delivery_form"],
                counts_as_regular_assessment=data["counts_as_regular_assessment"],
                attachments=data["attachments"],
            )
            messages.success(request, _("The assignment is in the plan."))
            return redirect("courses:course", course_id=course.pk)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                form.add_error(None, error)
    return render(request, "courses/assignment_form.html", {"course": course, "form": form})


@login_required
@require_POST
def move_item(request, item_id: int, direction: str):
    item = _get(selectors.get_item, item_id)
    access.require(access.can_edit_course(request.user, item.course))
    services.move_item(actor=request.user, item=item, offset=-1 if direction == "len" else 1)
    return redirect("courses:course", course_id=item.course_id)


def _edit_form(item: PlanItem, data=None) -> PlanItemEditForm:
    initial = {
        "title": item.title,
        "release_at": timezone.localtime(item.release_at),
        "due_at": timezone.localtime(item.due_at) if item.due_at else None,
        "delivery_form": item.delivery_form,
    }
    if item.kind == ItemKind.ASSIGNMENT:
        assignment = item.assignment
        initial.update(
            instructions=assignment.instructions,
            late_policy=assignment.late_policy,
            counts_as_regular_assessment=assignment.counts_as_regular_assessment,
        )
    return PlanItemEditForm(data, initial=initial, is_assignment=item.kind == ItemKind.ASSIGNMENT)


@login_required
def edit_item(request, item_id: int):
    item = _get(selectors.get_item, item_id)
    access.require(access.can_edit_course(request.user, item.course), user=request.user, what="edit item", obj=item)
    form = _edit_form(item, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = {}
        if item.kind == ItemKind.ASSIGNMENT:
            extra = {
                "instructions": data["instructions"],
                "late_policy": data["late_policy"],
                "counts_as_regular_assessment": data["counts_as_regular_assessment"],
            }
        try:
            services.update_plan_item(
                actor=request.user,
                item=item,
                title=data["title"],
                release_at=data["release_at"],
                due_at=data["due_at"],
                delivery_form=data["delivery_form"],
                **extra,
            )
            messages.success(request, _("The item has been changed."))
            return redirect("courses:course", course_id=item.course_id)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                form.add_error(None, error)
    return render(request, "courses/item_edit.html", {"item": item, "course": item.course, "form": form})


@login_required
def delete_item(request, item_id: int):
    """GET: the confirmation page (saying what students did on the item); POST: delete, or refuse when students
    have worked on it."""
    item = _get(selectors.get_item, item_id)
    access.require(access.can_edit_course(request.user, item.course), user=request.user, what="delete item", obj=item)
    if request.method == "POST":
        outcome = services.delete_plan_item(actor=request.user, item=item)
        if outcome == "archived":
            messages.success(
                request,
                _(
                    "Students have worked on “%(title)s”, so it has been archived: hidden from the students, kept in "
                    "the progress, the exports and the class records. You can restore it."
                )
                % {"title": item.title},
            )
        else:
            messages.success(request, _("“%(title)s” has been taken out of the plan.") % {"title": item.title})
        return redirect("courses:course", course_id=item.course_id)
    work = services.student_work_on_item(item)
    return render(
        request,
        "courses/item_delete.html",
        {"item": item, "course": item.course, "work": work, "has_work": any(work.values())},
    )


@login_required
@require_POST
def restore_item(request, item_id: int):
    item = _get(selectors.get_item, item_id)
    access.require(access.can_edit_course(request.user, item.course), user=request.user, what="restore item", obj=item)
    try:
        services.restore_plan_item(actor=request.user, item=item)
        messages.success(request, _("“%(title)s” is back in the students' plan.") % {"title": item.title})
    except ValidationError as error:
        _errors(request, error)
    return redirect("courses:course", course_id=item.course_id)


# --------------------------------------------------------------------------------------------------------------------
# Plan items: lessons, assignments and references
# --------------------------------------------------------------------------------------------------------------------
def _item_for(request, item_id: int) -> tuple[PlanItem, bool]:
    """The item and whether the person is a student of its class; refuses people who may not see it."""
    item = _get(selectors.get_item, item_id)
    course = item.course
    access.require(access.can_view_plan(request.user, course), user=request.user, what="plan item", obj=item)
    student = access.is_enrolled(request.user, course.school_class)
    staff = access.can_view_results(request.user, course) or access.heads_group_of(request.user, course)
    if not staff and (item.release_at > timezone.now() or item.archived_at is not None):
        raise Http404
    return item, student


@login_required
def item_detail(request, item_id: int):
    item, student = _item_for(request, item_id)
    course = item.course
    if student:
        services.record_item_opened(student=request.user, item=item)
    context = {
        "item": item,
        "course": course,
        "is_student": student,
        "can_edit": access.can_edit_course(request.user, course),
        "can_view_results": access.can_view_results(request.user, course),
        "can_discuss": access.can_read_discussion(request.user, course),
        "now": timezone.now(),
    }
    if item.kind == ItemKind.LESSON:
        from content.api import get_progress

        context["lesson"] = item.lesson.specific
        if student:
            context["progress"] = get_progress(user=request.user, lesson_ids=[item.lesson_id]).get(item.lesson_id)
    if item.kind == ItemKind.LIBRARY:
        context.update(course_library.player(item, request))
    elif providers.get_provider(item.kind) is not None and item.reference:
        context.update(_provided_context(item, request.user, student))
    if item.kind == ItemKind.ASSIGNMENT:
        assignment = item.assignment
        context["assignment"] = assignment
        context["attachments"] = list(assignment.attachments.all())
        if student:
            context["submission"] = selectors.get_own_submission(assignment, request.user)
            context["form"] = SubmissionForm()
        if context["can_view_results"]:
            context["submissions"] = selectors.get_submissions(assignment)
        else:
            # Parents see their children's work in the course, nobody else's.
            children = access.children_in_class(request.user, course.school_class)
            context["children_submissions"] = [
                (child, selectors.get_own_submission(assignment, child)) for child in children
            ]
    return render(request, "courses/item.html", context)


def _provided_context(item: PlanItem, user, student: bool) -> dict:
    """A test or practice set on the item page: what the student opens, and the student's own status and score
    (a score only once the provider releases it)."""
    provider = providers.get_provider(item.kind)
    context = {"provided": True, "target": provider.target(item, user)}
    if student:
        cell = selectors.Cell(item)
        cell.add_provider_result(provider.results([item], [user.pk]).get((item.pk, user.pk)), released_only=True)
        context["provided_cell"] = cell
    return context


@login_required
@require_POST
def item_heartbeat(request, item_id: int):
    item, student = _item_for(request, item_id)
    if not student:
        raise PermissionDenied
    try:
        seconds = int(request.POST.get("seconds", "0"))
    except ValueError:
        seconds = 0
    services.record_time_spent(student=request.user, item=item, seconds=seconds)
    return JsonResponse({"ok": True})


@login_required
@require_POST
def submit(request, item_id: int):
    item, student = _item_for(request, item_id)
    if not student or item.kind != ItemKind.ASSIGNMENT:
        raise PermissionDenied
    form = SubmissionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submit_assignment(
                student=request.user,
                assignment=item.assignment,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
            messages.success(request, _("Your work has been handed in."))
        except ValidationError as error:
            _errors(request, error)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("courses:item", item_id=item.pk)


@login_required
@require_POST
def score(request, submission_id: int):
    submission = _get(selectors.get_submission, submission_id)
    item = submission.assignment.item
    access.require(access.can_edit_course(request.user, item.course))
    form = ScoreForm(request.POST)
    if form.is_valid():
        try:
            services.score_submission(
                actor=request.user,
                submission=submission,
                score=form.cleaned_data["score"],
                feedback=form.cleaned_data["feedback"],
            )
            messages.success(
                request,
                _("%(name)s: score %(score)s saved.")
                % {"name": submission.student.get_full_name(), "score": format_score(submission.score)},
            )
        except ValidationError as error:
            _errors(request, error)
    return redirect("courses:item", item_id=item.pk)


@login_required
@require_POST
def send_to_gradebook(request, submission_id: int):
    submission = _get(selectors.get_submission, submission_id)
    item = submission.assignment.item
    access.require(access.can_edit_course(request.user, item.course))
    try:
        services.send_score_to_gradebook(actor=request.user, submission=submission)
        messages.success(request, _("The score was sent to the gradebook as a regular assessment."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("courses:item", item_id=item.pk)


@login_required
def submission_file(request, file_id: int):
    try:
        stored = SubmissionFile.objects.select_related(
            "submission__assignment__item__course__school_class__school_year__school"
        ).get(pk=file_id)
    except SubmissionFile.DoesNotExist:
        raise Http404 from None
    submission = stored.submission
    course = submission.assignment.item.course
    allowed = (
        submission.student_id == request.user.pk
        or access.can_view_results(request.user, course)
        or access.is_parent_of(request.user, submission.student)
    )
    access.require(allowed, user=request.user, what="submitted file", obj=stored)
    return FileResponse(stored.file.open("rb"), as_attachment=not stored.is_photo, filename=stored.name)


@login_required
def attachment(request, attachment_id: int):
    try:
        stored = AssignmentAttachment.objects.select_related("assignment__item").get(pk=attachment_id)
    except AssignmentAttachment.DoesNotExist:
        raise Http404 from None
    _item_for(request, stored.assignment.item_id)
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name)


# --------------------------------------------------------------------------------------------------------------------
# Teacher dashboard and exports (R7)
# --------------------------------------------------------------------------------------------------------------------
@login_required
def dashboard(request, course_id: int):
    course = _get(selectors.get_course, course_id)
    access.require(access.can_view_results(request.user, course), user=request.user, what="dashboard", obj=course)
    not_started = request.GET.get("chua-bat-dau") == "1"
    board = selectors.get_dashboard(course, not_started_only=not_started, with_times=False)
    return render(
        request,
        "courses/dashboard.html",
        {"course": course, "board": board, "not_started": not_started, "totals": board.item_totals()},
    )


def _export_rows(board) -> tuple[list[str], list[list]]:
    header = [
        _("Number"),
        _("Sector identifier"),
        _("Student"),
        _("Item"),
        _("Title"),
        _("Kind"),
        _("TT 09 form"),
        _("Opened"),
        _("Completed"),
        _("Submitted"),
        _("Late"),
        _("Score"),
        _("Minutes spent (course pages, library player, tests and practice)"),
        _("Archived"),
    ]
    rows = []
    for number, row in enumerate(board.rows, start=1):
        for position, cell in enumerate(row.cells, start=1):
            rows.append(
                [
                    number,
                    row.student.ma_dinh_danh or "",
                    row.student.get_full_name(),
                    position,
                    cell.item.title,
                    cell.item.get_kind_display(),
                    cell.item.delivery_form,
                    cell.opened_at,
                    cell.completed_at or (_("yes") if cell.library_completed or cell.provided_done else None),
                    cell.submitted_at,
                    _("yes") if cell.is_late else "",
                    cell.score,
                    cell.minutes if cell.time_allowed else "—",  # no learning_analytics consent
                    _("yes") if cell.item.archived_at else "",
                ]
            )
    return header, rows


def _cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if isinstance(value, datetime) else value


@login_required
def dashboard_export(request, course_id: int, fmt: str):
    course = _get(selectors.get_course, course_id)
    access.require(access.can_view_results(request.user, course), user=request.user, what="export", obj=course)
    board = selectors.get_dashboard(course, not_started_only=request.GET.get("chua-bat-dau") == "1")
    header, rows = _export_rows(board)
    filename = f"theo-doi-{course.school_class.name}-{course.subject.code}".lower()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                [
                    format_score(v)
                    if i == 11
                    else (timezone.localtime(v).strftime("%d/%m/%Y %H:%M") if isinstance(v, datetime) else _cell(v))
                    for i, v in enumerate(row)
                ]
            )
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(c for c in course.school_class.name if c not in "[]:*?/\\")[:31] or "lop"
    sheet.append(header)
    for row in rows:
        sheet.append([float(v) if i == 11 and v is not None else _cell(_local(v)) for i, v in enumerate(row)])
        for column in (8, 9, 10):
            sheet.cell(row=sheet.max_row, column=column).number_format = "DD/MM/YYYY HH:MM"
        sheet.cell(row=sheet.max_row, column=12).number_format = "0.0"
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --------------------------------------------------------------------------------------------------------------------
# Parents (R14)
# --------------------------------------------------------------------------------------------------------------------
@login_required
def child(request, student_id: int):
    child = get_children(request.user).filter(pk=student_id).first()
    if child is None:
        access.require(False, user=request.user, what="child overview", obj=student_id)
    overview = selectors.get_student_overview(child)
    return render(request, "courses/child.html", {"child": child, "overview": overview, "now": timezone.now()})


# --------------------------------------------------------------------------------------------------------------------
# School structure, roster import, force majeure
# --------------------------------------------------------------------------------------------------------------------
def _year_for(request, year_id: int) -> SchoolYear:
    year = SchoolYear.objects.select_related("school").filter(pk=year_id).first()
    if year is None:
        raise Http404
    access.require(access.can_manage_structure(request.user, year.school), user=request.user, what="structure")
    return year


STRUCTURE_FORMS = {"semester": SemesterForm, "class": ClassForm, "offering": OfferingForm, "teaching": TeachingForm}


@login_required
def structure(request, year_id: int):
    """The school year's semesters, classes, subjects per grade and teaching assignments, with forms to add them, and
    the roster import."""
    from curriculum.api import get_subjects

    year = _year_for(request, year_id)
    teachers = list(get_people(year.school, Role.TEACHER))
    subjects = list(get_subjects())
    classes = list(selectors.get_classes(year))
    kwargs = {
        "semester": {},
        "class": {"teachers": teachers},
        "offering": {"subjects": subjects},
        "teaching": {"classes": classes, "subjects": subjects, "teachers": teachers},
    }
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        name: form_class(request.POST if action == name else None, prefix=name, **kwargs[name])
        for name, form_class in STRUCTURE_FORMS.items()
    }
    if action in forms and forms[action].is_valid():
        try:
            _apply_structure_form(action, forms[action].cleaned_data, year, teachers, subjects, classes)
            messages.success(request, _("Saved."))
            return redirect("courses:structure", year_id=year.pk)
        except ValidationError as error:
            for message in error.messages:
                forms[action].add_error(None, message)
    return render(
        request,
        "courses/structure.html",
        {
            "year": year,
            "semesters": list(year.semesters.all()),
            "classes": classes,
            "offerings": list(year.subject_offerings.select_related("subject")),
            "assignments": list(
                selectors.get_teaching_assignments(year).select_related("school_class", "subject", "teacher")
            ),
            "imports": list(year.roster_imports.select_related("uploaded_by")[:10]),
            "upload_form": RosterUploadForm(),
            "forms": forms,
            "can_read_records": access.is_leadership(request.user, year.school),
        },
    )


def _apply_structure_form(action, data, year, teachers, subjects, classes) -> None:
    by_id = lambda rows, pk: next((row for row in rows if row.pk == pk), None)  # noqa: E731
    if action == "semester":
        services.create_semester(
            school_year=year, number=data["number"], starts_on=data["starts_on"], ends_on=data["ends_on"]
        )
    elif action == "class":
        services.create_class(
            school_year=year,
            name=data["name"].strip(),
            grade=data["grade"],
            homeroom_teacher=by_id(teachers, data["homeroom_teacher"]),
        )
    elif action == "offering":
        services.set_subject_offering(
            school_year=year,
            grade=data["grade"],
            subject=by_id(subjects, data["subject"]),
            periods_per_year=data["periods_per_year"],
            assessment_method=data["assessment_method"] or None,
        )
    elif action == "teaching":
        services.assign_teacher(
            school_class=by_id(classes, data["school_class"]),
            subject=by_id(subjects, data["subject"]),
            teacher=by_id(teachers, data["teacher"]),
        )


@login_required
@require_POST
def roster_upload(request, year_id: int):
    year = _year_for(request, year_id)
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("courses:structure", year_id=year.pk)
    upload = form.cleaned_data["file"]
    imported = roster.upload(actor=request.user, school_year=year, name=upload.name, data=upload.read())
    return redirect("courses:roster_report", import_id=imported.pk)


@login_required
def roster_report(request, import_id: int):
    imported = RosterImport.objects.select_related("school_year__school").filter(pk=import_id).first()
    if imported is None:
        raise Http404
    access.require(access.can_manage_structure(request.user, imported.school_year.school), user=request.user)
    if request.method == "POST":
        try:
            roster.apply(actor=request.user, roster=imported)
            messages.success(request, _("The class list has been imported."))
            return redirect("courses:structure", year_id=imported.school_year_id)
        except ValidationError as error:
            _errors(request, error)
            imported.refresh_from_db()
    return render(request, "courses/roster_report.html", {"imported": imported, "report": imported.report})


@login_required
def force_majeure(request, school_code: str):
    from lms.schools.api import School, get_school_by_code

    try:
        school = get_school_by_code(school_code)
    except School.DoesNotExist:
        raise Http404 from None
    access.require(access.can_manage_structure(request.user, school), user=request.user, what="force majeure")
    can_declare = access.can_declare_force_majeure(request.user, school)
    classes = list(SchoolClass.objects.filter(school_year__school=school, school_year__is_current=True))
    form = ForceMajeureForm(request.POST or None, classes=classes)
    if request.method == "POST":
        access.require(can_declare, user=request.user, what="force-majeure declaration", obj=school)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.declare_force_majeure(
                    actor=request.user,
                    school=school,
                    scope=data["scope"],
                    grade=data["grade"],
                    school_class=next((c for c in classes if c.pk == data["school_class"]), None),
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    reason=data["reason"],
                    decision_number=data["decision_number"],
                )
                messages.success(request, _("The force-majeure period has been declared."))
                return redirect(reverse("courses:force_majeure", args=[school.code]))
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
    return render(
        request,
        "courses/force_majeure.html",
        {
            "school": school,
            "periods": list(selectors.get_force_majeure_periods(school)),
            "form": form,
            "can_declare": can_declare,
        },
    )


# --------------------------------------------------------------------------------------------------------------------
# Live sessions and attendance
# --------------------------------------------------------------------------------------------------------------------
@login_required
@require_POST
def add_session(request, course_id: int):
    course = _get(selectors.get_course, course_id)
    access.require(access.can_edit_course(request.user, course))
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            services.schedule_session(actor=request.user, course=course, **form.cleaned_data)
            messages.success(request, _("The session is scheduled."))
        except ValidationError as error:
            _errors(request, error)
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}" if field in form.fields else error)
    return redirect("courses:course", course_id=course.pk)


def _session_for(request, session_id: int):
    from lms.courses.models import LiveSession

    try:
        session = selectors.get_session(session_id)
    except LiveSession.DoesNotExist:
        raise Http404 from None
    access.require(access.can_view_plan(request.user, session.course), user=request.user, what="session")
    return session


@login_required
def join_session(request, session_id: int):
    """A link, not a form: the meeting is on another site, and a form's redirect there would break the CSP."""
    session = _session_for(request, session_id)
    if not access.is_enrolled(request.user, session.course.school_class):
        if access.can_edit_course(request.user, session.course):
            return redirect(session.meeting_url)  # the teacher opens the meeting; no attendance
        raise PermissionDenied
    try:
        services.join_session(student=request.user, session=session)
    except ValidationError as error:
        _errors(request, error)
        return redirect("courses:course", course_id=session.course_id)
    return redirect(session.meeting_url)


@login_required
def session_detail(request, session_id: int):
    session = _session_for(request, session_id)
    course = session.course
    access.require(access.can_view_results(request.user, course), user=request.user, what="attendance")
    can_edit = access.can_edit_course(request.user, course)
    if request.method == "POST":
        access.require(can_edit)
        form = AttendanceForm(request.POST)
        if form.is_valid():
            student = next(
                (
                    s
                    for s, _row, _status in selectors.get_session_attendance(session)
                    if s.pk == form.cleaned_data["student"]
                ),
                None,
            )
            if student is None:
                raise Http404
            services.correct_attendance(
                actor=request.user,
                session=session,
                student=student,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Attendance corrected."))
        return redirect("courses:session", session_id=session.pk)
    from lms.courses.models import AttendanceStatus

    return render(
        request,
        "courses/session.html",
        {
            "session": session,
            "course": course,
            "rows": selectors.get_session_attendance(session),
            "can_edit": can_edit,
            "statuses": AttendanceStatus.choices,
        },
    )


# --------------------------------------------------------------------------------------------------------------------
# Questions and answers
# --------------------------------------------------------------------------------------------------------------------
@login_required
def questions(request, course_id: int):
    from lms.courses.forms import QuestionForm

    course = _get(selectors.get_course, course_id)
    access.require(access.can_read_discussion(request.user, course), user=request.user, what="Q&A", obj=course)
    can_discuss = access.can_discuss(request.user, course)
    items = selectors.get_plan(course, released_only=not access.can_edit_course(request.user, course))
    form = QuestionForm(request.POST or None, items=items)
    if request.method == "POST":
        access.require(can_discuss)
        if form.is_valid():
            data = form.cleaned_data
            try:
                question = services.ask_question(
                    author=request.user,
                    course=course,
                    title=data["title"],
                    body=data["body"],
                    item=next((i for i in items if i.pk == data["item"]), None),
                )
                return redirect("courses:question", question_id=question.pk)
            except ValidationError as error:
                _errors(request, error)
    item_id = request.GET.get("muc")
    listed = selectors.get_questions(course, item_id=int(item_id) if item_id and item_id.isdigit() else None)
    return render(
        request,
        "courses/questions.html",
        {"course": course, "questions": listed, "form": form, "can_discuss": can_discuss},
    )


@login_required
def question_detail(request, question_id: int):
    from lms.courses.forms import AnswerForm
    from lms.courses.models import Answer, Question

    question = (
        Question.objects.select_related(
            "course__school_class__school_year__school", "course__subject", "item", "author"
        )
        .filter(pk=question_id)
        .first()
    )
    if question is None:
        raise Http404
    course = question.course
    access.require(access.can_read_discussion(request.user, course), user=request.user, what="Q&A", obj=question)
    can_discuss = access.can_discuss(request.user, course)
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        access.require(can_discuss)
        mark = request.POST.get("mark")
        if mark:
            answer = Answer.objects.filter(pk=mark, question=question).first()
            if answer is None:
                raise Http404
            access.require(access.can_edit_course(request.user, course))
            services.mark_answer(actor=request.user, answer=answer, accepted=request.POST.get("accepted", "1") == "1")
            return redirect("courses:question", question_id=question.pk)
        if form.is_valid():
            services.answer_question(author=request.user, question=question, body=form.cleaned_data["body"])
            return redirect("courses:question", question_id=question.pk)
    return render(
        request,
        "courses/question.html",
        {
            "question": question,
            "course": course,
            "answers": list(question.answers.select_related("author")),
            "form": form,
            "can_discuss": can_discuss,
            "can_mark": access.can_edit_course(request.user, course),
        },
    )


@login_required
@require_POST
def notifications_read(request):
    from lms.courses.notifications import mark_read

    mark_read(request.user)
    return redirect("courses:home")


@login_required
def class_records(request, class_id: int):
    """The class's online-teaching record as a ZIP (leadership and the homeroom teacher)."""
    from lms.courses import records

    school_class = SchoolClass.objects.select_related("school_year__school").filter(pk=class_id).first()
    if school_class is None:
        raise Http404
    school = school_class.school_year.school
    allowed = access.is_leadership(request.user, school) or (
        school_class.homeroom_teacher_id == request.user.pk and Role.TEACHER in access._roles(request.user, school)
    )
    access.require(allowed, user=request.user, what="class records", obj=school_class)
    response = HttpResponse(records.build(school_class), content_type="application/zip")
    name = f"ho-so-{school_class.name}-{school_class.school_year.starts_on.year}".lower()
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response
