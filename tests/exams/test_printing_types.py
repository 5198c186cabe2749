"""Every question type the delivery takes is printed: a test with one question of each type (matching, ordering,
cloze and câu chùm among them), two exam codes, each code's PDF and .docx read back (pypdf, the document's XML).
Each question's texts and options must appear in order, and the keys (in the PDF key table and the Word copy) must
name the right answers *as printed*: the test reads the printed letters back and checks them against the bank's
content, so a dropped type, a lost option or a key that does not follow the print's order fails."""

import io
import re
import zipfile
from decimal import Decimal as D
from xml.etree import ElementTree

from pypdf import PdfReader

from lms.assessments.api import QType, QuestionContent
from lms.assessments.importers.cloze import parse_cloze
from lms.assessments.ir import Choice, NumericAnswer, Pair, RubricCriterion, Statement, TextAnswer
from lms.exams import printing, services
from lms.exams.latex_text import _bracket, latex_to_text
from tests.exams.support import approve, make_bank, ready
from tests.support.shared_data import module_shared

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"


def contents() -> list[QuestionContent]:
    cloze_stem, cloze_parts = parse_cloze(
        "Thủ đô của Pháp là {1:MULTICHOICE:=Paris~Lyon~Marseille}, 2 + 0,5 = {1:NUMERICAL:=2.5} "
        "và thủ đô Việt Nam là {1:SHORTANSWER:=Hà Nội}."
    )
    return [
        QuestionContent(
            type=QType.SINGLE,
            stem="Định thức của \\(\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}\\) bằng",
            choices=[Choice("A", "-2", True), Choice("B", "2", False), Choice("C", "10", False)],
            solution="<p>\\(1 \\cdot 4 - 2 \\cdot 3 = -2\\).</p>",
        ),
        QuestionContent(
            type=QType.MULTIPLE,
            stem="Những số nào là số nguyên tố?",
            choices=[Choice("A", "2", True), Choice("B", "4", False), Choice("C", "7", True)],
        ),
        QuestionContent(
            type=QType.TRUE_FALSE,
            stem="\\(\\int_0^1 2x\\,dx = 1\\).",
            choices=[Choice("Đ", "Đúng", True), Choice("S", "Sai", False)],
        ),
        QuestionContent(
            type=QType.TF4,
            stem="Cho \\(\\lim_{x\\to 0}\\frac{\\sin x}{x}\\).",
            statements=[
                Statement("a", "Giới hạn bằng 1.", True),
                Statement("b", "Giới hạn bằng 0.", False),
                Statement("c", "Giới hạn tồn tại.", True),
                Statement("d", "Giới hạn bằng \\(\\infty\\).", False),
            ],
        ),
        QuestionContent(type=QType.SHORT, stem="Thủ đô của Nhật Bản?", answers=[TextAnswer("Tokyo")]),
        QuestionContent(
            type=QType.NUMERIC,
            stem="Tính \\(\\sum_{i=1}^{4} i\\).",
            numeric=[NumericAnswer(D(10))],
            answer_sheet="THPT2025",
        ),
        QuestionContent(
            type=QType.MATCHING,
            stem="Nối mỗi hàm số với đạo hàm của nó.",
            pairs=[
                Pair("\\(x^2\\)", "\\(2x\\)"),
                Pair("\\(x^3\\)", "\\(3x^2\\)"),
                Pair("\\(\\sin x\\)", "\\(\\cos x\\)"),
                Pair("", "\\(0\\)"),  # a distractor
            ],
        ),
        QuestionContent(
            type=QType.ORDERING,
            stem="Sắp xếp các số theo thứ tự tăng dần.",
            items=["\\(\\frac{1}{3}\\)", "\\(\\frac{1}{2}\\)", "\\(\\sqrt{2}\\)", "\\(\\pi\\)"],
        ),
        QuestionContent(type=QType.CLOZE, stem=cloze_stem, parts=cloze_parts),
        QuestionContent(
            type=QType.GROUP,
            stem="<p>Đọc đoạn văn sau về hàm số \\(y = x^2\\).</p>",
            parts=[
                QuestionContent(
                    type=QType.SINGLE,
                    stem="Đỉnh của parabol là",
                    choices=[Choice("A", "(0; 0)", True), Choice("B", "(1; 1)", False)],
                ),
                QuestionContent(type=QType.NUMERIC, stem="Giá trị tại x = 3?", numeric=[NumericAnswer(D("9"))]),
                QuestionContent(type=QType.ORDERING, stem="Sắp xếp y(1), y(2), y(3) tăng dần.", items=["1", "4", "9"]),
            ],
        ),
        QuestionContent(
            type=QType.ESSAY,
            stem="Chứng minh \\(x^2 \\ge 0\\) với mọi \\(x \\in \\mathbb{R}\\).",
            rubric=[RubricCriterion("Xét \\(x \\ge 0\\) và \\(x < 0\\).", D(1))],
        ),
    ]


