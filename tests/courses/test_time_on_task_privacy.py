"""Time on task under Luật 91/2025 and NĐ 356/2025 (R42, issue 9): every open and heartbeat is a behaviour event in
lms.privacy's own log; the course keeps a per student × item aggregate in which the seconds (learning analytics)
exist only while the student's learning_analytics consent holds; a withdrawal or a deletion request clears them.
Opening, completion, submissions and scores are core records and stay."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import TestCase
from django.urls import reverse

from lms.courses import selectors, services
from lms.courses.models import DeliveryForm, ItemActivity, ItemKind
from lms.privacy import services as privacy_services
from lms.privacy.models import BehaviourEvent, ProcessingEvent
from tests.courses.support import consent_to_analytics, in_days, yesterday

TRACKED = ("view", "time_on_task")


@pytest.fixture
def item(setup):
    return services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        release_at=yesterday(),
        due_at=in_days(5),
        delivery_form=DeliveryForm.HO_TRO,
    )


def _events(user):
    return list(
        BehaviourEvent.objects.filter(user=user, kind__in=TRACKED)
        .order_by("at", "pk")
        .values_list("kind", "seconds", "target", "school_id")
    )


def _seconds(student, item) -> int:
    return ItemActivity.objects.get(student=student, item=item).seconds_spent


def _acknowledged(people, kind):
    request = privacy_services.create_request(
        actor=people.parent, school=people.school, subject=people.student, kind=kind, details="Xin thực hiện."
    )
    return privacy_services.change_request_status(
        actor=people.school_admin, request=request, to_status="acknowledged", note="Đã tiếp nhận."
    )


def test_opening_and_heartbeats_are_behaviour_events(client, setup, item):
    student, school = setup.people.student, setup.people.school
    consent_to_analytics(student, setup.people.parent)
    client.force_login(student)
    assert client.get(reverse("courses:item", args=[item.pk])).status_code == 200
    for seconds in ("30", "500"):  # the second is capped at 60
        assert client.post(reverse("courses:heartbeat", args=[item.pk]), {"seconds": seconds}).status_code == 200
    target = f"courses.plan_item:{item.pk}"
    assert _events(student) == [
        ("view", None, target, school.pk),
        ("time_on_task", 30, target, school.pk),
        ("time_on_task", 60, target, school.pk),
    ]
    assert _seconds(student, item) == 90
    # A teacher opening the item is no student's behaviour and is not logged as such.
    client.force_login(setup.people.teacher)
    client.get(reverse("courses:item", args=[item.pk]))
    assert _events(setup.people.teacher) == []


def test_a_restricted_student_leaves_no_behaviour_events_and_no_time(client, setup, item):
    people = setup.people
    consent_to_analytics(people.student, people.parent)
    privacy_services.carry_out_request(actor=people.school_admin, request=_acknowledged(people, "restrict"))
    client.force_login(people.student)
    client.get(reverse("courses:item", args=[item.pk]))
    client.post(reverse("courses:heartbeat", args=[item.pk]), {"seconds": "40"})
    assert _events(people.student) == []
    # Opening the item is a core record (the teacher's list of who opened what) and stays; the time does not.
    activity = ItemActivity.objects.get(student=people.student, item=item)
    assert activity.first_opened_at is not None and activity.seconds_spent == 0


def test_the_dashboard_shows_time_only_with_consent(client, setup, item):
    people = setup.people
    consent_to_analytics(people.student, people.parent)
    for student in (people.student, setup.student2):
        services.record_item_opened(student=student, item=item)
        services.record_time_spent(student=student, item=item, seconds=45)
    # Both heartbeats are in the behaviour log; only the consenting student's seconds are kept by the course.
    assert len(_events(setup.student2)) == 2
    assert _seconds(people.student, item) == 45 and _seconds(setup.student2, item) == 0
    board = selectors.get_dashboard(setup.course)
    cells = {row.student.pk: row.cells[0] for row in board.rows}
    assert cells[people.student.pk].time_allowed and cells[people.student.pk].minutes == 1
    hidden = cells[setup.student2.pk]
    assert not hidden.time_allowed and hidden.minutes is None and hidden.seconds == 0
    assert hidden.opened_at is not None and hidden.started  # opening is a core record and shows

    client.force_login(people.teacher)
    page = client.get(reverse("courses:dashboard", args=[setup.course.pk])).content.decode()
    assert 'data-testid="time-hidden"' in page
    row_with = page.split(f'data-testid="row-{people.student.username}"')[1].split("</tr>")[0]
    row_without = page.split(f'data-testid="row-{setup.student2.username}"')[1].split("</tr>")[0]
    assert "1′" in row_with and "—" not in row_with
    assert "—" in row_without and "′" not in row_without
    text = client.get(reverse("courses:dashboard_export", args=[setup.course.pk, "csv"])).content.decode("utf-8-sig")
    rows = {r[2]: r for r in csv.reader(io.StringIO(text))}
    assert rows[people.student.get_full_name()][12] == "1"
    assert rows[setup.student2.get_full_name()][12] == "—"
    # The REST progress gives no number either.
    data = client.get(f"/api/v1/courses/{setup.course.pk}/progress").json()
    seconds = {row["student"]: row["cells"][0]["seconds_spent"] for row in data["students"]}
    assert seconds == {people.student.get_full_name(): 45, setup.student2.get_full_name(): None}


def test_an_adult_student_consents_alone_a_minor_without_a_parent_cannot(setup, item):
    people = setup.people
    type(people.student).objects.filter(pk=people.student.pk).update(date_of_birth=date(2000, 1, 1))
    people.student.refresh_from_db()
    consent_to_analytics(people.student)  # 18 or over: the student's own consent is enough
    type(setup.student2).objects.filter(pk=setup.student2.pk).update(date_of_birth=date.today().replace(year=2011))
    setup.student2.refresh_from_db()
    privacy_services.give_consent(actor=setup.student2, student=setup.student2, purpose="learning_analytics")
    for student in (people.student, setup.student2):
        services.record_time_spent(student=student, item=item, seconds=20)
    assert _seconds(people.student, item) == 20
    assert not ItemActivity.objects.filter(student=setup.student2, item=item).exists()  # nothing stored for time
    cells = {row.student.pk: row.cells[0] for row in selectors.get_dashboard(setup.course).rows}
    assert cells[people.student.pk].time_allowed and not cells[setup.student2.pk].time_allowed


def test_withdrawing_the_consent_clears_the_stored_seconds(setup, item):
    people = setup.people
    consent_to_analytics(people.student, people.parent)
    services.record_item_opened(student=people.student, item=item)
    services.record_time_spent(student=people.student, item=item, seconds=50)
    assert _seconds(people.student, item) == 50
    with TestCase.captureOnCommitCallbacks(execute=True):
        privacy_services.withdraw_consent(actor=people.parent, student=people.student, purpose="learning_analytics")
    activity = ItemActivity.objects.get(student=people.student, item=item)
    assert activity.seconds_spent == 0 and activity.first_opened_at is not None
    cleared = ProcessingEvent.objects.get(
        action="learning_analytics_cleared", student=people.student, data__app="lms.courses"
    )
    assert cleared.data["items"] == 1 and cleared.data["reason"] == "consent_withdrawn"
    services.record_time_spent(student=people.student, item=item, seconds=30)
    assert _seconds(people.student, item) == 0  # no longer added up
    assert BehaviourEvent.objects.filter(user=people.student, kind="time_on_task").count() == 2


def test_a_deletion_request_erases_the_time_on_task(setup, item):
    people = setup.people
    consent_to_analytics(people.student, people.parent)
    services.record_item_opened(student=people.student, item=item)
    services.record_time_spent(student=people.student, item=item, seconds=50)
    services.record_time_spent(student=setup.student2, item=item, seconds=50)
    request = privacy_services.carry_out_request(actor=people.school_admin, request=_acknowledged(people, "delete"))
    assert request.status == "completed"
    activity = ItemActivity.objects.get(student=people.student, item=item)
    assert activity.seconds_spent == 0 and activity.first_opened_at is not None  # the opening is a core record
    assert not BehaviourEvent.objects.filter(user=people.student).exists()
    erased = ProcessingEvent.objects.get(action="erased")
    assert erased.data["counts"]["courses_learning_analytics"] == 1
    assert "(1)" in request.events.last().note
