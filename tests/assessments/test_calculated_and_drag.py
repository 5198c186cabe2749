"""Moodle calculated (calculated, calculatedsimple, calculatedmulti) and drag-onto-image (ddimageortext, ddmarker)
questions: the safe formula evaluator, Moodle's tolerances, scoring by dataset item, import, round trip, preview,
and the exporters and the exams app refusing them by name."""

import base64
import io
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from lms.assessments import api, calculated
from lms.assessments.exporters import docx as docx_export
from lms.assessments.exporters import gift as gift_export
from lms.assessments.exporters import moodlexml as moodle_export
from lms.assessments.exporters import qti as qti_export
from lms.assessments.formulas import FormulaError, evaluate, round_answer
from lms.assessments.importers import moodlexml
from lms.assessments.ir import CalcAnswer, Calculated, QType, Question, Unit, Wildcard
from lms.assessments.scoring import score
from tests.support.people import PASSWORD

FIXTURES = Path("../shared/fixtures")


# ------------------------------------------------------------------------------------------------ formula evaluator
@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("2 ^ 3 ^ 2", 512),  # right-associative
        ("2 ** 3", 8),
        ("-2 ** 2", -4),  # power binds tighter than the unary minus (PHP)
        ("2 ** -1", 0.5),
        ("7 % 3", 1),
        ("10 / 4 - 1", 1.5),
        (".5e1 + 1.", 6),
        ("{a} * {b} + {a}", 3 * 4 + 3),
        ("pow(2, 10) + sqrt(16) + abs(-3)", 1031),
        ("max(1, 5, 3) - min(4, 2)", 3),
        ("round(2.5) + round(-2.5) + round(1.23456, 2)", 1.23),  # PHP rounds half away from zero
        ("floor(-1.5) + ceil(1.2)", 0),
        ("fmod(7.5, 2)", 1.5),
        ("log(exp(2)) + log10(1000) + log(8, 2)", 8),
        ("rad2deg(pi()) + deg2rad(180) - pi()", 180),
        ("atan2(1, 1) * 4 - pi()", 0),
        ("sin(0.5)^2 + cos(0.5)^2", 1),
        ("cosh(0) + sinh(0) + tanh(0) + tan(0) + asin(0) + acos(1) + atan(0)", 1),
    ],
)
def test_formulas_compute(formula, value):
    assert evaluate(formula, {"a": 3, "b": D("4")}) == pytest.approx(value)


@pytest.mark.parametrize(
    ("formula", "why"),
    [
        ("1 +", "ends too early"),
        ("(1 + 2", "expected ')'"),
        ("1 + 2)", "unexpected ')' at position 6"),
        ("2 $ 3", "unexpected character '$' at position 3"),
        ("{c} + 1", "the wildcard {c} (position 1) has no value"),
        ("system(1)", "unknown function 'system'"),
        ("__import__(1)", "unknown function '__import__'"),
        ("pow(2)", "pow() takes 2 arguments, not 1"),
        ("pi(1)", "pi() takes 0 arguments"),
        ("max(1)", "max() takes 2 or more arguments"),
        ("1 / (2 - 2)", "division by zero at position 3"),
        ("sqrt(-1)", "sqrt(-1) at position 1 is not a real number"),
        ("log(0)", "log(0)"),
        ("(-8) ^ 0.5", "is not a real number"),
        ("", "empty"),
    ],
)
def test_formula_errors_say_why(formula, why):
    with pytest.raises(FormulaError, match=__import__("re").escape(why)):
        evaluate(formula, {"a": 1})


def test_answer_display_decimals_and_significant_figures():
    assert round_answer(D("70.4632"), answer_format="decimals", length=2) == D("70.46")
    assert round_answer(D("2.345"), answer_format="decimals", length=2) == D("2.35")  # half-up
    assert round_answer(D("70.4632"), answer_format="significant", length=3) == D("70.5")
    assert round_answer(D("0.0012345"), answer_format="significant", length=2) == D("0.0012")
    assert str(round_answer(D("12345"), answer_format="significant", length=2)) == "1.2E+4"


