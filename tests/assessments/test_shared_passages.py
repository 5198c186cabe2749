"""Câu chùm in Word files: a heading naming its questions ("Đọc đoạn văn sau và trả lời các câu từ 2 đến 3",
"Dùng thông tin sau cho câu 1 và câu 2") or a passage repeated in the table row of each question (VNHSGE) becomes
one ``group`` question: the passage once, the questions its parts, in every format we write and read back."""

from decimal import Decimal as D
from pathlib import Path

import pytest

from lms.assessments import api
from lms.assessments.api import QType, export_ir, import_bytes, import_file
from lms.assessments.models import QuestionFile
from tests.assessments.docx_builder import PNG, docx, line, p, picture, r

FIXTURES = Path("../shared/fixtures")
PASSAGE = "Nam có một khu vườn hình chữ nhật dài 20 m, rộng 15 m. Ông làm lối đi rộng 1 m quanh vườn."


def exam_with_passages() -> bytes:
    return docx(
        line("PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn."),
        line("Câu 1. Thủ đô của Việt Nam là"),
        p(r("A.", u=True), r(" Hà Nội")),
        line("B. Huế"),
        line("Lời giải"),
        line("Hà Nội là thủ đô."),
        line("Đọc đoạn văn sau và trả lời các câu từ 2 đến 3:"),
        line(PASSAGE),
        p(r("Hình 1. "), picture()),
        line("Câu 2. Chu vi khu vườn là"),
        line("A. 35 m"),
        p(r("B.", u=True), r(" 70 m")),
        line("Câu 3. Diện tích khu vườn là"),
        p(r("A.", u=True), r(" 300 m²")),
        line("B. 150 m²"),
        line("Lời giải"),
        line("20 · 15 = 300. Chọn A."),
        line("Câu 4. Số nào là số nguyên tố?"),
        line("A. 4"),
        p(r("B.", u=True), r(" 5")),
        line("PHẦN III. Câu trắc nghiệm trả lời ngắn."),
        line("Dùng thông tin sau cho câu 1 và câu 2: Một ô tô đi 120 km trong 2 giờ."),
        line("Câu 1. Vận tốc trung bình (km/h) là bao nhiêu?"),
        line("Đáp án: 60"),
        line("Câu 2. Đi tiếp 3 giờ với vận tốc đó thì được thêm bao nhiêu km?"),
        line("Đáp án: 180"),
        line("Câu 3. Tính 2,5 + 1"),
        line("Đáp án: 3,5"),
    )


def test_headings_make_groups_with_the_passage_once():
    result = import_bytes(exam_with_passages(), fmt="docx")
    assert not result.errors, [e.to_dict() for e in result.errors]
    assert all("R26" in w.message for w in result.warnings), [w.to_dict() for w in result.warnings]
    q = result.questions
    assert [(x.exam_part, x.type, x.key, len(x.parts)) for x in q] == [
        ("I", QType.SINGLE, "A", 0),
        ("I", QType.GROUP, "", 2),
        ("I", QType.SINGLE, "B", 0),
        ("III", QType.GROUP, "", 2),
        ("III", QType.NUMERIC, "3,5", 0),
    ]
    reading, numbers = q[1], q[3]
    # the passage (with its picture) is the group's stem, and only there; Câu 1's options and solution keep nothing
    assert reading.stem.startswith(PASSAGE) and "@@PLUGINFILE@@/hinh1.png" in reading.stem
    assert list(reading.media) == ["hinh1.png"]
    assert [part.stem for part in reading.parts] == ["Chu vi khu vườn là", "Diện tích khu vườn là"]
    assert [part.key for part in reading.parts] == ["B", "A"]
    assert reading.parts[1].solution.startswith("20 · 15 = 300")
    assert q[0].solution == "Hà Nội là thủ đô." and "Đọc" not in q[0].choices[-1].text
    assert reading.name == "Phần I, Câu 2–3" and reading.points == D(2)
    assert numbers.stem == "Một ô tô đi 120 km trong 2 giờ."
    assert [part.key for part in numbers.parts] == ["60", "180"]
    assert [part.answer_sheet for part in numbers.parts] == ["THPT2025", "THPT2025"]
    # numbers stay the file's own: one per question, groups numbered by their first question
    assert [x.number for x in q] == [1, 2, 4, 5, 7]
    assert [part.number for part in reading.parts + numbers.parts] == [2, 3, 5, 6]
    summary = result.to_dict()["questions"][1]
    assert [s["choices"][1]["correct"] for s in summary["parts"]] == [True, False]


