"""Library items (H5P, SCORM, documents) in course plans: the teacher plans an approved item the school may use,
students open it from the plan, and the library's tracking (completion, score, playback time) shows in the course's
progress, the student's home and the exports."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from lms.courses import library, selectors, services
from lms.courses.models import DeliveryForm, ItemKind
from lms.library import api as library_api
from tests.courses.support import consent_to_analytics, yesterday
from tests.library.conftest import approve, upload_fixture
from tests.library.packages import H5P_DIR
from tests.support.people import make_school_people

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


@pytest.fixture
def h5p(setup):
    return approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", setup.people))


def _plan(setup, library_item, **fields):
    return services.add_plan_item(
        actor=setup.people.teacher,
        course=setup.course,
        kind=ItemKind.LIBRARY,
        reference=str(library_item.uuid),
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
        **fields,
    )


def _play(student, library_item, raw, maximum, duration="PT2M30S"):
    """What the H5P player sends when the student finishes: one top-level xAPI statement, through the library's
    endpoint with the student's session and CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    client.get(reverse("courses:home"))
    statement = {
        "id": str(uuid.uuid4()),
        "verb": {"id": COMPLETED},
        "object": {"id": "http://example/h5p"},
        "result": {"score": {"raw": raw, "max": maximum, "min": 0}, "completion": True, "duration": duration},
    }
    response = client.post(
        reverse("library:xapi", args=[library_item.uuid]),
        json.dumps({"statements": [statement]}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 200, response.content


def test_an_approved_item_is_planned_under_its_own_title(setup, h5p):
    item = _plan(setup, h5p)
    assert (item.kind, item.reference, item.title) == (ItemKind.LIBRARY, str(h5p.uuid), h5p.title)
    assert h5p in library.plannable_items(setup.course)


def test_only_approved_items_of_the_school_or_the_shared_catalogue(setup):
    draft = upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", setup.people)
    with pytest.raises(ValidationError, match=r"duyệt|approved"):
        _plan(setup, draft)
    elsewhere = make_school_people(prefix="khac.")
    foreign = approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", elsewhere))
    with pytest.raises(ValidationError, match=r"trường khác|another school"):
        _plan(setup, foreign)
    with pytest.raises(ValidationError):
        services.add_plan_item(
            actor=setup.people.teacher,
            course=setup.course,
            kind=ItemKind.LIBRARY,
            reference="khong-phai-uuid",
            release_at=yesterday(),
            delivery_form=DeliveryForm.HO_TRO,
        )
    assert library.plannable_items(setup.course) == []
    shared = approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", elsewhere))
    library_api.LibraryItem.objects.filter(pk=shared.pk).update(school=None)
    assert [i.pk for i in library.plannable_items(setup.course)] == [shared.pk]
    assert _plan(setup, shared).reference == str(shared.uuid)


def test_teacher_picks_it_in_the_add_form(client, setup, h5p):
    client.force_login(setup.people.teacher)
    page = client.get(reverse("courses:course", args=[setup.course.pk])).content.decode()
    assert str(h5p.uuid) in page
    response = client.post(
        reverse("courses:add_item", args=[setup.course.pk]),
        {
            "kind": "library",
            "library_item": str(h5p.uuid),
            "release_at": "2026-09-10T07:00",
            "delivery_form": "HO_TRO",
        },
    )
    assert response.status_code == 302
    assert setup.course.items.get().reference == str(h5p.uuid)


def test_student_plays_it_from_the_plan_and_the_result_shows_in_progress(client, setup, h5p):
    item = _plan(setup, h5p)
    student = setup.people.student
    client.force_login(student)
    page = client.get(reverse("courses:item", args=[item.pk])).content.decode()
    assert 'data-testid="library-item"' in page
    assert reverse("library:xapi", args=[h5p.uuid]) in page  # the player's tracking endpoint is wired
    assert "<iframe" in page
    consent_to_analytics(student, setup.people.parent)  # playback time is learning analytics
    _play(student, h5p, 3, 4, duration="PT2M30S")

    board = selectors.get_dashboard(setup.course)
    cells = {row.student.pk: row.cells[0] for row in board.rows}
    mine = cells[student.pk]
    assert mine.finished and mine.score_text == "7,5"  # 3/4 → 7,5 on the 0–10 scale
    assert mine.seconds == 150  # playback time from the library (nothing on the course page's heartbeat)
    assert not cells[setup.student2.pk].started
    # The course page's own heartbeat adds to it.
    services.record_time_spent(student=student, item=item, seconds=30)
    assert selectors.get_dashboard(setup.course).rows[0].cells[0].seconds == 180

    overview = selectors.get_student_overview(student)
    assert overview.cells[item.pk].finished and overview.cells[item.pk].score_text == "7,5"
    assert item not in overview.due
    page = client.get(reverse("courses:item", args=[item.pk])).content.decode()
    result = page.split('data-testid="library-result"')[1].split("</p>")[0]
    assert "7,5" in result and "✓" in result

    # Not-started filter and export
    client.force_login(setup.people.teacher)
    not_started = selectors.get_dashboard(setup.course, not_started_only=True)
    assert [row.student.pk for row in not_started.rows] == [setup.student2.pk]
    csv_text = client.get(reverse("courses:dashboard_export", args=[setup.course.pk, "csv"])).content.decode()
    assert "7,5" in csv_text


def test_dashboard_queries_do_not_grow_with_library_items(setup, h5p):
    for n in range(5):
        _plan(setup, h5p, title=f"H5P {n}")
    _play(setup.people.student, h5p, 1, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        selectors.get_dashboard(setup.course)
    for n in range(5):
        other = approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", setup.people))
        _plan(setup, other, title=f"Khác {n}")
    with CaptureQueriesContext(connection) as many:
        selectors.get_dashboard(setup.course)
    assert len(many) == len(few)


def test_a_planned_item_with_results_is_archived_not_deleted(setup, h5p):
    item = _plan(setup, h5p)
    _play(setup.people.student, h5p, 1, 1)
    assert services.delete_plan_item(actor=setup.people.teacher, item=item) == "archived"
    item.refresh_from_db()
    assert item.archived_at is not None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("PT2M30S", 150), ("PT1H", 3600), ("P1DT1S", 86401), ("PT0.5S", 0), ("0000:01:30.00", 90), ("", 0), ("x", 0)],
)
def test_durations(value, seconds):
    assert library_api.duration_seconds(value) == seconds


def test_progress_api_shows_the_library_result(client, setup, h5p):
    item = _plan(setup, h5p)
    consent_to_analytics(setup.people.student, setup.people.parent)
    _play(setup.people.student, h5p, 1, 2, duration="PT1M")
    client.force_login(setup.people.teacher)
    data = client.get(f"/api/v1/courses/{setup.course.pk}/progress").json()
    cells = {row["student"]: row["cells"][0] for row in data["students"]}
    mine = cells[setup.people.student.get_full_name()]
    assert (mine["item"], mine["finished"], mine["score"], mine["seconds_spent"]) == (item.pk, True, "5,0", 60)


def test_library_results_are_in_the_class_records(setup, h5p):
    import csv
    import io
    import zipfile

    from pypdf import PdfReader

    from lms.courses import records

    _plan(setup, h5p, title="Trắc nghiệm tập hợp")
    consent_to_analytics(setup.student2, setup.parent2)
    _play(setup.student2, h5p, 3, 4, duration="PT5M")
    archive = zipfile.ZipFile(io.BytesIO(records.build(setup.klass)))
    rows = list(csv.reader(io.StringIO(archive.read("hoc-lieu.csv").decode("utf-8-sig"))))
    assert rows[1][1:] == ["Trắc nghiệm tập hợp", "", setup.student2.get_full_name(), "x", "7,5", "1", "5"]
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(archive.read("ho-so.pdf"))).pages)
    assert "Kết quả học liệu" in text and "Trắc nghiệm tập hợp" in text


def test_without_consent_playback_time_is_neither_kept_nor_shown_but_each_batch_is_logged(setup, h5p):
    from lms.library.models import Attempt
    from lms.privacy.models import BehaviourEvent

    _plan(setup, h5p)
    _play(setup.people.student, h5p, 3, 4, duration="PT2M30S")
    attempt = Attempt.objects.get(student=setup.people.student)
    assert attempt.duration == "" and attempt.score_raw is not None  # the score is a core record, the time is not
    cell = selectors.get_dashboard(setup.course).rows[0].cells[0]
    assert cell.finished and cell.score_text == "7,5" and not cell.time_allowed and cell.minutes is None
    event = BehaviourEvent.objects.get(user=setup.people.student, kind="click")
    assert event.target == f"library.item:{h5p.uuid}:xapi" and event.seconds == 150
    assert event.school == setup.people.school
