"""Writes: building tests, exam codes, scheduling, delivery (start, save, submit, time-up) and grading. Every write
runs inside ``transaction.atomic()``; a refused write raises ``ValidationError`` with a message that says which part,
question or change is wrong and why, and changes nothing."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from lms.assessments import api as bank_api
from lms.courses import api as courses_api
from lms.exams import shuffle
from lms.exams.codecache import per_code
from lms.exams.models import (
    Answer,
    AnswerEvent,
    Attempt,
    AttemptEvent,
    AttemptStatus,
    EventKind,
    ReviewAction,
    Sitting,
    Test,
    TestDraw,
    TestItem,
    TestPart,
    TestReview,
    TestStatus,
    Variant,
)
from lms.exams.rules import DELIVERABLE_TYPES, delivery_rules, exam_template
from lms.schools import api as schools_api

logger = logging.getLogger(__name__)

ZERO = Decimal(0)


# --------------------------------------------------------------------------------------------------------- tests
@transaction.atomic
def create_test(*, school, title: str, created_by, subject=None, grade=None, kind="regular", minutes=45, **extra):
    test = Test(
        school=school, title=title, created_by=created_by, subject=subject, grade=grade, kind=kind, minutes=minutes
    )
    for name, value in extra.items():
        setattr(test, name, value)
    test.full_clean()
    test.save()
    return test


@transaction.atomic
def create_test_from_template(*, school, subject, title: str, created_by, rule_set="THPT2025", template="", **extra):
    """A test with the parts of a THPT 2025 template (R28): part codes, question types, counts, points each, minutes."""
    from lms.exams.rules import template_for_subject

    template = template or template_for_subject(rule_set, subject.code)
    spec = exam_template(rule_set, template)
    test = create_test(
        school=school,
        subject=subject,
        title=title,
        created_by=created_by,
        minutes=spec.minutes,
        rule_set=rule_set,
        template=template,
        **extra,
    )
    for position, part in enumerate(spec.parts):
        TestPart.objects.create(
            test=test,
            code=part.code,
            title=_("Part %(code)s") % {"code": part.code},
            question_type=part.question_type,
            count=part.count,
            points_each=part.points_each,
            position=position,
        )
    return test


def _editable(test: Test) -> None:
    """Only a draft changes; the status is read again so a stale ``test`` object cannot slip an edit into a test
    that was sent for review or approved meanwhile."""
    test.status = Test.objects.filter(pk=test.pk).values_list("status", flat=True).first() or test.status
    if test.status == TestStatus.IN_REVIEW:
        raise ValidationError(
            _("The test is waiting for review: it can be changed only after the reviewer returns it.")
        )
    if test.status != TestStatus.DRAFT:
        raise ValidationError(_("The test has been approved: it can no longer be changed."))


def _check_type(part: TestPart, qtype: str, where: str) -> None:
    if qtype not in DELIVERABLE_TYPES:
        raise ValidationError(
            _("%(where)s: questions of type %(type)s cannot be answered on the computer yet.")
            % {"where": where, "type": qtype}
        )
    if part.question_type and qtype != part.question_type:
        raise ValidationError(
            _("%(where)s: part %(part)s takes %(expected)s questions, not %(type)s.")
            % {"where": where, "part": part.code, "expected": part.question_type, "type": qtype}
        )


@transaction.atomic
def add_part(*, test: Test, code: str, title: str = "", question_type: str = "", count=None, points_each=None):
    _editable(test)
    return TestPart.objects.create(
        test=test,
        code=code,
        title=title,
        question_type=question_type,
        count=count,
        points_each=points_each,
        position=test.parts.count(),
    )


@transaction.atomic
def add_item(*, part: TestPart, version, points: Decimal | None = None) -> TestItem:
    """Pin a ready version into ``part`` (points: the part's points each, else the version's)."""
    _editable(part.test)
    where = _("Question #%(id)s") % {"id": version.question_id}
    if version.status != bank_api.VersionStatus.READY:
        raise ValidationError(
            _("%(where)s: only a version approved by the subject group can go into a test.") % {"where": where}
        )
    _check_type(part, version.question.type, where)
    if TestItem.objects.filter(part__test=part.test, version__question=version.question).exists():
        raise ValidationError(_("%(where)s is already in this test.") % {"where": where})
    points = Decimal(points if points is not None else (part.points_each or version.points))
    return TestItem.objects.create(part=part, version=version, points=points, position=part.items.count())


@transaction.atomic
def add_draw(
    *, part: TestPart, bank, count: int, points: Decimal | None = None, category=None, level="", outcome=None, tag=""
) -> TestDraw:
    _editable(part.test)
    if count < 1:
        raise ValidationError(_("Draw at least one question."))
    draw = TestDraw(
        part=part,
        bank=bank,
        count=count,
        points=Decimal(points if points is not None else (part.points_each or 1)),
        category=category,
        level=level,
        outcome=outcome,
        tag=tag,
        question_type=part.question_type,
        position=part.draws.count(),
    )
    draw.save()
    available = len(_candidates(draw, exclude=set()))
    if available < count:
        raise ValidationError(_describe_shortage(draw, available))
    return draw


def _describe_shortage(draw: TestDraw, available: int) -> str:
    return _(
        "Part %(part)s: the draw from %(bank)s asks for %(count)s questions but only %(available)s ready questions "
        "match (%(filters)s)."
    ) % {
        "part": draw.part.code,
        "bank": draw.bank,
        "count": draw.count,
        "available": available,
        "filters": ", ".join(
            f
            for f in (
                draw.question_type,
                draw.category and str(draw.category),
                draw.level,
                draw.outcome and draw.outcome.code,
                draw.tag,
            )
            if f
        )
        or "—",
    }


def _candidates(draw: TestDraw, *, exclude: set[int]) -> list:
    """The latest ready version of every matching question of the draw's bank, by question id."""
    versions = bank_api.get_ready_versions(bank=draw.bank)
    if draw.question_type:
        versions = versions.filter(question__type=draw.question_type)
    else:
        versions = versions.filter(question__type__in=DELIVERABLE_TYPES)
    if draw.category_id:
        if draw.include_subcategories:
            prefix = draw.category.path + "/"
            ids = [c.pk for c in draw.bank.categories.all() if c.pk == draw.category_id or c.path.startswith(prefix)]
            versions = versions.filter(question__category_id__in=ids)
        else:
            versions = versions.filter(question__category_id=draw.category_id)
    if draw.level:
        versions = versions.filter(question__level=draw.level)
    if draw.outcome_id:
        versions = versions.filter(question__outcomes=draw.outcome_id)
    latest: dict[int, object] = {}
    for version in versions.order_by("question_id", "number"):
        if version.question_id in exclude:
            continue
        if draw.tag and draw.tag not in (version.question.tags or []):
            continue
        latest[version.question_id] = version
    return [latest[q] for q in sorted(latest)]


def check_test(test: Test) -> list[str]:
    """What stops the test from being used: empty or incomplete parts, a template's counts and points, total ≠ 10
    for a template test."""
    problems = []
    total = ZERO
    for part in test.parts.prefetch_related("items", "draws"):
        items, draws = list(part.items.all()), list(part.draws.all())
        count = len(items) + sum(d.count for d in draws)
        points = sum((i.points for i in items), ZERO) + sum((d.points * d.count for d in draws), ZERO)
        total += points
        if not count:
            problems.append(_("Part %(part)s has no questions.") % {"part": part.code})
        if part.count is not None and count != part.count:
            problems.append(
                _("Part %(part)s has %(count)s questions; the template asks for %(expected)s.")
                % {"part": part.code, "count": count, "expected": part.count}
            )
        if part.points_each is not None:
            wrong = [i for i in items if i.points != part.points_each] + [
                d for d in draws if d.points != part.points_each
            ]
            if wrong:
                problems.append(
                    _("Part %(part)s: every question is worth %(points)s points in the template.")
                    % {"part": part.code, "points": format_points(part.points_each)}
                )
    if test.template and total != Decimal(10):
        problems.append(_("The test totals %(total)s points, not 10.") % {"total": format_points(total)})
    if not test.parts.exists():
        problems.append(_("The test has no parts."))
    return problems


def test_total(test: Test) -> Decimal:
    total = ZERO
    for part in test.parts.prefetch_related("items", "draws"):
        total += sum((i.points for i in part.items.all()), ZERO)
        total += sum((d.points * d.count for d in part.draws.all()), ZERO)
    return total


@functools.lru_cache(maxsize=4096)
def format_points(value) -> str:
    """Points with a decimal comma, at most two places, no trailing zeros ("0,25", "1", "–" for None). Remembered:
    a result shows each of a few values dozens of times, and a room's results at once."""
    if value is None:
        return "–"
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def draw_slots(test: Test, seed: str) -> list[tuple[str, list[shuffle.Slot]]]:
    """Fixed items plus the seeded random draws of every part, in the test's order."""
    import random

    rng = random.Random(f"{seed}:draw")  # noqa: S311 -- reproducible draws, not secrets
    used: set[int] = set(TestItem.objects.filter(part__test=test).values_list("version__question_id", flat=True))
    out = []
    for part in test.parts.all():
        slots = []
        for item in part.items.select_related("version"):
            content = dict(item.version.content)
            content["points"] = str(item.points)
            slots.append(shuffle.Slot(item.version_id, str(item.points), part.code, content))
        for draw in part.draws.select_related("bank", "category", "outcome"):
            candidates = _candidates(draw, exclude=used)
            if len(candidates) < draw.count:
                raise ValidationError(_describe_shortage(draw, len(candidates)))
            for version in rng.sample(candidates, draw.count):
                used.add(version.question_id)
                content = dict(version.content)
                content["points"] = str(draw.points)
                slots.append(shuffle.Slot(version.pk, str(draw.points), part.code, content))
        out.append((part.code, slots))
    return out


@transaction.atomic
def generate_variants(*, test: Test, count: int, seed: str = "") -> list[Variant]:
    """``count`` exam codes (101, 102…). The questions are drawn once (all codes share them); each code shuffles them
    within parts and shuffles single-choice options. Refused once a sitting has attempts on this test."""
    test = Test.objects.select_for_update().get(pk=test.pk)
    _editable(test)
    return _make_variants(test, count, seed)


def _make_variants(test: Test, count: int, seed: str) -> list[Variant]:
    if not 1 <= count <= 99:
        raise ValidationError(_("Make between 1 and 99 exam codes."))
    problems = check_test(test)
    if problems:
        raise ValidationError(problems)
    test.seed = seed or test.seed or secrets.token_hex(8)
    test.save(update_fields=["seed"])
    parts = draw_slots(test, test.seed)
    test.variants.all().delete()
    variants = []
    for number in range(count):
        built = shuffle.build_variant(parts, seed=test.seed, number=number, shuffle=test.shuffle)
        variants.append(
            Variant.objects.create(
                test=test, number=number, code=built.code, seed=test.seed, layout=built.layout(), key=built.key
            )
        )
    return variants


def can_approve(user, test: Test) -> bool:
    if not user.is_authenticated or user.pk == test.created_by_id:
        return False
    if user.is_superuser:
        return True
    principal = schools_api.get_principal(test.school)
    if principal and principal.pk == user.pk:
        return True
    return any(
        group.school_id == test.school_id
        and (not test.subject_id or group.subjects.filter(pk=test.subject_id).exists())
        for group in schools_api.get_groups_headed_by(user)
    )


def _last_review(test: Test):
    return test.reviews.order_by("-at", "-pk").first()


