"""The question-bank pages: authoring every type, review, import preview → save with progress, export, safety."""

import io
import re

import pytest
from django.urls import reverse

from lms.assessments import api
from lms.assessments.models import ImportJob
from lms.assessments.rendering import safe_html
from tests.support.people import PASSWORD


@pytest.fixture
def bank(people):
    return api.create_bank(subject_group=people.group, name="Ngân hàng Toán 10")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


BASE = {"points": "1", "level": "hieu", "tolerance": "0"}
EVERY_TYPE = {
    "single_choice": {"option_0": "2", "option_0_correct": "on", "option_1": "3"},
    "multiple_response": {
        "option_0": "2", "option_0_correct": "on", "option_1": "3", "option_2": "4", "option_2_correct": "on",
    },
    "true_false": {"truth": "false"},
    "true_false_4": {
        "statement_a": "p", "statement_a_true": "on", "statement_b": "q", "statement_c": "r", "statement_d": "s",
    },
    "short_answer": {"answers": "Hà Nội\nHN | 50", "ignore_diacritics": "on"},
    "numeric": {"number": "-1,5", "answer_sheet": "on"},
    "matching": {"pairs": "a -> 1\nb -> 2"},
    "ordering": {"items": "một\nhai\nba"},
    "cloze": {"stem": "Thủ đô Pháp là {1:MULTICHOICE:=Paris~Lyon}."},
    "essay": {"rubric": "Đủ ý | 2\nDiễn đạt | 1"},
    "group": {"subquestions": "Câu a? {=đúng ~sai}\n\nCâu b? {#3}"},
    "description": {},
}  # fmt: skip
KEYS = {
    "single_choice": "A", "multiple_response": "AC", "true_false": "S", "true_false_4": "ĐSSS",
    "short_answer": "Hà Nội",
    "numeric": "-1,5", "matching": "", "ordering": "", "cloze": "", "essay": "", "group": "", "description": "",
}  # fmt: skip


