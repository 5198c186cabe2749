"""Practice mode (issue 7 item 8): students self-test on published practice sets with immediate feedback and unlimited
retries.

A teacher of the school picks *ready* question versions of a bank they can see (objective types only: the ones
``lms.assessments.api.score`` marks without a person — single choice, multiple response, true/false, Đúng/Sai, short
answer, numeric) and publishes the set. Students of the school (of its grade, when it has one) start as many
attempts as they like; every question is checked on its own (or all at once when finishing) and the feedback comes
at once: right / partly right / wrong, the key, the question's solution and feedback. The best and the last score
(0–10, one decimal, half-up) are kept from the finished attempts.

``PracticeProvider`` puts a published set in a course plan (``ItemKind.PRACTICE``): status and score are the best
attempt's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.assessments import api as bank_api
from lms.courses import api as courses_api
from lms.exams.models import PracticeAttempt, PracticeQuestion, PracticeSet
from lms.schools import api as schools_api

PRACTICE_TYPES = frozenset(
    {
        bank_api.QType.SINGLE,
        bank_api.QType.MULTIPLE,
        bank_api.QType.TRUE_FALSE,
        bank_api.QType.TF4,
        bank_api.QType.SHORT,
        bank_api.QType.NUMERIC,
    }
)
MAX_QUESTIONS = 100
ZERO = Decimal(0)


def on_ten(points, max_points) -> Decimal | None:
    if points is None or not max_points:
        return None
    return (Decimal(points) * 10 / Decimal(max_points)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------------------------------------------ who may
def is_teacher_at(user, school) -> bool:
    return user.is_authenticated and (user.is_superuser or schools_api.has_role(user, schools_api.Role.TEACHER, school))


def can_manage(user, practice_set: PracticeSet) -> bool:
    return user.is_authenticated and (user.is_superuser or practice_set.author_id == user.pk)


def can_see(user, practice_set: PracticeSet) -> bool:
    """The author, the school's teachers, and — once published — the school's students of its grade."""
    if not user.is_authenticated:
        return False
    if can_manage(user, practice_set) or is_teacher_at(user, practice_set.school):
        return True
    return practice_set.is_published and can_practise(user, practice_set)


def can_practise(user, practice_set: PracticeSet) -> bool:
    if not (user.is_authenticated and practice_set.is_published):
        return False
    classes = courses_api.get_student_classes(user).filter(
        school_year__school=practice_set.school_id, school_year__is_current=True
    )
    if practice_set.grade:
        classes = classes.filter(grade=practice_set.grade)
    return classes.exists()


# ----------------------------------------------------------------------------------------------------- reads
def usable_versions(user, bank) -> list:
    """The ready versions of ``bank`` of a type practice can score, if ``user`` may see the bank."""
    if not bank_api.visible_banks(user).filter(pk=bank.pk).exists():
        return []
    versions = bank_api.get_ready_versions(bank=bank).order_by("question_id", "pk")
    return [v for v in versions if v.content.get("type") in PRACTICE_TYPES]


def sets_for_student(student) -> list[PracticeSet]:
    classes = list(courses_api.get_student_classes(student).filter(school_year__is_current=True))
    if not classes:
        return []
    query = Q()
    for klass in classes:
        query |= Q(school_id=klass.school_year.school_id) & (Q(grade=klass.grade) | Q(grade__isnull=True))
    return list(PracticeSet.objects.filter(query, is_published=True).select_related("subject"))


def sets_for_teacher(user) -> list[PracticeSet]:
    schools = schools_api.get_schools_for_user(user)
    return list(
        PracticeSet.objects.filter(Q(author=user) | Q(school__in=schools, is_published=True))
        .select_related("subject", "author")
        .distinct()
    )


@dataclass
class Summary:
    attempts: int = 0
    finished: int = 0
    best: Decimal | None = None
    last: Decimal | None = None
    open_attempt: PracticeAttempt | None = None


def summary(practice_set: PracticeSet, student) -> Summary:
    """The student's attempts: how many, the best and the last finished score, the attempt still open."""
    attempts = list(PracticeAttempt.objects.filter(practice_set=practice_set, student=student).order_by("started_at"))
    out = Summary(attempts=len(attempts))
    for attempt in attempts:
        if attempt.finished_at:
            out.finished += 1
            out.last = attempt.score
            if attempt.score is not None and (out.best is None or attempt.score > out.best):
                out.best = attempt.score
        else:
            out.open_attempt = attempt
    return out


def questions(practice_set: PracticeSet) -> list[PracticeQuestion]:
    return list(practice_set.questions.select_related("version").order_by("position", "pk"))


def question_content(question: PracticeQuestion):
    content = bank_api.QuestionContent.from_content(question.version.content)
    content.points = Decimal(question.version.points or 1)
    return content