@transaction.atomic
def submit_for_review(*, test: Test, user, comment: str = "", problems: Iterable[str] = ()) -> TestReview:
    """The author sends a draft test to the tổ chuyên môn (R33): it is locked (``in_review``) until it is returned
    or approved. Refused while ``check_test`` (or the caller's extra ``problems``) finds something wrong."""
    test = Test.objects.select_for_update().get(pk=test.pk)
    if user.pk != test.created_by_id and not user.is_superuser:
        raise PermissionDenied(_("Only the author sends a test for review."))
    _editable(test)
    problems = check_test(test) + list(problems)
    if problems:
        raise ValidationError(problems)
    test.status = TestStatus.IN_REVIEW
    test.save(update_fields=["status"])
    return TestReview.objects.create(test=test, action=ReviewAction.SUBMITTED, by=user, comment=comment.strip())


@transaction.atomic
def return_test(*, test: Test, user, comment: str) -> TestReview:
    """The reviewer sends a test in review back to its author with a comment; it is a draft again."""
    test = Test.objects.select_for_update().get(pk=test.pk)
    if not can_approve(user, test):
        raise PermissionDenied(_("Only the head of the subject group or the principal reviews a test."))
    if test.status != TestStatus.IN_REVIEW:
        raise ValidationError(_("The test is not waiting for review."))
    if not comment.strip():
        raise ValidationError(_("Say what the author should change."))
    test.status = TestStatus.DRAFT
    test.save(update_fields=["status"])
    return TestReview.objects.create(test=test, action=ReviewAction.RETURNED, by=user, comment=comment.strip())


def blueprint_deviations(test: Test) -> tuple[object | None, list[str]]:
    """``(blueprint, messages)``: the test's blueprint (ma trận) if it was made from one, and how the test deviates
    from it now (R32; ``[]`` when it matches or has no blueprint)."""
    from lms.exams.blueprint_selectors import validate_test_against_blueprint
    from lms.exams.models import BlueprintTest

    link = BlueprintTest.objects.filter(test=test).select_related("blueprint").first()
    if link is None:
        return None, []
    return link.blueprint, [d.message for d in validate_test_against_blueprint(test, link.blueprint)]


@transaction.atomic
def approve_test(
    *,
    test: Test,
    user,
    variants: int = 4,
    seed: str = "",
    accept_deviations: bool = False,
    deviation_reason: str = "",
) -> Test:
    """R33, the one way a test is approved: it must have been sent for review (``in_review``: the last step of its
    review trail is "submitted" and nothing changed since, as a test in review cannot be edited); the tổ trưởng of
    its subject group or the principal approves it, never its author. The approval is written to the review trail,
    the exam codes are made if there are none yet (``variants`` codes), and the versions' use is recorded in the
    bank.

    A test made from a blueprint is checked against it again (R32: the blueprint or the bank may have changed since
    it was sent): while it deviates, approval is refused unless the approver accepts the deviations
    (``accept_deviations``) with a written ``deviation_reason``, kept on the "approved" step of the trail and in an
    ``AuditEntry`` listing the deviations accepted."""
    test = Test.objects.select_for_update().get(pk=test.pk)
    if not can_approve(user, test):
        raise PermissionDenied(
            _("Only the head of the subject group or the principal approves a test, not its author.")
        )
    if test.status == TestStatus.APPROVED:
        raise ValidationError(_("The test is already approved."))
    last = _last_review(test)
    if test.status != TestStatus.IN_REVIEW or last is None or last.action != ReviewAction.SUBMITTED:
        raise ValidationError(
            _("The test is not waiting for review: its author must send it for review before it is approved.")
        )
    problems = check_test(test)
    if problems:
        raise ValidationError(problems)
    blueprint, deviations = blueprint_deviations(test)
    reason = deviation_reason.strip()
    if deviations and not accept_deviations:
        raise ValidationError(
            [
                _(
                    "The test no longer matches its blueprint “%(blueprint)s”: return it to the author, or accept "
                    "the deviations below with a written reason."
                )
                % {"blueprint": blueprint.title},
                *deviations,
            ]
        )
    if deviations and not reason:
        raise ValidationError(_("Write why the deviations from the blueprint are accepted."))
    if not test.variants.exists():
        _make_variants(test, variants, seed)
    test.status, test.approved_by, test.approved_at = TestStatus.APPROVED, user, timezone.now()
    test.save(update_fields=["status", "approved_by", "approved_at"])
    comment = ""
    if deviations:
        from lms.exams.models import AuditAction, AuditEntry

        comment = _("Deviations from the blueprint accepted: %(reason)s") % {"reason": reason}
        AuditEntry.objects.create(
            action=AuditAction.DEVIATIONS_ACCEPTED,
            by=user,
            test=test,
            reason=reason,
            data={"blueprint": blueprint.pk, "deviations": deviations},
        )
    TestReview.objects.create(test=test, action=ReviewAction.APPROVED, by=user, comment=comment)
    for variant in test.variants.all():
        for slot in variant.slots():
            version = bank_api.QuestionVersion.objects.get(pk=slot["version"])
            bank_api.record_usage(version=version, used_in=f"test:{test.pk}", label=test.title)
        break  # every code holds the same versions
    return test


# ----------------------------------------------------------------------------------------------------- sittings
@transaction.atomic
def schedule_sitting(
    *,
    test: Test,
    course,
    opens_at,
    closes_at,
    duration: timedelta | None = None,
    created_by,
    access_code: str = "",
    late_join_minutes=None,
    review: str = "marks",
    title: str = "",
    kind: str = "",
    allowed_networks: str = "",
    extra_minutes: dict | None = None,
) -> Sitting:
    """``kind``: regular / midterm / final (default the test's; a periodic test is never scheduled as regular);
    ``allowed_networks``: CIDR ranges one a line; ``extra_minutes``: ``{student_id: minutes}``."""
    from lms.exams.models import TestKind
    from lms.exams.network import parse_networks

    if not courses_api.can_edit_course(created_by, course):
        raise PermissionDenied(_("Only a teacher of the course schedules its tests."))
    test = Test.objects.select_for_update().get(pk=test.pk)  # its status as stored, not as the caller last saw it
    if test.status != TestStatus.APPROVED:
        raise ValidationError(_("The test must be approved by the subject group before it is scheduled."))
    if course.school_class.school_year.school_id != test.school_id:
        raise ValidationError(_("The test belongs to another school."))
    if closes_at <= opens_at:
        raise ValidationError(_("The window must close after it opens."))
    duration = duration or timedelta(minutes=test.minutes)
    if duration <= timedelta(0):
        raise ValidationError(_("The duration must be positive."))
    kind = kind or test.kind
    if kind not in TestKind.values:
        raise ValidationError(_("Choose the kind of assessment."))
    if test.is_periodic and kind == TestKind.REGULAR:
        raise ValidationError(
            _("This is a %(kind)s test: it cannot be given as a regular assessment.")
            % {"kind": test.get_kind_display()}
        )
    networks = "\n".join(str(n) for n in parse_networks(allowed_networks))
    if (
        kind != TestKind.REGULAR
        and delivery_rules().periodic_on_site
        and not schools_api.get_exam_networks(test.school)
    ):
        raise ValidationError(
            _(
                "A mid-term or end-of-term test is taken at school (TT 09/2021, Art. 6): the school's networks must be "
                "set first (by the principal or the school's administrator)."
            )
        )
    sitting = Sitting.objects.create(
        test=test,
        course=course,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        duration=duration,
        access_code=access_code.strip(),
        late_join_minutes=late_join_minutes,
        review=review,
        created_by=created_by,
        kind=kind,
        allowed_networks=networks,
    )
    prepare_attempts(sitting)
    for student_id, minutes in (extra_minutes or {}).items():
        if not 0 <= int(minutes) <= 600:
            raise ValidationError(_("Extra time is between 0 and 600 minutes."))
        if not sitting.attempts.filter(student_id=student_id).update(extra_minutes=int(minutes)):
            raise ValidationError(_("Extra time is given to a student who is not in the class."))
    return sitting


@transaction.atomic
def prepare_attempts(sitting: Sitting) -> int:
    """An attempt (exam code assigned) for every student of the class who has none yet. Students are dealt the codes
    in a seeded random order, so neighbours on the class list get different codes. Returns how many were made."""
    import random

    variants = list(sitting.test.variants.order_by("number"))
    if not variants:
        raise ValidationError(_("The test has no exam codes."))
    students = sorted(courses_api.get_class_students(sitting.course.school_class), key=lambda s: s.pk)
    have = set(sitting.attempts.values_list("student_id", flat=True))
    random.Random(f"{sitting.test.seed}:sitting:{sitting.pk}").shuffle(students)  # noqa: S311 -- reproducible
    made = [
        Attempt(sitting=sitting, student=s, variant=variants[i % len(variants)])
        for i, s in enumerate(students)
        if s.pk not in have
    ]
    Attempt.objects.bulk_create(made)
    return len(made)


@transaction.atomic
def attempt_for_late_enrolment(*, sitting: Sitting, student) -> Attempt | None:
    """A student enrolled in the class after the sitting was scheduled gets an attempt when they open the waiting
    room, while the window is open (its code continues the seeded deal); ``None`` for anybody else."""
    sitting = Sitting.objects.select_for_update().select_related("course__school_class", "test").get(pk=sitting.pk)
    existing = sitting.attempts.filter(student=student).first()
    if existing is not None:
        return existing
    if timezone.now() >= sitting.closes_at or not courses_api.is_enrolled(student, sitting.course.school_class):
        return None
    variants = list(sitting.test.variants.order_by("number"))
    if not variants:
        return None
    return Attempt.objects.create(
        sitting=sitting, student=student, variant=variants[sitting.attempts.count() % len(variants)]
    )


@transaction.atomic
def set_extra_time(*, attempt: Attempt, minutes: int, by) -> Attempt:
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("sitting").get(pk=attempt.pk)
    if not courses_api.can_edit_course(by, attempt.sitting.course):
        raise PermissionDenied
    if attempt.status == AttemptStatus.SUBMITTED:
        raise ValidationError(_("This attempt has been submitted."))
    if not 0 <= minutes <= 600:
        raise ValidationError(_("Extra time is between 0 and 600 minutes."))
    attempt.extra_minutes = minutes
    if attempt.started_at:
        attempt.deadline = attempt.compute_deadline()
    attempt.save(update_fields=["extra_minutes", "deadline"])
    AttemptEvent.objects.create(attempt=attempt, kind=EventKind.EXTRA_TIME, by=by, detail=str(minutes))
    return attempt


# ----------------------------------------------------------------------------------------------------- delivery
class NetworkRefused(ValidationError):
    """The request comes from a network the sitting does not allow (R12)."""


class DeviceTakenOver(ValidationError):
    """The attempt is bound to another device: this one stops saving."""


def force_majeure_students(sitting: Sitting) -> set[int]:
    from lms.exams.models import ForceMajeureDecision

    return set(
        ForceMajeureDecision.students.through.objects.filter(forcemajeuredecision__sitting=sitting).values_list(
            "user_id", flat=True
        )
    )


# What a refused request was doing (``AttemptEvent.detail`` of a ``network_refused`` row).
NETWORK_ACTIONS = {
    "start": pgettext_lazy("refused request", "start"),
    "page": pgettext_lazy("refused request", "open the test page"),
    "save": pgettext_lazy("refused request", "save answers"),
    "takeover": pgettext_lazy("refused request", "continue on another device"),
}
NETWORK_REFUSAL_WINDOW = timedelta(minutes=1)  # one logged refusal per attempt and address in this window