def _build() -> dict:
    """The approved test (two codes) with every type in one part; each code's PDF text and Word paragraphs, the key
    table's text, and the first code's PDF printed a second time."""
    setup = make_bank(singles=0, tf4s=0, numerics=0)
    people = setup.people
    test = services.create_test(school=people.school, title="Kiểm tra các dạng", created_by=people.teacher)
    part = services.add_part(test=test, code="I")
    for content in contents():
        services.add_item(part=part, version=ready(setup.bank, people, content), points=D(1))
    test = approve(test, people, variants=2, seed="in")
    variants = list(test.variants.order_by("number"))
    return {
        "variants": variants,
        "pdf": {v.code: _pdf_text(printing.variant_pdf(v)) for v in variants},
        "docx": {v.code: _docx_paragraphs(printing.variant_docx(v)) for v in variants},
        "docx_xml": _docx_xml(printing.variant_docx(variants[0])),
        "students": {v.code: printing.variant_docx(v, teachers=False) for v in variants},
        "keys": " ".join(_pdf_text(printing.keys_pdf(test)).split()),
        "again": _pdf_text(printing.variant_pdf(variants[0])),
    }


_shared_printed, printed = module_shared(_build, "printed")


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _docx_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()


def _docx_paragraphs(data: bytes) -> list[str]:
    """Each paragraph's text; a Word equation's fraction read as the PDF prints it ("1/3", "(x+1)/2")."""

    def text(element) -> str:
        if element.tag == f"{M}f":
            num, den = (text(element.find(f"{M}{part}")) for part in ("num", "den"))
            return f"{_bracket(num)}/{_bracket(den)}"
        own = element.text or "" if element.tag in (f"{W}t", f"{M}t") else ""
        return own + "".join(text(child) for child in element)

    root = ElementTree.fromstring(_docx_xml(data))  # noqa: S314 - the document the test just wrote
    return [text(p) for p in root.iter(f"{W}p")]


def _plain(html: str) -> str:
    return " ".join(latex_to_text(re.sub(r"<[^>]+>", "", html)).split())


def _in_order(text: str, pieces: list[str]) -> None:
    """Every piece appears in ``text`` (whitespace normalised), each after the one before."""
    flat, at = " ".join(text.split()), 0
    for piece in pieces:
        found = flat.find(" ".join(piece.split()), at)
        assert found >= 0, f"{piece!r} is missing (or out of order) after {flat[max(0, at - 80) : at]!r}"
        at = found + len(piece)


def _lettered(text: str, start: str, letters: str) -> dict[str, str]:
    """The printed "a. …" (or "A. …") lines after ``start``: ``{letter: text}`` for the first ``len(letters)``."""
    flat = " ".join(text.split())
    after = flat[flat.index(" ".join(start.split())) :]
    found = {}
    for i, letter in enumerate(letters):
        following = rf"(?= {letters[i + 1]}\. )" if i + 1 < len(letters) else r"(?= Câu | \(\d\) | Đáp án: |$)"
        match = re.search(rf" {letter}\. (.+?){following}", after)
        assert match, f"option {letter}. is not printed after {start!r}"
        found[letter] = match.group(1).strip()
        after = after[match.end() :]
    return found


def _slots(variant) -> dict[str, tuple[int, dict]]:
    return {slot["content"]["type"]: (n, slot) for n, slot in enumerate(variant.layout["parts"][0]["slots"], 1)}