# ------------------------------------------------------------------------------------------------ tolerance, scoring
def test_tolerance_intervals_as_moodle_defines_them():
    # relative: 200 ± 0.01·200; nominal: 200 ± 0.01; geometric: 200 / 1.01 … 200 · 1.01
    assert calculated.tolerance_interval(D(200), D("0.01"), "relative") == (D("198.00"), D("202.00"))
    assert calculated.tolerance_interval(D(200), D("0.01"), "nominal") == (D("199.99"), D("200.01"))
    low, high = calculated.tolerance_interval(D(200), D("0.01"), "geometric")
    assert round(low, 4) == D("198.0198") and high == D("202.00")
    low, high = calculated.tolerance_interval(D(-200), D("0.01"), "geometric")
    assert high == D(-200) / D("1.01") and low == D("-202.00")
    assert calculated.tolerance_interval(D(-50), D("0.1"), "relative") == (D("-55.0"), D("-45.0"))


def rectangle(tolerance_type="relative", tolerance="0.01", **calc) -> Question:
    return Question(
        type=QType.CALCULATED,
        stem="Một hình chữ nhật có các cạnh {a} cm và {b} cm. Tính diện tích.",
        number=7,
        points=D(2),
        calc=Calculated(
            answers=[
                CalcAnswer("{a} * {b}", D(1), D(tolerance), tolerance_type, "decimals", 1),
                CalcAnswer("2 * ({a} + {b})", D("0.5"), D(0), "nominal", "decimals", 1),  # the perimeter: half
            ],
            wildcards=[Wildcard("a", [D("2.5"), D(10)]), Wildcard("b", [D(4), D("20.5")])],
            **calc,
        ),
    )


@pytest.mark.parametrize(
    ("item", "answer", "points"),
    [
        (1, "10", D(2)),  # 2.5·4 = 10 exactly
        (1, "10,09", D(2)),  # within 1 % of 10 (9.9 … 10.1), decimal comma
        (1, "10.11", D("1")),  # outside: but not the perimeter either → 0 … see below
        (1, "13", D(1)),  # 2·(2.5+4) = 13: the half-credit answer
        (2, "205", D(2)),  # item 2: 10·20.5
        (2, "10", D(0)),  # item 1's answer is wrong for item 2
        (2, "abc", D(0)),
        (1, "", D(0)),
    ],
)
def test_calculated_scoring_by_dataset_item(item, answer, points):
    q = rectangle()
    if answer == "10.11":
        points = D(0)
    assert score(q, {"item": item, "answer": answer}).points == points


def test_calculated_scoring_hand_worked_tolerances():
    # nominal ± 0,5 around 10: 9,5 and 10,5 are in, 10,51 is out
    q = rectangle("nominal", "0.5")
    assert [score(q, {"item": 1, "answer": a}).points for a in ("9,5", "10,5", "10,51")] == [D(2), D(2), D(0)]
    # geometric 0,1 around 10: 10/1,1 = 9,0909… and 11 are the bounds
    q = rectangle("geometric", "0.1")
    assert [score(q, {"item": 1, "answer": a}).points for a in ("9.091", "9.09", "11", "11.01")] == [
        D(2),
        D(0),
        D(2),
        D(0),
    ]


def test_calculated_units_convert_and_penalise():
    q = rectangle(units=[Unit("cm²", D(1)), Unit("mm²", D(100))], unit_grading=1, unit_penalty=D("0.25"))
    assert score(q, {"item": 1, "answer": "10 cm²"}).points == D(2)
    assert score(q, {"item": 1, "answer": "1000 mm²"}).points == D(2)  # 1000 / 100
    unitless = score(q, {"item": 1, "answer": "10"})
    assert unitless.points == D("1.50") and "unit" in unitless.detail  # 2 · (1 − 0,25)
    q.calc.unit_grading = 0  # units optional: no penalty
    assert score(q, {"item": 1, "answer": "10"}).points == D(2)


def test_calculated_errors_name_question_and_formula():
    q = rectangle()
    q.calc.answers[0].formula = "{a} / ({b} - 4)"
    with pytest.raises(calculated.CalculatedError, match=r"question 7, formula '\{a\} / \(\{b\} - 4\)': division"):
        score(q, {"item": 1, "answer": "1"})
    with pytest.raises(calculated.CalculatedError, match="dataset item 3 does not exist"):
        calculated.values(q, 3)