def check_network(sitting: Sitting, student, ip, *, action: str = "save") -> None:
    """R12 (TT 09/2021 Art. 6(2)) and the sitting's allowed ranges: raise ``NetworkRefused`` when ``ip`` may not take
    the test. A periodic sitting runs from the school's networks (and the sitting's own ranges, if any) unless the
    principal recorded a force-majeure decision naming the student, who may then take it from anywhere.

    Every refusal is logged on the student's attempt as an ``AttemptEvent`` ``network_refused`` (address, time,
    ``action``: start / page / save / takeover; ``save`` by default, the save endpoint's call) — at most one row per
    attempt and address a minute (``log_network_refusal``)."""
    from lms.exams.network import contains, parse_networks

    rules = delivery_rules(sitting.delivery_rules)
    periodic = sitting.is_periodic and rules.periodic_on_site
    own = sitting.network_list()
    if not own and not periodic:
        return
    if periodic and student.pk in force_majeure_students(sitting):
        return
    where = ip or _("unknown")
    error = None
    if own and not contains(parse_networks(own), ip):
        error = NetworkRefused(
            _(
                "This test can only be taken from the networks the teacher allowed (your address: %(ip)s). Ask the "
                "invigilator."
            )
            % {"ip": where}
        )
    elif periodic and not contains(parse_networks(schools_api.get_exam_networks(sitting.test.school)), ip):
        error = NetworkRefused(
            _(
                "A mid-term or end-of-term test is taken at school (%(rule)s): connect to the school's network (your "
                "address: %(ip)s). A student who cannot come for a force-majeure reason needs the principal's "
                "decision."
            )
            % {"ip": where, "rule": rules.periodic_rule}
        )
    if error is None:
        return
    error.refusal = {"sitting_id": sitting.pk, "student_id": student.pk, "ip": ip or None, "action": action}
    log_network_refusal(error)
    raise error


def log_network_refusal(error: NetworkRefused) -> AttemptEvent | None:
    """Write the refusal ``check_network`` attached to ``error`` as an ``AttemptEvent`` ``network_refused``, unless
    the attempt already has one from that address in the last minute (no flood from a client retrying every few
    seconds). Idempotent, so it is called twice on the paths that check inside a transaction: once by
    ``check_network`` and once more after that transaction was rolled back (``logs_network_refusals``)."""
    refusal = getattr(error, "refusal", None)
    if not refusal:
        return None
    attempt_id = (
        Attempt.objects.filter(sitting_id=refusal["sitting_id"], student_id=refusal["student_id"])
        .values_list("pk", flat=True)
        .first()
    )
    if attempt_id is None:
        return None
    now = timezone.now()
    recent = AttemptEvent.objects.filter(
        attempt_id=attempt_id, kind=EventKind.NETWORK_REFUSED, at__gt=now - NETWORK_REFUSAL_WINDOW
    )
    recent = recent.filter(ip=refusal["ip"]) if refusal["ip"] else recent.filter(ip__isnull=True)
    if recent.exists():
        return None
    return AttemptEvent.objects.create(
        attempt_id=attempt_id,
        kind=EventKind.NETWORK_REFUSED,
        at=now,
        ip=refusal["ip"],
        by_id=refusal["student_id"],
        detail=refusal["action"],
    )


def logs_network_refusals(func):
    """For a service that calls ``check_network`` inside its own transaction: the refusal row written there is rolled
    back with it, so it is written again once the transaction is over, then the refusal is raised on."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except NetworkRefused as error:
            log_network_refusal(error)
            raise

    return wrapper


def device_label(device: str) -> str:
    """A short fingerprint of a device id for the logs (the id itself binds the attempt and is not shown)."""
    import hashlib

    return hashlib.sha256(device.encode()).hexdigest()[:8] if device else "-"


@transaction.atomic
def bind_device(*, attempt: Attempt, device: str) -> Attempt:
    """Bind an attempt that has no device yet (started through the API) to ``device``; a bound one is left as is."""
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("sitting", "variant").get(pk=attempt.pk)
    if not attempt.device and device:
        attempt.device = device
        attempt.save(update_fields=["device"])
    return attempt


@logs_network_refusals
@transaction.atomic
def take_over_attempt(*, attempt: Attempt, student, device: str, ip=None) -> Attempt:
    """Move the attempt to this device (the student confirmed): logged with the old and new device and the address.
    The old device's next save is refused with "continued on another device"; answers already saved stay."""
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("sitting__test__school").get(pk=attempt.pk)
    if attempt.student_id != student.pk:
        raise PermissionDenied
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise ValidationError(_("This attempt is not in progress."))
    if not device:
        raise ValidationError(_("This browser has no device id; reload the page."))
    check_network(attempt.sitting, student, ip, action="takeover")
    old = attempt.device
    if old == device:
        return attempt
    attempt.device, attempt.ip = device, ip or attempt.ip
    attempt.save(update_fields=["device", "ip"])
    AttemptEvent.objects.create(
        attempt=attempt,
        kind=EventKind.TAKEOVER,
        ip=ip,
        by=student,
        detail=f"{device_label(old)} → {device_label(device)}",
    )
    return attempt


@dataclasses.dataclass
class StartRequest:
    """One browser's request to open its attempt (the waiting room's Start, or its countdown reaching zero), for
    ``start_batch``. ``language``: the language its refusals are written in (the request's; None: the active one)."""

    attempt_id: int
    student: object
    access_code: str = ""
    ip: str | None = None
    device: str = ""
    language: str | None = None