@pytest.mark.parametrize("qtype", list(EVERY_TYPE))
def test_author_every_type(client, people, bank, qtype):
    login(client, people.teacher)
    data = {**BASE, "type": qtype, "stem": r"Câu hỏi \(x^2\)", "action": "save", **EVERY_TYPE[qtype]}
    response = client.post(reverse("assessments:question_new", args=[bank.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    question = bank.questions.get()
    version = question.latest_version
    assert question.type == qtype and question.level == "hieu"
    assert version.as_ir().key == KEYS[qtype]
    page = client.get(reverse("assessments:question", args=[question.pk]))
    assert page.status_code == 200
    edit = client.get(reverse("assessments:question_edit", args=[question.pk]))
    assert edit.status_code == 200


def test_form_errors_are_shown(client, people, bank):
    login(client, people.teacher)
    data = {**BASE, "type": "single_choice", "stem": "x", "option_0": "a", "option_1": "b", "action": "save"}
    response = client.post(reverse("assessments:question_new", args=[bank.pk]), data)
    assert response.status_code == 200
    assert "Đánh dấu phương án đúng." in response.content.decode() or response.context["form"].errors


def test_review_through_the_pages(client, people, bank):
    login(client, people.teacher)
    data = {**BASE, "type": "true_false_4", "stem": "Cho", "action": "submit", **EVERY_TYPE["true_false_4"]}
    client.post(reverse("assessments:question_new", args=[bank.pk]), data)
    question = bank.questions.get()
    assert question.latest_version.status == "in_review"
    client.logout()
    login(client, people.group_head)
    assert question.latest_version.title in client.get(reverse("assessments:banks")).content.decode()
    url = reverse("assessments:question_action", args=[question.pk])
    client.post(url, {"version": 1, "action": "approve", "comment": "Đạt"})
    assert question.latest_version.status == "ready"
    client.logout()
    login(client, people.teacher)
    edit = {**data, "stem": "Cho hàm số", "action": "save"}
    client.post(reverse("assessments:question_edit", args=[question.pk]), edit)
    assert [v.status for v in question.versions.order_by("number")] == ["ready", "draft"]


def test_outsiders_cannot_write_into_a_bank(client, people, bank):
    login(client, people.student)
    assert client.get(reverse("assessments:question_new", args=[bank.pk])).status_code in (403, 404)


def test_import_preview_then_save_with_progress_then_export(client, people, bank):
    login(client, people.teacher)
    upload = io.BytesIO("Câu 1?{=a ~b}\n\nCâu 2?{#2}\n".encode())
    upload.name = "de.gift"
    response = client.post(reverse("assessments:import", args=[bank.pk]), {"file": upload, "format": "auto"})
    assert response.status_code == 200 and bank.questions.count() == 0  # a preview saves nothing
    job = ImportJob.objects.get()
    response = client.post(reverse("assessments:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    status = client.get(reverse("assessments:import_job", args=[job.pk]) + "?format=json").json()
    assert status["status"] == "done" and status["percent"] == 100
    assert bank.questions.count() == 2
    exported = client.get(reverse("assessments:export", args=[bank.pk]) + "?format=gift")
    assert exported.status_code == 200 and "=a\n    ~b" in exported.content.decode()
    for fmt in ("moodlexml", "qti", "docx"):
        assert client.get(reverse("assessments:export", args=[bank.pk]) + f"?format={fmt}").status_code == 200


def test_import_errors_are_listed_per_question(client, people, bank):
    login(client, people.teacher)
    upload = io.BytesIO(b"Q1?{=a ~b}\n\nQ2?{~a ~b}\n")
    upload.name = "de.gift"
    response = client.post(reverse("assessments:import", args=[bank.pk]), {"file": upload})
    assert "no correct option" in response.content.decode()
    page = response.content.decode()
    # no "save these questions" form (its action is …/nhap/<job>/luu/) while any question has an error
    assert not re.search(r"nhap/\d+/luu/", page) and "nhap/" in page


def test_imported_html_is_sanitised():
    html = safe_html('<p onclick="x()">a<script>alert(1)</script><img src="@@PLUGINFILE@@/h.png" onerror="y"></p>',
                     {"h.png": "/media/h.png"})  # fmt: skip
    assert html == '<p>a<img src="/media/h.png"></p>'
    assert safe_html('<a href="javascript:x">k</a>') == '<a rel="noopener nofollow">k</a>'


def test_metadata_subject_grade_and_yccd(client, people, bank):
    from curriculum.api import get_outcomes, get_subject

    outcome = get_outcomes(subject=get_subject("toan"), grade=10).first()
    login(client, people.teacher)
    data = {**BASE, "type": "numeric", "stem": "x?", "number": "2", "action": "save", "subject": "toan", "grade": "10"}
    bad = client.post(reverse("assessments:question_new", args=[bank.pk]), {**data, "outcome_codes": "TOAN10.KHONG.CO"})
    assert bad.status_code == 200 and "TOAN10.KHONG.CO" in bad.content.decode()
    client.post(reverse("assessments:question_new", args=[bank.pk]), {**data, "outcome_codes": outcome.code.lower()})
    question = bank.questions.get()
    assert (question.subject.code, question.grade, list(question.outcomes.all())) == ("toan", 10, [outcome])
    page = client.get(reverse("assessments:question_edit", args=[question.pk])).content.decode()
    assert outcome.code in page


def test_author_adds_a_picture(client, people, bank):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from lms.assessments.models import QuestionFile

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
    PNG = buffer.getvalue()
    login(client, people.teacher)
    data = {
        **BASE,
        "type": "essay",
        "stem": "Mô tả hình",
        "action": "save",
        "image": SimpleUploadedFile("h 1.png", PNG),
    }
    assert client.post(reverse("assessments:question_new", args=[bank.pk]), data).status_code == 302
    question = bank.questions.get()
    assert question.latest_version.content["stem"] == 'Mô tả hình <img src="@@PLUGINFILE@@/h_1.png" alt="">'
    stored = QuestionFile.objects.get(question=question, name="h_1.png")
    page = client.get(reverse("assessments:question", args=[question.pk])).content.decode()
    assert f'<img src="{stored.file.url}" alt="">' in page
    # editing keeps the picture
    edit = {**BASE, "type": "essay", "stem": question.latest_version.content["stem"] + " nữa", "action": "save"}
    client.post(reverse("assessments:question_edit", args=[question.pk]), edit)
    assert QuestionFile.objects.filter(question=question).count() == 1


def test_a_large_import_preview_is_paginated_with_every_problem_listed(client, people, bank):
    from lms.assessments import views

    login(client, people.teacher)
    lines = [f"Câu {n}? {{=đúng{n} ~sai}}" for n in range(1, 2001)]
    lines[1499] = "Câu 1500? {~a ~b}"  # no correct option: an error on page 30
    lines[1] = "Câu 2? {~a ~b}"  # and one on page 1
    upload = io.BytesIO("\n\n".join(lines).encode())
    upload.name = "lon.gift"
    response = client.post(reverse("assessments:import", args=[bank.pk]), {"file": upload, "per_item": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and bank.questions.count() == 0
    assert response.context["preview"][0]["number"] == 1 and len(response.context["preview"]) == views.PREVIEW_PAGE_SIZE
    assert "Câu 51?" in page and "Câu 52?" not in page  # question 2 has an error: it is not a row
    assert "1998" in page  # questions read
    errors = response.context["result"]["errors"]
    assert [e["question"] for e in errors] == [2, 1500]  # the whole list on every page
    job = ImportJob.objects.get()
    preview_url = reverse("assessments:import_preview", args=[job.pk])
    confirm_url = reverse("assessments:import_confirm", args=[job.pk])
    assert confirm_url in page
    assert f"{preview_url}?page=2" in page

    last = client.get(preview_url + "?page=40")
    assert [q["number"] for q in last.context["preview"]][-1] == 2000
    assert "Câu 1999?" in last.content.decode() and "Câu 1950?" not in last.content.decode()
    assert [e["question"] for e in last.context["result"]["errors"]] == [2, 1500]

    # the cache forgot the file: it is read again from the upload; other people cannot see it
    from django.core.cache import cache

    cache.delete(views._preview_key(job.pk))
    again = client.get(preview_url + "?page=30")
    numbers = [q["number"] for q in again.context["preview"]]
    assert numbers[0] == 1452 and 1500 not in numbers and numbers[-1] == 1502
    assert confirm_url in again.content.decode()
    login(client, people.student)
    assert client.get(preview_url).status_code == 404

    # saving is unchanged: with "save the good questions" the 1998 good ones, in one go
    login(client, people.teacher)
    assert client.post(confirm_url).status_code == 302
    assert bank.questions.count() == 1998
    assert confirm_url not in client.get(preview_url).content.decode()


def test_an_import_with_errors_saves_nothing_when_not_per_item(client, people, bank):
    login(client, people.teacher)
    lines = [f"Câu {n}? {{=a ~b}}" for n in range(1, 121)]
    lines[99] = "Câu 100? {~a ~b}"
    upload = io.BytesIO("\n\n".join(lines).encode())
    upload.name = "de.gift"
    response = client.post(reverse("assessments:import", args=[bank.pk]), {"file": upload})
    job = ImportJob.objects.get()
    confirm_url = reverse("assessments:import_confirm", args=[job.pk])
    assert "no correct option" in response.content.decode() and confirm_url not in response.content.decode()
    page3 = client.get(reverse("assessments:import_preview", args=[job.pk]) + "?page=3")
    assert confirm_url not in page3.content.decode() and "no correct option" in page3.content.decode()
    assert "Câu 120?" in page3.content.decode()
    assert bank.questions.count() == 0
