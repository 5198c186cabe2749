"""Opening the edit form of any imported question and saving it unchanged loses nothing.

For every fixture file (skipping ``negative/`` folders) and every question of a type the form edits, the form is
filled with ``QuestionForm.initial_from`` (as ``views.question_edit`` does), posted back as a browser would post
that form (checked boxes as "on", unchecked ones and empty fields absent, every other field as its text), validated
and turned back into an ``ir.Question``. What must not change is the question's ``essence()`` and the content the
essence leaves out on purpose (feedback of every kind, rubric, options of short answers, names, shuffle…).

The form stores every rich text as HTML: a plain or Markdown text of an imported question (Aiken, GIFT ``[plain]``)
becomes its escaped HTML, and imported HTML goes through the editor's whitelist. So the rich texts are compared as
the HTML the editor stores for them (``rich_text(as_html(text, format))``), which is also how the question pages
show them; everything else is compared as it is.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from lms.assessments.api import import_file
from lms.assessments.authoring import READ_ONLY_TYPES, QuestionForm, as_html, rich_text
from lms.assessments.ir import Question, _norm

FIXTURES = Path("../shared/fixtures")
FORMAT_DIRS = ("gift", "aiken", "moodlexml", "qti", "docx")


def fixture_files():
    files = []
    for folder in FORMAT_DIRS:
        for path in sorted((FIXTURES / folder).rglob("*")):
            if path.is_file() and "negative" not in path.parts:
                files.append(path)
    return files


def editable_questions():
    cases = []
    for path in fixture_files():
        for i, q in enumerate(import_file(path).questions):
            if q.type not in READ_ONLY_TYPES:
                cases.append(pytest.param(path, i, id=f"{path.relative_to(FIXTURES)}#{i + 1}"))
    return cases


def _text(text: str, fmt: str) -> str:
    return " ".join(rich_text(as_html(text, fmt)).split())


def comparable(q: Question, fmt: str | None = None) -> dict:
    """The essence with the rich texts as the editor stores them, plus what the essence leaves out."""
    q = copy.deepcopy(q)
    fmt = fmt or q.text_format
    _normalise_texts(q, fmt)
    return q.essence() | _extra(q)


def _normalise_texts(q: Question, fmt: str) -> None:
    q.stem = _text(q.stem, fmt)
    q.solution = _text(q.solution, fmt)
    q.feedback = _text(q.feedback, fmt)
    q.correct_feedback = _text(q.correct_feedback, fmt)
    q.incorrect_feedback = _text(q.incorrect_feedback, fmt)
    for c in q.choices:
        c.text, c.feedback = _text(c.text, fmt), _text(c.feedback, fmt)
    for s in q.statements:
        s.text, s.feedback = _text(s.text, fmt), _text(s.feedback, fmt)
    for a in [*q.answers, *q.numeric]:
        a.feedback = _text(a.feedback, fmt)
    if q.type == "cloze":
        # a sub-answer is written inside the Cloze text: its texts are plain, compared as they are
        return
    for p in q.parts:
        _normalise_texts(p, p.text_format if q.type == "group" else fmt)


def _extra(q: Question) -> dict:
    return {
        "name": q.name,
        "feedback": q.feedback,
        "correct_feedback": q.correct_feedback,
        "incorrect_feedback": q.incorrect_feedback,
        "choice_feedback": [c.feedback for c in q.choices],
        "statement_feedback": [s.feedback for s in q.statements],
        "answer_feedback": [a.feedback for a in q.answers],
        "numeric_feedback": [a.feedback for a in q.numeric],
        "rubric": [(" ".join(r.text.split()), _norm(r.points)) for r in q.rubric],
        "case_sensitive": q.case_sensitive,
        "ignore_diacritics": q.ignore_diacritics,
        "shuffle": q.shuffle,
        "answer_sheet": q.answer_sheet,
        "idnumber": q.idnumber,
        "exam_part": q.exam_part,
        "category": q.category,
        "media": sorted(q.media),
        "parts_extra": [_extra(p) for p in q.parts],
    }


def as_posted(form: QuestionForm, initial: dict) -> dict:
    """What a browser posts for the form rendered with ``initial``: each field's rendered value."""
    data = {}
    for name, field in form.fields.items():
        value = initial.get(name, field.initial)
        if value is None or value is False or value == "":
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data


def changes(before: dict, after: dict, prefix="") -> list[str]:
    out = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b == a:
            continue
        if isinstance(b, dict) and isinstance(a, dict):
            out.extend(changes(b, a, f"{prefix}{key}."))
        elif isinstance(b, list) and isinstance(a, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(b, a, strict=True)):
                if x != y:
                    if isinstance(x, dict) and isinstance(y, dict):
                        out.extend(changes(x, y, f"{prefix}{key}[{i}]."))
                    else:
                        out.append(f"{prefix}{key}[{i}]: {x!r} → {y!r}")
        else:
            out.append(f"{prefix}{key}: {b!r} → {a!r}")
    return out


def edit_unchanged(q: Question) -> Question:
    stored = Question.from_content(q.to_content())  # what a QuestionVersion holds
    stored.media = dict(q.media)
    initial = QuestionForm.initial_from(stored, None)
    form = QuestionForm(as_posted(QuestionForm(initial=initial), initial), initial=initial)
    assert form.is_valid(), form.errors
    return form.to_content(media=stored.media)