def test_a_heading_naming_questions_that_do_not_follow_is_reported():
    data = docx(
        line("Dùng thông tin sau cho câu 1, câu 2 và câu 3: Cho tam giác đều cạnh 2."),
        line("Câu 1. Chu vi tam giác là"),
        line("Đáp án: 6"),
        line("Câu 2. Cạnh tam giác là"),
        line("Đáp án: 2"),
    )
    result = import_bytes(data, fmt="docx")
    assert not result.errors
    (group,) = result.questions
    assert group.type == QType.GROUP and [p.key for p in group.parts] == ["6", "2"]
    assert [w.message for w in result.warnings] == [
        "“Dùng thông tin sau cho câu 1, câu 2 và câu 3:” names Câu 3, which do not follow it"
    ]


def test_a_broken_question_of_a_group_is_reported_and_the_rest_kept():
    data = docx(
        line("Đọc đoạn văn sau và trả lời các câu từ 1 đến 2."),
        line(PASSAGE),
        line("Câu 1. Chu vi khu vườn là"),
        line("A. 35 m"),
        line("B. 70 m"),
        line("Câu 2. Diện tích khu vườn là"),
        p(r("A.", u=True), r(" 300 m²")),
        line("B. 150 m²"),
    )
    result = import_bytes(data, fmt="docx")
    assert [(e.question, e.message) for e in result.errors] == [(1, "Câu 1: no answer key")]
    (group,) = result.questions
    assert group.number == 2 and [p.number for p in group.parts] == [2]
    assert any("shared passage was kept" in w.message for w in result.warnings)


def test_vnhsge_english_passages_repeated_in_table_rows_are_kept_once():
    result = import_file(FIXTURES / "docx/vnhsge/MET_Eng_IE_2023.docx")
    assert not result.errors
    groups = [q for q in result.questions if q.type == QType.GROUP]
    assert [(g.name, len(g.parts)) for g in groups] == [("Câu 34–38", 5), ("Câu 39–43", 5), ("Câu 44–50", 7)]
    assert "Keeping fit and healthy" in groups[0].stem
    assert "Sweden can be one of the first countries" in groups[1].stem
    for g in groups:
        assert all(g.stem[:80] not in part.stem for part in g.parts)
    # the cloze passage's questions are its numbered gaps
    assert [part.stem for part in groups[0].parts] == ["(34)", "(35)", "(36)", "(37)", "(38)"]
    assert groups[1].parts[0].stem.startswith("Which of the following can be the best title")
    # questions 1–33 are single questions as before (their instructions stay in their stems)
    assert len(result.questions) == 33 + len(groups)


@pytest.mark.parametrize("fmt", ["docx", "moodlexml", "qti"])
def test_groups_round_trip(fmt):
    questions = import_bytes(exam_with_passages(), fmt="docx").questions
    questions += [q for q in import_file(FIXTURES / "docx/vnhsge/MET_Eng_IE_2023.docx").questions if q.parts]
    back = import_bytes(export_ir(questions, fmt), fmt=fmt)
    assert not back.errors, [e.to_dict() for e in back.errors]
    key = lambda qs: sorted((q.essence() for q in qs), key=repr)  # noqa: E731 — Word regroups into parts I–IV
    assert key(back.questions) == key(questions)
    assert sum(q.type == QType.GROUP for q in back.questions) == 5


def test_word_export_names_the_questions_of_a_group():
    import io
    import zipfile

    questions = import_bytes(exam_with_passages(), fmt="docx").questions
    xml = zipfile.ZipFile(io.BytesIO(export_ir(questions, "docx"))).read("word/document.xml").decode()
    assert "Đọc thông tin sau và trả lời các câu từ 2 đến 3." not in xml  # two questions: "câu 2 và câu 3"
    assert "Đọc thông tin sau và trả lời câu 2 và câu 3." in xml
    assert xml.count("Nam có một khu vườn") == 1