def test_preview_stem_with_item_one():
    assert calculated.stem(rectangle(), 1) == "Một hình chữ nhật có các cạnh 2.5 cm và 4 cm. Tính diện tích."
    assert "các cạnh 2,5 cm và 4 cm" in calculated.stem(rectangle(), 1, comma=True)  # the pages' decimal comma
    q = rectangle()
    q.stem = r"\(\frac{1}{2}\) của {a} là {={a}/2}"
    assert calculated.stem(q, 2) == r"\(\frac{1}{2}\) của 10 là 5"


# ------------------------------------------------------------------------------------------------ Moodle XML
CALCULATED_XML = b"""<?xml version="1.0" encoding="UTF-8"?><quiz>
<question type="calculated"><name><text>area</text></name>
<questiontext format="html"><text><![CDATA[<p>Area of {r} cm circle?</p>]]></text></questiontext>
<generalfeedback format="html"><text>S = pi r^2 = {=pi()*{r}^2}</text></generalfeedback><defaultgrade>2</defaultgrade>
<synchronize>0</synchronize><single>0</single><answernumbering>abc</answernumbering>
<answer fraction="100"><text>pi() * {r}^2</text><tolerance>0.05</tolerance><tolerancetype>2</tolerancetype>
<correctanswerformat>2</correctanswerformat><correctanswerlength>3</correctanswerlength>
<feedback format="html"><text>ok</text></feedback></answer>
<units><unit><multiplier>1</multiplier><unit_name>cm2</unit_name></unit>
<unit><multiplier>100</multiplier><unit_name>mm2</unit_name></unit></units>
<unitgradingtype>2</unitgradingtype><unitpenalty>0.2</unitpenalty><showunits>0</showunits><unitsleft>0</unitsleft>
<dataset_definitions><dataset_definition><status><text>private</text></status><name><text>r</text></name>
<type>calculated</type><distribution><text>uniform</text></distribution><minimum><text>1</text></minimum>
<maximum><text>5</text></maximum><decimals><text>1</text></decimals><itemcount>2</itemcount>
<dataset_items><dataset_item><number>1</number><value>2</value></dataset_item>
<dataset_item><number>2</number><value>3.5</value></dataset_item></dataset_items>
<number_of_items>2</number_of_items></dataset_definition></dataset_definitions></question>
<question type="calculatedsimple"><name><text>sum</text></name>
<questiontext format="html"><text>{x} + {y} = ?</text></questiontext><defaultgrade>1</defaultgrade>
<answer fraction="100"><text>{x} + {y}</text><tolerance>0.01</tolerance><tolerancetype>1</tolerancetype>
<correctanswerformat>1</correctanswerformat><correctanswerlength>2</correctanswerlength></answer>
<dataset_definitions>
<dataset_definition><status><text>private</text></status><name><text>x</text></name><type>calculatedsimple</type>
<dataset_items><dataset_item><number>1</number><value>1.5</value></dataset_item></dataset_items></dataset_definition>
<dataset_definition><status><text>private</text></status><name><text>y</text></name><type>calculatedsimple</type>
<dataset_items><dataset_item><number>1</number><value>2</value></dataset_item></dataset_items></dataset_definition>
</dataset_definitions></question>
<question type="calculated"><name><text>broken</text></name><questiontext><text>{a}</text></questiontext>
<answer fraction="100"><text>{a} / 0</text></answer>
<dataset_definitions><dataset_definition><name><text>a</text></name><dataset_items><dataset_item><number>1</number>
<value>1</value></dataset_item></dataset_items></dataset_definition></dataset_definitions></question>
<question type="calculated"><name><text>nodata</text></name><questiontext><text>{a}</text></questiontext>
<answer fraction="100"><text>{a} + {b}</text></answer></question>
</quiz>"""