class NotOpenYet(ValidationError):
    """The test has not started yet (a browser whose clock runs ahead asked early): ``seconds`` until it opens."""

    def __init__(self, message, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


def start_attempt(*, attempt: Attempt, student, access_code: str = "", ip=None, device: str = "") -> Attempt:
    """Open the student's attempt: inside the window, with the access code, within the late-join rule, from an
    allowed network (``check_network``). ``device`` binds the attempt to this browser (one device at a time). Opening
    it again (reload) resumes it and is logged; another device takes it over with ``take_over_attempt``.

    One request is a batch of one (``start_batch``), so both paths apply the same rules."""
    request = StartRequest(attempt_id=attempt.pk, student=student, access_code=access_code, ip=ip, device=device)
    return start_request(request)


def start_request(request: StartRequest) -> Attempt:
    """One start request written alone: the attempt, or the error refusing it raised."""
    return result_or_raise(start_batch([request])[0])


def start_batch(requests: list[StartRequest]) -> list[Attempt | Exception]:
    """Open several students' attempts in **one transaction** (group commit, as ``save_batch``): one outcome per
    request, in order — the attempt, opened or resumed, or the error refusing it (``Attempt.DoesNotExist``,
    ``PermissionDenied``, ``NotOpenYet``, ``NetworkRefused``, ``ValidationError``); a refused request writes nothing
    but its network refusal and does not stop the others. A database error raises (nothing of the batch is written).
    At most one request per attempt (``ValueError`` otherwise).

    At the start of a sitting the whole room starts within a second, so the batch costs a few statements whatever
    its size: the attempts are locked with one (in the order of their ids, as the saves lock them), the opened ones
    are written with one on PostgreSQL (array parameters), their START / RESUME events with one more, and one commit
    serves them all."""
    _one_per_attempt(requests, "start_batch")
    outcomes: list = [None] * len(requests)
    written: list[Attempt] = []
    events: list[AttemptEvent] = []
    connection = transaction.get_connection()
    with connection.wrap_database_errors, transaction.atomic():
        attempts = _lock_attempts([r.attempt_id for r in requests])
        now = timezone.now()
        for index, (attempt, kind, changed) in _plan_each(requests, attempts, now, _plan_start, outcomes):
            outcomes[index] = attempt
            if kind:
                events.append(AttemptEvent(attempt=attempt, kind=kind, at=now, ip=requests[index].ip))
            if changed:
                written.append(attempt)
        _write_starts(written)
        _insert_attempt_events(events)
    _log_refusals(outcomes)
    return outcomes


def _one_per_attempt(requests: list, name: str) -> None:
    if len({r.attempt_id for r in requests}) != len(requests):
        raise ValueError(f"{name} takes at most one request per attempt")


def _plan_each(requests: list, attempts: dict[int, Attempt], now, plan, outcomes: list) -> list[tuple[int, object]]:
    """``plan(request, its locked attempt, now)`` for every request of a batch, each in the request's own language:
    the plans, with their requests' indexes. A request refused — or whose data hits a fault — gets the error as its
    outcome in ``outcomes`` and does not stop the others. A database error raises: the transaction is broken, and
    nothing of the batch can be written."""
    planned = []
    for index, request in enumerate(requests):
        try:
            other = request.language and request.language != translation.get_language()
            with translation.override(request.language) if other else contextlib.nullcontext():
                planned.append((index, plan(request, attempts.get(request.attempt_id), now)))
        except DatabaseError:
            raise
        except Exception as error:  # a refusal (ObjectDoesNotExist, PermissionDenied, ValidationError) or a fault
            outcomes[index] = error
    return planned


def _log_refusals(outcomes: list) -> None:
    """Log a batch's network refusals once it is over (idempotent: those written in the batch are kept unless the
    batch rolled back)."""
    for outcome in outcomes:
        if isinstance(outcome, NetworkRefused):
            log_network_refusal(outcome)


def _plan_start(request: StartRequest, attempt: Attempt | None, now) -> tuple[Attempt, str | None, bool]:
    """Check one start request against its (locked) attempt: ``(attempt, the event to log or None, attempt row
    changed)``, the attempt's fields set as they are to be written; raises what refuses it.

    Within ``check_in_seconds`` before the start the request checks in: the attempt is opened with its time
    running from the start (``Attempt.opens_later`` until then). The same browser's request at the start then
    changes nothing (and logs nothing: it is the opening, not a resume)."""
    if attempt is None:
        raise Attempt.DoesNotExist
    if attempt.student_id != request.student.pk:
        raise PermissionDenied
    sitting = attempt.sitting
    if attempt.status == AttemptStatus.SUBMITTED:
        raise ValidationError(_("You have already submitted this test."))
    check_network(sitting, request.student, request.ip, action="start")
    if attempt.status == AttemptStatus.IN_PROGRESS:  # opened again: resumed (and bound, if it had no device)
        if request.device and not attempt.device:
            attempt.device = request.device
            return attempt, EventKind.RESUME, True
        checked_in = attempt.last_seen_at is not None and attempt.last_seen_at < attempt.started_at
        if checked_in and attempt.device == request.device:  # checked in, and now (or still not) opening
            return attempt, None, False
        return attempt, EventKind.RESUME, False
    begins = now
    if now < sitting.opens_at:
        wait = (sitting.opens_at - now).total_seconds()
        if wait > delivery_rules(sitting.delivery_rules).check_in_seconds or not request.device:
            raise NotOpenYet(_("The test has not started yet."), wait)
        begins = sitting.opens_at  # checked in: the time runs from the start
    if now >= sitting.closes_at:
        raise ValidationError(_("The test window has closed."))
    if sitting.late_join_minutes is not None and now > sitting.opens_at + timedelta(minutes=sitting.late_join_minutes):
        raise ValidationError(
            _("Joining is allowed only in the first %(minutes)s minutes.") % {"minutes": sitting.late_join_minutes}
        )
    if sitting.access_code and (request.access_code or "").strip() != sitting.access_code:
        raise ValidationError(_("The access code is not right. Ask the invigilator."))
    attempt.status, attempt.started_at, attempt.ip, attempt.last_seen_at = (
        AttemptStatus.IN_PROGRESS,
        begins,
        request.ip,
        now,
    )
    attempt.deadline = attempt.compute_deadline()
    attempt.device = request.device or ""
    return attempt, EventKind.START, True


_START_FIELDS = ("status", "started_at", "deadline", "ip", "last_seen_at", "device")


def _insert_attempt_events(events: list[AttemptEvent]) -> None:
    """Write a batch's attempt events: on PostgreSQL one statement with array parameters (a fixed text, prepared
    once), elsewhere ``bulk_create``."""
    if not events:
        return
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        AttemptEvent.objects.bulk_create(events)
        return
    names = ("attempt", "kind", "at", "ip", "detail", "by")
    fields = [AttemptEvent._meta.get_field(name) for name in names]
    columns = [[f.get_db_prep_save(getattr(e, f.attname), connection) for e in events] for f in fields]
    with _hot_cursor(connection) as cursor:
        cursor.execute(
            f"INSERT INTO {AttemptEvent._meta.db_table} (attempt_id, kind, at, ip, detail, by_id) "  # noqa: S608
            "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::inet[], %s::text[], %s::bigint[])",
            columns,
        )


def _write_starts(attempts: list[Attempt]) -> None:
    """Write the opened (or newly bound) attempts' start fields (``_write_attempt_fields``)."""
    _write_attempt_fields(attempts, _START_FIELDS)


def _write_attempt_fields(attempts: list[Attempt], names: tuple[str, ...]) -> None:
    """Write the named fields of a batch's attempts: on PostgreSQL one statement (the rows as array parameters, each
    cast to its column's type: one text for a set of fields, prepared once per connection), elsewhere one ``save``
    an attempt."""
    if not attempts:
        return
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        for attempt in attempts:
            attempt.save(update_fields=list(names))
        return
    fields = [Attempt._meta.get_field(name) for name in names]
    columns = [[a.pk for a in attempts]]
    columns += [[f.get_db_prep_save(getattr(a, f.attname), connection) for a in attempts] for f in fields]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = r.{quote(f.column)}" for f in fields)
    casts = ", ".join(["%s::bigint[]", *(f"%s::{_ARRAY_TYPES[f.get_internal_type()]}[]" for f in fields)])
    aliases = ", ".join(["id", *(quote(f.column) for f in fields)])
    with _hot_cursor(connection) as cursor:
        cursor.execute(
            f"UPDATE {Attempt._meta.db_table} AS t SET {sets} FROM unnest({casts}) AS r({aliases}) "  # noqa: S608
            "WHERE t.id = r.id",
            columns,
        )


# The array type of each kind of Attempt field ``_write_attempt_fields`` writes.
_ARRAY_TYPES = {
    "CharField": "text",
    "DateTimeField": "timestamptz",
    "GenericIPAddressField": "inet",
    "BooleanField": "boolean",
    "DecimalField": "numeric",
}


def _validate_response(slot: dict, response, rules) -> object:
    """The response in the form scoring expects, or a ValidationError naming the question."""
    content, number = slot["content"], slot["slot"]
    where = _("Question %(n)s") % {"n": number}
    if response is None or response == "" or response == {} or response == []:
        return None
    if len(json.dumps(response)) > rules.max_response_chars:
        raise ValidationError(_("%(where)s: the answer is too long.") % {"where": where})
    return _clean_response(content, response, where)


def _empty(response) -> bool:
    return response is None or response == "" or response == {} or response == []


def _clean_response(content: dict, response, where: str) -> object:
    if _empty(response):
        return None
    qtype = content["type"]
    labels = [c["label"] for c in content.get("choices", [])]
    if qtype == "single_choice":
        if response not in labels:
            raise ValidationError(
                _("%(where)s: %(value)s is not one of its options.") % {"where": where, "value": response}
            )
    elif qtype == "multiple_response":
        if not isinstance(response, list) or any(r not in labels for r in response):
            raise ValidationError(_("%(where)s: choose among its options.") % {"where": where})
        response = sorted(set(response))
    elif qtype == "true_false":
        if response not in ("true", "false", True, False):
            raise ValidationError(_("%(where)s: answer true or false.") % {"where": where})
        response = response in ("true", True)
    elif qtype == "true_false_4":
        statements = [s["label"] for s in content.get("statements", [])]
        if not isinstance(response, dict) or any(
            k not in statements or v not in ("Đ", "S", None) for k, v in response.items()
        ):
            raise ValidationError(_("%(where)s: judge each statement Đúng (Đ) or Sai (S).") % {"where": where})
        response = {k: v for k, v in response.items() if v}
    elif qtype == "matching":
        lefts = {p["left"] for p in content.get("pairs", []) if p.get("left")}
        rights = {p["right"] for p in content.get("pairs", []) if p.get("right")}
        if not isinstance(response, dict) or any(
            k not in lefts or v not in rights | {"", None} for k, v in response.items()
        ):
            raise ValidationError(_("%(where)s: match each item with one of the choices offered.") % {"where": where})
        response = {k: v for k, v in response.items() if v} or None
    elif qtype == "ordering":
        items = content.get("items", [])
        if not isinstance(response, list) or sorted(map(str, response)) != sorted(items):
            raise ValidationError(_("%(where)s: put every item of the list in order, each once.") % {"where": where})
    elif qtype in ("cloze", "group"):
        parts = content.get("parts", [])
        if not isinstance(response, list) or len(response) > len(parts):
            raise ValidationError(_("%(where)s: the answer does not fit the question.") % {"where": where})
        cleaned = []
        for index, (part, value) in enumerate(zip(parts, response, strict=False), start=1):
            label = _("gap %(n)s") if qtype == "cloze" else _("sub-question %(n)s")
            cleaned.append(_clean_response(part, value, f"{where}, {label % {'n': index}}"))
        response = cleaned if any(v is not None for v in cleaned) else None
    elif qtype == "description":
        return None
    elif not isinstance(response, str):
        raise ValidationError(_("%(where)s: the answer must be text.") % {"where": where})
    return response


@dataclasses.dataclass
class SaveRequest:
    """One save request of a browser: what ``save_changes`` takes (see there), for ``save_batch``. ``language``:
    the language its refusals are written in (the request's; None: the active one)."""

    attempt_id: int
    student: object
    changes: list = dataclasses.field(default_factory=list)
    events: list = dataclasses.field(default_factory=list)
    ip: str | None = None
    device: str | None = None
    language: str | None = None


@dataclasses.dataclass
class _SavePlan:
    """What one request will write, decided before anything of the batch is written."""

    request: SaveRequest
    attempt: Attempt
    now: object
    seqs: list[int]
    bind_device: bool = False
    closed: bool = False  # submitted, or past the deadline and its grace: nothing is applied
    valid: list = dataclasses.field(default_factory=list)  # (seq, slot, response), checked, in seq order
    replays: set = dataclasses.field(default_factory=set)


def save_changes(
    *,
    attempt_id: int,
    student,
    changes: Iterable[dict],
    events: Iterable[dict] = (),
    ip=None,
    device: str | None = None,
) -> dict:
    """Store the browser's answer changes ``[{"seq", "slot", "response"}…]`` (and its focus events, if any).

    Each change is taken once: a replay of a sequence number already received is acknowledged and not applied again,
    and a change older than the one that wrote a question's current answer never overwrites it. Returns
    ``{"acked": [seq…], "status", "deadline", "seconds_left"}``. After the deadline (plus the grace for changes in
    flight) the attempt is submitted and the changes are refused (``acked`` lists only replays).
    ``device``: the browser's id; once the attempt is bound to another device (taken over), ``DeviceTakenOver`` is
    raised and nothing is stored. A request from outside the allowed networks raises ``NetworkRefused``.

    One request is a batch of one (``save_batch``): a refused request writes nothing (but its network refusal)."""
    request = SaveRequest(
        attempt_id=attempt_id,
        student=student,
        changes=list(changes),
        events=list(events),
        ip=ip,
        device=device,
    )
    return save_request(request)


def save_request(request: SaveRequest) -> dict:
    """One request stored alone (a batch of one): its result, or the error refusing it raised."""
    return result_or_raise(save_batch([request])[0])


def result_or_raise(outcome: dict | Exception) -> dict:
    """A ``save_batch`` outcome as a call's: the result returned, the error raised."""
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def save_batch(requests: list[SaveRequest]) -> list[dict | Exception]:
    """Store several students' save requests in **one transaction** (group commit): one outcome per request, in
    order — its result (``save_changes``) or the error refusing it (``Attempt.DoesNotExist``, ``PermissionDenied``,
    ``DeviceTakenOver``, ``NetworkRefused``, ``ValidationError``); a refused request writes nothing and does not stop
    the others. A database error raises (nothing of the batch is stored, nothing is acknowledged). At most one request
    per attempt (``ValueError`` otherwise): the next of an attempt must see what the one before wrote.

    This is the hot path of exam day (one request per answer change, every student at once), so it makes few round
    trips and few statements: the attempts are locked with one statement, in the order of their ids (``FOR UPDATE
    OF`` the attempts alone: locking the joined sitting row would make every student's save wait for every other's;
    one order, so two batches never deadlock); every request is checked and validated before anything is written; the
    change log is written with ``INSERT … ON CONFLICT DO NOTHING`` (a replay is not logged twice), the current answers
    with one upsert that writes an answer only over an older change's (so a replay never changes anything), and each
    attempt's counters with one ``UPDATE``. On PostgreSQL the three are one statement (``_write_changes_sql``): three
    round trips for the whole batch (lock, write, commit), and one commit (one ``fsync``) for all its students.
    (psycopg's pipeline mode, which sent the writes with the commit, saved a round trip but cost more of the app's
    CPU than the round trip on loopback: ``bench/save_path.py``.)"""
    _one_per_attempt(requests, "save_batch")
    outcomes: list = [None] * len(requests)
    connection = transaction.get_connection()
    with connection.wrap_database_errors, transaction.atomic():
        attempts = _lock_attempts([r.attempt_id for r in requests])
        now = timezone.now()
        plans: list[tuple[int, _SavePlan]] = _plan_each(requests, attempts, now, _plan_save, outcomes)
        for _index, plan in plans:
            _write_save(plan)
        answered = _write_changes([plan for _index, plan in plans if not plan.closed], now)
    for index, plan in plans:
        outcomes[index] = _save_result(plan, answered)
    _log_refusals(outcomes)
    return outcomes


def _plan_save(request: SaveRequest, attempt: Attempt | None, now) -> _SavePlan:
    """Check one request against its (locked) attempt and validate its changes; raises what refuses it."""
    if attempt is None:
        raise Attempt.DoesNotExist
    if attempt.student_id != request.student.pk:
        raise PermissionDenied
    rules = delivery_rules(attempt.sitting.delivery_rules)
    device, bind = request.device, False
    if device is not None and rules.one_device and attempt.status == AttemptStatus.IN_PROGRESS:
        if _from_other_device(attempt, device):
            raise DeviceTakenOver(
                _(
                    "This test is being continued on another device. Saving here has stopped; the answers "
                    "saved before are kept."
                )
            )
        bind = not attempt.device and bool(device)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        if attempt.opens_later(now):  # checked in: nothing is answered before the start
            raise ValidationError(_("The test has not started yet."))
        check_network(attempt.sitting, request.student, request.ip)
    changes = list(request.changes)
    if len(changes) > rules.max_changes_per_request:
        raise ValidationError(_("Too many changes in one request."))
    seqs = []
    for change in changes:
        try:
            seqs.append(int(change["seq"]))
        except (KeyError, TypeError, ValueError):
            raise ValidationError(_("Every change needs a sequence number.")) from None
    plan = _SavePlan(request=request, attempt=attempt, now=now, seqs=seqs, bind_device=bind)
    if attempt.status != AttemptStatus.IN_PROGRESS or now > attempt.deadline + timedelta(
        seconds=rules.save_grace_seconds
    ):
        plan.closed = True
        return plan
    slots = _slot_index(attempt.variant)
    for change, seq in sorted(zip(changes, seqs, strict=True), key=lambda pair: pair[1]):
        if seq < 1 or (plan.valid and plan.valid[-1][0] == seq):  # a seq twice in one request: the first is taken
            continue
        slot = slots.get(str(change.get("slot")))
        if slot is None:
            raise ValidationError(_("Change %(seq)s names no question of this test.") % {"seq": seq})
        plan.valid.append((seq, slot["slot"], _validate_response(slot, change.get("response"), rules)))
    return plan


def _write_save(plan: _SavePlan) -> None:
    """Write what is one request's own (inside the batch's transaction): the device it binds, its focus events, and
    for a closed attempt its last contact (its replays looked up); its changes are written with the batch's."""
    attempt, request, now = plan.attempt, plan.request, plan.now
    if plan.bind_device:
        attempt.device = request.device
        attempt.save(update_fields=["device"])
    if request.events:
        record_events(attempt=attempt, events=request.events, ip=request.ip)
    attempt.last_seen_at = now
    if plan.closed:
        plan.replays = set(AnswerEvent.objects.filter(attempt=attempt, seq__in=plan.seqs).values_list("seq", flat=True))
        Attempt.objects.filter(pk=attempt.pk).update(last_seen_at=now)
        return
    # every logged seq is ≤ last_seq (both are written in one transaction), so replays never lower it
    attempt.last_seq = max(attempt.last_seq, plan.valid[-1][0]) if plan.valid else attempt.last_seq


def _newest(plan: _SavePlan) -> dict[int, tuple[int, object]]:
    """slot → (seq, response): the newest of a request's changes per question (``valid`` is in seq order)."""
    return {slot_no: (seq, response) for seq, slot_no, response in plan.valid}


def _write_changes(plans: list[_SavePlan], now) -> dict[int, int]:
    """Write the checked changes of the batch's open attempts: the change log, the current answers, each attempt's
    counters (last_seq, last contact, and the number answered where answers changed). Returns ``{attempt id: number
    answered}``.

    On PostgreSQL: one statement for the whole batch, whatever its size (``_write_changes_sql``). Elsewhere: three
    statements per attempt."""
    if not plans:
        return {}
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        counters = {}
        for plan in plans:
            newest = _newest(plan)
            _insert_answer_events(plan.attempt, plan.valid, now, plan.request.ip)
            if newest:
                _upsert_answers(plan.attempt, newest, now)
            counters[plan.attempt.pk] = _update_attempt_counters(plan.attempt, count=bool(newest))
        return counters
    encoder = Answer._meta.get_field("response").encoder
    log, current, attempts = [], [], []  # [attempt, seq, slot, response, ip], [attempt, slot, response, seq], …
    for plan in plans:
        pk, ip = plan.attempt.pk, plan.request.ip
        log += [[pk, seq, slot_no, response, ip] for seq, slot_no, response in plan.valid]
        newest = _newest(plan)
        current += [[pk, slot_no, response, seq] for slot_no, (seq, response) in newest.items()]
        attempts.append([pk, plan.attempt.last_seq, bool(newest)])
    when = Answer._meta.get_field("saved_at").get_db_prep_save(now, connection)
    log, current, attempts = (json.dumps(rows, cls=encoder, separators=(",", ":")) for rows in (log, current, attempts))
    with _hot_cursor(connection) as cursor:
        cursor.execute(_write_changes_sql(), [when, log, when, current, when, attempts])
        return dict(cursor.fetchall())


@functools.cache
def _write_changes_sql() -> str:
    """The batch's writes on PostgreSQL as one statement: the change log (``INSERT … ON CONFLICT DO NOTHING``: a
    replay is not logged twice), the current answers (an upsert that writes an answer only over an older change's),
    and each attempt's counters, returning ``(attempt id, number answered)``. The rows are three JSON parameters
    (``jsonb_array_elements``): one text each, encoded by ``json``'s C encoder and sent as they are, whatever the
    batch's size, so the statement's text never changes and is prepared once per connection. (A JSON ``null``
    response is stored as SQL NULL, as the ORM stores None.)

    The three parts run on one snapshot, so the number answered cannot count the upserted rows as it would after
    them: it counts the attempt's answers the upsert did not touch (``cur`` returns the rows it wrote) and adds those
    it wrote with a response."""
    events, answers, attempts = AnswerEvent._meta.db_table, Answer._meta.db_table, Attempt._meta.db_table
    return (
        f"WITH log AS (INSERT INTO {events} (attempt_id, seq, slot, response, received_at, ip) "  # noqa: S608
        "SELECT (e->>0)::bigint, (e->>1)::bigint, (e->>2)::int, NULLIF(e->3, 'null'::jsonb), %s, (e->>4)::inet "
        "FROM jsonb_array_elements(%s::jsonb) AS e ON CONFLICT (attempt_id, seq) DO NOTHING), "
        f"cur AS (INSERT INTO {answers} AS t (attempt_id, slot, response, seq, saved_at, detail) "
        "SELECT (e->>0)::bigint, (e->>1)::int, NULLIF(e->2, 'null'::jsonb), (e->>3)::bigint, %s, '' "
        "FROM jsonb_array_elements(%s::jsonb) AS e ON CONFLICT (attempt_id, slot) DO UPDATE SET "
        "response = excluded.response, seq = excluded.seq, saved_at = excluded.saved_at WHERE t.seq < excluded.seq "
        "RETURNING t.attempt_id, t.slot, t.response) "
        f"UPDATE {attempts} AS t SET last_seq = (e->>1)::bigint, last_seen_at = %s, answered = CASE WHEN "
        f"(e->>2)::boolean THEN (SELECT COUNT(*) FROM {answers} a WHERE a.attempt_id = t.id AND a.response IS NOT "
        "NULL AND NOT EXISTS (SELECT 1 FROM cur WHERE cur.attempt_id = a.attempt_id AND cur.slot = a.slot)) + "
        "(SELECT COUNT(*) FROM cur WHERE cur.attempt_id = t.id AND cur.response IS NOT NULL) ELSE t.answered END "
        "FROM jsonb_array_elements(%s::jsonb) AS e WHERE t.id = (e->>0)::bigint RETURNING t.id, t.answered"
    )


def _save_result(plan: _SavePlan, answered: dict[int, int]) -> dict:
    """A written request's answer, once the batch is committed (a closed attempt past its deadline is submitted
    now)."""
    attempt, seqs = plan.attempt, plan.seqs
    if plan.closed:
        result = {"acked": sorted(plan.replays), "refused": sorted(set(seqs) - plan.replays)}
        if attempt.status == AttemptStatus.IN_PROGRESS:  # past the deadline: the server submits it
            attempt = submit_attempt(attempt=attempt, auto=True)
    else:
        attempt.answered = answered[attempt.pk]
        result = {"acked": sorted(set(seqs) - {seq for seq in seqs if seq < 1}), "refused": []}
    result.update(
        status=attempt.status, seconds_left=attempt.seconds_left(), last_seq=attempt.last_seq, answered=attempt.answered
    )
    return result


def _lock_attempts(attempt_ids: list[int]) -> dict[int, Attempt]:
    """The attempts, locked (``FOR UPDATE OF`` the attempt rows alone, in the order of their ids), with their
    sittings and their exam codes' ids and revisions — not the codes' layouts: ``_slot_index`` keeps those per
    process. One raw statement (``_LockPlan``): building the same query through the ORM cost more than running it.
    On PostgreSQL the ids are one parameter (an array's text), so the statement's text is the same for any number
    and is prepared once."""
    if not attempt_ids:
        return {}
    connection = transaction.get_connection()
    plan = _LockPlan.of(connection)
    if connection.vendor == "postgresql":
        sql, params = plan.sql, ["{" + ",".join(str(int(pk)) for pk in attempt_ids) + "}"]
    else:
        sql, params = plan.sql.replace("%s", ", ".join(["%s"] * len(attempt_ids))), list(attempt_ids)
    with _hot_cursor(connection) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n, m = plan.split
    attempts, sittings, variants = {}, {}, {}
    for row in rows:  # a batch's attempts share a few sittings and codes: each is built once (one snapshot)
        attempt = plan.attempt.build(connection, row[:n])
        if attempt.sitting_id not in sittings:
            sittings[attempt.sitting_id] = plan.sitting.build(connection, row[n:m])
        if attempt.variant_id not in variants:
            variants[attempt.variant_id] = plan.variant.build(connection, row[m:])
        attempt.sitting, attempt.variant = sittings[attempt.sitting_id], variants[attempt.variant_id]
        attempts[attempt.pk] = attempt
    return attempts


class _Rows:
    """How raw rows of one model's columns become instances as the ORM would build them (SQLite returns datetimes
    and durations as text, say): the columns' converters, looked up once per process and database."""

    def __init__(self, connection, model, fields) -> None:
        self.model, self.names = model, [f.attname for f in fields]
        self.converters = []  # (column index, column, its converters), only the columns that have any
        for index, field in enumerate(fields):
            col = field.get_col(model._meta.db_table)
            funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if funcs:
                self.converters.append((index, col, funcs))

    def build(self, connection, values):
        values = list(values)
        for index, col, funcs in self.converters:
            value = values[index]
            for converter in funcs:
                value = converter(value, col, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.names, values)


class _LockPlan:
    """The save and start batches' locking statement and its row builders, made once per process and database."""

    _plans: dict[tuple, _LockPlan] = {}

    def __init__(self, connection) -> None:
        attempt_fields = list(Attempt._meta.concrete_fields)
        sitting_fields = list(Sitting._meta.concrete_fields)
        variant_fields = [
            Variant._meta.get_field(name) for name in ("id", "test", "number", "code", "revision", "created_at")
        ]
        quote = connection.ops.quote_name
        columns = [f"a.{quote(f.column)}" for f in attempt_fields]
        columns += [f"s.{quote(f.column)}" for f in sitting_fields]
        columns += [f"v.{quote(f.column)}" for f in variant_fields]
        where = "a.id = ANY(%s::bigint[])" if connection.vendor == "postgresql" else "a.id IN (%s)"
        sql = (
            f"SELECT {', '.join(columns)} FROM {Attempt._meta.db_table} a "  # noqa: S608
            f"JOIN {Sitting._meta.db_table} s ON s.id = a.sitting_id "
            f"JOIN {Variant._meta.db_table} v ON v.id = a.variant_id WHERE {where} ORDER BY a.id"
        )
        if connection.features.has_select_for_update_of:
            sql += " FOR UPDATE OF a"
        elif connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        self.sql = sql
        self.split = (len(attempt_fields), len(attempt_fields) + len(sitting_fields))
        self.attempt = _Rows(connection, Attempt, attempt_fields)
        self.sitting = _Rows(connection, Sitting, sitting_fields)
        self.variant = _Rows(connection, Variant, variant_fields)

    @classmethod
    def of(cls, connection) -> _LockPlan:
        key = (connection.alias, connection.vendor)
        plan = cls._plans.get(key)
        if plan is None:
            plan = cls._plans[key] = cls(connection)
        return plan


_SLOT_INDEXES: dict[tuple, dict[str, dict]] = {}


def _slot_index(variant: Variant) -> dict[str, dict]:
    """``{slot number as text: slot}`` of an exam code (``codecache.per_code``)."""
    return per_code(
        _SLOT_INDEXES, variant, lambda layout: {str(s["slot"]): s for part in layout["parts"] for s in part["slots"]}
    )


def _json_param(field, value, connection):
    return field.get_db_prep_save(value, connection) if value is not None else None


def _hot_cursor(connection):
    """A cursor for the save path's few statements. On PostgreSQL it binds the parameters on the server, so psycopg
    prepares each statement once per connection (after ``prepare_threshold`` uses) instead of PostgreSQL parsing and
    planning it on every save; the project's other queries keep Django's client-side binding. (Behind a pooler in
    transaction mode this needs one that keeps prepared statements, e.g. PgBouncer ≥ 1.21 with
    ``max_prepared_statements``.) Elsewhere: the usual cursor. Wrapped as Django wraps its own, so the statements
    are logged, counted in tests and their errors translated."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    if connection.timezone_name == "UTC":
        raw.adapters.register_loader("timestamptz", _timestamptz_loader())
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


@functools.cache
def _timestamptz_loader():
    """psycopg's own loader of ``timestamptz`` text (C, in psycopg's binary build): it gives the datetime in the
    connection's time zone, UTC here (``USE_TZ``, no database ``TIME_ZONE``: Django sets the session's). Django
    registers a Python subclass of it, for databases kept in local time; on the save path, whose locked rows carry
    eight datetimes each, its parsing was a fifth of the batch's CPU."""
    from psycopg.types.datetime import TimestamptzLoader

    return TimestamptzLoader