def feedback(question: PracticeQuestion, checked: dict) -> dict:
    """What a student sees once a question is checked: right / partly / wrong, the key, solution and feedback."""
    content = question_content(question)
    points, maximum = Decimal(checked["points"]), Decimal(checked["max"])
    verdict = "right" if maximum and points >= maximum else ("partly" if points > 0 else "wrong")
    texts = [content.feedback]
    texts.append(content.correct_feedback if verdict == "right" else content.incorrect_feedback)
    return {
        "verdict": verdict,
        "points": points,
        "max": maximum,
        "key": content.key,
        "solution": content.solution,
        "feedback": [t for t in texts if t],
        "response": checked.get("response"),
        "detail": checked.get("detail", ""),
    }


# --------------------------------------------------------------------------------------------------- writes
@transaction.atomic
def create_practice_set(*, author, school, title: str, versions, subject=None, grade=None) -> PracticeSet:
    """A draft set of ``versions`` (in that order). Each must be ready, of a type practice scores, and in a bank the
    author can see; the error names the question that is not."""
    if not is_teacher_at(author, school):
        raise PermissionDenied(_("Only a teacher of the school creates practice sets."))
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the practice set a title.")
    versions = list(versions)
    if not versions:
        errors["versions"] = _("Choose at least one ready question.")
    elif len(versions) > MAX_QUESTIONS:
        errors["versions"] = _("A practice set has at most %(n)d questions.") % {"n": MAX_QUESTIONS}
    if grade is not None and not 1 <= int(grade) <= 12:
        errors["grade"] = _("The grade is between 1 and 12.")
    if errors:
        raise ValidationError(errors)
    visible = set(bank_api.visible_banks(author).values_list("pk", flat=True))
    seen = set()
    for number, version in enumerate(versions, start=1):
        where = _("Question %(n)d (%(ref)s)") % {"n": number, "ref": version}
        if version.status != bank_api.VersionStatus.READY:
            raise ValidationError({"versions": _("%(where)s is not ready.") % {"where": where}})
        if version.content.get("type") not in PRACTICE_TYPES:
            raise ValidationError(
                {"versions": _("%(where)s: this type is not scored automatically.") % {"where": where}}
            )
        if version.question.bank_id not in visible:
            raise ValidationError({"versions": _("%(where)s is in a bank you cannot use.") % {"where": where}})
        if version.pk in seen:
            raise ValidationError({"versions": _("%(where)s is chosen twice.") % {"where": where}})
        seen.add(version.pk)
    practice_set = PracticeSet.objects.create(
        school=school, title=title.strip(), subject=subject, grade=grade or None, author=author
    )
    PracticeQuestion.objects.bulk_create(
        [PracticeQuestion(practice_set=practice_set, version=v, position=i) for i, v in enumerate(versions, start=1)]
    )
    return practice_set


@transaction.atomic
def set_published(*, practice_set: PracticeSet, user, published: bool) -> PracticeSet:
    if not can_manage(user, practice_set):
        raise PermissionDenied(_("Only the author publishes a practice set."))
    practice_set.is_published = published
    practice_set.published_at = timezone.now() if published else None
    practice_set.save(update_fields=["is_published", "published_at"])
    return practice_set


@transaction.atomic
def start_attempt(*, practice_set: PracticeSet, student) -> PracticeAttempt:
    """A new attempt (retries are unlimited); an attempt left open is finished first, as it stands."""
    if not can_practise(student, practice_set):
        raise PermissionDenied(_("This practice set is not open to you."))
    for left in PracticeAttempt.objects.select_for_update().filter(
        practice_set=practice_set, student=student, finished_at__isnull=True
    ):
        _finish(left)
    return PracticeAttempt.objects.create(practice_set=practice_set, student=student)


def parse_response(content, post, name: str):
    """The response to one question from a submitted form (fields named ``q<position>``, Đúng/Sai
    ``q<position><label>``), in the shape ``lms.assessments.api.score`` takes."""
    qtype = content.type
    if qtype == bank_api.QType.MULTIPLE:
        return sorted(post.getlist(name))
    if qtype == bank_api.QType.TRUE_FALSE:
        value = post.get(name, "")
        return {"true": True, "false": False}.get(value)
    if qtype == bank_api.QType.TF4:
        given = {s.label: post.get(f"{name}{s.label}", "") for s in content.statements}
        return {k: v for k, v in given.items() if v in ("Đ", "S")} or None
    value = (post.get(name) or "").strip()
    return value or None