_CACHE: dict[Path, list[Question]] = {}


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "index"), editable_questions())
def test_saving_the_edit_form_unchanged_keeps_the_question(path, index):
    if path not in _CACHE:
        _CACHE[path] = import_file(path).questions
    original = _CACHE[path][index]
    saved = edit_unchanged(original)
    lost = changes(comparable(original), comparable(saved, "html"))
    assert not lost, f"{path} question {original.number}: " + "; ".join(lost)


def test_every_fixture_folder_has_editable_questions():
    found = {p.values[0].relative_to(FIXTURES).parts[0] for p in editable_questions()}
    assert found == set(FORMAT_DIRS)


# ---------------------------------------------------------------------------------------------- through the pages
FEEDBACK_GIFT = (
    "::Thủ đô::Thủ đô của Pháp là? {=Paris#Đúng rồi! ~Lyon#Lyon là thành phố lớn thứ ba. ~%50%Pa ri#Gần đúng"
    "####Paris là thủ đô từ năm 508.}\n\n"
    "::Năm::Năm Lý Thái Tổ dời đô? {#=1010:0#Chính xác! =%50%1010:5#Gần đúng}\n"
).encode()


@pytest.fixture
def imported(people):
    from lms.assessments import api, services
    from lms.assessments.api import import_bytes

    bank = api.create_bank(subject_group=people.group, name="Ngân hàng Sử")
    result = import_bytes(FEEDBACK_GIFT, fmt="gift")
    assert not result.errors
    services.save_import(bank=bank, author=people.teacher, result=result)
    return bank


def _open_and_save(client, question):
    from django.urls import reverse

    url = reverse("assessments:question_edit", args=[question.pk])
    form = client.get(url).context["form"]
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False or value == "":
            continue
        data[bound.html_name] = "on" if value is True else str(value)
    data["action"] = "save"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    question.refresh_from_db()
    return question.latest_version.as_ir()


@pytest.mark.django_db
def test_open_edit_and_save_through_the_pages_keeps_every_feedback(client, people, imported):
    from tests.support.people import PASSWORD

    assert client.login(username=people.teacher.username, password=PASSWORD)
    for question in imported.questions.order_by("pk"):
        before = question.latest_version.as_ir()
        after = _open_and_save(client, question)
        assert not changes(comparable(before), comparable(after, "html"))
    choice, number = (q.latest_version.as_ir() for q in imported.questions.order_by("pk"))
    assert [c.feedback for c in choice.choices] == ["Đúng rồi!", "Lyon là thành phố lớn thứ ba.", "Gần đúng"]
    assert choice.choices[2].fraction == _dec("0.5") and choice.name == "Thủ đô"
    assert [(a.value, a.tolerance, a.fraction, a.feedback) for a in number.numeric] == [
        (_dec(1010), _dec(0), _dec(1), "Chính xác!"),
        (_dec(1010), _dec(5), _dec("0.5"), "Gần đúng"),
    ]


@pytest.mark.django_db
def test_the_question_page_shows_the_feedback(client, people, imported):
    from django.urls import reverse

    from tests.support.people import PASSWORD

    assert client.login(username=people.teacher.username, password=PASSWORD)
    choice, number = imported.questions.order_by("pk")
    page = client.get(reverse("assessments:question", args=[choice.pk])).content.decode()
    assert "Lyon là thành phố lớn thứ ba." in page and "Gần đúng" in page and "(50 %)" in page
    page = client.get(reverse("assessments:question", args=[number.pk])).content.decode()
    assert "Chính xác!" in page and "50 %" in page


@pytest.mark.django_db
def test_the_carried_field_refuses_a_forged_value(client, people, imported):
    from django.core import signing
    from django.urls import reverse

    from lms.assessments.authoring import CARRY_SALT
    from tests.support.people import PASSWORD

    assert client.login(username=people.teacher.username, password=PASSWORD)
    question = imported.questions.order_by("pk").first()
    url = reverse("assessments:question_edit", args=[question.pk])
    form = client.get(url).context["form"]
    data = {b.html_name: b.value() for b in form if b.value() not in (None, False, "")}
    data = {k: "on" if v is True else str(v) for k, v in data.items()}
    payload = signing.loads(data["carry"], salt=CARRY_SALT)
    payload["meta"]["name"] = "<script>alert(1)</script>"
    data["carry"] = signing.dumps(payload, salt="another-salt")
    response = client.post(url, data)
    assert response.status_code == 200 and "carry" in response.context["form"].errors
    assert question.versions.count() == 1


@pytest.mark.django_db
def test_a_value_with_a_bar_and_a_line_break_survives_the_answer_lines():
    from lms.assessments.ir import QType, TextAnswer

    q = Question(type=QType.SHORT, stem="Viết", answers=[TextAnswer("a|b\nc", _dec("0.5"), "x | y")])
    saved = edit_unchanged(q)
    assert [(a.text, a.fraction, a.feedback) for a in saved.answers] == [("a|b\nc", _dec("0.5"), "x | y")]


def _dec(value):
    from decimal import Decimal

    return Decimal(str(value))


@pytest.mark.django_db
def test_a_true_false_question_keeps_the_feedback_of_its_two_choices():
    from lms.assessments.ir import Choice, QType

    q = Question(
        type=QType.TRUE_FALSE,
        stem="Trái Đất quay quanh Mặt Trời.",
        choices=[Choice("Đ", "Đúng", True, feedback="Đúng vậy."), Choice("S", "Sai", False, feedback="Xem lại.")],
    )
    saved = edit_unchanged(q)
    assert [(c.correct, c.feedback) for c in saved.choices] == [(True, "Đúng vậy."), (False, "Xem lại.")]