def _insert_answer_events(attempt: Attempt, valid: list[tuple[int, int, object]], now, ip) -> None:
    """Write the change log once per (attempt, seq): a replay of a seq already logged is left out."""
    if not valid:
        return
    connection = transaction.get_connection()
    meta = AnswerEvent._meta
    response_field = meta.get_field("response")
    columns = ("attempt_id", "seq", "slot", "response", "received_at", "ip")
    received = meta.get_field("received_at").get_db_prep_save(now, connection)
    params: list = []
    for seq, slot_no, response in valid:
        params += [attempt.pk, seq, slot_no, _json_param(response_field, response, connection), received, ip]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {meta.db_table} ({', '.join(columns)}) VALUES {', '.join([row] * len(valid))} "  # noqa: S608
        "ON CONFLICT (attempt_id, seq) DO NOTHING"
    )
    with _hot_cursor(connection) as cursor:
        cursor.execute(sql, params)


def _upsert_answers(attempt: Attempt, fresh: dict[int, tuple[int, object]], now) -> None:
    """One statement for the current answers: insert, or overwrite only an answer written by an older change."""
    connection = transaction.get_connection()
    meta = Answer._meta
    response_field = meta.get_field("response")
    saved = meta.get_field("saved_at").get_db_prep_save(now, connection)
    params: list = []
    for slot_no, (seq, response) in fresh.items():
        params += [attempt.pk, slot_no, _json_param(response_field, response, connection), seq, saved, ""]
    row = "(%s, %s, %s, %s, %s, %s)"
    table = meta.db_table
    sql = (
        f"INSERT INTO {table} (attempt_id, slot, response, seq, saved_at, detail) VALUES "  # noqa: S608
        f"{', '.join([row] * len(fresh))} ON CONFLICT (attempt_id, slot) DO UPDATE SET response = excluded.response, "
        f"seq = excluded.seq, saved_at = excluded.saved_at WHERE {table}.seq < excluded.seq"
    )
    with _hot_cursor(connection) as cursor:
        cursor.execute(sql, params)


