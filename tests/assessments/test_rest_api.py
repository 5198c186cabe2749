"""REST API of the question bank (/api/v1/question-banks, /api/v1/questions): who sees which question and version,
filters, one question's content, import with a dry run and a per-question report, and the permission checks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.api import SharingScope
from lms.assessments import api
from lms.assessments.ir import Choice
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.assessments.test_shared_passages import exam_with_passages
from tests.support.people import make_school_people

GIFT = b"::Q1:: Thu do cua Viet Nam? {=Ha Noi ~Hue}\n\n::Q2:: Sai {~a ~b}\n\n::Q3:: 2 + 2 = {#4}\n"


def auth(user) -> dict:
    _token, plaintext = schools_api.create_api_token(user=user, name="Tập lệnh")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def single(stem):
    choices = [Choice("A", "x", True), Choice("B", "y", False)]
    return api.QuestionContent(type=api.QType.SINGLE, stem=stem, choices=choices)


@pytest.fixture
def bank(people):
    return api.create_bank(subject_group=people.group, name="Toán 10", sharing=SharingScope.SCHOOL)


@pytest.fixture
def questions(people, bank):
    ready = api.create_question(bank=bank, author=people.teacher, content=single("Câu đã duyệt"), grade=10)
    api.submit_for_review(version=ready, user=people.teacher)
    ready = api.review_version(version=ready, user=people.group_head, action="approve")
    draft = api.create_question(bank=bank, author=people.teacher, content=single("Câu nháp"), level="hieu")
    return ready.question, draft.question


def test_the_subject_group_sees_every_question_other_staff_only_ready_ones(client, people, bank, questions):
    ready, draft = questions
    body = client.get("/api/v1/questions", **auth(people.group_head)).json()
    assert body["count"] == 2
    assert [(i["id"], i["status"], i["stem"]) for i in body["items"]] == [
        (ready.pk, "ready", "Câu đã duyệt"),
        (draft.pk, "draft", "Câu nháp"),
    ]
    colleague = schools_api.create_subject_group(school=people.school, name="Tổ Văn", code="van", subjects=[])
    literature = make_school_people(prefix="x.").teacher
    schools_api.assign_role(user=literature, school=people.school, role=Role.TEACHER)
    schools_api.add_group_member(group=colleague, user=literature)
    body = client.get("/api/v1/questions", **auth(literature)).json()
    assert [(i["id"], i["status"]) for i in body["items"]] == [(ready.pk, "ready")]
    assert client.get(f"/api/v1/questions/{draft.pk}", **auth(literature)).status_code == 404
    # students, parents, the school admin (in no subject group) and another school's teacher see nothing
    stranger = make_school_people(prefix="khac.").teacher
    for user in (people.student, people.parent, people.school_admin, stranger):
        headers = auth(user)
        assert client.get("/api/v1/questions", **headers).json() == {"count": 0, "items": []}
        assert client.get(f"/api/v1/questions/{ready.pk}", **headers).status_code == 404
        assert client.get("/api/v1/question-banks", **headers).json() == []
    assert client.get("/api/v1/questions").status_code == 401


def test_filters_and_paging(client, people, bank, questions):
    ready, draft = questions
    headers = auth(people.teacher)
    get = lambda **q: client.get("/api/v1/questions", q, **headers).json()  # noqa: E731
    assert [i["id"] for i in get(status="draft")["items"]] == [draft.pk]
    assert [i["id"] for i in get(grade=10)["items"]] == [ready.pk]
    assert [i["id"] for i in get(level="hieu")["items"]] == [draft.pk]
    assert get(type="essay")["count"] == 0
    assert get(bank=bank.pk, limit=1, offset=1) == {"count": 2, "items": [get(bank=bank.pk)["items"][1]]}
    assert client.get("/api/v1/questions", {"type": "nope"}, **headers).status_code == 422


def test_read_one_question_and_the_banks(client, people, bank, questions):
    ready, _draft = questions
    headers = auth(people.teacher)
    body = client.get(f"/api/v1/questions/{ready.pk}", **headers).json()
    assert body["content"]["choices"][0] == {
        "label": "A",
        "text": "x",
        "correct": True,
        "fraction": None,
        "feedback": "",
    }
    assert body["version"] == 1 and body["points"] == "1.00"
    banks = client.get("/api/v1/question-banks", **headers).json()
    assert banks == [
        {
            "id": bank.pk,
            "name": "Toán 10",
            "school": people.school.name,
            "subject_group": "Tổ Toán – Tin",
            "sharing": "school",
            "can_edit": True,
        }
    ]


def test_question_list_has_a_query_budget(client, people, bank, questions):
    for n in range(10):
        api.create_question(bank=bank, author=people.teacher, content=single(f"Câu {n}"))
    headers = auth(people.teacher)
    client.get("/api/v1/questions", **headers)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/questions", **headers).json()["count"] == 12
    assert len(queries) <= 12, [q["sql"] for q in queries]


def test_question_list_queries_do_not_grow_with_the_questions(client, people, bank, questions):
    """Permission, filters and paging run in SQL: the same number of queries for 3 and for 60 questions, for the
    subject group (latest versions) and for a colleague of another group (ready versions only)."""
    colleague = schools_api.create_subject_group(school=people.school, name="Tổ Văn", code="van", subjects=[])
    literature = make_school_people(prefix="x.").teacher
    schools_api.assign_role(user=literature, school=people.school, role=Role.TEACHER)
    schools_api.add_group_member(group=colleague, user=literature)

    def count_queries(user, **params):
        headers = auth(user)
        client.get("/api/v1/questions", params, **headers)
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/v1/questions", params, **headers).json()
        return len(queries), body

    def add(n):
        for i in range(n):
            version = api.create_question(bank=bank, author=people.teacher, content=single(f"Câu thêm {i}"))
            if i % 2:
                api.submit_for_review(version=version, user=people.teacher)
                api.review_version(version=version, user=people.group_head, action="approve")

    api.create_question(bank=bank, author=people.teacher, content=single("Câu x"))
    small = [count_queries(people.group_head), count_queries(literature), count_queries(people.teacher, status="ready")]
    assert [b["count"] for _n, b in small] == [3, 1, 1]
    add(57)
    large = [count_queries(people.group_head), count_queries(literature), count_queries(people.teacher, status="ready")]
    assert [b["count"] for _n, b in large] == [60, 29, 29]
    assert [n for n, _b in large] == [n for n, _b in small], [n for n, _b in large]
    assert all(n <= 10 for n, _b in large)
    # paging: the last page of the colleague's 29 ready questions, in id order
    _n, page = count_queries(literature, limit=10, offset=20)
    assert page["count"] == 29 and len(page["items"]) == 9 and all(i["status"] == "ready" for i in page["items"])
    ids = [i["id"] for i in page["items"]]
    assert ids == sorted(ids)
    # a question edited after approval: the group sees its new draft, the colleague still its ready version
    ready, _draft = questions
    api.edit_question(question=ready, user=people.teacher, content=single("Câu đã sửa"))
    mine = {i["id"]: (i["version"], i["status"]) for i in count_queries(people.group_head, limit=200)[1]["items"]}
    theirs = {i["id"]: (i["version"], i["status"]) for i in count_queries(literature, limit=200)[1]["items"]}
    assert mine[ready.pk] == (2, "draft") and theirs[ready.pk] == (1, "ready")


def _upload(client, bank, headers, data, name, **fields):
    return client.post(
        f"/api/v1/question-banks/{bank.pk}/import", {"file": SimpleUploadedFile(name, data), **fields}, **headers
    )


def test_import_dry_run_then_all_or_nothing_then_per_item(client, people, bank):
    headers = auth(people.teacher)
    dry = _upload(client, bank, headers, GIFT, "a.gift")
    assert dry.status_code == 200
    body = dry.json()
    assert body["dry_run"] and body["format"] == "gift" and body["saved"] == []
    assert [q["number"] for q in body["questions"]] == [1, 3]
    assert [e["question"] for e in body["errors"]] == [2]  # no correct answer: reported, not dropped
    assert bank.questions.count() == 0
    rejected = _upload(client, bank, headers, GIFT, "a.gift", dry_run="false")
    assert rejected.status_code == 422
    assert [e["question"] for e in rejected.json()["errors"]] == [2]
    assert bank.questions.count() == 0
    saved = _upload(client, bank, headers, GIFT, "a.gift", dry_run="false", per_item="true")
    assert saved.status_code == 200
    body = saved.json()
    assert len(body["saved"]) == 2 and [e["question"] for e in body["errors"]] == [2]
    assert set(bank.questions.values_list("pk", flat=True)) == set(body["saved"])
    # right away visible through the API and the site search
    listed = client.get("/api/v1/questions", {"bank": bank.pk}, **headers).json()
    assert {i["id"] for i in listed["items"]} == set(body["saved"])


def test_import_a_word_exam_with_a_shared_passage(client, people, bank):
    headers = auth(people.teacher)
    body = _upload(client, bank, headers, exam_with_passages(), "de.docx", dry_run="false").json()
    assert body["format"] == "docx" and len(body["saved"]) == 5
    group = next(q for q in body["questions"] if q["type"] == "group")
    assert [p["number"] for p in group["parts"]] == [2, 3]
    one = client.get(f"/api/v1/questions/{body['saved'][1]}", **headers).json()
    assert one["type"] == "group" and len(one["content"]["parts"]) == 2


def test_only_the_banks_subject_group_imports(client, people, bank):
    literature = schools_api.create_subject_group(school=people.school, name="Tổ Văn", code="van", subjects=[])
    other = make_school_people(prefix="y.").teacher
    schools_api.assign_role(user=other, school=people.school, role=Role.TEACHER)
    schools_api.add_group_member(group=literature, user=other)
    assert _upload(client, bank, auth(other), GIFT, "a.gift").status_code == 403
    assert _upload(client, bank, auth(people.student), GIFT, "a.gift").status_code == 404
    assert _upload(client, bank, auth(people.teacher), GIFT, "a.gift", format="pdf").status_code == 422
    assert bank.questions.count() == 0


def test_the_openapi_schema_lists_the_bank(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/questions", "/api/v1/questions/{question_id}", "/api/v1/question-banks/{bank_id}/import"} <= set(
        paths
    )
