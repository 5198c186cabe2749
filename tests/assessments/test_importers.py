"""Importers against every shared fixture, the VNHSGE answer keys, and hand-built Word files in the 2025 layout."""

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from lms.assessments.api import QType, import_bytes, import_file
from tests.assessments.docx_builder import docx, frac, line, p, picture, r, sqrt_sup

FIXTURES = Path("../shared/fixtures")
FORMAT_DIRS = ("gift", "aiken", "moodlexml", "qti", "docx")
ALL_FILES = sorted(f for d in FORMAT_DIRS for f in (FIXTURES / d).rglob("*") if f.is_file())

# Files whose questions cannot all be represented: each reports exactly these question numbers (None = the file).
KNOWN_BROKEN = {
    "qti/negative/tao_MalformedXMLTest.zip": {None},  # test.xml is not well-formed
    "qti/qti21/items/template_processing.xml": {1},  # random template values
    "qti/qti21/onyx_interaction_mix_sachsen_sectionrefs.zip": {5},  # hotspot
    "qti/qti22/items/citolab_kitchen-sink-item.qti2.xml": {1},  # template processing
    "qti/qti30/items/citolab_kitchen-sink-item.qti3.xml": {1},
    "qti/qti22/items/citolab_tao-verhoudingen-i69b7c498c.qti2.xml": {1},  # portable custom interaction
    "qti/qti30/items/citolab_tao-verhoudingen-i69b7c498c.qti3.xml": {1},
    "qti/qti22/items/rich_gap_text.xml": {1},  # no correct response declared
    "qti/qti22/items/ruby_html5.xml": {1},  # no correct response declared
    "qti/qti30/citolab_sample-package.zip": {9},  # select point
    "qti/qti30/items/citolab_kitchen-sink-test.qti3.xml": {1},  # a test whose items are not in the file
}