def _update_attempt_counters(attempt: Attempt, *, count: bool) -> int:
    """Save last_seq / last_seen_at (and the number of questions answered, when answers changed) in one UPDATE;
    returns the number answered."""
    connection = transaction.get_connection()
    table, answers = Attempt._meta.db_table, Answer._meta.db_table
    seen = Attempt._meta.get_field("last_seen_at").get_db_prep_save(attempt.last_seen_at, connection)
    answered = (
        f"(SELECT COUNT(*) FROM {answers} WHERE {answers}.attempt_id = {table}.id "  # noqa: S608
        f"AND {answers}.response IS NOT NULL)"
        if count
        else "answered"
    )
    with _hot_cursor(connection) as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = %s, last_seen_at = %s, answered = {answered} "  # noqa: S608
            "WHERE id = %s RETURNING answered",
            [attempt.last_seq, seen, attempt.pk],
        )
        return cursor.fetchone()[0]


def record_refused_save_events(*, attempt_id: int, student, events: Iterable[dict], ip=None, device=None) -> int:
    """The focus events of a save that was refused for a bad change are still kept (not from a replaced device)."""
    attempt = Attempt.objects.filter(pk=attempt_id, student=student).first()
    if attempt is None or _from_other_device(attempt, device):
        return 0
    return record_events(attempt=attempt, events=events, ip=ip)


def _from_other_device(attempt: Attempt, device: str | None) -> bool:
    """The request comes from a browser other than the one the attempt is bound to (``device`` None: not checked,
    a service call; "" a browser without the device cookie, which is another device too)."""
    return bool(attempt.device) and device is not None and device != attempt.device


@transaction.atomic
def record_events(*, attempt: Attempt, events: Iterable[dict], ip=None) -> int:
    """Focus-loss events from the browser (``{"kind": "blur"|"focus", "at": iso}``); the server's clock is kept."""
    kinds = {EventKind.FOCUS_LOST.value, EventKind.FOCUS_BACK.value}
    rows = [
        AttemptEvent(attempt=attempt, kind=e["kind"], ip=ip, detail=str(e.get("at", ""))[:40])
        for e in events
        if isinstance(e, dict) and e.get("kind") in kinds
    ][:100]
    AttemptEvent.objects.bulk_create(rows)
    lost = sum(1 for r in rows if r.kind == EventKind.FOCUS_LOST)
    if lost:
        Attempt.objects.filter(pk=attempt.pk).update(focus_losses=F("focus_losses") + lost)
        attempt.focus_losses += lost
    return len(rows)


def submit_attempt(*, attempt: Attempt, auto: bool = False, ip=None, student=None) -> Attempt:
    """Close the attempt and grade it. ``auto``: done by the server at time-up. ``student``: the one submitting,
    checked against the locked attempt (``PermissionDenied`` for another's). A batch of one (``submit_batch``)."""
    return submit_request(SubmitRequest(attempt_id=attempt.pk, student=student, ip=ip, auto=auto))


@dataclasses.dataclass
class SubmitRequest:
    """One submission for ``submit_batch``: the student's (checked against the attempt) or the server's at time-up
    (``auto``, no student). ``language``: the language its refusal is written in (None: the active one)."""

    attempt_id: int
    student: object = None
    ip: str | None = None
    auto: bool = False
    language: str | None = None


def submit_request(request: SubmitRequest) -> Attempt:
    """One submission written alone: the attempt, or the error refusing it raised."""
    return result_or_raise(submit_batch([request])[0])


def submit_batch(requests: list[SubmitRequest]) -> list[Attempt | Exception]:
    """Close and grade several attempts in **one transaction** (group commit, as ``save_batch``): one outcome per
    request, in order — the attempt, submitted now or before (a second submit changes nothing), or the error refusing
    it (``Attempt.DoesNotExist``, ``PermissionDenied``, ``ValidationError`` before the start); a refused request does
    not stop the others. A database error raises (nothing of the batch is written). At most one request per attempt.

    At time-up a whole room submits within seconds, so a batch costs a few statements whatever its size: the
    attempts locked with one (``_lock_attempts``, as a save locks them), their answers read with one, the answers'
    points written with one, the attempts' status and score with one, the events with one, and one commit. Each
    exam code's questions are parsed for grading once per process (``_grading_slots``). Each submitted attempt
    carries ``graded_answers`` (``{slot: (response, points)}``) for the result shown with the reply."""
    _one_per_attempt(requests, "submit_batch")
    outcomes: list = [None] * len(requests)
    closing: list[tuple[Attempt, SubmitRequest]] = []
    connection = transaction.get_connection()
    with connection.wrap_database_errors, transaction.atomic():
        attempts = _lock_attempts([r.attempt_id for r in requests])
        now = timezone.now()
        for index, (attempt, closes) in _plan_each(requests, attempts, now, _plan_submit, outcomes):
            outcomes[index] = attempt
            if closes:
                closing.append((attempt, requests[index]))
        submitted = [attempt for attempt, _request in closing]
        _grade_attempts(submitted)
        _write_submitted(submitted)
        _insert_attempt_events(
            [
                AttemptEvent(attempt=a, kind=EventKind.AUTO_SUBMIT if r.auto else EventKind.SUBMIT, at=now, ip=r.ip)
                for a, r in closing
            ]
        )
    return outcomes


def _plan_submit(request: SubmitRequest, attempt: Attempt | None, now) -> tuple[Attempt, bool]:
    """Check one submission against its (locked) attempt: ``(attempt, to be closed now)``, its fields set as they are
    to be written; raises what refuses it."""
    if attempt is None:
        raise Attempt.DoesNotExist
    if request.student is not None and attempt.student_id != request.student.pk:
        raise PermissionDenied
    if attempt.status == AttemptStatus.SUBMITTED:
        return attempt, False
    if attempt.status == AttemptStatus.READY or (attempt.opens_later(now) and not request.auto):
        raise ValidationError(_("The test has not been started."))
    attempt.status, attempt.submitted_at, attempt.auto_submitted = AttemptStatus.SUBMITTED, now, request.auto
    return attempt, True


_SCORE_FIELDS = ("points", "max_points", "needs_marking")
_SUBMIT_FIELDS = ("status", "submitted_at", "auto_submitted", *_SCORE_FIELDS)


def _write_submitted(attempts: list[Attempt]) -> None:
    """Write the submitted attempts' status and score (``_write_attempt_fields``)."""
    _write_attempt_fields(attempts, _SUBMIT_FIELDS)


def grade_attempt(attempt: Attempt, *, save: bool = True) -> Attempt:
    """Score every question with the bank's scoring (the variant's content, whose key follows its shuffle). An
    essay is scored from the teacher's ``EssayMark`` and needs marking until it has one. The answers' points are
    written; the attempt's total too unless ``save`` is false (the caller saves it with its other fields)."""
    _grade_attempts([attempt])
    if save:
        attempt.save(update_fields=list(_SCORE_FIELDS))
    return attempt


