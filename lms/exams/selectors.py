"""Reads: a student's sittings, the invigilator's table, results, the class report and the item analysis."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from lms.courses import api as courses_api
from lms.exams import delivery
from lms.exams.analysis import analyse
from lms.exams.codecache import per_code
from lms.exams.models import Answer, Attempt, AttemptEvent, AttemptStatus, EventKind, Sitting, Test
from lms.exams.rules import ScoreRules, delivery_rules, score_rules_for
from lms.exams.shuffle import original_label


def get_sitting(pk: int) -> Sitting:
    return Sitting.objects.select_related("test", "course__school_class__school_year__school", "course__subject").get(
        pk=pk
    )


def get_attempt(pk: int) -> Attempt:
    return Attempt.objects.select_related(
        "sitting__test", "sitting__course__school_class__school_year__school", "sitting__course__subject", "variant"
    ).get(pk=pk)


def get_student_attempts(student) -> list[Attempt]:
    return list(
        Attempt.objects.filter(student=student)
        .select_related("sitting__test", "sitting__course__subject", "sitting__course__school_class")
        .order_by("-sitting__opens_at")
    )


def get_teacher_sittings(user) -> list[Sitting]:
    courses = courses_api.get_teacher_courses(user)
    return list(
        Sitting.objects.filter(course__in=courses)
        .select_related("test", "course__subject", "course__school_class")
        .annotate(
            n=Count("attempts"),
            done=Count("attempts", filter=Q(attempts__status=AttemptStatus.SUBMITTED)),
        )
    )


def get_tests(user) -> list[Test]:
    return list(Test.objects.filter(Q(created_by=user) | Q(approved_by=user)).select_related("subject"))


def invigilator_rows(sitting: Sitting) -> list[dict]:
    """One row per student: status, exam code, answered / total, last seen (and whether that is recent), focus
    losses, device takeovers (old → new device, address, time), requests refused for the network (address, time,
    action), extra time, submitted (by the server or the student), score. Three queries whatever the class size."""
    rules = delivery_rules(sitting.delivery_rules)
    now = timezone.now()
    attempts = list(
        sitting.attempts.select_related("student", "variant").order_by("student__last_name", "student__first_name")
    )
    takeovers: dict[int, list] = {}
    refusals: dict[int, list] = {}  # network refusals (R12), at most one per address a minute
    for event in AttemptEvent.objects.filter(
        attempt__sitting=sitting, kind__in=[EventKind.TAKEOVER, EventKind.NETWORK_REFUSED]
    ).order_by("at", "pk"):
        (takeovers if event.kind == EventKind.TAKEOVER else refusals).setdefault(event.attempt_id, []).append(event)
    totals = {}
    rows = []
    for a in attempts:
        if a.variant_id not in totals:
            totals[a.variant_id] = len(a.variant.slots())
        online = bool(
            a.status == AttemptStatus.IN_PROGRESS
            and a.last_seen_at
            and now - a.last_seen_at < timedelta(seconds=rules.offline_after_seconds)
        )
        rows.append(
            {
                "attempt": a,
                "total": totals[a.variant_id],
                "online": online,
                "checked_in": a.opens_later(now),  # (opened from the waiting room, the test not started yet)
                "left": a.seconds_left(),
                "takeovers": takeovers.get(a.pk, []),
                "refusals": refusals.get(a.pk, []),
            }
        )
    return rows


@dataclass(frozen=True)
class ReviewSlot:
    """One question of an exam code as the result page lists it."""

    part: str
    number: int
    slot: int
    max: Decimal
    key: str
    content: dict
    essay: bool


_REVIEW_SLOTS: dict[tuple, tuple[ReviewSlot, ...]] = {}


def review_slots(variant) -> tuple[ReviewSlot, ...]:
    """The questions of an exam code in its order, with their keys as text, once per (code, revision) in a process
    (``codecache.per_code``): at time-up a whole room opens its result pages within seconds."""

    def build(layout) -> tuple[ReviewSlot, ...]:
        return tuple(
            ReviewSlot(
                part=part["code"],
                number=number,
                slot=slot["slot"],
                max=Decimal(slot["points"]),
                key=delivery.key_text(slot["content"]) or slot["key"],
                content=slot["content"],
                essay=slot["content"]["type"] == "essay",
            )
            for part in layout["parts"]
            for number, slot in enumerate(part["slots"], start=1)
        )

    return per_code(_REVIEW_SLOTS, variant, build)


def attempt_review(attempt: Attempt, answers: dict | None = None) -> list[dict]:
    """The student's answers beside the variant's key and the points, question by question: one query for the
    answers (none when given, ``{slot: (response, points)}``, as the submit graded them), one more for the essay marks
    when the code has essays."""
    slots = review_slots(attempt.variant)
    if answers is None:
        answers = {
            slot: (response, points)
            for slot, response, points in Answer.objects.filter(attempt_id=attempt.pk)
            .order_by()  # (the model's ordering by attempt would join the attempts; as grade_attempt reads them)
            .values_list("slot", "response", "points")
        }
    marks = essay_marks(attempt) if any(s.essay for s in slots) else {}
    out = []
    for s in slots:
        response, points = answers.get(s.slot, (None, Decimal(0)))
        mark = marks.get(s.slot)
        out.append(
            {
                "part": s.part,
                "number": s.number,
                "slot": s.slot,
                "response": response,
                "points": points,
                "max": s.max,
                "key": s.key,
                "response_text": delivery.response_text(s.content, response),
                "mark": mark,
                "unmarked": s.essay and mark is None,
            }
        )
    return out


# What the result page reads of an attempt (``expire_if_due`` included); a field left out is loaded when first read.
_RESULT_FIELDS = (
    *("sitting_id", "student_id", "variant_id", "status", "started_at", "deadline", "submitted_at", "auto_submitted"),
    *("answered", "needs_marking", "points", "max_points", "extra_minutes"),
    *("sitting__title", "sitting__closes_at", "sitting__review", "sitting__delivery_rules", "sitting__test_id"),
    *("sitting__course_id", "sitting__test__title", "sitting__test__grade", "sitting__course__school_class_id"),
    *("sitting__course__school_class__grade", "variant__code", "variant__test_id", "variant__revision"),
    "variant__created_at",
)


def get_attempt_for_result(pk: int) -> Attempt:
    """An attempt with what its result page shows and scores by (the sitting, its test, the class's grade and the
    framework of the test's blueprint, for the score rules: ``loaded_score_rules``), in one query of the columns the
    page reads — at time-up a whole room opens the page within seconds, and building the query of every column of six
    tables cost more than running it. The exam code comes without its layout (``review_slots`` keeps what it needs)."""
    return (
        Attempt.objects.select_related("sitting__test", "sitting__course__school_class", "variant")
        .only(*_RESULT_FIELDS)
        .annotate(blueprint_framework=F("sitting__test__blueprint_link__blueprint__framework"))
        .get(pk=pk)
    )


def loaded_score_rules(attempt: Attempt) -> ScoreRules:
    """``sitting_score_rules`` of an attempt's sitting loaded by ``get_attempt_for_result`` (no query)."""
    sitting = attempt.sitting
    return score_rules_for(
        grades=(sitting.test.grade, sitting.course.school_class.grade), framework=attempt.blueprint_framework or ""
    )


def sitting_score_rules(sitting: Sitting) -> ScoreRules:
    """The reporting rules of a sitting's scores: TT 27 (whole numbers, half up) for a primary class, a test of
    grades 1–5 or a test made from a TT 27 blueprint; else the default (two decimals). One query."""
    return sitting_heading_and_rules(sitting)[1]


def sitting_heading_and_rules(sitting: Sitting) -> tuple[str, ScoreRules]:
    """A sitting's heading (its title, else its test's) and ``sitting_score_rules``, in one query: what a result
    needs of the sitting beside its loaded row."""
    row = (
        Sitting.objects.filter(pk=sitting.pk)
        .values_list(
            "title",
            "test__title",
            "test__grade",
            "course__school_class__grade",
            "test__blueprint_link__blueprint__framework",
        )
        .first()
    )
    title, test_title, test_grade, class_grade, framework = row or ("", "", None, None, "")
    return title or test_title, score_rules_for(grades=(test_grade, class_grade), framework=framework or "")


def score_out_of_10(attempt: Attempt, rules: ScoreRules | None = None) -> Decimal | None:
    """The attempt's score on 0–10 under the test's rules (give ``rules`` when scoring a whole class)."""
    rules = rules or sitting_score_rules(attempt.sitting)
    return rules.score_10(attempt.points, attempt.max_points)


def class_report(sitting: Sitting) -> dict:
    """Submitted / not started counts, mean, the score distribution in bins of 1 (0–<1 … 9–10) and the list."""
    attempts = list(sitting.attempts.select_related("student", "variant").order_by("student__last_name"))
    rules = sitting_score_rules(sitting)
    scored = [(a, score_out_of_10(a, rules)) for a in attempts]
    scores = [s for a, s in scored if a.status == AttemptStatus.SUBMITTED and s is not None]
    bins = Counter(min(int(s), 9) for s in scores)
    distribution = [{"low": i, "high": i + 1, "count": bins.get(i, 0)} for i in range(10)]
    peak = max((d["count"] for d in distribution), default=0) or 1
    for d in distribution:
        d["percent"] = int(100 * d["count"] / peak)
    mean = (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP) if scores else None
    return {
        "attempts": scored,
        "score_rules": rules,
        "submitted": len(scores),
        "not_started": sum(1 for a in attempts if a.status == AttemptStatus.READY),
        "in_progress": sum(1 for a in attempts if a.status == AttemptStatus.IN_PROGRESS),
        "mean": mean,
        "distribution": distribution,
    }


def item_analysis(sitting: Sitting) -> dict:
    """Item statistics of the submitted attempts, by question version (whatever exam code each student had):
    shown options are mapped back to the bank's labels for the distractor table; matching / ordering / cloze / câu
    chùm questions are broken down into their pairs, positions, gaps and sub-questions from the stored responses.
    Three queries whatever the class size."""
    attempts = list(sitting.attempts.filter(status=AttemptStatus.SUBMITTED).select_related("variant"))
    answers: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(attempt__in=attempts):
        answers.setdefault(answer.attempt_id, {})[answer.slot] = answer
    base = sitting.test.variants.order_by("number").first()  # questions listed in the test's own order
    order, meta, statement_keys, contents = [], {}, {}, {}
    for part in base.layout["parts"] if base else []:
        for slot in sorted(part["slots"], key=lambda s: s["original_position"]):
            content = slot["content"]
            order.append((slot["version"], Decimal(slot["points"])))
            meta[slot["version"]] = {"part": part["code"], "type": content["type"], "stem": content.get("stem", "")}
            if content["type"] == "single_choice":
                labels = slot["choice_order"] or [c["label"] for c in content.get("choices", [])]
                meta[slot["version"]]["options"] = sorted(labels)
            if content["type"] == "true_false_4":  # statements keep their order in every code
                labels = [st["label"] for st in content.get("statements", [])]
                statement_keys[slot["version"]] = dict(zip(labels, slot["key"], strict=False))
            if content["type"] in delivery.COMPOSITE_TYPES:  # never shuffled: the same content in every code
                contents[slot["version"]] = content
    scores, choices, keys, options = [], [], {}, {}
    for version, m in meta.items():
        if "options" in m:
            options[version] = m["options"]
    judgements, responses = [], []
    for attempt in attempts:
        per, chosen, judged, given = {}, {}, {}, {}
        mine = answers.get(attempt.pk, {})
        for slot in attempt.variant.slots():
            answer = mine.get(slot["slot"])
            per[slot["version"]] = answer.points if answer and answer.points is not None else Decimal(0)
            if slot["version"] in statement_keys:
                judged[slot["version"]] = answer.response if answer and isinstance(answer.response, dict) else {}
            if slot["version"] in contents:
                given[slot["version"]] = answer.response if answer else None
            if slot["version"] in options:
                keys[slot["version"]] = original_label(slot, slot["key"])
                chosen[slot["version"]] = original_label(slot, answer.response) if answer and answer.response else None
        scores.append(per)
        choices.append(chosen)
        judgements.append(judged)
        responses.append(given)
    stats = analyse(
        order,
        scores,
        choices=choices,
        keys=keys,
        options=options,
        judgements=judgements,
        statement_keys=statement_keys,
        contents=contents,
        responses=responses,
    )
    rows = []
    for number, item in enumerate(stats.items, start=1):
        rows.append({"number": number, "version": item.item, "stats": item, **meta.get(item.item, {})})
    return {
        "stats": stats,
        "rows": rows,
        "has_statements": any(i.statements for i in stats.items),
        "has_parts": any(i.parts or i.wrong_orders for i in stats.items),
    }


def get_graded_sittings(*, school_class, subject) -> list[Sitting]:
    """Sittings of the class's course for ``subject`` with at least one submitted (graded) attempt, newest first.
    Read by ``lms.gradebook`` to move scores into the mark book."""
    return list(
        Sitting.objects.filter(
            course__school_class=school_class,
            course__subject=subject,
            attempts__status=AttemptStatus.SUBMITTED,
        )
        .select_related("test", "course")
        .distinct()
        .order_by("-opens_at", "-pk")
    )


def get_sitting_results(sitting: Sitting) -> dict[int, Attempt]:
    """``{student_id: attempt}`` for every attempt of the sitting (raw points and maximum, status, needs_marking).
    Each attempt carries ``score_rules`` (the test's ``ScoreRules``) and ``score`` (0–10 under them, None while
    not graded): under TT 27 (``whole_numbers``) the reader takes ``score`` as it is, a whole number rounded half
    up; otherwise it converts and rounds the raw points with its own rules."""
    rules = sitting_score_rules(sitting)
    results = {}
    for attempt in sitting.attempts.all():
        attempt.score_rules = rules
        attempt.score = rules.score_10(attempt.points, attempt.max_points)
        results[attempt.student_id] = attempt
    return results


def get_schedulable_tests(user) -> list[Test]:
    """Approved tests that ``user`` may schedule: of a school and subject they teach a course of."""
    from lms.exams.models import TestStatus

    pairs = {(c.school_class.school_year.school_id, c.subject_id) for c in courses_api.get_teacher_courses(user)}
    if not pairs:
        return []
    query = Q(pk__in=[])
    for school_id, subject_id in pairs:
        query |= Q(school_id=school_id, subject_id=subject_id) | Q(school_id=school_id, subject__isnull=True)
    return list(Test.objects.filter(query, status=TestStatus.APPROVED).select_related("subject"))


def essay_queue(sitting: Sitting) -> list[dict]:
    """Every essay answer of the submitted attempts (unmarked first, then by student): the student, the question
    (part, number in the student's code), the text, the criteria with the points given so far, and the mark. Three
    queries whatever the class size."""
    from lms.exams.models import EssayMark
    from lms.exams.services import essay_criteria

    attempts = list(
        sitting.attempts.filter(status=AttemptStatus.SUBMITTED)
        .select_related("student", "variant")
        .order_by("student__last_name", "student__first_name", "pk")
    )
    answers = {(a.attempt_id, a.slot): a for a in Answer.objects.filter(attempt__in=attempts)}
    marks = {(m.attempt_id, m.slot): m for m in EssayMark.objects.filter(attempt__in=attempts)}
    rows = []
    for attempt in attempts:
        for part in attempt.variant.layout["parts"]:
            for number, slot in enumerate(part["slots"], start=1):
                if slot["content"]["type"] != "essay":
                    continue
                answer, mark = answers.get((attempt.pk, slot["slot"])), marks.get((attempt.pk, slot["slot"]))
                criteria = essay_criteria(slot)
                for c in criteria:
                    c["given"] = (mark.criteria.get(str(c["index"])) if mark else None) or ""
                rows.append(
                    {
                        "attempt": attempt,
                        "part": part["code"],
                        "number": number,
                        "slot": slot,
                        "response": answer.response if answer else None,
                        "criteria": criteria,
                        "mark": mark,
                        "max": Decimal(slot["points"]),
                    }
                )
    rows.sort(key=lambda r: r["mark"] is not None)  # stable: unmarked first, each group by student
    return rows


def essay_marks(attempt: Attempt) -> dict:
    """``{slot: EssayMark}`` of one attempt (the result page shows the points and the comment)."""
    from lms.exams.models import EssayMark

    return {m.slot: m for m in EssayMark.objects.filter(attempt=attempt)}
