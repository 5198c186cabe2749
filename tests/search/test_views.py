"""The search page and its autocomplete endpoint, for students, teachers and visitors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.search.test_lessons import make_lesson  # noqa: F401  (fixture)

URL = "/tim-kiem/"


@pytest.fixture
def lessons(make_lesson):  # noqa: F811
    published = make_lesson()
    draft = make_lesson("Bài 3. Elip và đường tròn phụ", publish=False, summary="Bản nháp về elip.")
    return published, draft


def test_the_url_names():
    assert reverse("search:search") == URL and reverse("search:autocomplete") == URL + "goi-y/"


def test_a_student_finds_published_lessons_without_diacritics(client, people, lessons):
    published, _draft = lessons
    client.force_login(people.student)
    response = client.get(URL, {"q": "duong tron"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{published.url}"' in html
    assert "<mark>đường</mark> <mark>tròn</mark>" in html
    assert "Elip" not in html and "Bản nháp" not in html  # the draft, not even as a badge or a count
    assert "1 kết quả" in html
    assert 'data-facet="subject"' in html and 'data-facet="status"' not in html  # students get study facets


def test_a_teacher_also_finds_their_draft_with_a_badge(client, people, lessons):
    published, draft = lessons
    client.force_login(people.teacher)
    html = client.get(URL, {"q": "đường tròn"}).content.decode()
    assert f'href="/admin/pages/{draft.pk}/edit/"' in html and "Bản nháp" in html
    assert f'href="{published.url}"' in html
    assert 'data-facet="status"' in html and "2 kết quả" in html


def test_facet_links_toggle_filters(client, people, lessons):
    client.force_login(people.teacher)
    html = client.get(URL, {"q": "duong tron", "status": "draft"}).content.decode()
    assert "1 kết quả" in html and "Elip" in html
    assert 'aria-current="true"' in html and "Bỏ lọc" in html
    response = client.get(URL, {"q": "duong tron", "grade": "10"})
    assert "2 kết quả" in response.content.decode()


def test_anonymous_visitors_find_only_public_lessons(client, lessons):
    html = client.get(URL, {"q": "duong tron"}).content.decode()
    assert "0 kết quả" in html and "Không tìm thấy kết quả" in html


def test_bad_parameters_do_not_break_the_page(client, people, lessons):
    client.force_login(people.student)
    for params in ({"page": "abc"}, {"page": "-3"}, {"sort": "random"}, {"page": "99", "q": "duong"}, {"colour": "x"}):
        assert client.get(URL, params).status_code == 200


def test_autocomplete_suggests_only_what_the_person_may_see(client, people, lessons):
    published, _draft = lessons
    client.force_login(people.student)
    response = client.get(URL + "goi-y/", {"q": "phuong tr"})
    assert response["Cache-Control"] == "private, no-store"
    assert response.json() == {
        "suggestions": [
            {
                "title": published.title,
                "url": published.url,
                "kind": "lesson",
                "title_html": "Bài 2. <mark>Phương</mark> <mark>trình</mark> đường <mark>tròn</mark>",  # prefix "tr"
            }
        ]
    }
    assert client.get(URL + "goi-y/", {"q": "eli"}).json() == {"suggestions": []}
    client.force_login(people.teacher)
    assert [s["title"] for s in client.get(URL + "goi-y/", {"q": "eli"}).json()["suggestions"]] == [
        "Bài 3. Elip và đường tròn phụ"
    ]
    client.logout()
    assert client.get(URL + "goi-y/", {"q": "phuong"}).json() == {"suggestions": []}


def test_the_search_page_has_a_query_budget(client, people, lessons, django_assert_max_num_queries):
    client.force_login(people.teacher)
    client.get(URL, {"q": "duong tron"})
    with django_assert_max_num_queries(25):
        assert client.get(URL, {"q": "duong tron", "subject": "toan"}).status_code == 200


@pytest.mark.parametrize("query", ["x_0", "f'(x_0)", "a__b", "_"])
def test_latex_subscripts_and_underscores_are_words_not_errors(client, people, make_lesson, query):  # noqa: F811
    lesson = make_lesson("Bài 1. Đạo hàm tại điểm x_0", summary="Đạo hàm f'(x_0) của hàm số tại x_0.")
    client.force_login(people.student)
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    if query != "_":
        assert f'href="{lesson.url}"' in response.content.decode() or query == "a__b"