def test_a_saved_group_is_one_question_with_its_passage_and_picture_once(people):
    bank = api.create_bank(subject_group=people.group, name="Ngân hàng Toán 6")
    result = import_bytes(exam_with_passages(), fmt="docx")
    saved = api.save_import(result, bank=bank, author=people.teacher)
    assert [v.question.type for v in saved] == ["single_choice", "group", "single_choice", "group", "numeric"]
    group = saved[1].as_ir()
    assert [p.key for p in group.parts] == ["B", "A"] and group.stem.startswith(PASSAGE)
    assert saved[1].points == D(2)
    (picture_file,) = QuestionFile.objects.filter(question=saved[1].question)
    with picture_file.file.open("rb") as f:
        assert f.read() == PNG


def test_a_group_with_an_invalid_part_is_refused_with_the_part_named():
    group = api.QuestionContent(
        type=QType.GROUP,
        stem="Đoạn văn",
        parts=[api.QuestionContent(type=QType.SINGLE, stem="", choices=[])],
    )
    problems = api.validate_content(group)
    assert problems[0].startswith("Câu hỏi con 1:") or problems[0].startswith("Sub-question 1:")


def english_exam_with_open_passages() -> bytes:
    """Passage headings that name no question: each takes the questions up to the next heading or instruction."""
    return docx(
        line("Mark the letter A, B, C, or D to indicate the correct answer to each of the following questions."),
        line("Question 1: She ..... to school every day."),
        p(r("A.", u=True), r(" goes")),
        line("B. go"),
        line(
            "Read the following passage and mark the letter A, B, C, or D to indicate the correct answer to each "
            "of the questions."
        ),
        line("Tet is the most important festival in Vietnam. Families clean their houses and cook banh chung."),
        p(r("Picture: "), picture()),
        line("Question 2: What is the passage mainly about?"),
        p(r("A.", u=True), r(" Tet")),
        line("B. Christmas"),
        line("Question 3: What do families cook?"),
        line("A. pho"),
        p(r("B.", u=True), r(" banh chung")),
        line("Mark the letter A, B, C, or D to indicate the word that differs from the other three."),
        line("Question 4: Choose the odd one out."),
        line("A. cat"),
        p(r("B.", u=True), r(" table")),
        line("Đọc đoạn văn sau và trả lời câu hỏi"),
        line("Hà Nội là thủ đô của Việt Nam, có Hồ Gươm ở trung tâm."),
        line("Question 5: Hồ nào ở trung tâm Hà Nội?"),
        p(r("A.", u=True), r(" Hồ Gươm")),
        line("B. Hồ Tây"),
        line("Question 6: Hà Nội là gì của Việt Nam?"),
        p(r("A.", u=True), r(" thủ đô")),
        line("B. cảng biển"),
    )


def test_passage_headings_without_question_numbers_start_a_group():
    result = import_bytes(english_exam_with_open_passages(), fmt="docx")
    assert not result.errors, [e.to_dict() for e in result.errors]
    q = result.questions
    assert [(x.type, x.key, [p.key for p in x.parts]) for x in q] == [
        (QType.SINGLE, "A", []),
        (QType.GROUP, "", ["A", "B"]),
        (QType.SINGLE, "B", []),
        (QType.GROUP, "", ["A", "A"]),
    ]
    tet, hanoi = q[1], q[3]
    assert tet.stem.startswith("Tet is the most important festival") and "@@PLUGINFILE@@/" in tet.stem
    assert "Read the following passage" not in tet.stem and "Mark the letter" not in q[2].stem
    assert [p.stem for p in tet.parts] == ["What is the passage mainly about?", "What do families cook?"]
    assert hanoi.stem == "Hà Nội là thủ đô của Việt Nam, có Hồ Gươm ở trung tâm." and len(tet.media) == 1
    assert [p.number for p in hanoi.parts] == [5, 6]
    # the heading that names its questions still works as before, and Word export reads back the same groups
    again = import_bytes(export_ir(q, "docx"), fmt="docx")
    assert [(x.type, len(x.parts)) for x in again.questions] == [(x.type, len(x.parts)) for x in q]