@transaction.atomic
def check_question(*, attempt: PracticeAttempt, student, position: int, response) -> dict:
    """Score one question of an open attempt now and keep it; the feedback is returned (and shown on the page)."""
    attempt = PracticeAttempt.objects.select_for_update().select_related("practice_set").get(pk=attempt.pk)
    if attempt.student_id != student.pk:
        raise PermissionDenied
    if attempt.finished_at:
        raise ValidationError(_("This attempt is finished: start a new one to try again."))
    question = attempt.practice_set.questions.select_related("version").filter(position=position).first()
    if question is None:
        raise ValidationError(_("There is no question %(n)s in this practice set.") % {"n": position})
    if response in (None, "", [], {}):
        raise ValidationError(_("Answer question %(n)s before checking it.") % {"n": position})
    key = str(position)
    if key in attempt.answers:
        raise ValidationError(
            _("Question %(n)s has been checked already: start a new attempt to try again.") % {"n": position}
        )
    result = bank_api.score(question_content(question), response)
    attempt.answers[key] = {
        "response": response,
        "points": str(result.points),
        "max": str(result.max_points),
        "detail": result.detail[:200],
    }
    attempt.save(update_fields=["answers"])
    return feedback(question, attempt.answers[key])


@transaction.atomic
def finish_attempt(*, attempt: PracticeAttempt, student, responses: dict | None = None) -> PracticeAttempt:
    """Check the questions given in ``responses`` (``{position: response}``) that are not checked yet, count the
    others as unanswered, and close the attempt with its score."""
    attempt = PracticeAttempt.objects.select_for_update().select_related("practice_set").get(pk=attempt.pk)
    if attempt.student_id != student.pk:
        raise PermissionDenied
    if attempt.finished_at:
        return attempt
    for position, response in (responses or {}).items():
        key = str(position)
        if key in attempt.answers or response in (None, "", [], {}):
            continue
        question = attempt.practice_set.questions.select_related("version").filter(position=position).first()
        if question is None:
            continue
        result = bank_api.score(question_content(question), response)
        attempt.answers[key] = {
            "response": response,
            "points": str(result.points),
            "max": str(result.max_points),
            "detail": result.detail[:200],
        }
    return _finish(attempt)


def _finish(attempt: PracticeAttempt) -> PracticeAttempt:
    total, maximum = ZERO, ZERO
    for question in questions(attempt.practice_set):
        checked = attempt.answers.get(str(question.position))
        if checked:
            total += Decimal(checked["points"])
            maximum += Decimal(checked["max"])
        else:
            maximum += question_content(question).points
    attempt.points, attempt.max_points = total, maximum
    attempt.score = on_ten(total, maximum)
    attempt.finished_at = timezone.now()
    attempt.save(update_fields=["answers", "points", "max_points", "score", "finished_at"])
    return attempt


# -------------------------------------------------------------------------------------------- plan-item provider
class PracticeProvider(courses_api.PlanItemProvider):
    choice_label = gettext_lazy("Published practice set")

    def _sets(self, course):
        klass = course.school_class
        return PracticeSet.objects.filter(
            Q(subject_id=course.subject_id) | Q(subject__isnull=True),
            Q(grade=klass.grade) | Q(grade__isnull=True),
            school_id=klass.school_year.school_id,
            is_published=True,
        )

    def _choice(self, practice_set) -> courses_api.ProviderChoice:
        return courses_api.ProviderChoice(str(practice_set.pk), practice_set.title)

    def choices(self, course) -> list:
        return [self._choice(s) for s in self._sets(course).order_by("title", "pk")[:300]]

    def check(self, course, reference: str, *, actor):
        found = self._sets(course).filter(pk=int(reference)).first() if reference.isdigit() else None
        if found is None:
            raise ValidationError(
                {"reference": _("There is no published practice set of this school for the course with that number.")}
            )
        return self._choice(found)

    def target(self, plan_item, user):
        if not plan_item.reference.isdigit():
            return None
        found = PracticeSet.objects.filter(pk=int(plan_item.reference)).first()
        if found is None:
            return None
        detail = _("Unlimited retries: your best score counts.")
        if can_see(user, found):
            return courses_api.ProviderTarget(found.title, reverse("exams:practice_set", args=[found.pk]), detail)
        return courses_api.ProviderTarget(found.title, "", detail)

    def results(self, plan_items, student_ids) -> dict:
        references: dict[int, list[int]] = {}
        for item in plan_items:
            if str(item.reference).isdigit():
                references.setdefault(int(item.reference), []).append(item.pk)
        if not references:
            return {}
        rows = PracticeAttempt.objects.filter(practice_set_id__in=references, student_id__in=student_ids).values_list(
            "practice_set_id", "student_id", "score", "started_at", "finished_at"
        )
        best: dict[tuple[int, int], list] = {}
        for set_id, student_id, score, started, finished in rows:
            entry = best.setdefault((set_id, student_id), [False, None, 0])
            if finished:
                entry[0] = True
                if score is not None and (entry[1] is None or score > entry[1]):
                    entry[1] = score
                entry[2] += max(0, int((finished - started).total_seconds()))
        results = {}
        for (set_id, student_id), (done, score, seconds) in best.items():
            result = courses_api.ProviderResult(
                status=courses_api.WorkStatus.DONE if done else courses_api.WorkStatus.IN_PROGRESS,
                score=score,
                seconds=seconds,
            )
            for plan_pk in references[set_id]:
                results[(plan_pk, student_id)] = result
        return results