def test_moodle_calculated_import_round_trip_and_errors():
    result = moodlexml.parse(CALCULATED_XML)
    area, simple = result.questions
    assert area.type == QType.CALCULATED and simple.type == QType.CALCULATED and simple.calc.simple
    a = area.calc.answers[0]
    assert (a.tolerance, a.tolerance_type, a.answer_format, a.answer_length) == (D("0.05"), "nominal", "significant", 3)
    assert [(u.name, u.multiplier) for u in area.calc.units] == [("cm2", D(1)), ("mm2", D(100))]
    assert area.calc.wildcards[0].values == [D(2), D("3.5")] and area.calc.item_count == 2
    assert calculated.shown_answer(area, a, 2) == D("38.5")  # π·3,5² = 38,48… to 3 significant figures
    assert score(area, {"item": 2, "answer": "38.5 cm2"}).points == D(2)  # within ± 0,05 of 38,4845
    assert score(area, {"item": 2, "answer": "3848 mm2"}).points == D(2)
    assert score(area, {"item": 2, "answer": "38.48"}).points == D("1.60")  # unit missing: −0,2 of the question
    assert [(e.question, e.message) for e in result.errors] == [
        (3, "“broken” (calculated): formula '{a} / 0': division by zero at position 5"),
        (4, "“nodata” (calculated): no dataset for {a}, {b}"),
    ]
    again = moodlexml.parse(moodle_export.export([area, simple]))
    assert not again.errors
    assert [q.essence() for q in again.questions] == [area.essence(), simple.essence()]
    assert b'type="calculatedsimple"' in moodle_export.export([simple])
    # the stored content survives too
    assert Question.from_content(area.to_content()).essence() == area.essence()


def test_amc2moodle_calculatedmulti_fixture():
    result = api.import_file(FIXTURES / "moodlexml/amc2moodle/QCM.xml")
    assert not result.errors
    area, eig = [q for q in result.questions if q.type == QType.CALCULATED_MULTI]
    assert area.name == "calc:area" and eig.name == "eig"
    assert {w.name for w in area.calc.wildcards} == {"rand1", "rand2", "rand3", "rand4"}
    # item 1: height 1 + 0,947·9 = 9,523, width 1 + 0,711·9 = 7,399; area 70,46, sum 16,92
    assert "height 9.523 and width 7.399" in calculated.stem(area, 1)
    assert [(c.text, c.correct) for c in calculated.options(area, 1)] == [("70.46", True), ("16.92", False)]
    assert score(area, {"item": 1, "answer": "A"}).points == D(1)
    assert score(area, {"item": 1, "answer": "B"}).points == D(0)  # −50 % is clamped at 0
    # the LaTeX \begin{equation} of the text is not a wildcard; eigenvalues of [[x, y], [y, z]] for item 1
    options = calculated.options(eig, 1)
    assert not eig.calc.single and [c.correct for c in options][:2] == [True, True]
    assert score(eig, {"item": 1, "answer": ["A", "B"]}).points == D(1)
    assert score(eig, {"item": 1, "answer": ["A"]}).points == D("0.5")
    again = moodlexml.parse(moodle_export.export([area, eig]))
    assert [q.essence() for q in again.questions] == [area.essence(), eig.essence()]


def test_exporters_that_cannot_hold_them_refuse_by_name():
    q = moodlexml.parse(CALCULATED_XML).questions[0]
    with pytest.raises(gift_export.ExportError, match=r"GIFT cannot hold a calculated question \(question 1\)"):
        gift_export.export([q])
    with pytest.raises(
        docx_export.ExportError, match=r"The Word layout cannot hold a calculated question \(question 1\)"
    ):
        docx_export.export([q])
    with pytest.raises(qti_export.ExportError, match=r"QTI cannot hold a calculated question here \(question 1\)"):
        qti_export.export([q])
    drag = moodlexml.parse(drag_xml()).questions[0]
    with pytest.raises(gift_export.ExportError, match="drag_image"):
        gift_export.export([drag])
    with pytest.raises(docx_export.ExportError, match="drag_image"):
        docx_export.export([drag])