def test_every_type_and_its_options_are_printed_in_order(printed):
    for variant in printed["variants"]:
        for text in (printed["pdf"][variant.code], "\n".join(printed["docx"][variant.code])):
            pieces = []
            for n, slot in enumerate(variant.layout["parts"][0]["slots"], start=1):
                c = slot["content"]
                if c["type"] == "cloze":
                    stem = re.sub(r"\{#(\d+)\}", r"___(\1)___", c["stem"])
                    pieces += [f"Câu {n}.", _plain(stem), "(1) A."]
                elif c["type"] == "group":
                    pieces += [
                        f"Câu {n}.",
                        f"Đọc thông tin sau và trả lời các câu từ {n}.1 đến {n}.3.",
                        _plain(c["stem"]),
                    ]
                    pieces += [f"Câu {n}.1.", "Đỉnh của parabol là", f"Câu {n}.2.", "Giá trị tại x = 3?", f"Câu {n}.3."]
                else:
                    pieces += [f"Câu {n}.", _plain(c["stem"])]
                if c["type"] in ("single_choice", "multiple_response"):
                    pieces += [f"{ch['label']}. {_plain(ch['text'])}" for ch in c["choices"]]
                if c["type"] == "true_false_4":
                    pieces += [f"{s['label']}) {_plain(s['text'])}" for s in c["statements"]]
                if c["type"] == "matching":
                    pieces += [f"{i}. {_plain(p['left'])}" for i, p in enumerate(c["pairs"][:3], start=1)]
                    pieces += ["a. ", "b. ", "c. ", "d. "]
                if c["type"] == "ordering":
                    pieces += ["a. ", "b. ", "c. ", "d. "]
            _in_order(text, pieces)
        pdf = printed["pdf"][variant.code]
        assert "\\(" not in pdf and "\\begin" not in pdf and "{#" not in pdf
        assert "Định thức của (1 2; 3 4) bằng" in pdf and "∑_(i=1)⁴ i" in pdf and "lim_(x → 0) (sin x)/x" in pdf


def _check_keys(variant, text: str, key_of) -> None:
    """The keys of ``variant`` (``key_of(number)``: the key printed for question "number") name the right answers
    of the content as printed in ``text``."""
    slots = _slots(variant)
    n, slot = slots["matching"]
    rights = _lettered(text, f"Câu {n}.", "abcd")
    assert sorted(rights.values()) == sorted(_plain(p["right"]) for p in slot["content"]["pairs"])
    expected = ", ".join(
        f"{i}-{next(k for k, v in rights.items() if v == _plain(p['right']))}"
        for i, p in enumerate(slot["content"]["pairs"][:3], start=1)
    )
    assert key_of(str(n)) == expected
    n, slot = slots["ordering"]
    items = _lettered(text, f"Câu {n}.", "abcd")
    order = [next(k for k, v in items.items() if v == _plain(item)) for item in slot["content"]["items"]]
    assert order != ["a", "b", "c", "d"]  # never printed in the right order
    assert key_of(str(n)) == ", ".join(order)
    n, slot = slots["cloze"]
    options = _lettered(text, f"Câu {n}.", "ABC")
    assert sorted(options.values()) == ["Lyon", "Marseille", "Paris"]
    paris = next(k for k, v in options.items() if v == "Paris")
    assert key_of(str(n)) == f"(1) {paris}; (2) 2,5; (3) Hà Nội"
    n, slot = slots["group"]
    options = _lettered(text, f"Câu {n}.1.", "AB")
    assert sorted(options.values()) == ["(0; 0)", "(1; 1)"]
    assert key_of(f"{n}.1") == next(k for k, v in options.items() if v == "(0; 0)")
    assert key_of(f"{n}.2") == "9"
    items = _lettered(text, f"Câu {n}.3.", "abc")
    assert key_of(f"{n}.3") == ", ".join(next(k for k, v in items.items() if v == i) for i in ("1", "4", "9"))
    for qtype, key in [("single_choice", slots["single_choice"][1]["key"]), ("multiple_response", "AC")]:
        n, slot = slots[qtype]
        assert key == "".join(c["label"] for c in slot["content"]["choices"] if c["correct"])
        assert key_of(str(n)) == key
    assert key_of(str(slots["true_false"][0])) == "Đúng"
    assert key_of(str(slots["true_false_4"][0])) == "ĐSĐS"
    assert key_of(str(slots["short_answer"][0])) == "Tokyo"
    assert key_of(str(slots["numeric"][0])) == "10"
    assert key_of(str(slots["essay"][0])) == "TL"


def test_the_key_table_names_the_printed_right_answers(printed):
    table = printed["keys"]
    for variant in printed["variants"]:
        section = table[table.index(f"Mã đề {variant.code}") :]

        def key_of(number, section=section):
            match = re.search(rf"(?:^| ){re.escape(number)}: (.+?)(?= \d+(?:\.\d+)?: | Mã đề |$)", section)
            assert match, f"no key for question {number}"
            return match.group(1)

        _check_keys(variant, printed["pdf"][variant.code], key_of)


