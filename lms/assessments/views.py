"""Thin views of the question bank: banks, authoring with live maths preview, review, import with a preview and a
progress bar, export."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.assessments import calculated, selectors, services
from lms.assessments.authoring import READ_ONLY_MESSAGE, READ_ONLY_TYPES, QuestionForm
from lms.assessments.exporters import EXPORT_FORMATS, ExportErrors, export_questions
from lms.assessments.importers import FORMATS, import_bytes
from lms.assessments.ir import QType, format_decimal
from lms.assessments.models import ImportJob, Question, QuestionBank, QuestionVersion, VersionStatus
from lms.assessments.rendering import drag_image_svg, image_size, safe_html
from lms.assessments.tasks import import_questions_task, progress_key
from lms.schools.api import get_groups_of

MAX_UPLOAD = 50 * 1024 * 1024


def _bank_for(user, pk) -> QuestionBank:
    bank = get_object_or_404(QuestionBank.objects.select_related("subject_group__school"), pk=pk)
    if not selectors.visible_banks(user).filter(pk=bank.pk).exists():
        raise Http404
    return bank


def _editable_bank(user, pk) -> QuestionBank:
    bank = _bank_for(user, pk)
    if not selectors.can_edit_bank(user, bank):
        raise PermissionDenied
    return bank


@login_required
def bank_list(request):
    groups = get_groups_of(request.user)
    if request.method == "POST":
        group = get_object_or_404(groups, pk=request.POST.get("group"))
        try:
            bank = services.create_bank(
                subject_group=group,
                name=request.POST.get("name", "").strip(),
                sharing=request.POST.get("sharing", "school"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("assessments:banks")
        return redirect("assessments:bank", pk=bank.pk)
    return render(
        request,
        "assessments/bank_list.html",
        {
            "banks": selectors.visible_banks(request.user),
            "groups": groups,
            "waiting": selectors.get_review_queue(request.user),
        },
    )


@login_required
def bank_detail(request, pk):
    bank = _bank_for(request.user, pk)
    rows = []
    for q in selectors.get_questions(bank=bank, type=request.GET.get("type", ""), level=request.GET.get("level", "")):
        versions = sorted(q.versions.all(), key=lambda v: v.number)
        rows.append((q, versions[-1] if versions else None))
    return render(
        request,
        "assessments/bank_detail.html",
        {
            "bank": bank,
            "rows": rows,
            "can_edit": selectors.can_edit_bank(request.user, bank),
            "types": [(v, label) for v, label in QuestionForm.base_fields["type"].choices if v not in READ_ONLY_TYPES],
            "export_formats": list(EXPORT_FORMATS),
        },
    )


def _credit(fraction) -> str:
    """An option's or answer's credit as the page shows it, "50 %" (empty when unknown)."""
    return "" if fraction is None else f"{format_decimal(fraction * 100, comma=True)} %"


def _preview_context(version: QuestionVersion) -> dict:
    q = version.as_ir()
    urls = selectors.media_urls(version.question)

    def h(text):
        return safe_html(text, urls, text_format=q.text_format)

    extra: dict = {}
    stem, choices, solution = q.stem, q.choices, q.solution
    if q.type in (QType.CALCULATED, QType.CALCULATED_MULTI) and q.calc:
        try:  # shown with dataset item 1 substituted
            stem = calculated.stem(q, 1, comma=True)
            solution = calculated.stem(q, 1, q.solution, comma=True)
            if q.type == QType.CALCULATED_MULTI:
                choices = calculated.options(q, 1, comma=True)
            else:
                extra["calc_answers"] = [
                    (a, format_decimal(calculated.shown_answer(q, a, 1), comma=True)) for a in q.calc.answers
                ]
        except calculated.CalculatedError as exc:
            extra["calc_error"] = str(exc)
        extra["calc_items"] = q.calc.item_count
    if q.type == QType.DRAG_IMAGE and q.drag:
        media = selectors.media_for(version.question)
        extra["drag_svg"] = drag_image_svg(q, urls, image_size(media.get(q.drag.background)))
    return extra | {
        "q": q,
        "stem": h(stem),
        "choices": [(c, h(c.text), h(c.feedback), _credit(c.fraction)) for c in choices],
        "statements": [(s, h(s.text), h(s.feedback)) for s in q.statements],
        "accepted": [(a.text, _credit(a.fraction), h(a.feedback)) for a in q.answers]
        + [(format_decimal(a.value, comma=True), _credit(a.fraction), h(a.feedback)) for a in q.numeric],
        "solution": h(solution),
        "feedback": h(q.feedback),
        "correct_feedback": h(q.correct_feedback),
        "incorrect_feedback": h(q.incorrect_feedback),
        "parts": [(p, h(p.stem), [(c, h(c.text)) for c in p.choices]) for p in q.parts],
    }


def _save(request, form, *, bank=None, question=None):
    try:
        content = form.to_content(selectors.media_for(question) if question else None)
        metadata = {
            "subject": form.cleaned_data.get("subject"),
            "outcomes": form.cleaned_data.get("outcome_codes") or [],
            "grade": form.cleaned_data.get("grade"),
            "topic": form.cleaned_data.get("topic", ""),
            "difficulty": form.cleaned_data.get("difficulty", ""),
            "source": form.cleaned_data.get("source", ""),
        }
        token = form.cleaned_data.get("upload_token", "")
        if question is None:
            version = services.create_question(
                bank=bank, author=request.user, content=content, upload_token=token, **metadata
            )
        else:
            version = services.edit_question(
                question=question, user=request.user, content=content, upload_token=token, **metadata
            )
        for warning in services.authoring_warnings(content):
            messages.warning(request, warning)
        if request.POST.get("action") == "submit":
            services.submit_for_review(version=version, user=request.user)
            messages.success(request, _("Sent to the head of the subject group for review."))
        else:
            messages.success(request, _("Draft saved (version %(n)d).") % {"n": version.number})
        return version
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
    except services.ReviewError as exc:
        form.add_error(None, str(exc))
    return None


def _form_page(request, form, bank, question):
    """The authoring page, with what the rich-text editor needs: where pictures go and the URLs of the pictures
    the texts already refer to (the question's files and this form's uploads)."""
    urls = selectors.media_urls(question) if question else {}
    token = form["upload_token"].value() or ""
    urls |= {p.name: p.file.url for p in selectors.pending_uploads(user=request.user, token=token)}
    upload_url = reverse("assessments:upload_picture", args=[bank.pk])
    if question:
        upload_url += f"?question={question.pk}"
    context = {
        "form": form,
        "bank": bank,
        "question": question,
        "upload_url": upload_url,
        "media_json": json.dumps(urls),
    }
    return render(request, "assessments/question_form.html", context)


@login_required
def question_new(request, pk):
    bank = _editable_bank(request.user, pk)
    initial = {
        "type": request.GET.get("type", QType.SINGLE.value),
        "points": "1",
        "upload_token": services.new_upload_token(),
    }
    form = QuestionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = _save(request, form, bank=bank)
        if version:
            return redirect("assessments:question", pk=version.question_id)
    return _form_page(request, form, bank, None)


@login_required
def question_edit(request, pk):
    question = get_object_or_404(Question.objects.select_related("bank"), pk=pk)
    bank = _editable_bank(request.user, question.bank_id)
    latest = question.latest_version
    if request.method == "GET" and question.type in READ_ONLY_TYPES:
        messages.warning(request, READ_ONLY_MESSAGE)
    initial = QuestionForm.initial_from(latest.as_ir(), question) | {"upload_token": services.new_upload_token()}
    form = QuestionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = _save(request, form, question=question)
        if version:
            return redirect("assessments:question", pk=question.pk)
    return _form_page(request, form, bank, question)


@login_required
@require_POST
def upload_picture(request, pk):
    """The rich-text editor's picture button: JSON ``{name, url}`` (201), or ``{error}`` with 400 / 413; only people
    who may edit the bank (403; 404 for people who cannot see it)."""
    bank = _editable_bank(request.user, pk)
    question = None
    if request.GET.get("question"):
        question = get_object_or_404(Question, pk=request.GET["question"], bank=bank)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("Choose a picture to upload.")}, status=400)
    try:
        pending = services.upload_picture(
            bank=bank, user=request.user, token=request.POST.get("token", ""), upload=upload, question=question
        )
    except ValidationError as exc:
        status = 413 if upload.size > services.MAX_PICTURE_BYTES else 400
        return JsonResponse({"error": " ".join(exc.messages)}, status=status)
    return JsonResponse({"name": pending.name, "url": pending.file.url}, status=201)


@login_required
def question_detail(request, pk):
    question = get_object_or_404(Question.objects.select_related("bank__subject_group__school"), pk=pk)
    _bank_for(request.user, question.bank_id)
    versions = list(question.versions.order_by("-number"))
    shown = versions[0]
    if request.GET.get("v"):
        shown = next((v for v in versions if str(v.number) == request.GET["v"]), shown)
    reviewer, _role = services.reviewer_for(shown)
    return render(
        request,
        "assessments/question_detail.html",
        {
            "question": question,
            "version": shown,
            "versions": versions,
            "history": selectors.get_review_history(shown),
            "comments": question.comments.select_related("author"),
            "usages": selectors.where_used(question),
            "can_review": shown.status == VersionStatus.IN_REVIEW and reviewer == request.user,
            "can_edit": selectors.can_edit_bank(request.user, question.bank),
            "can_submit": shown.status in (VersionStatus.DRAFT, VersionStatus.RETURNED)
            and request.user.pk in (shown.created_by_id, question.author_id),
            **_preview_context(shown),
        },
    )


@login_required
@require_POST
def question_action(request, pk):
    question = get_object_or_404(Question, pk=pk)
    _bank_for(request.user, question.bank_id)
    version = get_object_or_404(QuestionVersion, question=question, number=request.POST.get("version"))
    action = request.POST.get("action")
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            services.submit_for_review(version=version, user=request.user, comment=comment)
            messages.success(request, _("Sent to the head of the subject group for review."))
        elif action in ("approve", "return"):
            services.review_version(version=version, user=request.user, action=action, comment=comment)
            messages.success(request, _("Your decision was recorded."))
        elif action == "comment":
            services.add_comment(question=question, author=request.user, text=comment, version=version)
        else:
            raise Http404
    except (ValidationError, services.ReviewError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(reverse("assessments:question", kwargs={"pk": question.pk}) + f"?v={version.number}")


@login_required
def import_start(request, pk):
    bank = _editable_bank(request.user, pk)
    context = {"bank": bank, "formats": FORMATS}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size > MAX_UPLOAD:
            messages.error(request, _("Choose a file of at most 50 MB."))
            return redirect("assessments:import", pk=bank.pk)
        data = upload.read()
        fmt = request.POST.get("format", "auto")
        result = import_bytes(data, name=upload.name, fmt=fmt)
        job = ImportJob(
            bank=bank,
            user=request.user,
            file_name=upload.name,
            format=result.format,
            per_item=bool(request.POST.get("per_item")),
        )
        job.upload.save(upload.name, ContentFile(data), save=False)
        job.total = len(result.questions)
        job.save()
        summary = _import_summary(result)
        cache.set(_preview_key(job.pk), summary, PREVIEW_CACHE_SECONDS)
        context |= _import_page(job, summary, 1)
    return render(request, "assessments/import.html", context)


PREVIEW_PAGE_SIZE = 50
PREVIEW_CACHE_SECONDS = 3600


def _preview_key(job_id: int) -> str:
    return f"assessments:import-preview:{job_id}"


def _import_summary(result) -> dict:
    """What the preview pages show of a read file: a line per question, every problem and warning."""
    return {
        "format": result.format,
        "rows": [
            {"number": q.number, "type": str(q.type), "stem": strip_tags(q.stem)[:200], "key": q.key}
            for q in result.questions
        ],
        "errors": [e.to_dict() for e in result.errors],
        "warnings": [w.to_dict() for w in result.warnings],
    }


def _import_page(job, summary: dict, page: int | str) -> dict:
    """A page of 50 questions of the preview; the problems are always listed in full, since saving is all or
    nothing unless the teacher ticked "save the good questions"."""
    page_obj = Paginator(summary["rows"], PREVIEW_PAGE_SIZE).get_page(page)
    return {"job": job, "result": summary, "page_obj": page_obj, "preview": page_obj.object_list}


@login_required
def import_preview(request, pk):
    """Another page of the preview of a file read but not saved yet (read again from the upload if the cache
    forgot it)."""
    job = get_object_or_404(ImportJob.objects.select_related("bank"), pk=pk, user=request.user)
    bank = _editable_bank(request.user, job.bank_id)
    summary = cache.get(_preview_key(job.pk))
    if summary is None:
        with job.upload.open("rb") as fh:
            summary = _import_summary(import_bytes(fh.read(), name=job.file_name, fmt=job.format))
        cache.set(_preview_key(job.pk), summary, PREVIEW_CACHE_SECONDS)
    context = {"bank": bank, "formats": FORMATS} | _import_page(job, summary, request.GET.get("page", 1))
    return render(request, "assessments/import.html", context)


@login_required
@require_POST
def import_confirm(request, pk):
    job = get_object_or_404(ImportJob, pk=pk, user=request.user, status=ImportJob.Status.PENDING)
    import_questions_task.delay(job.pk)
    return redirect("assessments:import_job", pk=job.pk)


@login_required
def import_job(request, pk):
    job = get_object_or_404(ImportJob.objects.select_related("bank"), pk=pk, user=request.user)
    if job.status == ImportJob.Status.RUNNING:
        live = cache.get(progress_key(job.pk))
        if live:
            job.done, job.total = live["done"], live["total"]
    if request.headers.get("Accept") == "application/json" or request.GET.get("format") == "json":
        return JsonResponse(
            {"status": job.status, "done": job.done, "total": job.total, "percent": job.percent, "report": job.report}
        )
    return render(request, "assessments/import_job.html", {"job": job})


@login_required
def export(request, pk):
    bank = _bank_for(request.user, pk)
    fmt = request.GET.get("format", "gift")
    if fmt not in EXPORT_FORMATS:
        raise Http404
    only_ready = request.GET.get("status") == "ready" or not selectors.can_edit_bank(request.user, bank)
    versions = []
    for q in bank.questions.prefetch_related("versions").select_related("category"):
        chosen = sorted(q.versions.all(), key=lambda v: v.number)
        if only_ready:
            chosen = [v for v in chosen if v.status == VersionStatus.READY]
        if chosen:
            versions.append(chosen[-1])
    try:
        data = export_questions(versions, fmt)
    except ExportErrors as exc:
        messages.error(request, str(exc))
        return redirect("assessments:bank", pk=bank.pk)
    _writer, content_type, extension = EXPORT_FORMATS[fmt]
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ngan-hang-{bank.pk}.{extension}"'
    return response