def _grade_attempts(attempts: list[Attempt]) -> None:
    """``grade_attempt`` of several attempts (their exam codes loaded): their answers read with one query, the essay
    marks with one more if a code has essays, every answer's points written with one statement; each attempt's
    ``points``, ``max_points``, ``needs_marking`` and ``graded_answers`` set, not saved."""
    from lms.exams.models import EssayMark

    if not attempts:
        return
    slots_of = {a.pk: _grading_slots(a.variant) for a in attempts}
    answers: dict[int, dict[int, tuple]] = {a.pk: {} for a in attempts}
    for attempt_id, pk, slot, response in (
        Answer.objects.filter(attempt_id__in=list(answers))
        .order_by()
        .values_list("attempt_id", "pk", "slot", "response")
    ):
        answers[attempt_id][slot] = (pk, response)
    essays = [pk for pk, slots in slots_of.items() if any(c.type == bank_api.QType.ESSAY for _s, c in slots)]
    marks: dict[tuple[int, int], object] = {}
    if essays:
        marks = {(m.attempt_id, m.slot): m for m in EssayMark.objects.filter(attempt_id__in=essays).order_by()}
    update = []
    for attempt in attempts:
        total, maximum, needs_marking, graded = ZERO, ZERO, False, {}
        mine = answers[attempt.pk]
        for slot_no, content in slots_of[attempt.pk]:
            answer = mine.get(slot_no)
            if content.type == bank_api.QType.ESSAY:
                mark = marks.get((attempt.pk, slot_no))
                result = bank_api.Score(mark.points if mark else ZERO, content.points, needs_marking=mark is None)
            else:
                result = bank_api.score(content, answer[1] if answer else None)
            if content.type == "group" and result.max_points and result.max_points != content.points:
                # a câu chùm's parts carry their bank points; the test gives the whole group the slot's points
                scaled = (content.points * result.points / result.max_points).quantize(Decimal("0.01"), ROUND_HALF_UP)
                result.points, result.max_points = scaled, content.points
            total += result.points
            maximum += result.max_points
            needs_marking = needs_marking or result.needs_marking
            if answer:
                update.append((answer[0], result.points, result.detail[:200]))
                graded[slot_no] = (answer[1], result.points)
        attempt.points, attempt.max_points, attempt.needs_marking = total, maximum, needs_marking
        attempt.graded_answers = graded
    _write_answer_points(update)


_GRADING: dict[tuple, list] = {}


def _grading_slots(variant: Variant) -> list[tuple[int, object]]:
    """``[(slot number, question)]`` of an exam code: each slot's content as the code shows it (its options' order,
    its key), parsed into the bank's question with the slot's points, once per (code, revision) in a process
    (``codecache.per_code``). The questions are shared: scoring only reads them."""

    def build(layout) -> list[tuple[int, object]]:
        slots = []
        for part in layout["parts"]:
            for slot in part["slots"]:
                content = bank_api.QuestionContent.from_content(slot["content"])
                content.points = Decimal(slot["points"])
                slots.append((slot["slot"], content))
        return slots

    return per_code(_GRADING, variant, build)


def _write_answer_points(rows: list[tuple[int, Decimal, str]]) -> None:
    """The graded answers' ``(id, points, detail)``: on PostgreSQL one statement whose rows are one JSON parameter
    (``jsonb_array_elements``, encoded by ``json``'s C encoder; psycopg's array dumper cost a quarter of a submit's
    CPU) — at time-up a whole room is graded at once, and ``bulk_update``'s CASE expression cost more to build than
    to run — elsewhere ``bulk_update``."""
    if not rows:
        return
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        answers = [Answer(pk=pk, points=points, detail=detail) for pk, points, detail in rows]
        Answer.objects.bulk_update(answers, ["points", "detail"])
        return
    data = json.dumps([(pk, str(points), detail) for pk, points, detail in rows], ensure_ascii=False)
    with _hot_cursor(connection) as cursor:
        cursor.execute(
            f"UPDATE {Answer._meta.db_table} AS t SET points = (r->>1)::numeric, detail = r->>2 "  # noqa: S608
            "FROM jsonb_array_elements(%s::jsonb) AS r WHERE t.id = (r->>0)::bigint",
            [data],
        )


def expire_if_due(attempt: Attempt) -> Attempt:
    """The check made on every request: an attempt past its deadline (and the grace) is submitted by the server."""
    if attempt.status == AttemptStatus.IN_PROGRESS and attempt.deadline:
        grace = timedelta(seconds=delivery_rules(attempt.sitting.delivery_rules).save_grace_seconds)
        if timezone.now() > attempt.deadline + grace:
            return submit_attempt(attempt=attempt, auto=True)
    return attempt


def submit_expired(*, sitting: Sitting | None = None) -> int:
    """Submit every attempt whose time is up (the periodic task and the management command call this)."""
    now = timezone.now()
    due = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lt=now).select_related("sitting")
    if sitting is not None:
        due = due.filter(sitting=sitting)
    requests = []
    for attempt in due.order_by("pk"):
        grace = timedelta(seconds=delivery_rules(attempt.sitting.delivery_rules).save_grace_seconds)
        if now > attempt.deadline + grace:
            requests.append(SubmitRequest(attempt_id=attempt.pk, auto=True))
    done = 0
    for start in range(0, len(requests), 64):  # a room whose time is up: a few batches, not a transaction each
        for outcome in submit_batch(requests[start : start + 64]):
            if isinstance(outcome, BaseException):  # (gone meanwhile): the others are submitted all the same
                logger.warning("time-up submission refused: %r", outcome)
                continue
            done += getattr(outcome, "graded_answers", None) is not None  # (closed by this batch)
    return done


# ------------------------------------------------------------------------------------------------ item analysis
@transaction.atomic
def flag_items_for_review(*, sitting: Sitting, user) -> int:
    """Post the figures of every flagged question as a comment on it in the bank (the authors and the tổ trưởng see
    it with the question). A question is flagged by its own figures or by those of one of its parts (a Đúng/Sai
    statement, a matching pair, an ordering position, a cloze gap, a câu chùm sub-question): the comment gives the
    question's figures and those of each part that triggered it. Returns how many questions were flagged."""
    from lms.exams.analysis import part_name
    from lms.exams.selectors import item_analysis

    if not courses_api.can_edit_course(user, sitting.course):
        raise PermissionDenied
    report = item_analysis(sitting)
    flagged = 0
    for row in report["rows"]:
        s = row["stats"]
        reasons = s.review_reasons
        if not reasons:
            continue
        version = bank_api.QuestionVersion.objects.select_related("question").get(pk=row["version"])
        lines = [
            _(
                "Item analysis of %(sitting)s (%(n)s students): facility %(p)s, discrimination %(d)s, point-biserial "
                "%(r)s, item–rest correlation %(ir)s."
            )
            % {
                "sitting": sitting,
                "n": s.n,
                "p": _fmt(s.facility),
                "d": _fmt(s.discrimination),
                "r": _fmt(s.point_biserial),
                "ir": _fmt(s.item_rest),
            }
        ]
        for reason in reasons:
            flags = ", ".join(str(FLAG_LABELS.get(f, f)) for f in reason["flags"])
            if not reason["path"]:
                lines.append(_("Flagged: %(flags)s.") % {"flags": flags})
                continue
            lines.append(
                _("%(where)s: facility %(p)s, discrimination %(d)s, item–rest correlation %(ir)s. Flagged: %(flags)s.")
                % {
                    "where": " › ".join(part_name(kind, number, label) for kind, number, label in reason["path"]),
                    "p": _fmt(reason["facility"]),
                    "d": _fmt(reason["discrimination"]),
                    "ir": _fmt(reason["item_rest"]),
                    "flags": flags,
                }
            )
        bank_api.add_comment(question=version.question, author=user, text=" ".join(lines), version=version)
        flagged += 1
    return flagged


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


FLAG_LABELS = {
    "discrimination": gettext_lazy("discrimination below 0,2"),
    "facility": gettext_lazy("facility outside 0,2–0,9"),
}


# ------------------------------------------------------------------------------------- force majeure (R12, TT 09)
@transaction.atomic
def record_force_majeure(*, sitting: Sitting, by, number: str, decided_on, reason: str, students) -> object:
    """The principal's decision (TT 09/2021 Art. 6(2)) letting the named students of the class take a periodic test
    off site. Only the school's principal records it; it is audit-logged with the students' names."""
    from lms.exams.models import AuditAction, AuditEntry, ForceMajeureDecision

    principal = schools_api.get_principal(sitting.test.school)
    if principal is None or principal.pk != by.pk:
        raise PermissionDenied(_("Only the principal records a force-majeure decision."))
    if not sitting.is_periodic:
        raise ValidationError(_("Only a mid-term or end-of-term test needs a force-majeure decision."))
    number, reason, students = number.strip(), reason.strip(), list(students)
    if not number or not reason:
        raise ValidationError(_("Give the decision number and the reason."))
    if not students:
        raise ValidationError(_("Choose the students the decision names."))
    in_class = set(sitting.attempts.values_list("student_id", flat=True))
    outside = [s for s in students if s.pk not in in_class]
    if outside:
        raise ValidationError(
            _("%(names)s did not sit this test.")
            % {"names": ", ".join(s.get_full_name() or s.username for s in outside)}
        )
    decision = ForceMajeureDecision.objects.create(
        sitting=sitting, number=number, decided_on=decided_on, reason=reason, recorded_by=by
    )
    decision.students.set(students)
    AuditEntry.objects.create(
        action=AuditAction.FORCE_MAJEURE,
        by=by,
        sitting=sitting,
        test=sitting.test,
        reason=reason,
        data={
            "number": number,
            "decided_on": decided_on.isoformat(),
            "students": [{"id": s.pk, "username": s.username, "name": s.get_full_name()} for s in students],
        },
    )
    return decision


# ------------------------------------------------------------------------------------------------ essay marking
def essay_criteria(slot: dict) -> list[dict]:
    """The criteria a marker gives points for: the question's rubric (text, max points on the rubric's scale), or one
    overall criterion worth the slot's points."""
    rubric = slot["content"].get("rubric") or []
    if rubric:
        return [{"index": i, "text": r["text"], "max": Decimal(str(r["points"]))} for i, r in enumerate(rubric)]
    return [{"index": 0, "text": _("Overall"), "max": Decimal(slot["points"])}]


def _round(value: Decimal) -> Decimal:
    from decimal import ROUND_HALF_UP

    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def mark_essay(*, attempt: Attempt, slot: int, by, criteria: dict, comment: str = "") -> Attempt:
    """A teacher of the course marks one essay of a submitted attempt: points per criterion (Decimal, 0 ≤ points ≤
    the criterion's maximum), and a comment. The slot is worth sum × slot points / rubric total (half-up, 0,01); the
    attempt's total is recomputed; the change is audit-logged (old → new)."""
    from decimal import InvalidOperation

    from lms.exams.models import AuditAction, AuditEntry, EssayMark

    attempt = Attempt.objects.select_for_update().select_related("sitting__course", "variant").get(pk=attempt.pk)
    if not courses_api.can_edit_course(by, attempt.sitting.course):
        raise PermissionDenied(_("Only a teacher of the course marks its tests."))
    if attempt.status != AttemptStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted attempt is marked."))
    found = [s for s in attempt.variant.slots() if s["slot"] == int(slot)]
    if not found or found[0]["content"]["type"] != "essay":
        raise ValidationError(_("Question %(n)s is not an essay of this test.") % {"n": slot})
    slot_data = found[0]
    points_by, errors, total, top = {}, [], ZERO, ZERO
    for criterion in essay_criteria(slot_data):
        raw = criteria.get(criterion["index"], criteria.get(str(criterion["index"]), ""))
        try:
            given = Decimal(str(raw).strip().replace(",", ".") or "0")
        except InvalidOperation:
            errors.append(_("%(c)s: %(v)s is not a number.") % {"c": criterion["text"], "v": raw})
            continue
        if not given.is_finite() or given < 0 or given > criterion["max"]:
            errors.append(
                _("%(c)s: the points are between 0 and %(max)s.")
                % {"c": criterion["text"], "max": format_points(criterion["max"])}
            )
            continue
        points_by[str(criterion["index"])] = str(given)
        total += given
        top += criterion["max"]
    if errors:
        raise ValidationError(errors)
    worth = Decimal(slot_data["points"])
    points = _round(total * worth / top) if top else ZERO
    old = EssayMark.objects.filter(attempt=attempt, slot=slot_data["slot"]).first()
    old_total = attempt.points
    EssayMark.objects.update_or_create(
        attempt=attempt,
        slot=slot_data["slot"],
        defaults={
            "criteria": points_by,
            "points": points,
            "comment": comment.strip(),
            "marked_by": by,
            "marked_at": timezone.now(),
        },
    )
    grade_attempt(attempt)
    AuditEntry.objects.create(
        action=AuditAction.ESSAY_MARKED,
        by=by,
        sitting=attempt.sitting,
        attempt=attempt,
        data={
            "slot": slot_data["slot"],
            "criteria": points_by,
            "old_points": str(old.points) if old else None,
            "new_points": str(points),
            "old_total": str(old_total) if old_total is not None else None,
            "new_total": str(attempt.points),
        },
    )
    return attempt


