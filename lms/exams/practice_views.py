"""Practice pages under ``/kiem-tra/luyen-tap/``: the list, a teacher's form to make a set from ready questions, the
set's page (best and last score, start a new attempt; publish for the author), the attempt's question pages (one
question at a time with a palette; check it for immediate feedback, answer it again, finish) and its summary. Plain
links and forms, no script."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lms.assessments import api as bank_api
from lms.exams import practice
from lms.exams.models import PracticeAttempt, PracticeSet
from lms.schools import api as schools_api


def _set(pk) -> PracticeSet:
    found = PracticeSet.objects.select_related("school", "subject", "author").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _teacher_schools(user) -> list:
    return [s for s, roles in schools_api.get_roles_by_school(user).items() if schools_api.Role.TEACHER in roles]


def _messages(request, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for errors in error.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        for message in error.messages:
            messages.error(request, message)


@login_required
def index(request):
    user = request.user
    own = practice.sets_for_student(user)
    return render(
        request,
        "exams/practice/index.html",
        {
            "student_sets": [(s, practice.summary(s, user)) for s in own],
            "teacher_sets": practice.sets_for_teacher(user) if _teacher_schools(user) else [],
            "can_create": bool(_teacher_schools(user)),
        },
    )


class PracticeSetForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    subject = forms.TypedChoiceField(label=gettext_lazy("Subject"), coerce=int, required=False, empty_value=None)
    grade = forms.TypedChoiceField(
        label=gettext_lazy("Grade"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—")] + [(g, str(g)) for g in range(1, 13)],
    )
    versions = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Ready questions"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, subjects=(), versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", "—")] + [(s.pk, s.name) for s in subjects]
        self.fields["versions"].choices = [
            (v.pk, f"#{v.question_id} v{v.number} · {v.content.get('type')} · {_plain(v.content.get('stem', ''))}")
            for v in versions
        ]


def _plain(html: str, limit: int = 120) -> str:
    from django.utils.html import strip_tags

    text = " ".join(strip_tags(html or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@login_required
def create(request):
    """Step 1 (GET ``?ngan-hang=<bank>``) chooses a bank the teacher can see; step 2 ticks its ready questions."""
    from curriculum.api import get_subjects

    schools = _teacher_schools(request.user)
    if not schools:
        raise PermissionDenied
    banks = list(bank_api.visible_banks(request.user).order_by("name"))
    bank_id = request.POST.get("bank") or request.GET.get("ngan-hang")
    bank = next((b for b in banks if str(b.pk) == str(bank_id)), None)
    versions = practice.usable_versions(request.user, bank) if bank else []
    subjects = list(get_subjects())
    form = PracticeSetForm(request.POST or None, subjects=subjects, versions=versions)
    if request.method == "POST" and bank is not None and form.is_valid():
        data = form.cleaned_data
        by_id = {v.pk: v for v in versions}
        chosen = [by_id[pk] for pk in data["versions"] if pk in by_id]
        try:
            created = practice.create_practice_set(
                author=request.user,
                school=schools[0],
                title=data["title"],
                subject=next((s for s in subjects if s.pk == data["subject"]), None),
                grade=data["grade"],
                versions=chosen,
            )
            messages.success(request, _("The practice set is saved as a draft: publish it when it is ready."))
            return redirect("exams:practice_set", pk=created.pk)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
    return render(request, "exams/practice/create.html", {"banks": banks, "bank": bank, "form": form})


@login_required
def detail(request, pk):
    practice_set = _set(pk)
    if not practice.can_see(request.user, practice_set):
        raise PermissionDenied
    context = {
        "practice_set": practice_set,
        "can_manage": practice.can_manage(request.user, practice_set),
        "can_practise": practice.can_practise(request.user, practice_set),
        "questions": practice.questions(practice_set),
    }
    if context["can_manage"] or practice.is_teacher_at(request.user, practice_set.school):
        context["results"] = practice.results_for_teachers(practice_set)
    if context["can_practise"]:
        context["summary"] = practice.summary(practice_set, request.user)
        context["attempts"] = list(
            PracticeAttempt.objects.filter(practice_set=practice_set, student=request.user, finished_at__isnull=False)
        )
    return render(request, "exams/practice/detail.html", context)


@login_required
@require_POST
def publish(request, pk):
    practice_set = _set(pk)
    if not practice.can_manage(request.user, practice_set):
        raise PermissionDenied
    published = request.POST.get("published") == "1"
    practice.set_published(practice_set=practice_set, user=request.user, published=published)
    messages.success(request, _("Published.") if published else _("Taken back to draft."))
    return redirect("exams:practice_set", pk=practice_set.pk)


@login_required
@require_POST
def start(request, pk):
    practice_set = _set(pk)
    if not practice.can_practise(request.user, practice_set):
        raise PermissionDenied
    attempt = practice.start_attempt(practice_set=practice_set, student=request.user)
    return redirect("exams:practice_attempt", pk=attempt.pk)


def _own_attempt(request, pk) -> PracticeAttempt:
    """The request user's own attempt; anyone else's (and a missing one) is 404, so ids do not leak."""
    found = PracticeAttempt.objects.select_related("practice_set").filter(pk=pk, student_id=request.user.pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def attempt(request, pk):
    """The attempt's address: the summary once it is finished, otherwise the first question without a result."""
    found = _own_attempt(request, pk)
    if found.finished_at:
        return redirect("exams:practice_summary", pk=found.pk)
    rows = practice.rows(found, practice.questions(found.practice_set))
    number = next((r.number for r in rows if r.state == "unanswered"), 1)
    return redirect("exams:practice_question", pk=found.pk, number=number)