def test_the_word_copy_has_every_key_under_its_question(printed):
    for variant in printed["variants"]:
        paragraphs = printed["docx"][variant.code]
        text = "\n".join(paragraphs)

        def key_of(number, paragraphs=paragraphs):
            start = next(i for i, p in enumerate(paragraphs) if p.startswith(f"Câu {number}. "))
            return next(p for p in paragraphs[start:] if p.startswith("Đáp án: ")).removeprefix("Đáp án: ")

        _check_keys(variant, text, key_of)
        assert paragraphs[-1] == "------ HẾT ------"
        slots = _slots(variant)
        _in_order(text, [f"Câu {slots['single_choice'][0]}.", "Đáp án: ", "Lời giải", "1 · 4 - 2 · 3 = -2."])
        _in_order(text, [f"Câu {slots['essay'][0]}.", "Đáp án: TL", "Hướng dẫn chấm", "Xét x ≥ 0 và x < 0."])
        assert "Lời giải" not in printed["pdf"][variant.code]  # the pupils' paper has no solutions


def test_plain_fractions_are_word_equations_other_maths_unicode_text(printed):
    xml = printed["docx_xml"]
    run = '<m:r><m:t xml:space="preserve">{}</m:t></m:r>'
    fraction = f"<m:f><m:num>{run}</m:num><m:den>{run}</m:den></m:f>"
    assert fraction.format("1", "3") in xml and fraction.format("1", "2") in xml  # the ordering's items
    assert fraction.format("sin x", "x") in xml  # after lim_(x → 0), which stays text
    assert "(1 2; 3 4)" in xml and "∑_(i=1)⁴ i" in xml  # no plain fraction: Unicode text
    assert "\\frac" not in xml and "\\(" not in xml


def test_the_students_word_copy_is_the_teachers_without_keys_solutions_or_rubrics(printed):
    for variant in printed["variants"]:
        students = _docx_paragraphs(printed["students"][variant.code])
        teachers = printed["docx"][variant.code]
        end = students.index("------ HẾT ------")
        candidate = [
            "Họ và tên thí sinh: ..................................................",
            "Lớp: ............  Số báo danh: ............",
        ]
        assert students[4:6] == candidate  # under the header, as on the exam paper
        questions = students[:4] + students[6 : end + 1]
        at = 0
        for paragraph in questions:  # the same paragraphs in the same order ...
            at = teachers.index(paragraph, at) + 1
        left_out = [p for p in teachers if p not in questions]  # ... less the teachers' lines only
        assert left_out and all(
            p.startswith("Đáp án: ")
            or p in ("Lời giải", "1 · 4 - 2 · 3 = -2.", "Hướng dẫn chấm", "Xét x ≥ 0 và x < 0.")
            for p in left_out
        ), left_out
        xml = _docx_xml(printed["students"][variant.code])
        assert "<w:u " not in xml.split("PHIẾU TRẢ LỜI")[0]  # no right label underlined
        assert "<w:u " in printed["docx_xml"]  # (the teachers' copy has them)
        assert xml.index("HẾT") < xml.index("<w:pageBreakBefore/>") < xml.index("PHIẾU TRẢ LỜI")
        widths = re.findall(r'w:w="([^"]*)"', xml)
        assert widths and all(w.isdigit() for w in widths)  # whole twips: Word refuses fractions
        assert students[students.index("PHIẾU TRẢ LỜI") + 2 :][:2] == candidate


def _sheets(printed, variant) -> list[str]:
    """The answer sheet's text in the PDF and in the students' Word copy (its table cells one paragraph each)."""
    word = "\n".join(_docx_paragraphs(printed["students"][variant.code]))
    return [text.split("PHIẾU TRẢ LỜI", 1)[1] for text in (printed["pdf"][variant.code], word)]


def test_the_answer_sheet_has_a_row_for_every_question_and_sub_question(printed):
    for variant in printed["variants"]:
        for sheet in _sheets(printed, variant):
            slots = _slots(variant)
            rows = [f"Câu {n}" for n in range(1, len(slots) + 1) if n != slots["group"][0]]
            g = slots["group"][0]
            rows += [f"Câu {g}.1", f"Câu {g}.2", f"Câu {g}.3"]
            for row in rows:
                assert re.search(rf"{re.escape(row)}(?![\d.])", sheet), row
            n = slots["matching"][0]
            _in_order(sheet, [f"Câu {n}", "1-…", "2-…", "3-…"])
            _in_order(sheet, [f"Câu {slots['cloze'][0]}", "(1)", "(2)", "(3)"])
            _in_order(sheet, [f"Câu {slots['ordering'][0]}", "Thứ tự:"])


def test_two_codes_print_differently_but_each_code_the_same_every_time(printed):
    first, second = printed["variants"]
    assert printed["pdf"][first.code] != printed["pdf"][second.code]
    assert printed["again"] == printed["pdf"][first.code]
