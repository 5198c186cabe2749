"""Course plans under TT 09/2021: items with release and due dates and their form (R2); "replaces in-person
teaching" only inside a force-majeure period the principal declared, which is audit-logged (R3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.courses import services
from lms.courses.models import DeliveryForm, ForceMajeureScope, ItemKind, PlanItem
from tests.courses.support import in_days, publish_lesson, yesterday


def _declare(setup, **overrides):
    today = timezone.localdate()
    fields = {
        "actor": setup.people.principal,
        "school": setup.people.school,
        "scope": ForceMajeureScope.CLASS,
        "school_class": setup.klass,
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=14),
        "reason": "Bão số 3: học sinh không thể đến trường.",
        "decision_number": "15/QĐ-THPT",
    }
    fields.update(overrides)
    return services.declare_force_majeure(**fields)


def test_a_lesson_item_records_the_revision_used(setup):
    item = services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        release_at=yesterday(),
        due_at=in_days(7),
        delivery_form=DeliveryForm.HO_TRO,
    )
    assert item.title == setup.lesson.title
    assert item.lesson_revision_id == setup.lesson.live_revision_id
    assert item.position == 1


def test_only_published_lessons_the_class_can_open_are_planned(setup):
    from content import api as content_api

    draft = content_api.create_lesson_draft(
        topic=setup.lesson.get_parent().specific, title="Bài 4. Bản nháp", author=setup.people.teacher
    )
    with pytest.raises(ValidationError, match=r"xuất bản|published"):
        services.add_plan_item(
            actor=setup.people.teacher,
            course=setup.course,
            kind=ItemKind.LESSON,
            lesson=draft,
            release_at=yesterday(),
            delivery_form=DeliveryForm.HO_TRO,
        )
    from tests.support.people import make_school_people

    elsewhere = publish_lesson(make_school_people(prefix="khac."), title="Bài 9. Của trường khác")
    with pytest.raises(ValidationError):
        services.add_plan_item(
            actor=setup.people.teacher,
            course=setup.course,
            kind=ItemKind.LESSON,
            lesson=elsewhere,
            release_at=yesterday(),
            delivery_form=DeliveryForm.HO_TRO,
        )


def test_references_to_practice_sets_and_tests_go_through_their_provider(setup):
    # Library items are checked against the library (tests/courses/test_library_items.py); tests and practice sets
    # against the provider lms.exams registers (tests/exams/test_plan_items.py, test_practice.py).
    from lms.courses import providers

    for kind in (ItemKind.PRACTICE, ItemKind.TEST):
        assert providers.get_provider(kind) is not None
        for reference in ("", "3f2c9a1e-0000-4000-8000-000000000001", "999999"):
            with pytest.raises(ValidationError):
                services.add_plan_item(
                    actor=setup.people.teacher,
                    course=setup.course,
                    kind=kind,
                    title="Mục",
                    reference=reference,
                    release_at=yesterday(),
                    delivery_form=DeliveryForm.HO_TRO,
                )
    # Without a registered provider the kind stays a typed reference with a title.
    registered = providers.get_provider(ItemKind.PRACTICE)
    providers.unregister(ItemKind.PRACTICE)
    try:
        with pytest.raises(ValidationError):
            services.add_plan_item(
                actor=setup.people.teacher,
                course=setup.course,
                kind=ItemKind.PRACTICE,
                title="Mục",
                release_at=yesterday(),
                delivery_form=DeliveryForm.HO_TRO,
            )
        item = services.add_plan_item(
            actor=setup.people.teacher,
            course=setup.course,
            kind=ItemKind.PRACTICE,
            title="Mục",
            reference="3f2c9a1e-0000-4000-8000-000000000001",
            release_at=yesterday(),
            delivery_form=DeliveryForm.HO_TRO,
        )
        assert (item.kind, item.reference, item.lesson) == (
            ItemKind.PRACTICE,
            "3f2c9a1e-0000-4000-8000-000000000001",
            None,
        )
    finally:
        providers.register(ItemKind.PRACTICE, registered)
    assert [i.position for i in setup.course.items.all()] == [1]


def test_due_date_must_follow_release(setup):
    with pytest.raises(ValidationError):
        services.add_plan_item(
            actor=setup.people.teacher,
            course=setup.course,
            kind=ItemKind.LESSON,
            lesson=setup.lesson,
            release_at=in_days(3),
            due_at=in_days(1),
            delivery_form=DeliveryForm.HO_TRO,
        )


@pytest.mark.parametrize("who", ["student", "parent", "group_head", "principal", "school_admin"])
def test_only_the_course_teacher_changes_the_plan(setup, who):
    with pytest.raises(PermissionDenied):
        services.add_plan_item(
            actor=getattr(setup.people, who),
            course=setup.course,
            kind=ItemKind.LESSON,
            lesson=setup.lesson,
            release_at=yesterday(),
            delivery_form=DeliveryForm.HO_TRO,
        )


def test_replacing_needs_a_force_majeure_period(setup):
    with pytest.raises(ValidationError, match=r"bất khả kháng|force-majeure"):
        services.add_plan_item(
            actor=setup.people.teacher,
            course=setup.course,
            kind=ItemKind.LESSON,
            lesson=setup.lesson,
            release_at=yesterday(),
            delivery_form=DeliveryForm.THAY_THE,
        )
    # The database refuses it too, whatever path writes the row.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.create(
            course=setup.course,
            kind=ItemKind.LESSON,
            lesson=setup.lesson,
            title="x",
            release_at=yesterday(),
            delivery_form=DeliveryForm.THAY_THE,
            created_by=setup.people.teacher,
        )


@pytest.mark.parametrize(
    ("scope", "extra"),
    [(ForceMajeureScope.SCHOOL, {}), (ForceMajeureScope.GRADE, {"grade": 10}), (ForceMajeureScope.CLASS, {})],
)
def test_replacing_is_allowed_inside_a_declared_period(setup, scope, extra):
    period = _declare(setup, scope=scope, **extra)
    item = services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        release_at=timezone.now(),
        due_at=in_days(3),
        delivery_form=DeliveryForm.THAY_THE,
    )
    assert item.force_majeure == period


def test_a_period_for_another_grade_or_outside_the_dates_does_not_count(setup):
    _declare(setup, scope=ForceMajeureScope.GRADE, grade=11)
    today = timezone.localdate()
    _declare(setup, starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=40))
    _declare(setup, ends_on=today + timedelta(days=2))  # ends before the item is due
    with pytest.raises(ValidationError):
        services.add_plan_item(
            actor=setup.people.teacher,
            course=setup.course,
            kind=ItemKind.LESSON,
            lesson=setup.lesson,
            release_at=timezone.now(),
            due_at=in_days(5),
            delivery_form=DeliveryForm.THAY_THE,
        )


@pytest.mark.parametrize("who", ["teacher", "group_head", "school_admin", "student", "parent"])
def test_only_the_principal_declares_force_majeure(setup, who):
    with pytest.raises(PermissionDenied):
        _declare(setup, actor=getattr(setup.people, who))


def test_a_declaration_needs_reason_and_decision_number_and_is_audit_logged(setup):
    with pytest.raises(ValidationError) as error:
        _declare(setup, reason=" ", decision_number="")
    assert set(error.value.message_dict) == {"reason", "decision_number"}
    period = _declare(setup)
    entry = ModelLogEntry.objects.get(action="courses.force_majeure_declared")
    assert entry.user_id == setup.people.principal.pk
    assert entry.object_id == str(period.pk)
    assert entry.data["decision_number"] == "15/QĐ-THPT"
    assert entry.data["class"] == "10A1"
    assert entry.data["reason"].startswith("Bão số 3")


def test_the_principal_declares_through_the_page(client, setup):
    from django.urls import reverse

    url = reverse("courses:force_majeure", args=[setup.people.school.code])
    today = timezone.localdate()
    client.force_login(setup.people.principal)
    response = client.post(
        url,
        {
            "scope": "grade",
            "grade": "10",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=7)).isoformat(),
            "reason": "Dịch bệnh",
            "decision_number": "20/QĐ-THPT",
        },
    )
    assert response.status_code == 302
    assert "20/QĐ-THPT" in client.get(url).content.decode()
    client.force_login(setup.people.school_admin)
    assert client.get(url).status_code == 200  # the administrator reads the list
    assert client.post(url, {"scope": "school"}).status_code == 403


def test_items_can_be_reordered(setup):
    make = lambda title: services.add_plan_item(  # noqa: E731
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        title=title,
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
    )
    a, _b, c = make("a"), make("b"), make("c")
    services.move_item(actor=setup.people.teacher, item=c, offset=-1)
    assert [i.title for i in setup.course.items.order_by("position")] == ["a", "c", "b"]
    services.move_item(actor=setup.people.teacher, item=a, offset=1)
    assert [i.title for i in setup.course.items.order_by("position")] == ["c", "a", "b"]
    with pytest.raises(PermissionDenied):
        services.move_item(actor=setup.people.student, item=a, offset=1)