# ----------------------------------------------------------------------------------------- key corrections, regrade
def content_with_key(content: dict, key: str) -> dict:
    """``content`` (the bank's labels) with the key a teacher typed: "B" / "AC" for choice types (labels of the bank's
    version, not of an exam code), "ĐSĐS" for Đúng/Sai, the number (decimal comma) for numeric, the text for short
    answer. A key that does not fit the question raises ``ValidationError`` saying why."""
    import copy

    out, key = copy.deepcopy(content), (key or "").strip()
    qtype = out["type"]
    if not key:
        raise ValidationError(_("Type the corrected key."))
    if qtype in ("single_choice", "multiple_response", "true_false"):
        labels = [c["label"] for c in out.get("choices", [])]
        chosen = list(key.upper().replace(",", "").replace(" ", ""))
        if any(ch not in labels for ch in chosen) or (qtype != "multiple_response" and len(chosen) != 1):
            raise ValidationError(
                _("The key must be %(what)s among %(labels)s.")
                % {"what": _("one label") if qtype != "multiple_response" else _("labels"), "labels": ", ".join(labels)}
            )
        for c in out["choices"]:
            c["correct"] = c["label"] in chosen
            c["fraction"] = None
    elif qtype == "true_false_4":
        marks = key.upper().replace(" ", "").replace("D", "Đ")
        statements = out.get("statements", [])
        if len(marks) != len(statements) or any(m not in "ĐS" for m in marks):
            raise ValidationError(
                _("Write Đ or S for each of the %(n)s statements, e.g. ĐSĐS.") % {"n": len(statements)}
            )
        for statement, mark in zip(statements, marks, strict=True):
            statement["true"] = mark == "Đ"
    elif qtype == "numeric":
        from decimal import InvalidOperation

        try:
            value = Decimal(key.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("%(key)s is not a number.") % {"key": key}) from None
        first = dict(out["numeric"][0]) if out.get("numeric") else {"tolerance": "0", "fraction": "1", "feedback": ""}
        first["value"] = str(value)
        out["numeric"] = [first]
    elif qtype == "short_answer":
        out["answers"] = [{"text": key, "fraction": "1", "feedback": ""}]
    else:
        raise ValidationError(_("The key of a %(type)s question is not corrected here.") % {"type": qtype})
    return out


def _shown_content(base: dict, slot: dict) -> dict:
    """``base`` (the bank's labels) as this exam code shows it: the options in the code's order, relabelled A, B…"""
    import copy

    content = copy.deepcopy(base)
    content["points"] = slot["points"]
    order = slot.get("choice_order") or []
    if order:
        by_label = {c["label"]: c for c in content.get("choices", [])}
        if sorted(by_label) != sorted(order):
            raise ValidationError(_("The corrected question has other options than the one in the test."))
        content["choices"] = [dict(by_label[label], label=shuffle.CHOICE_LABELS[i]) for i, label in enumerate(order)]
    return content


def key_table(test: Test) -> list[dict]:
    """The questions of the test's codes (by the first code's order of the test): version id, question id, part,
    type, the key in the bank's labels, and the newest ready version of the same question when it is newer."""
    first = test.variants.order_by("number").first()
    if first is None:
        return []
    rows = []
    for part in first.layout["parts"]:
        for slot in sorted(part["slots"], key=lambda s: s["original_position"]):
            rows.append({"part": part["code"], "slot": slot, "version": slot["version"]})
    versions = {
        v.pk: v
        for v in bank_api.QuestionVersion.objects.filter(pk__in=[r["version"] for r in rows]).select_related("question")
    }
    newest: dict[int, object] = {}
    for v in bank_api.QuestionVersion.objects.filter(
        question_id__in=[v.question_id for v in versions.values()], status=bank_api.VersionStatus.READY
    ).order_by("number"):
        newest[v.question_id] = v
    corrections = {c.version_id: c for c in test.key_corrections.order_by("at", "pk")}
    for number, row in enumerate(rows, start=1):
        version = versions[row["version"]]
        current = corrections[version.pk].content if version.pk in corrections else version.content
        latest = newest.get(version.question_id)
        row.update(
            number=number,
            question=version.question,
            type=version.question.type,
            key=bank_api.QuestionContent.from_content(current).key,
            newer=latest if latest and latest.number > version.number else None,
            correction=corrections.get(version.pk),
        )
    return rows


def may_correct(user, test: Test) -> bool:
    """The author, a teacher of a course the test was given to, the subject-group head or the principal."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.pk == test.created_by_id or can_approve(user, test):
        return True
    return any(courses_api.can_edit_course(user, s.course) for s in test.sittings.select_related("course"))


@transaction.atomic
def correct_key(*, test: Test, version_id: int, by, reason: str, key: str = "", new_version=None):
    """Correct the key of one question of an approved test, in every exam code (through each code's shuffle): typed
    (``key`` in the bank's labels) or from a newer ready version of the question. Recorded as a ``KeyCorrection`` and
    audit-logged (old → new key per code). Attempts are regraded by ``regrade_test``."""
    from lms.exams.models import AuditAction, AuditEntry, KeyCorrection

    test = Test.objects.select_for_update().get(pk=test.pk)
    if not may_correct(by, test):
        raise PermissionDenied(
            _("Only the author, a teacher who gave the test, the subject-group head or the principal corrects its key.")
        )
    if not reason.strip():
        raise ValidationError(_("Say why the key is corrected."))
    variants = list(test.variants.select_for_update().order_by("number"))
    pinned = bank_api.QuestionVersion.objects.select_related("question").filter(pk=version_id).first()
    if pinned is None or not any(s["version"] == pinned.pk for s in variants[0].slots()):
        raise ValidationError(_("That question is not in this test."))
    previous = test.key_corrections.filter(version=pinned).order_by("-at", "-pk").first()
    base = previous.content if previous else pinned.content
    if new_version is not None:
        if new_version.question_id != pinned.question_id or new_version.status != bank_api.VersionStatus.READY:
            raise ValidationError(_("Use a ready version of the same question."))
        corrected = dict(new_version.content)
        if corrected["type"] != base["type"]:
            raise ValidationError(_("The new version is of another question type."))
    else:
        corrected = content_with_key(base, key)
    changes = []
    for variant in variants:
        for part in variant.layout["parts"]:
            for index, slot in enumerate(part["slots"]):
                if slot["version"] != pinned.pk:
                    continue
                shown = _shown_content(corrected, slot)
                new_key = bank_api.QuestionContent.from_content(shown).key
                changes.append({"code": variant.code, "slot": slot["slot"], "old": slot["key"], "new": new_key})
                part["slots"][index] = dict(slot, content=shown, key=new_key)
                variant.key[str(slot["slot"])] = new_key
        variant.revision += 1
        variant.save(update_fields=["layout", "key", "revision"])
    correction = KeyCorrection.objects.create(
        test=test, version=pinned, new_version=new_version, content=corrected, reason=reason.strip(), by=by
    )
    AuditEntry.objects.create(
        action=AuditAction.KEY_CORRECTED,
        by=by,
        test=test,
        reason=reason.strip(),
        data={"version": pinned.pk, "new_version": new_version.pk if new_version else None, "codes": changes},
    )
    return correction


class RegradeResult(list):
    """What ``regrade_test`` returns: the list of attempts whose total changed (``{"attempt", "sitting", "student",
    "old", "new"}``) and, in ``gradebook``, what the receivers of ``attempts_regraded`` did with the marks already
    moved into a gradebook: ``{"updated": [...], "not_updated": [...]}`` (rows: student, where, old, new, why)."""

    def __init__(self, rows=(), gradebook=None):
        super().__init__(rows)
        self.gradebook = gradebook or {"updated": [], "not_updated": []}


def _score_snapshot(attempt: Attempt, rules):
    from lms.exams.signals import AttemptScore

    return AttemptScore(
        points=attempt.points,
        max_points=attempt.max_points,
        needs_marking=attempt.needs_marking,
        score_rules=rules,
        score=rules.score_10(attempt.points, attempt.max_points),
    )


@transaction.atomic
def regrade_test(*, test: Test, by, reason: str) -> RegradeResult:
    """Grade again every submitted attempt of every sitting of ``test`` with the codes' current keys (after a key
    correction); essay marks are kept. Audit-logged: who, why, old → new total per attempt. Idempotent: running it
    again changes nothing (and logs an entry with no changes).

    The attempts whose points changed are sent with ``signals.attempts_regraded`` in this same transaction: the
    gradebook updates the marks it took from those sittings (or says why it could not), and that report is returned
    in ``.gradebook`` and kept in the audit entry."""
    from lms.exams.models import AuditAction, AuditEntry
    from lms.exams.selectors import sitting_score_rules
    from lms.exams.signals import RegradedAttempt, attempts_regraded

    if not may_correct(by, test):
        raise PermissionDenied(
            _("Only the author, a teacher who gave the test, the subject-group head or the principal corrects its key.")
        )
    if not reason.strip():
        raise ValidationError(_("Say why the attempts are regraded."))
    attempts = (
        Attempt.objects.select_for_update()
        .filter(sitting__test=test, status=AttemptStatus.SUBMITTED)
        .select_related("variant", "student", "sitting")
        .order_by("sitting_id", "pk")
    )
    changed, regraded, rules_of = [], [], {}
    for attempt in attempts:
        if attempt.sitting_id not in rules_of:
            rules_of[attempt.sitting_id] = sitting_score_rules(attempt.sitting)
        rules = rules_of[attempt.sitting_id]
        before = _score_snapshot(attempt, rules)
        old = attempt.points
        grade_attempt(attempt)
        if old != attempt.points:
            changed.append(
                {
                    "attempt": attempt.pk,
                    "sitting": attempt.sitting_id,
                    "student": attempt.student.username,
                    "old": str(old) if old is not None else None,
                    "new": str(attempt.points),
                }
            )
            regraded.append(
                RegradedAttempt(
                    attempt_id=attempt.pk,
                    sitting_id=attempt.sitting_id,
                    student_id=attempt.student_id,
                    old=before,
                    new=_score_snapshot(attempt, rules),
                )
            )
    report = {"updated": [], "not_updated": []}
    if regraded:
        for _receiver, response in attempts_regraded.send(
            sender=Test, test=test, by=by, reason=reason.strip(), changes=regraded
        ):
            if isinstance(response, dict):
                report["updated"] += list(response.get("updated", []))
                report["not_updated"] += list(response.get("not_updated", []))
    AuditEntry.objects.create(
        action=AuditAction.REGRADED,
        by=by,
        test=test,
        reason=reason.strip(),
        data={"changed": changed, "gradebook": report},
    )
    return RegradeResult(changed, report)