# ------------------------------------------------------------------------------------------------ drag onto an image
def png(width=300, height=200, colour="white") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def drag_xml() -> bytes:
    return f"""<quiz><question type="ddimageortext"><name><text>Bản đồ</text></name>
<questiontext format="html"><text>Kéo tên vào đúng chỗ.</text></questiontext><defaultgrade>3</defaultgrade>
<shuffleanswers/><file name="map.png" path="/" encoding="base64">{b64(png())}</file>
<drag><no>1</no><text>Hà Nội</text><draggroup>1</draggroup></drag>
<drag><no>2</no><text>Huế</text><draggroup>1</draggroup><infinite/></drag>
<drag><no>3</no><text>cờ</text><draggroup>2</draggroup>
<file name="flag.png" encoding="base64">{b64(png(20, 10, "red"))}</file></drag>
<drop><text>bắc</text><no>1</no><choice>1</choice><xleft>100</xleft><ytop>20</ytop></drop>
<drop><text>trung</text><no>2</no><choice>2</choice><xleft>120</xleft><ytop>90</ytop></drop>
<drop><text>cờ</text><no>3</no><choice>3</choice><xleft>10</xleft><ytop>150</ytop></drop>
</question>
<question type="ddmarker"><name><text>Điểm</text></name>
<questiontext format="html"><text>Đặt các điểm.</text></questiontext><defaultgrade>1</defaultgrade>
<shuffleanswers>0</shuffleanswers><showmisplaced/><file name="grid.png" path="/" encoding="base64">{b64(png())}</file>
<drag><no>1</no><text>A</text><noofdrags>1</noofdrags></drag>
<drag><no>2</no><text>B</text><infinite/></drag>
<drop><no>1</no><shape>circle</shape><coords>50,50;20</coords><choice>1</choice></drop>
<drop><no>2</no><shape>rectangle</shape><coords>100,100;50,40</coords><choice>2</choice></drop>
<drop><no>3</no><shape>polygon</shape><coords>200,10;290,10;245,90</coords><choice>2</choice></drop>
</question>
<question type="ddmarker"><name><text>hỏng</text></name><questiontext><text>x</text></questiontext>
<file name="g.png" encoding="base64">{b64(png())}</file><drag><no>1</no><text>A</text></drag>
<drop><no>1</no><shape>star</shape><coords>1,1;2</coords><choice>1</choice></drop></question>
<question type="ddimageortext"><name><text>không nền</text></name><questiontext><text>x</text></questiontext>
<drag><no>1</no><text>A</text></drag><drop><no>1</no><choice>1</choice><xleft>1</xleft><ytop>1</ytop></drop>
</question></quiz>""".encode()


def test_drag_image_import_scoring_round_trip():
    result = moodlexml.parse(drag_xml())
    image, marker = result.questions
    assert [(e.question, e.message) for e in result.errors] == [
        (3, "“hỏng” (ddmarker): drop zone 1: unknown shape 'star'"),
        (4, "“không nền” (ddimageortext): no background picture"),
    ]
    d = image.drag
    assert image.type == QType.DRAG_IMAGE and d.kind == "image_or_text" and d.background == "map.png"
    assert image.media["map.png"][:4] == b"\x89PNG" and d.items[2].image == "drag3/flag.png"
    items = [(i.text, i.group, i.infinite) for i in d.items]
    assert items == [("Hà Nội", 1, False), ("Huế", 1, True), ("cờ", 2, False)]
    assert [(z.no, z.choice, z.x, z.y) for z in d.zones] == [(1, 1, 100, 20), (2, 2, 120, 90), (3, 3, 10, 150)]
    assert score(image, {1: 1, 2: 2, 3: 3}).points == D(3)
    assert score(image, {"1": "1", "2": "1"}).points == D(1)  # one of three zones right
    assert score(image, {1: 2, 2: 1}).points == D(0)
    m = marker.drag
    assert m.kind == "marker" and m.show_misplaced and [z.shape for z in m.zones] == ["circle", "rectangle", "polygon"]
    assert score(marker, {1: [(55, 45)], 2: [(120, 120), (245, 40)]}).points == D(1)
    assert score(marker, {1: [(75, 50)], 2: [(120, 120), (245, 40)]}).points == D("0.67")  # A outside: 2 of 3
    assert score(marker, {2: [(150, 140), (10, 190)]}).points == D("0.33")  # the corner of the rectangle: 1 of 3
    assert score(marker, {2: [(120, 120)] * 2}).points == D("0.33")  # one marker hits one zone
    spread = {1: [(50, 50)], 2: [(120 + i, 120) for i in range(9)]}  # 10 markers: 2 hits over 10
    assert score(marker, spread).points == D("0.20")
    assert score(marker, {}).points == D(0)
    exported = moodle_export.export([image, marker])
    assert b'type="ddmarker"' in exported and b'type="ddimageortext"' in exported
    again = moodlexml.parse(exported)
    assert not again.errors
    assert [q.essence() for q in again.questions] == [image.essence(), marker.essence()]
    assert again.questions[0].media == image.media
    assert Question.from_content(marker.to_content()).essence() == marker.essence()


