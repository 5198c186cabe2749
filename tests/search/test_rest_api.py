"""``GET /api/v1/search``: what the authoring UI's choosers (question bank, library) call. The same search, and the
same access lists, as the search page; ids, titles and highlighted snippets as JSON; facets only when asked for."""

from __future__ import annotations

import pytest

from lms.assessments import api as bank_api
from search import api as search_api
from tests.search import test_questions_source as questions
from tests.search.conftest import make_doc

# The question bank fixtures of the questions source's tests.
bank, commit, make_question, single = questions.bank, questions.commit, questions.make_question, questions.single

URL = "/api/v1/search"


@pytest.fixture
def lesson(db):
    search_api.get_backend().index(
        [make_doc("77", "Đạo hàm và ứng dụng", summary="Bài giảng về đạo hàm.", subject="toan", grade=11)]
    )


def get(client, user, **params):
    if user is not None:
        client.force_login(user)
    return client.get(URL, params)


def test_a_chooser_finds_ready_questions_of_one_type_with_snippets(client, people, make_question, lesson):
    q = make_question().question
    response = get(client, people.teacher, q="dao ham", kind="question", status="published")
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["total_capped"], body["facets"]) == (1, False, {})
    [result] = body["results"]
    assert result["source"] == "questions" and result["id"] == str(q.pk) and result["key"] == str(q.pk)
    assert result["question_type"] == bank_api.QuestionType.SINGLE.value
    assert result["title"].startswith("Tính đạo hàm")
    assert "<mark>đạo</mark> <mark>hàm</mark>" in result["title_html"]
    assert result["url"] == f"/ngan-hang-cau-hoi/cau-hoi/{q.pk}/?v=1" and result["status"] == "published"
    # Both kinds without the kind filter; the type filter narrows to questions of that type.
    assert {r["kind"] for r in get(client, None, q="dao ham").json()["results"]} == {"question", "lesson"}
    other_type = get(client, None, q="dao ham", question_type=bank_api.QuestionType.ESSAY.value).json()
    assert other_type["results"] == [] and other_type["total"] == 0


def test_facets_are_counted_only_when_asked_for(client, people, make_question, lesson):
    make_question()
    body = get(client, people.teacher, q="dao ham", facets=["kind", "question_type"]).json()
    assert set(body["facets"]) == {"kind", "question_type"}
    assert {(v["value"], v["count"]) for v in body["facets"]["kind"]} == {("question", 1), ("lesson", 1)}
    assert body["facets"]["question_type"][0]["label"] == str(bank_api.QuestionType.SINGLE.label)


def test_the_same_permissions_as_the_search_page(client, people, make_question, lesson):
    draft = make_question(single("Tìm nguyên hàm của \\(f(x) = 2x\\)."), approve=False).question
    assert [r["key"] for r in get(client, people.teacher, q="nguyen").json()["results"]] == [f"{draft.pk}:draft"]
    client.logout()
    for user in (people.student, people.parent, people.school_admin):
        body = get(client, user, q="nguyen", facets=["status", "question_type"]).json()
        assert (body["total"], body["results"]) == (0, [])
        assert body["facets"] == {"status": [], "question_type": []}  # nothing leaks through counts either
        client.logout()
    # A student finds the public lesson but not the question.
    assert [r["kind"] for r in get(client, people.student, q="dao ham").json()["results"]] == ["lesson"]


def test_anonymous_callers_are_refused_and_bad_requests_explained(client, people):
    assert client.get(URL, {"q": "dao ham"}).status_code == 401
    assert get(client, people.teacher, q="x", sort="random").status_code == 400
    response = get(client, people.teacher, q="x", facets=["colour"])
    assert response.status_code == 400 and "colour" in response.json()["detail"]
    assert get(client, people.teacher, q="x", per_page=500).status_code == 422
