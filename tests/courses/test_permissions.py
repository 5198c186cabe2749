"""Every class page and every API call against every role (R14, R45): the course's teacher, the homeroom teacher,
the subject-group head, the principal, the school administrator, the two students of the class, their parents, and
the teacher and principal of another school. Refusals are 403 on pages, 404 in the API (ids do not leak), and a
login redirect / 401 without a session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lms.courses import roster, services
from lms.courses.models import DeliveryForm, ItemKind
from tests.courses.support import in_days, make_class, yesterday
from tests.support.people import make_school_people
from tests.support.shared_data import module_shared

ROLES = [
    "anonymous",
    "student",
    "student2",
    "parent",
    "parent2",
    "teacher",
    "group_head",
    "principal",
    "school_admin",
    "other_teacher",
    "other_principal",
]
PLAN_READERS = {"student", "student2", "parent", "parent2", "teacher", "group_head", "principal"}
RESULT_READERS = {"teacher", "principal"}
STRUCTURE = {"school_admin", "principal"}
DISCUSSION_READERS = {"student", "student2", "teacher", "principal"}
DISCUSSION_WRITERS = {"student", "student2", "teacher"}


def _build_world():
    setup = make_class()
    other = make_school_people(prefix="khac.")
    people = setup.people
    lesson_item = services.add_plan_item(
        actor=people.teacher,
        course=setup.course,
        kind=ItemKind.LESSON,
        lesson=setup.lesson,
        release_at=yesterday(),
        delivery_form=DeliveryForm.HO_TRO,
    )
    assignment = services.create_assignment(
        actor=people.teacher,
        course=setup.course,
        title="Bài tập",
        instructions="Làm bài.",
        release_at=yesterday(),
        due_at=in_days(3),
        delivery_form=DeliveryForm.HO_TRO,
        counts_as_regular_assessment=True,
        attachments=[SimpleUploadedFile("de.pdf", b"%PDF-1.4 de", content_type="application/pdf")],
    )
    submission = services.submit_assignment(
        student=people.student,
        assignment=assignment,
        files=[SimpleUploadedFile("bai.pdf", b"%PDF-1.4 bai", content_type="application/pdf")],
    )
    services.score_submission(actor=people.teacher, submission=submission, score="9")
    session = services.schedule_session(
        actor=people.teacher,
        course=setup.course,
        title="Ôn tập",
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(minutes=40),
        provider="jitsi",
        meeting_url="https://meet.jit.si/on-tap-10a1",
    )
    question = services.ask_question(author=people.student, course=setup.course, title="Câu hỏi?")
    imported = roster.upload(actor=people.school_admin, school_year=setup.year, name="x.csv", data=b"a,b\n1,2\n")
    users = {
        "anonymous": None,
        "student": people.student,
        "student2": setup.student2,
        "parent": people.parent,
        "parent2": setup.parent2,
        "teacher": people.teacher,
        "group_head": people.group_head,
        "principal": people.principal,
        "school_admin": people.school_admin,
        "other_teacher": other.teacher,
        "other_principal": other.principal,
    }
    ids = {
        "course": setup.course.pk,
        "lesson_item": lesson_item.pk,
        "assignment_item": assignment.item.pk,
        "submission": submission.pk,
        "file": submission.files.get().pk,
        "attachment": assignment.attachments.get().pk,
        "child": people.student.pk,
        "year": setup.year.pk,
        "import": imported.pk,
        "school": people.school.code,
        "session": session.pk,
        "question": question.pk,
        "student_id": people.student.pk,
        "class": setup.klass.pk,
    }
    return users, ids


# Two schools, a class with every kind of plan item, work and discussion: built once for the module's ~450 cases.
_shared_world, world = module_shared(_build_world, "world")

today = timezone.localdate


# (name, method, url builder, data, roles allowed, status when allowed)
PAGES = [
    ("home", "get", lambda i: reverse("courses:home"), None, set(ROLES) - {"anonymous"}, 200),
    ("course", "get", lambda i: reverse("courses:course", args=[i["course"]]), None, PLAN_READERS, 200),
    (
        "add_item",
        "post",
        lambda i: reverse("courses:add_item", args=[i["course"]]),
        {
            "kind": "practice",
            "reference": "r1",
            "title": "Luyện tập",
            "release_at": "2026-09-10T07:00",
            "delivery_form": "HO_TRO",
        },
        {"teacher"},
        302,
    ),
    ("add_assignment", "get", lambda i: reverse("courses:add_assignment", args=[i["course"]]), None, {"teacher"}, 200),
    ("move_up", "post", lambda i: reverse("courses:move_up", args=[i["assignment_item"]]), {}, {"teacher"}, 302),
    ("edit_item", "get", lambda i: reverse("courses:edit_item", args=[i["lesson_item"]]), None, {"teacher"}, 200),
    (
        "edit_item_post",
        "post",
        lambda i: reverse("courses:edit_item", args=[i["lesson_item"]]),
        {"title": "Bài 3", "release_at": "2026-09-10T07:00", "delivery_form": "HO_TRO"},
        {"teacher"},
        302,
    ),
    ("delete_item", "get", lambda i: reverse("courses:delete_item", args=[i["lesson_item"]]), None, {"teacher"}, 200),
    (
        "delete_item_post",
        "post",
        lambda i: reverse("courses:delete_item", args=[i["lesson_item"]]),
        {},
        {"teacher"},
        302,
    ),
    ("dashboard", "get", lambda i: reverse("courses:dashboard", args=[i["course"]]), None, RESULT_READERS, 200),
    (
        "export_csv",
        "get",
        lambda i: reverse("courses:dashboard_export", args=[i["course"], "csv"]),
        None,
        RESULT_READERS,
        200,
    ),
    (
        "export_xlsx",
        "get",
        lambda i: reverse("courses:dashboard_export", args=[i["course"], "xlsx"]),
        None,
        RESULT_READERS,
        200,
    ),
    ("lesson_item", "get", lambda i: reverse("courses:item", args=[i["lesson_item"]]), None, PLAN_READERS, 200),
    ("assignment_item", "get", lambda i: reverse("courses:item", args=[i["assignment_item"]]), None, PLAN_READERS, 200),
    (
        "heartbeat",
        "post",
        lambda i: reverse("courses:heartbeat", args=[i["lesson_item"]]),
        {"seconds": "30"},
        {"student", "student2"},
        200,
    ),
    (
        "submit",
        "post",
        lambda i: reverse("courses:submit", args=[i["assignment_item"]]),
        {"text": "Bài làm"},
        {"student", "student2"},
        302,
    ),
    ("score", "post", lambda i: reverse("courses:score", args=[i["submission"]]), {"score": "8,5"}, {"teacher"}, 302),
    ("gradebook", "post", lambda i: reverse("courses:send_to_gradebook", args=[i["submission"]]), {}, {"teacher"}, 302),
    (
        "submission_file",
        "get",
        lambda i: reverse("courses:submission_file", args=[i["file"]]),
        None,
        {"student", "parent", "teacher", "principal"},
        200,
    ),
    ("attachment", "get", lambda i: reverse("courses:attachment", args=[i["attachment"]]), None, PLAN_READERS, 200),
    ("child", "get", lambda i: reverse("courses:child", args=[i["child"]]), None, {"parent"}, 200),
    ("structure", "get", lambda i: reverse("courses:structure", args=[i["year"]]), None, STRUCTURE, 200),
    (
        "roster_upload",
        "post",
        lambda i: reverse("courses:roster_upload", args=[i["year"]]),
        "file",
        STRUCTURE,
        302,
    ),
    ("roster_report", "get", lambda i: reverse("courses:roster_report", args=[i["import"]]), None, STRUCTURE, 200),
    ("roster_apply", "post", lambda i: reverse("courses:roster_report", args=[i["import"]]), {}, STRUCTURE, 200),
    (
        "add_session",
        "post",
        lambda i: reverse("courses:add_session", args=[i["course"]]),
        {
            "title": "Buổi 2",
            "starts_at": "2026-12-20T19:00",
            "ends_at": "2026-12-20T20:00",
            "provider": "zoom",
            "meeting_url": "https://zoom.us/j/1",
        },
        {"teacher"},
        302,
    ),
    (
        "join_session",
        "get",
        lambda i: reverse("courses:join_session", args=[i["session"]]),
        None,
        {"student", "student2", "teacher"},
        302,
    ),
    ("session", "get", lambda i: reverse("courses:session", args=[i["session"]]), None, RESULT_READERS, 200),
    (
        "correct_attendance",
        "post",
        lambda i: reverse("courses:session", args=[i["session"]]),
        "attendance",
        {"teacher"},
        302,
    ),
    ("questions", "get", lambda i: reverse("courses:questions", args=[i["course"]]), None, DISCUSSION_READERS, 200),
    (
        "ask",
        "post",
        lambda i: reverse("courses:questions", args=[i["course"]]),
        {"title": "Hỏi?"},
        DISCUSSION_WRITERS,
        302,
    ),
    ("question", "get", lambda i: reverse("courses:question", args=[i["question"]]), None, DISCUSSION_READERS, 200),
    (
        "answer",
        "post",
        lambda i: reverse("courses:question", args=[i["question"]]),
        {"body": "Đáp."},
        DISCUSSION_WRITERS,
        302,
    ),
    (
        "class_records",
        "get",
        lambda i: reverse("courses:class_records", args=[i["class"]]),
        None,
        {"principal", "teacher"},
        200,
    ),
    (
        "notifications_read",
        "post",
        lambda i: reverse("courses:notifications_read"),
        {},
        set(ROLES) - {"anonymous"},
        302,
    ),
    ("force_majeure", "get", lambda i: reverse("courses:force_majeure", args=[i["school"]]), None, STRUCTURE, 200),
    (
        "declare",
        "post",
        lambda i: reverse("courses:force_majeure", args=[i["school"]]),
        "declaration",
        {"principal"},
        302,
    ),
]


def _data(data, ids):
    if data == "attendance":
        return {"student": ids["student_id"], "status": "excused", "note": "Ốm"}
    if data == "file":
        return {"file": SimpleUploadedFile("lop.csv", b"a,b\n1,2\n", content_type="text/csv")}
    if data == "declaration":
        return {
            "scope": "school",
            "starts_on": today().isoformat(),
            "ends_on": today().isoformat(),
            "reason": "Bão",
            "decision_number": "1/QĐ",
        }
    return data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "data", "allowed", "status"), PAGES, ids=[p[0] for p in PAGES])
def test_pages(client, world, role, name, method, url, data, allowed, status):
    users, ids = world
    if users[role] is not None:
        client.force_login(users[role])
    target = url(ids)
    response = client.get(target) if method == "get" else client.post(target, _data(data, ids))
    if role == "anonymous":
        assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
    elif role in allowed:
        assert response.status_code == status, response.content[:500]
    else:
        assert response.status_code in {403, 404}, f"{role} got {response.status_code} on {name}"


API = [
    ("plan", lambda i: f"/api/v1/courses/{i['course']}/plan", PLAN_READERS),
    ("progress", lambda i: f"/api/v1/courses/{i['course']}/progress", RESULT_READERS),
    ("child", lambda i: f"/api/v1/children/{i['child']}/overview", {"parent"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "allowed"), API, ids=[a[0] for a in API])
def test_api(client, world, role, name, url, allowed):
    users, ids = world
    if users[role] is not None:
        client.force_login(users[role])
    response = client.get(url(ids))
    if role == "anonymous":
        assert response.status_code == 401
    elif role in allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_api_course_list(client, world, role):
    users, ids = world
    if users[role] is not None:
        client.force_login(users[role])
    response = client.get("/api/v1/courses")
    if role == "anonymous":
        assert response.status_code == 401
        return
    listed = [c["id"] for c in response.json()]
    expected = [ids["course"]] if role in {"student", "student2", "parent", "parent2", "teacher", "principal"} else []
    assert listed == expected


def test_api_content_is_the_callers_own(client, world):
    users, ids = world
    client.force_login(users["parent"])
    body = client.get(f"/api/v1/children/{ids['child']}/overview").json()
    assert body["student"] == users["student"].get_full_name()
    assert "9,0" in [c["score"] for c in body["cells"]]
    client.force_login(users["teacher"])
    progress = client.get(f"/api/v1/courses/{ids['course']}/progress").json()
    assert {s["student"] for s in progress["students"]} == {
        users["student"].get_full_name(),
        users["student2"].get_full_name(),
    }
    client.force_login(users["student2"])
    plan = client.get(f"/api/v1/courses/{ids['course']}/plan").json()
    assert [i["kind"] for i in plan] == ["lesson", "assignment"]
    assert "score" not in str(plan)


def test_a_student_sees_only_their_own_work_on_the_assignment_page(client, world):
    users, ids = world
    client.force_login(users["student2"])
    page = client.get(reverse("courses:item", args=[ids["assignment_item"]])).content.decode()
    assert "bai.pdf" not in page and users["student"].get_full_name() not in page


def test_a_bearer_token_works_like_the_session(client, world):
    from lms.schools.api import create_api_token

    users, ids = world
    _token, plaintext = create_api_token(user=users["teacher"], name="script")
    response = client.get(f"/api/v1/courses/{ids['course']}/progress", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 200
    _token, plaintext = create_api_token(user=users["other_teacher"], name="script")
    response = client.get(f"/api/v1/courses/{ids['course']}/progress", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 404