def rel(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def test_fixture_corpus_is_there():
    assert len(ALL_FILES) >= 60
    assert {rel(f).split("/")[0] for f in ALL_FILES} == set(FORMAT_DIRS)


@pytest.mark.parametrize("path", ALL_FILES, ids=rel)
def test_every_fixture_imports_or_reports_per_question(path):
    result = import_file(path)
    assert result.format == rel(path).split("/")[0]
    expected = KNOWN_BROKEN.get(rel(path), set())
    assert {e.question for e in result.errors} == expected, [e.to_dict() for e in result.errors]
    for error in result.errors:
        assert error.message
    if "negative" in rel(path):
        assert result.errors
    numbers = [q.number for q in result.questions] + [e.question for e in result.errors if e.question]
    assert len(numbers) == len(set(numbers)), "a question is both imported and reported, or numbered twice"
    if not expected or None in expected:
        assert result.questions or result.categories


VNHSGE = sorted(
    f for f in (FIXTURES / "docx/vnhsge").glob("*.docx") if (FIXTURES / "datasets/vnhsge" / f"{f.stem}.json").exists()
)


def test_vnhsge_pairs_are_found():
    assert {f.stem for f in VNHSGE} == {
        "MET_Eng_IE_2023",
        "MET_His_IE_2023",
        "MET_Lit_OE_2022",
        "MET_Math_IE_2023",
        "MET_Phy_IE_2023",
    }


@pytest.mark.parametrize("path", VNHSGE, ids=lambda p: p.stem)
def test_vnhsge_keys_equal_the_dataset(path):
    expected = [
        item.get("Choice") for item in json.loads((FIXTURES / "datasets/vnhsge" / f"{path.stem}.json").read_text())
    ]
    result = import_file(path)
    assert not result.errors
    # a câu chùm is one question whose parts are the numbered questions, in order
    questions = [part for q in result.questions for part in (q.parts if q.type == QType.GROUP else [q])]
    assert [q.key or None for q in questions] == expected


def test_vnhsge_maths_keeps_its_pictures_and_latex():
    result = import_file(FIXTURES / "docx/vnhsge/MET_Math_IE_2023.docx")
    pictures = {name for q in result.questions for name in q.media}
    assert len(pictures) == 16
    first = result.questions[0]
    assert first.stem.startswith("Trên mặt phẳng tọa độ")
    assert [c.text for c in first.choices] == ["(-6;7)", "(6;7)", "(7;6)", "(7;-6)"]
    assert "$z = 7-6i$" in first.solution
    with_picture = next(q for q in result.questions if q.media)
    assert "@@PLUGINFILE@@/" in with_picture.stem + with_picture.solution + "".join(
        c.text for c in with_picture.choices
    )
    # the duplicated "D." line of Câu 23 in the source is reported, not dropped
    assert any(w.question == 23 and "twice" in w.message for w in result.warnings)


def test_vnhsge_literature_essays_keep_guidance_and_points():
    result = import_file(FIXTURES / "docx/vnhsge/MET_Lit_OE_2022.docx")
    assert [q.type for q in result.questions] == [QType.ESSAY] * 6
    assert result.questions[4].points == D("2.0")
    assert result.questions[5].points == D("5.0")
    assert result.questions[0].stem.startswith("I. ĐỌC HIỂU")  # the reading passage stays with Câu 1
    assert result.questions[0].rubric and result.questions[0].solution


# ----------------------------------------------------------------------------------------------------- GIFT
def gift(text):
    return import_bytes(text.encode(), fmt="gift")


def test_gift_semantics():
    result = gift(
        "$CATEGORY: $course$/Toán/Đại số\n\n"
        "// [id:Q-7] \n// [tag:ham-so] [tag:lop10]\n"
        "::Tên\\: 1::[html]Giá trị của \\{x\\} là?{\n=2#đúng\n~%50%3#gần\n~4\n####Lời giải: thay vào.}\n\n"
        "Chọn số chẵn{~%50%2 ~%50%4 ~%-100%3}\n\n"
        "Số π?{#3.14:0.01}\n\nTừ 1 đến 5{#1..5}\n\n"
        "Nối{=a -> 1 =b -> 2 = -> 3}\n\nThủ đô?{=Hà Nội =%50%HN}\n\n"
        "Trời xanh.{T#sai rồi#đúng rồi}\n\nViết đoạn văn.{}\n\nMặt trời mọc ở {=đông ~tây} mỗi sáng."
    )
    assert not result.errors
    q = result.questions
    assert q[0].name == "Tên: 1" and q[0].idnumber == "Q-7" and q[0].tags == ["ham-so", "lop10"]
    assert q[0].category == "Toán/Đại số" and q[0].text_format == "html"
    assert q[0].stem == "Giá trị của {x} là?" and q[0].key == "A" and q[0].choices[1].fraction == D("0.5")
    assert q[0].solution == "Lời giải: thay vào." and q[0].choices[0].feedback == "đúng"
    assert q[1].type == QType.MULTIPLE and q[1].key == "AB"
    assert (q[2].numeric[0].value, q[2].numeric[0].tolerance) == (D("3.14"), D("0.01"))
    assert (q[3].numeric[0].value, q[3].numeric[0].tolerance) == (D(3), D(2))
    assert q[4].type == QType.MATCHING and [(p.left, p.right) for p in q[4].pairs] == [
        ("a", "1"),
        ("b", "2"),
        ("", "3"),
    ]
    assert q[5].type == QType.SHORT and [a.fraction for a in q[5].answers] == [D(1), D("0.5")]
    assert q[6].type == QType.TRUE_FALSE and q[6].key == "Đ" and q[6].correct_feedback == "đúng rồi"
    assert q[7].type == QType.ESSAY
    assert q[8].stem == "Mặt trời mọc ở _____ mỗi sáng." and q[8].key == "A"


def test_gift_errors_are_per_question_with_hints():
    result = gift("Q1{=a ~b}\n\nQ2 {~a ~b}\n\nQ3 {#abc}\n\nQ4 {=a\n\nQ5{=x -> 1}\n\nQ6{=ok}")
    assert [q.number for q in result.questions] == [1, 6]
    errors = {e.question: e for e in result.errors}
    assert set(errors) == {2, 3, 4, 5}
    assert "no correct option" in errors[2].message and errors[2].hint
    assert "not a number" in errors[3].message
    assert "unbalanced" in errors[4].message
    assert "two pairs" in errors[5].message


# ----------------------------------------------------------------------------------------------------- Aiken / XML
def test_aiken_errors():
    result = import_bytes(b"Q1?\nA. x\nB. y\nANSWER: B\n\nQ2?\nA) x\nB) y\nANSWER: C\n\nQ3?\nA) x\n", fmt="aiken")
    assert [q.key for q in result.questions] == ["B"]
    assert [(e.question, "C" in e.message or "ANSWER" in e.message) for e in result.errors] == [(2, True), (3, True)]


def test_moodle_xml_files_cloze_and_tf4():
    result = import_file(FIXTURES / "moodlexml/amc2moodle/QCM.xml")
    first = result.questions[0]
    assert set(first.media) == {"schema_interpL.png", "tinymonk.png"}
    assert first.media["tinymonk.png"][:4] == b"\x89PNG"
    xml = b"""<quiz><question type="multianswer"><name><text>cloze</text></name><questiontext format="html">
    <text>Paris is in {1:MC:=France~Spain} and has {2:NUMERICAL:=2.1:0.1} million people</text></questiontext>
    </question><question type="random"><name><text>c</text></name></question></quiz>"""
    result = import_bytes(xml, fmt="moodlexml")
    cloze = result.questions[0]
    assert cloze.type == QType.CLOZE and cloze.stem.count("{#") == 2
    assert cloze.parts[0].key == "A" and cloze.parts[1].numeric[0].tolerance == D("0.1")
    assert result.errors[0].question == 2 and "random question" in result.errors[0].message


def test_qti_package_and_qti3_items():
    result = import_file(FIXTURES / "qti/qti30/citolab_sample-package.zip")
    types = [q.type for q in result.questions]
    assert QType.SINGLE in types and QType.MULTIPLE in types and QType.ORDERING in types and QType.MATCHING in types
    assert any(q.media for q in result.questions)
    mathml = import_file(FIXTURES / "qti/qti21/tao_MathML.zip")
    assert all(q.key for q in mathml.questions)


# ----------------------------------------------------------------------------------------------------- Word 2025
def exam_2025():
    return docx(
        line("SỞ GD&ĐT HÀ NỘI – ĐỀ THI THỬ"),
        line("PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn."),
        p(r("Câu 1. ", b=True), r("Giá trị của "), frac("1", "2"), r(" là")),
        p(r("A", u=True), r(". 0,5")),
        line("B. 1"),
        line("C. 2"),
        line("D. 3"),
        p(r("Câu 2. Cho hình vẽ "), picture(), r(". Chọn câu đúng.")),
        line("A. một     B. hai     *C. ba     D. bốn"),
        line("Câu 3. Số nguyên tố nhỏ nhất là"),
        line("A. 1.B. 2.C. 3.D. 4."),
        line("Đáp án: B"),
        line("Câu 4. Thủ đô của Việt Nam?"),
        line("A. Huế"),
        line("B. Hà Nội"),
        line("C. Đà Nẵng"),
        line("D. Vinh"),
        line("B"),
        line("Lời giải"),
        line("Hà Nội là thủ đô. Chọn B."),
        line("PHẦN II. Câu trắc nghiệm đúng sai."),
        p(r("Câu 1. Cho hàm số "), sqrt_sup("x", "2"), r(".")),
        p(r("a)", u=True), r(" Hàm số xác định trên ℝ.")),
        line("b) Hàm số nghịch biến."),
        p(r("c)", u=True), r(" Đồ thị đi qua gốc toạ độ.")),
        line("d) Hàm số có cực đại."),
        line("Lời giải"),
        line("a) Đúng. b) Sai. c) Đúng. d) Sai."),
        line("PHẦN III. Câu trắc nghiệm trả lời ngắn."),
        line("Câu 1. Nghiệm của 2x + 3 = 0 là bao nhiêu?"),
        line("Lời giải"),
        line("x = -3/2."),
        line("Đáp án: -1,5"),
        line("Câu 2. Tính 100 − 25."),
        line("Đáp số: 75"),
        line("------ HẾT ------"),
    )


def test_word_2025_layout():
    result = import_bytes(exam_2025(), fmt="docx")
    assert not result.errors, [e.to_dict() for e in result.errors]
    q = result.questions
    assert [(x.exam_part, x.type, x.key) for x in q] == [
        ("I", QType.SINGLE, "A"),  # underlined label
        ("I", QType.SINGLE, "C"),  # leading *
        ("I", QType.SINGLE, "B"),  # options run together, "Đáp án: B"
        ("I", QType.SINGLE, "B"),  # bare letter line (and "Chọn B." agrees)
        ("II", QType.TF4, "ĐSĐS"),
        ("III", QType.NUMERIC, "-1,5"),
        ("III", QType.NUMERIC, "75"),
    ]
    assert r"\(\frac{1}{2}\)" in q[0].stem
    assert r"\sqrt{{x}^{2}}" in q[4].stem
    assert list(q[1].media) == ["hinh1.png"] and "@@PLUGINFILE@@/hinh1.png" in q[1].stem
    assert [c.text for c in q[1].choices] == ["một", "hai", "ba", "bốn"]
    assert q[3].solution.startswith("Hà Nội là thủ đô")
    assert q[4].statements[0].text == "Hàm số xác định trên ℝ."
    assert q[5].answer_sheet == "THPT2025" and q[5].numeric[0].value == D("-1.5")


def test_word_reports_conflicts_and_missing_keys_per_question():
    data = docx(
        line("PHẦN I."),
        line("Câu 1. Không có đáp án"),
        line("A. x"),
        line("B. y"),
        line("Câu 2. Hai khoá"),
        p(r("A.", u=True), r(" x")),
        line("B. y"),
        line("Đáp án: B"),
        line("PHẦN II."),
        line("Câu 1. Mệnh đề"),
        p(r("a)", u=True), r(" p")),
        line("b) q"),
        line("c) r"),
        line("d) s"),
        line("Lời giải: a) Sai. b) Sai. c) Sai. d) Sai."),
        line("Câu 2. Chỉ ba ý"),
        line("a) p"),
        line("b) q"),
        line("c) r"),
        line("PHẦN III."),
        line("Câu 1. Quá dài"),
        line("Đáp án: 12,345"),
        line("Câu 2. Đúng"),
        line("Đáp án: 3,5"),
        images={},
    )
    result = import_bytes(data, fmt="docx")
    errors = {e.question: e for e in result.errors}
    assert set(errors) == {1, 2, 3, 4, 5}
    assert "no answer key" in errors[1].message and errors[1].hint
    assert "disagree" in errors[2].message
    assert "contradicts" in errors[3].message
    assert "a) b) c) d)" in errors[4].message
    assert "answer sheet" in errors[5].message
    assert [q.key for q in result.questions] == ["3,5"]


def test_word_answer_table_after_the_questions():
    data = docx(
        line("Câu 1. Một?"),
        line("A. 1   B. 2   C. 3   D. 4"),
        line("Câu 2. Hai?"),
        line("A. 1   B. 2   C. 3   D. 4"),
        line("BẢNG ĐÁP ÁN"),
        line("1-A 2.B"),
        line("Lời giải chi tiết"),
        line("Câu 1. Vì một là 1."),
        line("Câu 2. Vì hai là 2."),
        images={},
    )
    result = import_bytes(data, fmt="docx")
    assert not result.errors, [e.to_dict() for e in result.errors]
    assert [q.key for q in result.questions] == ["A", "B"]
    assert result.questions[1].solution == "Vì hai là 2."


def test_not_a_docx_is_one_clear_error():
    result = import_bytes(b"PK\x03\x04broken", name="de.docx", fmt="docx")
    assert result.errors[0].question is None and "docx" in result.errors[0].message


def test_word_matrix_level_tags():
    data = docx(line("Câu 1. [1, TH] Hai?"), line("A. 1 *B. 2 C. 3 D. 4"), line("Câu 2. [VDC] Ba? Đáp án: C"),
                line("A. 1"), line("B. 2"), line("C. 3"), line("Đáp án: C"), images={})  # fmt: skip
    result = import_bytes(data, fmt="docx")
    assert [(q.level, q.stem) for q in result.questions] == [("th", "Hai?"), ("vdc", "Ba? Đáp án: C")]
    assert result.to_dict()["questions"][0]["level"] == "th"


def test_word_auto_numbered_options_are_reported():
    numbered = '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr>{}</w:p>'
    data = docx(line("Câu 1. Chọn?"), numbered.format(r("một")), numbered.format(r("hai")), images={})
    result = import_bytes(data, fmt="docx")
    assert not result.questions  # rejected, not guessed
    assert result.errors[0].question == 1 and "automatically numbered" in result.errors[0].message
