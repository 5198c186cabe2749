"""Practice mode (issue 7 item 8): students self-test on published practice sets with immediate feedback and unlimited
retries.

A teacher of the school picks *ready* question versions of a bank they can see (objective types only: the ones
``lms.assessments.api.score`` marks without a person — single choice, multiple response, true/false, Đúng/Sai, short
answer, numeric, matching, ordering, cloze, câu chùm of those) and publishes the set. Students of the school (of its
grade, when it has one) start as many attempts as they like and answer one question at a time; each question is
checked on its own (or all at once when finishing) and the feedback comes at once: right / partly right / wrong, the
key, the question's solution and feedback. "Try this question again" (``retry_question``) clears a checked answer
within the attempt; the tries are counted and the first try's result is kept beside the last. A finished attempt has
a final score and a first-try score (0–10, one decimal, half-up); the best and the last of each are kept from the
finished attempts.

``PracticeProvider`` puts a published set in a course plan (``ItemKind.PRACTICE``): status from the attempts, score
the best *first-try* score (the final one can always be brought to 10 by answering again).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.assessments import api as bank_api
from lms.courses import api as courses_api
from lms.exams import delivery
from lms.exams.models import PracticeAttempt, PracticeQuestion, PracticeSet
from lms.schools import api as schools_api

SIMPLE_TYPES = frozenset(
    {
        bank_api.QType.SINGLE,
        bank_api.QType.MULTIPLE,
        bank_api.QType.TRUE_FALSE,
        bank_api.QType.TF4,
        bank_api.QType.SHORT,
        bank_api.QType.NUMERIC,
    }
)
COMPOSITE_TYPES = frozenset(
    {bank_api.QType.MATCHING, bank_api.QType.ORDERING, bank_api.QType.CLOZE, bank_api.QType.GROUP}
)
PRACTICE_TYPES = SIMPLE_TYPES | COMPOSITE_TYPES


def scored_alone(content: dict) -> bool:
    """Practice takes a question ``lms.assessments.api.score`` marks without a person: one of ``PRACTICE_TYPES``
    whose cloze gaps / câu chùm sub-questions are too (a câu chùm may hold text-only parts, not an essay)."""
    qtype = content.get("type")
    if qtype not in PRACTICE_TYPES:
        return False
    if qtype == bank_api.QType.CLOZE:
        return all(p.get("type") in SIMPLE_TYPES for p in content.get("parts", []))
    if qtype == bank_api.QType.GROUP:
        parts = [p for p in content.get("parts", []) if p.get("type") != bank_api.QType.DESCRIPTION]
        return bool(parts) and all(p.get("type") != bank_api.QType.GROUP and scored_alone(p) for p in parts)
    return True


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
    return [v for v in versions if scored_alone(v.content)]


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
    best_first: Decimal | None = None
    last_first: Decimal | None = None
    open_attempt: PracticeAttempt | None = None


def _higher(current, candidate):
    if candidate is None:
        return current
    return candidate if current is None or candidate > current else current


def summary(practice_set: PracticeSet, student) -> Summary:
    """The student's attempts: how many, the best and the last finished score (final and first-try), the attempt
    still open."""
    attempts = list(
        PracticeAttempt.objects.filter(practice_set=practice_set, student=student).order_by("started_at", "pk")
    )
    out = Summary(attempts=len(attempts))
    for attempt in attempts:
        if attempt.finished_at:
            out.finished += 1
            out.last, out.last_first = attempt.score, attempt.first_score
            out.best = _higher(out.best, attempt.score)
            out.best_first = _higher(out.best_first, attempt.first_score)
        else:
            out.open_attempt = attempt
    return out


@dataclass
class StudentResult:
    student: object
    finished: int = 0
    best_first: Decimal | None = None
    best: Decimal | None = None
    last_at: object = None


def results_for_teachers(practice_set: PracticeSet) -> list[StudentResult]:
    """Every student's finished attempts at the set (one query): how many, the best first-try and the best final
    score, when the last one finished; by student name."""
    found: dict[int, StudentResult] = {}
    for attempt in (
        PracticeAttempt.objects.filter(practice_set=practice_set, finished_at__isnull=False)
        .select_related("student")
        .order_by("finished_at", "pk")
    ):
        row = found.setdefault(attempt.student_id, StudentResult(student=attempt.student))
        row.finished += 1
        row.best_first = _higher(row.best_first, attempt.first_score)
        row.best = _higher(row.best, attempt.score)
        row.last_at = attempt.finished_at
    return sorted(found.values(), key=lambda r: (r.student.last_name, r.student.first_name, r.student.pk))


def questions(practice_set: PracticeSet) -> list[PracticeQuestion]:
    return list(practice_set.questions.select_related("version").order_by("position", "pk"))


def question_content(question: PracticeQuestion):
    content = bank_api.QuestionContent.from_content(question.version.content)
    content.points = Decimal(question.version.points or 1)
    return content


def question_max(question: PracticeQuestion) -> Decimal:
    """The points a question is out of, as the scorer counts them (a câu chùm: its sub-questions' sum)."""
    return Decimal(bank_api.score(question_content(question), None).max_points)


def stem_html(content: dict):
    """The question's text, sanitised; a cloze's gaps read "(1) ____" (the page's form puts the fields there)."""
    html = bank_api.safe_html(content.get("stem", ""))
    if content.get("type") == bank_api.QType.CLOZE:
        return mark_safe(delivery.GAP.sub(r"(\1) ____", str(html)))  # sanitised above; only digits are put in
    return html


def answer_view(content: dict, name: str) -> dict:
    """What ``exams/practice/_answer.html`` needs besides the content for the composite types (a blank answer).
    Ordering works without script here: one select per place, the items offered in alphabetical order (the order
    says nothing about the key)."""
    qtype = content.get("type")
    if qtype == bank_api.QType.ORDERING:
        items = content.get("items", [])
        return {
            "places": [{"number": k + 1, "name": f"{name}o{k}"} for k in range(len(items))],
            "options": sorted(items, key=lambda t: " ".join(strip_tags(t).split()).lower()),
        }
    if qtype == bank_api.QType.GROUP:
        return {
            "parts": [
                {
                    "number": i + 1,
                    "content": part,
                    "name": f"{name}p{i}",
                    "view": answer_view(part, f"{name}p{i}"),
                }
                for i, part in enumerate(content.get("parts", []))
            ]
        }
    return delivery.view(content, None, name, name)


def _gap_text(part: dict, value) -> str:
    """A cloze gap's answer as the student saw it: a choice gap by its option texts (the page shows no labels)."""
    if value in (None, "", [], {}):
        return "–"
    if part.get("type") in (bank_api.QType.SINGLE, bank_api.QType.MULTIPLE):
        texts = {c["label"]: " ".join(strip_tags(c.get("text", "")).split()) for c in part.get("choices", [])}
        return ", ".join(texts.get(label, label) for label in (value if isinstance(value, list) else [value]))
    return str(value)


def answer_text(content: dict, response) -> str:
    """A composite answer in words ("" for the other types: the template's own filter reads those)."""
    if content.get("type") == bank_api.QType.CLOZE:
        values = response if isinstance(response, list) else []
        parts = content.get("parts", [])
        return " ".join(
            f"({i}) {_gap_text(p, values[i - 1] if i - 1 < len(values) else None)}" for i, p in enumerate(parts, 1)
        )
    return delivery.response_text(content, response)


def key_text(question: PracticeQuestion) -> str:
    content = question.version.content
    if content.get("type") == bank_api.QType.CLOZE:
        out = []
        for i, part in enumerate(content.get("parts", []), start=1):
            if part.get("type") in (bank_api.QType.SINGLE, bank_api.QType.MULTIPLE):
                right = [c["label"] for c in part.get("choices", []) if c.get("correct")]
                out.append(f"({i}) {_gap_text(part, right)}")
            else:
                out.append(f"({i}) {bank_api.QuestionContent.from_content(part).key or '–'}")
        return " ".join(out)
    return question_content(question).key or delivery.key_text(content)


def feedback(question: PracticeQuestion, checked: dict) -> dict:
    """What a student sees once a question is checked: right / partly / wrong, the key, solution and feedback."""
    content = question_content(question)
    points, maximum = Decimal(checked["points"]), Decimal(checked["max"])
    result = verdict(points, maximum)
    texts = [content.feedback]
    texts.append(content.correct_feedback if result == "right" else content.incorrect_feedback)
    return {
        "verdict": result,
        "points": points,
        "max": maximum,
        "key": key_text(question),
        "solution": content.solution,
        "feedback": [t for t in texts if t],
        "response": checked.get("response"),
        "answer_text": answer_text(question.version.content, checked.get("response")),
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
        if not scored_alone(version.content):
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
    """The response to one question from a submitted form (fields named ``q<position>``; Đúng/Sai
    ``q<position><label>``; matching ``…m<pair>``; ordering ``…o<place>``; cloze gaps ``…g<gap>``; câu chùm parts
    ``…p<part>``), in the shape ``lms.assessments.api.score`` takes; ``None`` when nothing is answered. An ordering
    with an item in two places is refused (ValidationError)."""
    qtype = content.type
    if qtype == bank_api.QType.MULTIPLE:
        return sorted(post.getlist(name))
    if qtype == bank_api.QType.TRUE_FALSE:
        value = post.get(name, "")
        return {"true": True, "false": False}.get(value)
    if qtype == bank_api.QType.TF4:
        given = {s.label: post.get(f"{name}{s.label}", "") for s in content.statements}
        return {k: v for k, v in given.items() if v in ("Đ", "S")} or None
    if qtype == bank_api.QType.MATCHING:
        given = {p.left: post.get(f"{name}m{i}", "") for i, p in enumerate(content.pairs) if p.left}
        return {k: v for k, v in given.items() if v} or None
    if qtype == bank_api.QType.ORDERING:
        placed = [post.get(f"{name}o{k}", "") for k in range(len(content.items))]
        if not any(placed):
            return None
        if sorted(placed) != sorted(content.items):
            raise ValidationError(_("Put every item in exactly one place."))
        return placed
    if qtype in (bank_api.QType.CLOZE, bank_api.QType.GROUP):
        suffix = "g" if qtype == bank_api.QType.CLOZE else "p"
        parts = [
            None if part.type == bank_api.QType.DESCRIPTION else parse_response(part, post, f"{name}{suffix}{i}")
            for i, part in enumerate(content.parts)
        ]
        return parts if any(_answered(p) for p in parts) else None
    value = (post.get(name) or "").strip()
    return value or None


def _answered(response) -> bool:
    return response not in (None, "", [], {})


def _question_at(attempt: PracticeAttempt, position: int) -> PracticeQuestion:
    question = attempt.practice_set.questions.select_related("version").filter(position=position).first()
    if question is None:
        raise ValidationError(_("There is no question %(n)s in this practice set.") % {"n": position})
    return question


def _open_for_writing(attempt: PracticeAttempt, student) -> PracticeAttempt:
    attempt = PracticeAttempt.objects.select_for_update().select_related("practice_set").get(pk=attempt.pk)
    if attempt.student_id != student.pk:
        raise PermissionDenied
    return attempt


def _record(entry: dict | None, question: PracticeQuestion, response) -> dict:
    """``entry`` after one more check of ``response``: the last result replaced, the tries counted, the first kept."""
    result = bank_api.score(question_content(question), response)
    entry = dict(entry or {})
    checked = {"response": response, "points": str(result.points), "max": str(result.max_points)}
    entry.update(checked, detail=result.detail[:200], tries=tries(entry) + 1)
    entry.setdefault("first", checked)
    return entry


def is_checked(entry: dict | None) -> bool:
    """The question has a result standing (checked, and not cleared by "try this question again")."""
    return bool(entry) and "points" in entry


def tries(entry: dict | None) -> int:
    """How many times the question was checked (entries kept before tries were counted had one)."""
    if not entry:
        return 0
    return int(entry.get("tries", 1 if "points" in entry else 0))


def first_try(entry: dict | None) -> dict | None:
    """The first check's ``{"response", "points", "max"}`` (``None`` if never checked)."""
    if not entry:
        return None
    if "first" in entry:
        return entry["first"]
    if "points" in entry:
        return {"response": entry.get("response"), "points": entry["points"], "max": entry["max"]}
    return None


def verdict(points, maximum) -> str:
    points, maximum = Decimal(points), Decimal(maximum)
    return "right" if maximum and points >= maximum else ("partly" if points > 0 else "wrong")


@transaction.atomic
def check_question(*, attempt: PracticeAttempt, student, position: int, response) -> dict:
    """Score one question of an open attempt now and keep it; the feedback is returned (and shown on the page).
    A question already checked is answered again only after ``retry_question``."""
    attempt = _open_for_writing(attempt, student)
    if attempt.finished_at:
        raise ValidationError(_("This attempt is finished: start a new one to try again."))
    question = _question_at(attempt, position)
    if not _answered(response):
        raise ValidationError(_("Answer question %(n)s before checking it.") % {"n": position})
    key = str(position)
    if is_checked(attempt.answers.get(key)):
        raise ValidationError(
            _("Question %(n)s has been checked already: choose “Try this question again” to answer it again.")
            % {"n": position}
        )
    attempt.answers[key] = _record(attempt.answers.get(key), question, response)
    attempt.save(update_fields=["answers"])
    return feedback(question, attempt.answers[key])


@transaction.atomic
def retry_question(*, attempt: PracticeAttempt, student, position: int) -> dict:
    """Clear the answer of a checked question of an open attempt so that it is answered again; its tries and its
    first result stay. Until it is checked again it counts as not answered."""
    attempt = _open_for_writing(attempt, student)
    if attempt.finished_at:
        raise ValidationError(_("This attempt is finished: start a new one to try again."))
    _question_at(attempt, position)
    key = str(position)
    entry = attempt.answers.get(key)
    if not is_checked(entry):
        raise ValidationError(_("Question %(n)s has no checked answer to clear.") % {"n": position})
    attempt.answers[key] = {"tries": tries(entry), "first": first_try(entry)}
    attempt.save(update_fields=["answers"])
    return attempt.answers[key]


@transaction.atomic
def finish_attempt(*, attempt: PracticeAttempt, student, responses: dict | None = None) -> PracticeAttempt:
    """Check the questions given in ``responses`` (``{position: response}``) that have no result standing, count the
    others as unanswered, and close the attempt with its final and first-try scores."""
    attempt = _open_for_writing(attempt, student)
    if attempt.finished_at:
        return attempt
    by_position = {q.position: q for q in questions(attempt.practice_set)}
    for position, response in (responses or {}).items():
        key = str(position)
        question = by_position.get(int(position))
        if question is None or is_checked(attempt.answers.get(key)) or not _answered(response):
            continue
        attempt.answers[key] = _record(attempt.answers.get(key), question, response)
    return _finish(attempt, list(by_position.values()))


def _finish(attempt: PracticeAttempt, set_questions: list[PracticeQuestion] | None = None) -> PracticeAttempt:
    total, first_total, maximum = ZERO, ZERO, ZERO
    for question in set_questions if set_questions is not None else questions(attempt.practice_set):
        entry = attempt.answers.get(str(question.position))
        maximum += Decimal(entry["max"]) if is_checked(entry) else question_max(question)
        if is_checked(entry):
            total += Decimal(entry["points"])
        first = first_try(entry)
        if first:
            first_total += Decimal(first["points"])
    attempt.points, attempt.max_points = total, maximum
    attempt.score = on_ten(total, maximum)
    attempt.first_points = first_total
    attempt.first_score = on_ten(first_total, maximum)
    attempt.finished_at = timezone.now()
    attempt.save(
        update_fields=["answers", "points", "max_points", "score", "first_points", "first_score", "finished_at"]
    )
    return attempt


@dataclass
class Row:
    """One question of an attempt as the palette, the question page and the summary show it."""

    number: int
    question: PracticeQuestion
    state: str  # "unanswered" / "right" / "partly" / "wrong"
    tries: int
    points: Decimal
    max: Decimal
    first_state: str  # the first try's verdict, "unanswered" if never checked
    first_points: Decimal
    entry: dict | None

    @property
    def retried(self) -> bool:
        return self.tries > 1 or (self.tries == 1 and self.state == "unanswered")


def rows(attempt: PracticeAttempt, set_questions: list[PracticeQuestion]) -> list[Row]:
    """Every question's state from ``attempt.answers`` (no query)."""
    out = []
    for number, question in enumerate(set_questions, start=1):
        entry = attempt.answers.get(str(question.position))
        checked = is_checked(entry)
        maximum = Decimal(entry["max"]) if checked else question_max(question)
        first = first_try(entry)
        out.append(
            Row(
                number=number,
                question=question,
                state=verdict(entry["points"], entry["max"]) if checked else "unanswered",
                tries=tries(entry),
                points=Decimal(entry["points"]) if checked else ZERO,
                max=maximum,
                first_state=verdict(first["points"], first["max"]) if first else "unanswered",
                first_points=Decimal(first["points"]) if first else ZERO,
                entry=entry,
            )
        )
    return out


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
        detail = _("Unlimited retries: your best first-try score counts.")
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
        found = PracticeAttempt.objects.filter(practice_set_id__in=references, student_id__in=student_ids).values_list(
            "practice_set_id", "student_id", "first_score", "score", "started_at", "finished_at"
        )
        best: dict[tuple[int, int], list] = {}
        for set_id, student_id, first_score, final_score, started, finished in found:
            # The first-try score: within an attempt a question can be answered again until it is right.
            score = first_score if first_score is not None else final_score
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
