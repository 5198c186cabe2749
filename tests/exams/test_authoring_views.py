"""Authoring pages under /kiem-tra/: who may open them (a teacher of the subject group, another teacher, a student, a
parent, anonymous), the blueprint pages end to end (create, rows formset, matrix, Excel, generate, check), the test
authoring pages (new from a template or blank, pick from the bank, draws, review) and a query budget on the matrix."""

from decimal import Decimal as D
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from curriculum.api import get_subject
from lms.exams import authoring, blueprint_selectors, services
from lms.exams.models import Blueprint, ReviewAction
from lms.exams.models import Test as ExamTest  # not "Test…": pytest would try to collect it
from lms.exams.models import TestItem as Item  # not "Test…": pytest would try to collect it
from lms.schools import api as schools_api
from lms.schools.api import Role
from tests.exams.blueprint_support import make_blueprint, make_tagged_bank, rows_10_points
from tests.support.factories import UserFactory


@pytest.fixture
def setup(db):
    return make_tagged_bank()


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    """The pages are read in English here (the messages are checked as written); one test reads them in Vietnamese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def other_teacher(setup):
    user = UserFactory(username="giaovien-van")
    schools_api.assign_role(user=user, school=setup.people.school, role=Role.TEACHER)
    group = schools_api.create_subject_group(
        school=setup.people.school, name="Tổ Văn", code="van", subjects=["ngu-van"]
    )
    schools_api.add_group_member(group=group, user=user)
    return user


def _pages(blueprint, test):
    return [
        ("get", reverse("exams:blueprints")),
        ("get", reverse("exams:blueprint_create")),
        ("get", reverse("exams:blueprint", args=[blueprint.pk])),
        ("get", reverse("exams:blueprint_edit", args=[blueprint.pk])),
        ("get", reverse("exams:blueprint_xlsx", args=[blueprint.pk, "ma-tran"])),
        ("get", reverse("exams:blueprint_xlsx", args=[blueprint.pk, "dac-ta"])),
        ("get", reverse("exams:blueprint_check", args=[blueprint.pk]) + f"?test={test.pk}"),
        ("post", reverse("exams:blueprint_generate", args=[blueprint.pk])),
        ("get", reverse("exams:test_create")),
        ("get", reverse("exams:test_edit", args=[test.pk])),
    ]


def test_who_may_open_the_authoring_pages(client, setup, other_teacher):
    people = setup.people
    blueprint = make_blueprint(setup)
    test, _ = authoring.generate_test(blueprint=blueprint, created_by=people.teacher, seed="p")
    pages = _pages(blueprint, test)
    for method, url in pages:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "?next=" in response["Location"], url
    for user in (people.student, people.parent):
        client.force_login(user)
        assert [getattr(client, m)(u).status_code for m, u in pages] == [403] * len(pages), user
    # a teacher of another subject group sees the list (empty) but nothing of Toán and cannot create Toán
    client.force_login(other_teacher)
    codes = [getattr(client, m)(u).status_code for m, u in pages]
    assert codes == [200, 200, 403, 403, 403, 403, 403, 403, 200, 403]
    assert "Ma trận giữa kì I" not in client.get(reverse("exams:blueprints")).content.decode()
    assert "Toán" not in client.get(reverse("exams:blueprint_create")).content.decode()
    # the teacher of the subject group (author) and the group head open everything
    for user in (people.teacher, people.group_head):
        client.force_login(user)
        assert [getattr(client, m)(u).status_code for m, u in pages if m == "get"] == [200] * 9, user
    assert ExamTest.objects.count() == 1  # no refused POST made a test


def test_home_links_the_authoring_pages(client, setup):
    client.force_login(setup.people.teacher)
    html = client.get(reverse("exams:home")).content.decode()
    assert reverse("exams:test_create") in html and reverse("exams:blueprints") in html
    client.force_login(setup.people.student)
    assert reverse("exams:blueprints") not in client.get(reverse("exams:home")).content.decode()


def test_create_a_blueprint_and_its_rows_on_the_pages(client, setup):
    people = setup.people
    client.force_login(people.teacher)
    school, toan = people.school, get_subject("toan")
    response = client.post(
        reverse("exams:blueprint_create"),
        {
            "title": "Ma trận cuối kì I",
            "subject": f"{school.pk}:{toan.pk}",
            "grade": 10,
            "framework": "CV7991_2024",
            "kind": "final",
            "minutes": 90,
            "total_points": "10",
        },
    )
    blueprint = Blueprint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exams:blueprint_edit", args=[blueprint.pk])
    assert blueprint.created_by == people.teacher and blueprint.kind == "final"
    form = {
        "bp-title": "Ma trận cuối kì I",
        "bp-grade": 10,
        "bp-framework": "CV7991_2024",
        "bp-kind": "final",
        "bp-minutes": 90,
        "bp-total_points": "10",
        "rows-TOTAL_FORMS": 2,
        "rows-INITIAL_FORMS": 0,
        "rows-MIN_NUM_FORMS": 0,
        "rows-MAX_NUM_FORMS": 1000,
        "rows-0-chapter": "Chương I",
        "rows-0-content_unit": "Mệnh đề",
        "rows-0-outcomes": "BP.T10.A1, BP.T10.A2",
        "rows-0-n_mcq_biet": 16,
        "rows-0-p_mcq_biet": "0,25",
        "rows-0-n_tf_hieu": 12,
        "rows-0-p_tf_hieu": "0,25",
        "rows-1-chapter": "Chương I",
        "rows-1-content_unit": "Tập hợp",
        "rows-1-outcomes": "BP.T10.B1",
        "rows-1-n_essay_van_dung": 1,
        "rows-1-p_essay_van_dung": "3",
    }
    response = client.post(reverse("exams:blueprint_edit", args=[blueprint.pk]), form)
    assert response.status_code == 302, response.content.decode()
    rows = list(blueprint.rows.all())
    assert [r.content_unit for r in rows] == ["Mệnh đề", "Tập hợp"]
    assert rows[0].cells.get(format="tf", level="hieu").count == 12
    html = client.get(reverse("exams:blueprint", args=[blueprint.pk])).content.decode()
    assert "Nhận biết được mệnh đề" in html and 'data-testid="matrix"' in html
    # a wrong code is refused with the row's number; the saved rows stay
    form["rows-1-outcomes"] = "TOAN10.KHONG.CO"
    response = client.post(reverse("exams:blueprint_edit", args=[blueprint.pk]), form)
    assert response.status_code == 200
    assert "Row 2: TOAN10.KHONG.CO is not a YCCĐ of Toán, grade 10." in response.content.decode()
    assert blueprint.rows.count() == 2 and blueprint.rows.last().outcomes.get().code == "BP.T10.B1"
    # own level targets replace the framework's 40/30/30; the page reports the shares against them
    form["rows-1-outcomes"] = "BP.T10.B1"
    response = client.post(
        reverse("exams:blueprint_edit", args=[blueprint.pk]), {**form, "bp-level_targets": "50 / 50"}
    )
    assert "Give 3 shares, one per level (Biết / Hiểu / Vận dụng)." in response.content.decode()
    client.post(reverse("exams:blueprint_edit", args=[blueprint.pk]), {**form, "bp-level_targets": "50 / 30 / 20"})
    blueprint.refresh_from_db()
    assert blueprint.level_targets == {"biet": "50", "hieu": "30", "van_dung": "20"}
    assert [sorted(r.cells.values_list("format", "level", "count")) for r in blueprint.rows.all()] == [
        [("mcq", "biet", 16), ("tf", "hieu", 12)],
        [("essay", "van_dung", 1)],
    ]
    html = client.get(reverse("exams:blueprint", args=[blueprint.pk])).content.decode()
    assert "Biết: 40 % of the points, the target is 50 %." in html
    assert 'value="50 / 30 / 20"' in client.get(reverse("exams:blueprint_edit", args=[blueprint.pk])).content.decode()


def test_matrix_page_within_a_query_budget(client, setup, django_assert_max_num_queries):
    blueprint = make_blueprint(setup)
    client.force_login(setup.people.teacher)
    url = reverse("exams:blueprint", args=[blueprint.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "TNKQ Đúng – Sai" in html and "Thiết lập được mệnh đề kéo theo" in html
    # more rows do not cost more queries
    rows = rows_10_points()
    for row in rows:
        row.cells = {k: (n, p / 2) for k, (n, p) in row.cells.items()}
    authoring.save_rows(blueprint=blueprint, user=setup.people.teacher, rows=rows + rows)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    # the authoring page of a generated test (22 questions in 4 parts, the blueprint check) stays bounded too
    test, _ = authoring.generate_test(blueprint=blueprint, created_by=setup.people.teacher, seed="q")
    with django_assert_max_num_queries(35):
        assert client.get(reverse("exams:test_edit", args=[test.pk])).status_code == 200


def test_excel_download(client, setup):
    blueprint = make_blueprint(setup)
    client.force_login(setup.people.group_head)
    response = client.get(reverse("exams:blueprint_xlsx", args=[blueprint.pk, "ma-tran"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="ma-tran-' in response["Content-Disposition"]
    ws = load_workbook(BytesIO(response.content)).active
    assert ws["A1"].value == "MA TRẬN ĐỀ KIỂM TRA" and ws["D7"].value == 8
    assert client.get(reverse("exams:blueprint_xlsx", args=[blueprint.pk, "khac"])).status_code == 404


def test_generate_then_check_on_the_pages(client, setup):
    people = setup.people
    rows = rows_10_points()
    rows[0].cells[("tf", "hieu")] = (16, D("0.125"))
    blueprint = make_blueprint(setup, rows=rows)
    client.force_login(people.teacher)
    response = client.post(
        reverse("exams:blueprint_generate", args=[blueprint.pk]), {"seed": "s1", "title": "Đề từ ma trận"}, follow=True
    )
    test = ExamTest.objects.get(title="Đề từ ma trận")
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("exams:test_edit", args=[test.pk])
    assert "4 questions needed, only 3 ready questions" in html
    assert "the blueprint asks for 16 items (2 points), the test has 12 (1,5 points)" in html
    html = client.get(reverse("exams:blueprint_check", args=[blueprint.pk]) + f"?test={test.pk}").content.decode()
    assert 'data-testid="deviations"' in html and "the test has 12" in html


def test_author_a_test_on_the_pages(client, setup):
    people = setup.people
    toan = get_subject("toan")
    client.force_login(people.teacher)
    response = client.post(
        reverse("exams:test_create"),
        {
            "title": "Giữa kì I",
            "subject": f"{people.school.pk}:{toan.pk}",
            "grade": 10,
            "kind": "midterm",
            "start": "thpt2025",
            "minutes": 45,
        },
    )
    test = ExamTest.objects.get(title="Giữa kì I")
    assert response["Location"] == reverse("exams:test_edit", args=[test.pk])
    assert [(p.code, p.count) for p in test.parts.all()] == [("I", 12), ("II", 4), ("III", 6)] and test.minutes == 90
    url = reverse("exams:test_edit", args=[test.pk])
    html = client.get(url, {"type": "single_choice", "level": "biet", "outcome": "BP.T10.B1"}).content.decode()
    assert html.count('name="version"') == 8  # the 8 single choice biết of row B
    part1, part2, part3 = test.parts.all()
    singles = [
        q.ready_version
        for q in setup.bank.questions.filter(type="single_choice", level="biet", outcomes__code="BP.T10.A1")[:10]
    ]
    singles += [
        q.ready_version for q in setup.bank.questions.filter(type="single_choice", outcomes__code="BP.T10.B1")[:2]
    ]
    for version in singles:
        client.post(url, {"action": "add_item", "part": part1.pk, "version": version.pk})
    assert part1.items.count() == 12 and {i.points for i in part1.items.all()} == {D("0.25")}
    response = client.post(url, {"action": "add_item", "part": part1.pk, "version": singles[0].pk}, follow=True)
    assert f"Question #{singles[0].question_id} is already in this test." in response.content.decode()
    client.post(url, {"action": "add_draw", "part": part2.pk, "bank": setup.bank.pk, "count": 3, "level": "hieu"})
    assert part2.draws.get().count == 3
    response = client.post(
        url,
        {"action": "add_draw", "part": part3.pk, "bank": setup.bank.pk, "count": 6, "outcome": "BP.T10.A1"},
        follow=True,
    )
    assert (
        "Part III: the draw from" in response.content.decode()
        and "asks for 6 questions but only 3" in response.content.decode()
    )
    # problems block sending for review; removing and fixing clears them
    response = client.post(url, {"action": "submit"}, follow=True)
    assert "Part II has 3 questions; the template asks for 4." in response.content.decode()
    assert authoring.review_state(test) == ""
    item = part1.items.first()
    client.post(url, {"action": "set_points", "item": item.pk, "points": "0,5"})
    assert Item.objects.get(pk=item.pk).points == D("0.5")
    client.post(url, {"action": "remove_item", "item": item.pk})
    assert part1.items.count() == 11
    # the group head cannot edit someone else's test
    client.force_login(people.group_head)
    response = client.post(url, {"action": "remove_draw", "draw": part2.draws.get().pk})
    assert response.status_code == 403 and part2.draws.count() == 1


def test_review_on_the_test_page(client, setup):
    people = setup.people
    blueprint = make_blueprint(setup)
    test, _ = authoring.generate_test(blueprint=blueprint, created_by=people.teacher, seed="v")
    url = reverse("exams:test_edit", args=[test.pk])
    client.force_login(people.teacher)
    client.post(url, {"action": "submit", "comment": "Nhờ tổ duyệt"})
    assert authoring.review_state(test) == ReviewAction.SUBMITTED
    assert 'name="version"' not in client.get(url, {"type": "essay"}).content.decode()  # locked while in review
    assert client.post(url, {"action": "approve"}).status_code == 403  # the author never approves
    client.force_login(people.group_head)
    html = client.get(url).content.decode()
    assert "Return to the author" in html
    client.post(url, {"action": "return", "comment": "Đổi câu 2"})
    assert authoring.review_state(test) == ReviewAction.RETURNED
    client.force_login(people.teacher)
    client.post(url, {"action": "submit"})
    client.force_login(people.principal)
    client.post(url, {"action": "approve", "variants": 3})
    test.refresh_from_db()
    assert test.status == "approved" and test.approved_by == people.principal and test.variants.count() == 3
    assert services.check_test(test) == []


def test_the_older_test_page_approves_through_the_review_trail(client, setup):
    people = setup.people
    blueprint = make_blueprint(setup)
    test, _ = authoring.generate_test(blueprint=blueprint, created_by=people.teacher, seed="cu")
    url = reverse("exams:test", args=[test.pk])
    client.force_login(people.group_head)
    assert 'value="approve"' not in client.get(url).content.decode()  # a draft: nothing to approve
    response = client.post(url, {"action": "approve"}, follow=True)
    assert "must send it for review" in response.content.decode()
    test.refresh_from_db()
    assert test.status == "draft" and not test.reviews.exists() and not test.variants.exists()
    authoring.submit_test_for_review(test=test, user=people.teacher)
    html = client.get(url).content.decode()
    assert 'value="approve"' in html and 'name="variants"' in html
    client.force_login(people.teacher)
    assert client.post(url, {"action": "approve"}).status_code == 403  # never the author
    client.force_login(people.group_head)
    client.post(url, {"action": "approve", "variants": "2"})
    test.refresh_from_db()
    assert test.status == "approved" and test.approved_by == people.group_head and test.variants.count() == 2
    assert [r.action for r in test.reviews.all()] == ["submitted", "approved"]
    assert 'value="approve"' not in client.get(url).content.decode()


def test_the_matrix_page_in_vietnamese(client, setup, settings):
    blueprint = make_blueprint(setup)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(setup.people.teacher)
    html = client.get(reverse("exams:blueprint", args=[blueprint.pk])).content.decode()
    for text in ("Mức độ đánh giá", "Tổng số câu", "Tổng số điểm", "Bản đặc tả", "Tạo đề từ ngân hàng"):
        assert text in html, text


class _FormValues(HTMLParser):
    """The values a browser would send for each POST form of the page (inputs, textareas, selected options)."""

    def __init__(self):
        super().__init__()
        self.forms, self._textarea, self._select, self._in_form = [], None, None, False

    @property
    def values(self):
        return self.forms[-1]

    def form_with(self, name):
        return next(f for f in self.forms if name in f)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post":
            self._in_form = True
            self.forms.append({})
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "submit"):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.values):
            self.values[self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def test_saving_the_edit_page_as_rendered_keeps_every_row(client, setup):
    blueprint = make_blueprint(setup)
    client.force_login(setup.people.teacher)
    url = reverse("exams:blueprint_edit", args=[blueprint.pk])
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    values = parser.form_with("rows-TOTAL_FORMS")
    assert values["rows-INITIAL_FORMS"] == "2" and values["rows-TOTAL_FORMS"] == "4"
    assert values["rows-0-outcomes"].split() == ["BP.T10.A1", "BP.T10.A2"] and values["rows-1-p_essay_van_dung"]
    response = client.post(url, values)
    assert response.status_code == 302
    before = blueprint_selectors.matrix(blueprint)
    after = blueprint_selectors.matrix(blueprint_selectors.get_blueprint(blueprint.pk))
    assert [r.cells for r in after.rows] == [r.cells for r in before.rows] and after.total_points == D(10)
    values["rows-2-chapter"] = "Chương II"
    values["rows-2-outcomes"] = "BP.T10.B1"
    values["rows-2-n_mcq_biet"] = "4"
    values["rows-2-p_mcq_biet"] = "0,25"
    values["rows-1-DELETE"] = "on"
    client.post(url, values)
    assert [r.chapter for r in blueprint.rows.all()] == ["Chương I. Mệnh đề và tập hợp", "Chương II"]