# ------------------------------------------------------------------------------------------------ pages and exams
@pytest.fixture
def bank(people):
    return api.create_bank(subject_group=people.group, name="Ngân hàng Toán 10")


def test_preview_pages_and_read_only_authoring(client, people, bank):
    assert client.login(username=people.teacher.username, password=PASSWORD)
    good = CALCULATED_XML[: CALCULATED_XML.index(b'<question type="calculated"><name><text>broken')]
    result = moodlexml.parse(good + b"</quiz>")
    result.questions += moodlexml.parse(drag_xml()).questions[:2]
    result.errors = []
    versions = api.save_import(result, bank=bank, author=people.teacher)
    area, _simple, image, marker = (v.question for v in versions)
    page = client.get(reverse("assessments:question", args=[area.pk])).content.decode()
    assert "Area of 2 cm circle?" in page and "12,6" in page  # π·2² = 12,57 to 3 significant figures
    assert "S = pi r^2 = 12,5663706144" in page  # the solution with item 1 too
    page = client.get(reverse("assessments:question", args=[image.pk])).content.decode()
    assert '<svg class="drag-image" viewBox="0 0 300 200"' in page and 'x="100" y="20"' in page
    assert "Hà Nội" in page and " style=" not in page.split("<main", 1)[-1]
    page = client.get(reverse("assessments:question", args=[marker.pk])).content.decode()
    assert '<circle class="drop-zone" cx="50" cy="50" r="20"/>' in page and "<polygon" in page
    edit = client.get(reverse("assessments:question_edit", args=[area.pk]))
    assert edit.status_code == 200 and "Chưa sửa được câu hỏi tính toán" in edit.content.decode()
    bank_page = client.get(reverse("assessments:bank", args=[bank.pk])).content.decode()
    assert '<option value="numeric">' in bank_page and '<option value="calculated">' not in bank_page
    response = client.post(
        reverse("assessments:question_edit", args=[area.pk]),
        {"type": "calculated", "stem": "x", "points": "1", "tolerance": "0", "action": "save"},
    )
    assert response.status_code == 200 and "Chưa sửa được câu hỏi tính toán" in response.content.decode()
    assert area.versions.count() == 1


def test_exams_refuse_them_on_the_computer(people, bank):
    from lms.exams import services as exam_services
    from lms.exams.rules import DELIVERABLE_TYPES

    assert not {"calculated", "calculated_multi", "drag_image"} & DELIVERABLE_TYPES
    result = moodlexml.parse(drag_xml())
    result.errors = []
    result.questions = result.questions[:1]
    (version,) = api.save_import(result, bank=bank, author=people.teacher)
    api.submit_for_review(version=version, user=people.teacher)
    version = api.review_version(version=version, user=people.group_head, action="approve")
    from curriculum.api import get_subject

    test = exam_services.create_test_from_template(
        school=people.school, subject=get_subject("toan"), title="Đề", created_by=people.teacher
    )
    part = exam_services.add_part(test=test, code="X")
    with pytest.raises(ValidationError, match="drag_image"):
        exam_services.add_item(part=part, version=version)


def test_the_amc2moodle_file_through_the_import_pages(client, people, bank):
    from lms.assessments.models import ImportJob

    assert client.login(username=people.teacher.username, password=PASSWORD)
    upload = io.BytesIO((FIXTURES / "moodlexml/amc2moodle/QCM.xml").read_bytes())
    upload.name = "QCM.xml"
    response = client.post(reverse("assessments:import", args=[bank.pk]), {"file": upload, "format": "auto"})
    assert response.status_code == 200 and "calculated_multi" in response.content.decode()
    job = ImportJob.objects.get()
    assert client.post(reverse("assessments:import_confirm", args=[job.pk])).status_code == 302
    area = bank.questions.get(type="calculated_multi", versions__content__name="calc:area")
    page = client.get(reverse("assessments:question", args=[area.pk])).content.decode()
    assert "height 9,523 and width 7,399" in page and "70,46" in page and "16,92" in page
    exported = client.get(reverse("assessments:export", args=[bank.pk]) + "?format=moodlexml")
    assert exported.status_code == 200 and exported.content.count(b'type="calculatedmulti"') == 2
