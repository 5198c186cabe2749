"""Authoring pages under /kiem-tra/: blueprints (list, new, rows and cells, matrix and specification with Excel,
generate a test, check a test) and tests (new from a THPT 2025 template or blank, pinned items and random draws,
points, problems, review). Thin: ``authoring`` writes, ``blueprint_selectors`` reads; teachers of the subject group
write, the tổ trưởng or the principal review, everyone else gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from curriculum.api import Outcome
from lms.assessments import api as bank_api
from lms.exams import authoring, blueprint_selectors, blueprint_xlsx, services
from lms.exams.forms import BlueprintForm, DrawForm, PartForm, RowFormSet, TestCreateForm
from lms.exams.models import Blueprint, BlueprintTest, Test, TestDraw, TestItem, TestPart, TestStatus
from lms.exams.rules import DELIVERABLE_TYPES, blueprint_framework
from lms.schools import api as schools_api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _staff(request):
    user = request.user
    if not (user.is_superuser or authoring.authoring_subjects(user) or schools_api.is_staff_member(user)):
        raise PermissionDenied


def _blueprint(request, pk) -> Blueprint:
    try:
        blueprint = blueprint_selectors.get_blueprint(pk)
    except Blueprint.DoesNotExist:
        raise Http404 from None
    if not authoring.can_view(request.user, blueprint):
        raise PermissionDenied
    return blueprint


def _test(request, pk) -> Test:
    try:
        test = Test.objects.select_related("school", "subject", "created_by", "approved_by").get(pk=pk)
    except Test.DoesNotExist:
        raise Http404 from None
    if not authoring.can_view(request.user, test):
        raise PermissionDenied
    return test


# -------------------------------------------------------------------------------------------------- blueprints
@login_required
def blueprint_list(request):
    _staff(request)
    return render(
        request,
        "exams/blueprint_list.html",
        {
            "blueprints": blueprint_selectors.get_blueprints(request.user),
            "may_create": bool(authoring.authoring_subjects(request.user)),
        },
    )


@login_required
def blueprint_create(request):
    pairs = authoring.authoring_subjects(request.user)
    if not pairs:
        raise PermissionDenied
    form = BlueprintForm(request.POST or None, pairs=pairs)
    if request.method == "POST" and form.is_valid():
        school, subject = form.school_and_subject()
        data = {k: v for k, v in form.cleaned_data.items() if k != "subject"}
        try:
            blueprint = authoring.create_blueprint(school=school, subject=subject, created_by=request.user, **data)
            return redirect("exams:blueprint_edit", pk=blueprint.pk)
        except ValidationError as error:
            _errors(request, error)
    return render(request, "exams/blueprint_form.html", {"form": form})


def _row_initial(blueprint: Blueprint) -> list[dict]:
    out = []
    for row in blueprint.rows.all():
        data = {
            "chapter": row.chapter,
            "content_unit": row.content_unit,
            "outcomes": " ".join(o.code for o in row.outcomes.all()),
        }
        for cell in row.cells.all():
            data[f"n_{cell.format}_{cell.level}"] = cell.count
            data[f"p_{cell.format}_{cell.level}"] = cell.points_each
        out.append(data)
    return out


@login_required
def blueprint_edit(request, pk):
    blueprint = _blueprint(request, pk)
    if not authoring.can_author(request.user, blueprint.school, blueprint.subject):
        raise PermissionDenied
    if blueprint.status != TestStatus.DRAFT:
        messages.error(request, _("The blueprint has been approved: it can no longer be changed."))
        return redirect("exams:blueprint", pk=blueprint.pk)
    header_initial = {
        f: getattr(blueprint, f)
        for f in ("title", "grade", "framework", "kind", "semester", "school_year", "minutes", "total_points")
    }
    rules = blueprint_framework(blueprint.framework)
    if blueprint.level_targets:
        header_initial["level_targets"] = " / ".join(
            str(blueprint.level_targets.get(lv.key, "0")) for lv in rules.levels
        )
    header = BlueprintForm(
        request.POST if request.method == "POST" else None, initial=header_initial, editing=True, prefix="bp"
    )
    # Bound: the posted rows are the whole truth (no initial, so an unchanged row is still read, not skipped).
    rows = RowFormSet(
        request.POST if request.method == "POST" else None,
        initial=None if request.method == "POST" else _row_initial(blueprint),
        framework=blueprint.framework,
        prefix="rows",
    )
    if request.method == "POST" and header.is_valid() and rows.is_valid():
        inputs = [
            authoring.RowInput(
                chapter=f.cleaned_data.get("chapter", ""),
                content_unit=f.cleaned_data.get("content_unit", ""),
                outcome_codes=authoring.parse_codes(f.cleaned_data.get("outcomes", "")),
                cells=f.cells(),
            )
            for f in rows.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_blank()
        ]
        try:
            framework_changed = header.cleaned_data["framework"] != blueprint.framework
            authoring.update_blueprint(blueprint=blueprint, user=request.user, **header.cleaned_data)
            if not framework_changed:
                authoring.save_rows(blueprint=blueprint, user=request.user, rows=inputs)
            else:
                messages.info(request, _("The framework changed: fill the cells of its columns."))
                return redirect("exams:blueprint_edit", pk=blueprint.pk)
            messages.success(request, _("The blueprint is saved."))
            return redirect("exams:blueprint", pk=blueprint.pk)
        except ValidationError as error:
            _errors(request, error)
    outcomes = Outcome.objects.filter(subject=blueprint.subject, grade=blueprint.grade, retired=False)
    return render(
        request,
        "exams/blueprint_edit.html",
        {"blueprint": blueprint, "header": header, "rows": rows, "outcomes": outcomes},
    )


@login_required
def blueprint_detail(request, pk):
    blueprint = _blueprint(request, pk)
    may_approve = services.can_approve(request.user, blueprint) and blueprint.status == TestStatus.DRAFT
    if request.method == "POST":
        if request.POST.get("action") != "approve" or not may_approve:
            raise PermissionDenied
        try:
            authoring.approve_blueprint(blueprint=blueprint, user=request.user)
            messages.success(request, _("The blueprint is approved."))
        except ValidationError as error:
            _errors(request, error)
        return redirect("exams:blueprint", pk=blueprint.pk)
    may_author = authoring.can_author(request.user, blueprint.school, blueprint.subject)
    own_tests = Test.objects.filter(
        school=blueprint.school, subject=blueprint.subject, status=TestStatus.DRAFT, created_by=request.user
    )
    return render(
        request,
        "exams/blueprint_detail.html",
        {
            "blueprint": blueprint,
            "m": blueprint_selectors.matrix(blueprint, with_spec=True),
            "may_edit": may_author and blueprint.status == TestStatus.DRAFT,
            "may_generate": may_author,
            "may_approve": may_approve,
            "generated": BlueprintTest.objects.filter(blueprint=blueprint).select_related("test"),
            "tests": own_tests,
        },
    )


@login_required
def blueprint_download(request, pk, kind):
    blueprint = _blueprint(request, pk)
    m = blueprint_selectors.matrix(blueprint, with_spec=kind == "dac-ta")
    if kind == "ma-tran":
        data, name = blueprint_xlsx.matrix_xlsx(m), "ma-tran"
    elif kind == "dac-ta":
        data, name = blueprint_xlsx.specification_xlsx(m), "ban-dac-ta"
    else:
        raise Http404
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{slugify(blueprint.title) or blueprint.pk}.xlsx"'
    return response


@login_required
@require_POST
def blueprint_generate(request, pk):
    blueprint = _blueprint(request, pk)
    try:
        test, shortfalls = authoring.generate_test(
            blueprint=blueprint,
            created_by=request.user,
            seed=request.POST.get("seed", "").strip(),
            title=request.POST.get("title", "").strip(),
        )
    except ValidationError as error:
        _errors(request, error)
        return redirect("exams:blueprint", pk=blueprint.pk)
    if shortfalls:
        for s in shortfalls:
            messages.warning(request, s.message())
    else:
        messages.success(request, _("The test was drawn from the bank; every cell of the blueprint is filled."))
    return redirect("exams:test_edit", pk=test.pk)


@login_required
def blueprint_check(request, pk):
    blueprint = _blueprint(request, pk)
    test, deviations = None, None
    if request.GET.get("test"):
        try:
            test = _test(request, int(request.GET["test"]))
        except ValueError:
            raise Http404 from None
        deviations = blueprint_selectors.validate_test_against_blueprint(test, blueprint)
    # Every test of the school and subject shares the blueprint's school and subject, so who may see them is decided
    # once: the subject group's teachers and the reviewers see all of them, anyone else only their own.
    candidates = Test.objects.filter(school=blueprint.school, subject=blueprint.subject).select_related("subject")
    user = request.user
    if not (
        user.is_superuser
        or authoring.can_author(user, blueprint.school, blueprint.subject)
        or services.can_approve(user, blueprint)
    ):
        candidates = candidates.filter(created_by=user)
    return render(
        request,
        "exams/blueprint_check.html",
        {"blueprint": blueprint, "test": test, "deviations": deviations, "candidates": candidates},
    )


# ------------------------------------------------------------------------------------------------------- tests
@login_required
def test_create(request):
    pairs = authoring.authoring_subjects(request.user)
    if not pairs:
        raise PermissionDenied
    form = TestCreateForm(request.POST or None, pairs=pairs)
    if request.method == "POST" and form.is_valid():
        school, subject = form.school_and_subject()
        data = form.cleaned_data
        try:
            if data["start"] == TestCreateForm.BLANK:
                test = services.create_test(
                    school=school,
                    subject=subject,
                    grade=data["grade"],
                    title=data["title"],
                    created_by=request.user,
                    kind=data["kind"],
                    minutes=data["minutes"],
                )
            else:
                test = services.create_test_from_template(
                    school=school,
                    subject=subject,
                    grade=data["grade"],
                    title=data["title"],
                    created_by=request.user,
                    kind=data["kind"],
                )
            return redirect("exams:test_edit", pk=test.pk)
        except LookupError:
            messages.error(
                request,
                _("The THPT 2025 rules have no template for %(subject)s: start from a blank test.")
                % {"subject": subject.name},
            )
        except ValidationError as error:
            _errors(request, error)
    return render(request, "exams/test_form.html", {"form": form})


def _bank_filters(request, test: Test):
    banks = list(bank_api.visible_banks(request.user))
    versions = None
    filters = {k: request.GET.get(k, "").strip() for k in ("bank", "type", "level", "outcome", "q")}
    if any(filters.values()):
        versions = bank_api.get_ready_versions().filter(
            question__bank__in=[b.pk for b in banks], question__type__in=DELIVERABLE_TYPES
        )
        if test.subject_id:
            versions = versions.filter(question__subject=test.subject_id)
        if filters["bank"].isdigit():
            versions = versions.filter(question__bank_id=int(filters["bank"]))
        if filters["type"]:
            versions = versions.filter(question__type=filters["type"])
        if filters["level"]:
            versions = versions.filter(question__level=filters["level"])
        if filters["outcome"]:
            versions = versions.filter(question__outcomes__code=filters["outcome"])
        if filters["q"]:
            versions = versions.filter(title__icontains=filters["q"])
        used = TestItem.objects.filter(part__test=test).values_list("version__question_id", flat=True)
        versions = list(
            versions.exclude(question_id__in=used).select_related("question__bank").order_by("question_id", "-number")
        )
        seen, latest = set(), []
        for v in versions:
            if v.question_id not in seen:
                seen.add(v.question_id)
                latest.append(v)
        versions = latest[:50]
    return banks, filters, versions


@login_required
def test_edit(request, pk):
    test = _test(request, pk)
    user = request.user
    is_author = user.pk == test.created_by_id or user.is_superuser
    may_review = services.can_approve(user, test)
    if request.method == "POST":
        return _test_action(request, test)
    state = authoring.review_state(test)
    banks, filters, versions = _bank_filters(request, test) if is_author else ([], {}, None)
    parts = list(test.parts.prefetch_related("items__version__question", "draws__bank", "draws__outcome"))
    link = BlueprintTest.objects.filter(test=test).select_related("blueprint").first()
    deviations = blueprint_selectors.validate_test_against_blueprint(test, link.blueprint) if link else []
    editable = is_author and test.status == TestStatus.DRAFT and state != "submitted"
    return render(
        request,
        "exams/test_edit.html",
        {
            "test": test,
            "parts": parts,
            "problems": services.check_test(test),
            "total": services.test_total(test),
            "state": state,
            "reviews": test.reviews.select_related("by"),
            "editable": editable,
            "is_author": is_author,
            "may_review": may_review and state == "submitted",
            "banks": banks,
            "filters": filters,
            "versions": versions,
            "types": bank_api.QuestionType.choices,
            "levels": bank_api.Level.choices,
            "link": link,
            "deviations": deviations,
            "part_form": PartForm(types=[c for c in bank_api.QuestionType.choices if c[0] in DELIVERABLE_TYPES]),
        },
    )


def _test_action(request, test: Test):
    action = request.POST.get("action", "")
    user = request.user
    try:
        if action == "add_item":
            part = test.parts.get(pk=int(request.POST["part"]))
            authoring.check_editable(test, user)
            version = bank_api.get_ready_versions().get(
                pk=int(request.POST["version"]), question__bank__in=bank_api.visible_banks(user)
            )
            points = request.POST.get("points", "").strip()
            services.add_item(
                part=part, version=version, points=authoring.to_decimal(points, _("Points")) if points else None
            )
            messages.success(request, _("Question #%(id)s added.") % {"id": version.question_id})
        elif action == "remove_item":
            item = TestItem.objects.select_related("part").get(pk=int(request.POST["item"]), part__test=test)
            authoring.remove_item(item=item, user=user)
        elif action == "set_points":
            item = TestItem.objects.select_related("part", "version").get(pk=int(request.POST["item"]), part__test=test)
            authoring.set_item_points(
                item=item, user=user, points=authoring.to_decimal(request.POST.get("points", ""), _("Points"))
            )
        elif action == "add_part":
            authoring.check_editable(test, user)
            form = PartForm(request.POST, types=bank_api.QuestionType.choices)
            if not form.is_valid():
                raise ValidationError(_("Give the part a code (I, II, III…)."))
            services.add_part(test=test, **form.cleaned_data)
        elif action == "add_draw":
            authoring.check_editable(test, user)
            banks = list(bank_api.visible_banks(user))
            form = DrawForm(request.POST, banks=banks, levels=bank_api.Level.choices)
            if not form.is_valid():
                raise ValidationError([f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()])
            data = form.cleaned_data
            outcome = None
            if data["outcome"]:
                outcome = Outcome.objects.filter(code=data["outcome"]).first()
                if outcome is None:
                    raise ValidationError(_("%(code)s is not a YCCĐ outcome code.") % {"code": data["outcome"]})
            services.add_draw(
                part=test.parts.get(pk=data["part"]),
                bank=next(b for b in banks if str(b.pk) == data["bank"]),
                count=data["count"],
                points=data["points"],
                level=data["level"],
                outcome=outcome,
                tag=data["tag"],
            )
        elif action == "remove_draw":
            draw = TestDraw.objects.select_related("part").get(pk=int(request.POST["draw"]), part__test=test)
            authoring.remove_draw(draw=draw, user=user)
        elif action == "submit":
            authoring.submit_test_for_review(test=test, user=user, comment=request.POST.get("comment", ""))
            messages.success(request, _("The test is sent to the subject group for review."))
        elif action == "return":
            authoring.return_test(test=test, user=user, comment=request.POST.get("comment", ""))
            messages.success(request, _("The test is returned to its author."))
        elif action == "approve":
            authoring.approve_reviewed_test(
                test=test,
                user=user,
                variants=int(request.POST.get("variants") or 4),
                accept_deviations=request.POST.get("accept_deviations") == "1",
                deviation_reason=request.POST.get("deviation_reason", ""),
            )
            messages.success(request, _("The test is approved and can be scheduled."))
        else:
            raise PermissionDenied
    except ValidationError as error:
        _errors(request, error)
    except (KeyError, ValueError, TestItem.DoesNotExist, TestDraw.DoesNotExist):
        messages.error(request, _("That question or part is not in this test."))
    except bank_api.QuestionVersion.DoesNotExist:
        messages.error(request, _("That question is not ready in a bank you can use."))
    except TestPart.DoesNotExist:
        messages.error(request, _("That part is not in this test."))
    return redirect("exams:test_edit", pk=test.pk)