@login_required
def question(request, pk, number):
    """One question of the attempt ("Câu 3/10"), the palette of all of them, Previous / Next links. POST ``check``:
    check this question's answer now; ``retry``: clear it to answer again; ``finish``: check this answer if it is
    given, close the attempt and show the summary. Plain links and forms: it works without script."""
    found = _own_attempt(request, pk)
    set_questions = practice.questions(found.practice_set)
    if not 1 <= number <= len(set_questions):
        raise Http404
    current = set_questions[number - 1]
    here = reverse("exams:practice_question", args=[found.pk, number])
    if request.method == "POST":
        if found.finished_at:
            messages.error(request, _("This attempt is finished: start a new one to try again."))
            return redirect(here)
        content = practice.question_content(current)
        try:
            response = practice.parse_response(content, request.POST, f"q{current.position}")
            if "finish" in request.POST:
                practice.finish_attempt(attempt=found, student=request.user, responses={current.position: response})
                return redirect("exams:practice_summary", pk=found.pk)
            if "retry" in request.POST:
                practice.retry_question(attempt=found, student=request.user, position=current.position)
            else:
                practice.check_question(
                    attempt=found, student=request.user, position=current.position, response=response
                )
        except ValidationError as error:
            _messages(request, error)
        return redirect(here)
    rows = practice.rows(found, set_questions)
    row = rows[number - 1]
    shown = row.entry if practice.is_checked(row.entry) else None
    if shown is None and found.finished_at:
        shown = {"response": None, "points": "0", "max": str(row.max)}
    return render(
        request,
        "exams/practice/question.html",
        {
            "attempt": found,
            "practice_set": found.practice_set,
            "rows": rows,
            "row": row,
            "total": len(rows),
            "content": current.version.content,
            "stem": practice.stem_html(current.version.content),
            "view": practice.answer_view(current.version.content, f"q{current.position}"),
            "name": f"q{current.position}",
            "feedback": practice.feedback(current, shown) if shown else None,
            "first": practice.first_try(row.entry),
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < len(rows) else None,
            "answered": sum(1 for r in rows if r.state != "unanswered"),
        },
    )


@login_required
def summary(request, pk):
    """The attempt's result: final and first-try score, every question's tries and results, a new attempt."""
    found = _own_attempt(request, pk)
    rows = practice.rows(found, practice.questions(found.practice_set))
    return render(
        request,
        "exams/practice/summary.html",
        {
            "attempt": found,
            "practice_set": found.practice_set,
            "rows": rows,
            "answered": sum(1 for r in rows if r.state != "unanswered"),
            "summary": practice.summary(found.practice_set, request.user) if found.finished_at else None,
            "can_practise": practice.can_practise(request.user, found.practice_set),
        },
    )
