"""Rich text in the authoring form: HTML through the whitelist on save (no scripts, event handlers or styles),
pictures uploaded from the editor into the temporary area and attached to the question on save, the upload
endpoint's permissions and limits, and editing imported questions in the editor."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from lms.assessments import api, services
from lms.assessments.authoring import QuestionForm, rich_text
from lms.assessments.importers import import_bytes
from lms.assessments.models import PendingQuestionFile, QuestionFile
from lms.assessments.rendering import clean_html
from tests.support.people import PASSWORD

TOKEN = "t" * 32


@pytest.fixture
def bank(people):
    return api.create_bank(subject_group=people.group, name="Ngân hàng Toán 10")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def png(size=(4, 3), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, fmt)
    return buffer.getvalue()


def upload(client, bank, data: bytes, name="hình 1.png", token=TOKEN, question=None):
    url = reverse("assessments:upload_picture", args=[bank.pk])
    if question:
        url += f"?question={question.pk}"
    return client.post(url, {"file": SimpleUploadedFile(name, data), "token": token})


BASE = {"points": "1", "tolerance": "0", "action": "save", "upload_token": TOKEN}


# ------------------------------------------------------------------------------------------------------ sanitising
def test_clean_html_keeps_the_whitelist_and_picture_references():
    dirty = (
        '<p style="color:red" class="x" onclick="steal()">Cho <b>hàm số</b> <i>f</i>'
        "<script>alert(1)</script><style>p{}</style>\\(x^2 < 1\\)</p>"
        '<img src="@@PLUGINFILE@@/h-1.png" onerror="alert(2)" alt="hình">'
        '<img src="javascript:alert(3)"><img src="@@PLUGINFILE@@/../secret">'
        '<a href="javascript:x()">k</a><iframe src="https://x.test"></iframe><ul><li>một</li></ul>'
    )
    assert clean_html(dirty) == (
        "<p>Cho <b>hàm số</b> <i>f</i>\\(x^2 &lt; 1\\)</p>"
        '<img src="@@PLUGINFILE@@/h-1.png" alt="hình">'
        '<a rel="noopener nofollow">k</a><ul><li>một</li></ul>'
    )
    assert clean_html("<p><br></p>") == "" and clean_html("<div>&nbsp;</div>") == ""


def test_plain_text_without_the_editor_is_stored_as_html_with_its_line_breaks():
    assert rich_text("a < b\ndòng 2") == "a &lt; b<br>dòng 2"
    assert rich_text("  ") == ""
    # what the editor writes for a text without tags is HTML all the same: saving it again changes nothing
    assert rich_text("2 &lt; 3 &amp; 4") == "2 &lt; 3 &amp; 4" == rich_text(rich_text("2 < 3 & 4"))


def test_saving_sanitises_every_rich_text_field(client, people, bank):
    login(client, people.teacher)
    data = {
        **BASE,
        "type": "single_choice",
        "stem": '<p>Tính <b>đạo hàm</b> của \\(x^2\\)<script>alert(1)</script></p><img src="x" onerror="alert(1)">',
        "option_0": '<span style="color:red" onmouseover="x()">\\(2x\\)</span>',
        "option_0_correct": "on",
        "option_1": "<u>x</u><sup>2</sup>",
        "solution": '<ol><li>Dùng công thức <i>(xⁿ)\' = n·xⁿ⁻¹</i></li></ol><svg onload="x()"></svg>',
    }
    response = client.post(reverse("assessments:question_new", args=[bank.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    content = bank.questions.get().latest_version.content
    assert content["text_format"] == "html"
    assert content["stem"] == "<p>Tính <b>đạo hàm</b> của \\(x^2\\)</p>"
    assert [c["text"] for c in content["choices"]] == ["<span>\\(2x\\)</span>", "<u>x</u><sup>2</sup>"]
    assert content["solution"] == "<ol><li>Dùng công thức <i>(xⁿ)' = n·xⁿ⁻¹</i></li></ol>"
    page = client.get(reverse("assessments:question", args=[bank.questions.get().pk])).content.decode()
    assert "<b>đạo hàm</b>" in page and "alert(1)" not in page and "onerror" not in page


def test_statements_of_a_tf4_question_are_rich_text(client, people, bank):
    login(client, people.teacher)
    data = {**BASE, "type": "true_false_4", "stem": "Xét các mệnh đề"}
    for x in "abcd":
        data[f"statement_{x}"] = f'<b onclick="x()">ý {x}</b>'
    data["statement_a_true"] = "on"
    assert client.post(reverse("assessments:question_new", args=[bank.pk]), data).status_code == 302
    content = bank.questions.get().latest_version.content
    assert [s["text"] for s in content["statements"]] == [f"<b>ý {x}</b>" for x in "abcd"]


# ------------------------------------------------------------------------------------------------------ pictures
def test_picture_uploaded_before_the_first_save_is_attached_on_save(
    client, people, bank, django_capture_on_commit_callbacks
):
    login(client, people.teacher)
    first = upload(client, bank, png())
    assert first.status_code == 201, first.content
    kept = first.json()
    assert kept["name"].startswith("h_nh_1-") and kept["name"].endswith(".png")
    removed = upload(client, bank, png(fmt="JPEG"), name="bo.jpg").json()
    assert removed["name"].endswith(".jpg")
    pending = PendingQuestionFile.objects.get(name=kept["name"])
    assert (pending.uploaded_by, pending.bank, pending.question) == (people.teacher, bank, None)
    removed_path = PendingQuestionFile.objects.get(name=removed["name"]).file.name

    # The editor shows the picture by its URL while the form is open (the page knows this form's uploads).
    form_page = client.get(reverse("assessments:question_new", args=[bank.pk])).content.decode()
    assert kept["url"] not in form_page  # a new form has a new token: nothing of another form leaks into it

    stem = f'<p>Hình vẽ:</p><img src="@@PLUGINFILE@@/{kept["name"]}" alt="">'
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:question_new", args=[bank.pk]), {**BASE, "type": "essay", "stem": stem}
        )
    assert response.status_code == 302
    question = bank.questions.get()
    stored = QuestionFile.objects.get(question=question)
    assert stored.name == kept["name"] and stored.file.name == pending.file.name
    assert default_storage.exists(stored.file.name)
    assert question.latest_version.content["stem"] == stem
    # the picture the teacher removed from the text before saving is deleted, rows and storage
    assert not PendingQuestionFile.objects.exists()
    assert not default_storage.exists(removed_path)
    page = client.get(reverse("assessments:question", args=[question.pk])).content.decode()
    assert f'<img src="{stored.file.url}" alt="">' in page


def test_a_form_with_errors_keeps_its_pictures(client, people, bank):
    login(client, people.teacher)
    name = upload(client, bank, png()).json()["name"]
    stem = f'<img src="@@PLUGINFILE@@/{name}" alt="">'
    bad = client.post(
        reverse("assessments:question_new", args=[bank.pk]), {**BASE, "type": "single_choice", "stem": stem}
    )
    assert bad.status_code == 200 and bad.context["form"].non_field_errors()
    assert PendingQuestionFile.objects.filter(name=name).exists()
    # the re-shown form tells the editor where the picture is
    assert PendingQuestionFile.objects.get(name=name).file.url in bad.content.decode()


def test_picture_added_while_editing_and_imported_html_fills_the_editor(client, people, bank):
    xml = (
        b'<?xml version="1.0"?><quiz><question type="essay"><name><text>q</text></name>'
        b'<questiontext format="html"><text><![CDATA[<p>Xem <b>h\xc3\xacnh</b>: <img src="@@PLUGINFILE@@/a.png"></p>]]>'
        b'</text><file name="a.png" encoding="base64">' + __import__("base64").b64encode(png()) + b"</file>"
        b"</questiontext></question></quiz>"
    )
    result = import_bytes(xml, name="q.xml")
    assert not result.errors
    services.save_import(bank=bank, author=people.teacher, result=result)
    question = bank.questions.get()
    login(client, people.teacher)
    edit_url = reverse("assessments:question_edit", args=[question.pk])
    page = client.get(edit_url)
    form = page.context["form"]
    assert "<b>hình</b>" in form["stem"].value() and "@@PLUGINFILE@@/a.png" in form["stem"].value()
    assert QuestionFile.objects.get(question=question, name="a.png").file.url in page.content.decode()

    token = form["upload_token"].value()
    added = upload(client, bank, png((2, 2)), name="b.gif", token=token, question=question)
    assert added.status_code == 201
    name = added.json()["name"]
    stem = form["stem"].value() + f'<p><img src="@@PLUGINFILE@@/{name}" alt=""></p>'
    response = client.post(edit_url, {**BASE, "type": "essay", "stem": stem, "upload_token": token})
    assert response.status_code == 302
    assert set(QuestionFile.objects.filter(question=question).values_list("name", flat=True)) == {"a.png", name}


def test_plain_imported_text_is_escaped_into_the_editor():
    aiken = import_bytes("2 < 3?\nA. Đúng & đủ\nB. Sai\nANSWER: A\n".encode(), name="q.txt", fmt="aiken")
    initial = QuestionForm.initial_from(aiken.questions[0])
    assert (initial["stem"], initial["option_0"]) == ("2 &lt; 3?", "Đúng &amp; đủ")
    gift = import_bytes("[plain]2 < 3 & <b>x</b>\nhai? {=có ~không}".encode(), name="q.gift", fmt="gift")
    assert QuestionForm.initial_from(gift.questions[0])["stem"] == "2 &lt; 3 &amp; &lt;b&gt;x&lt;/b&gt;<br>hai?"


def test_stale_uploads_of_forms_never_saved_are_purged(people, bank, django_capture_on_commit_callbacks):
    upload_file = SimpleUploadedFile("cu.png", png())
    old = services.upload_picture(bank=bank, user=people.teacher, token=TOKEN, upload=upload_file)
    path = old.file.name
    PendingQuestionFile.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_pending_uploads() == 1
    assert not PendingQuestionFile.objects.exists() and not default_storage.exists(path)


# ------------------------------------------------------------------------------------------------------ limits
def test_upload_permissions(client, people, bank):
    url = reverse("assessments:upload_picture", args=[bank.pk])
    anonymous = client.post(url, {"file": SimpleUploadedFile("a.png", png()), "token": TOKEN})
    assert anonymous.status_code == 302 and "dang-nhap" in anonymous["Location"]
    login(client, people.principal)  # sees the school's banks, is not in the subject group
    assert upload(client, bank, png()).status_code == 403
    login(client, people.student)
    assert upload(client, bank, png()).status_code in (403, 404)
    login(client, people.teacher)
    assert client.get(url).status_code == 405
    other = api.create_bank(subject_group=people.group, name="Khác")
    question = api.create_question(
        bank=other,
        author=people.teacher,
        content=import_bytes(b"Q?\nA. x\nB. y\nANSWER: A\n", fmt="aiken").questions[0],
    ).question
    assert upload(client, bank, png(), question=question).status_code == 404  # the question is in another bank
    assert not PendingQuestionFile.objects.exists()


def test_upload_limits_have_clear_errors(client, people, bank, settings):
    login(client, people.teacher)
    too_big = upload(client, bank, b"\x89PNG" + b"0" * (services.MAX_PICTURE_BYTES + 1), name="to.png")
    assert too_big.status_code == 413
    assert "to.png" in too_big.json()["error"] and "5 MB" in too_big.json()["error"]
    fake = upload(client, bank, b"<svg onload='alert(1)'></svg>", name="x.svg")
    assert fake.status_code == 400 and "x.svg" in fake.json()["error"]
    text = upload(client, bank, b"not a picture", name="anh.png")
    assert text.status_code == 400 and "PNG, JPEG, GIF" in text.json()["error"]
    expired = upload(client, bank, png(), token="")
    assert expired.status_code == 400 and "tải lại trang" in expired.json()["error"]
    missing = client.post(reverse("assessments:upload_picture", args=[bank.pk]), {"token": TOKEN})
    assert missing.status_code == 400
    assert not PendingQuestionFile.objects.exists()
