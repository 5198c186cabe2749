"""The library source: H5P text from content.json (streamed, interface labels left out), document text, who finds
which item (against lms.library's own access rules), review, deletion and ``manage.py reindex --source library``."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.management import call_command

from content.api import Licence
from curriculum.api import get_outcomes, get_subject
from lms.library import review
from lms.library.access import can_play
from lms.library.api import ItemStatus, LibraryItem, delete_item, upload_item
from lms.schools import api as schools_api
from lms.schools.api import Role
from search import api as search_api
from search.library import MAX_BODY, LibraryItemSource, item_documents, json_strings
from tests.support.factories import UserFactory
from tests.support.people import make_school_people

H5P_DIR = "../shared/fixtures/h5p"
VIETNAMESE_QUESTION = "<p>Câu hỏi: quả lý chua đen chín có màu gì?</p>"


def found(user, text="", **kwargs):
    return {(hit.key, hit.status) for hit in search_api.search_documents(user, text, **kwargs).hits}


def fresh(user):
    """The same person without cached principals (a new request)."""
    return type(user).objects.get(pk=user.pk) if user.is_authenticated else AnonymousUser()


def vietnamese_multichoice(tmp_path):
    """The real H5P.MultiChoice fixture with its question and first answer in Vietnamese."""
    from pathlib import Path

    source, target = Path(H5P_DIR) / "H5P.MultiChoice.h5p", tmp_path / "cau-hoi-ly-chua.h5p"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "content/content.json":
                content = json.loads(data)
                content["question"] = VIETNAMESE_QUESTION
                content["answers"][0]["text"] = "<div>Tím sẫm gần như đen</div>"
                data = json.dumps(content, ensure_ascii=False).encode()
            out.writestr(info, data)
    return target


@pytest.fixture
def upload(people, django_capture_on_commit_callbacks):
    def make(path, *, owner=None, complete=True, **fields):
        from pathlib import Path

        path = Path(path)
        with django_capture_on_commit_callbacks(execute=True):
            item = upload_item(
                file=path, filename=path.name, owner=owner or people.teacher, school=people.school, **fields
            )
        if complete:  # curriculum metadata and licence, so that it can be sent for review
            toan = get_subject("toan")
            with django_capture_on_commit_callbacks(execute=True):
                item.subject, item.grade = toan, 10
                item.licence, item.rights_confirmed = Licence.CC_BY, True
                item.save()
                item.outcomes.set(list(get_outcomes(subject=toan, grade=10)[:1]))
        return LibraryItem.objects.get(pk=item.pk)

    return make


@pytest.fixture
def approve(people, django_capture_on_commit_callbacks):
    def run(item):
        with django_capture_on_commit_callbacks(execute=True):
            review.submit_for_review(item=item, user=people.teacher)
        with django_capture_on_commit_callbacks(execute=True):
            item = review.review_item(item=item, user=people.group_head, approve=True)
        assert item.status == ItemStatus.APPROVED
        return item

    return run


def test_h5p_text_from_content_json_is_found_with_and_without_diacritics(people, upload, approve, tmp_path):
    item = approve(upload(vietnamese_multichoice(tmp_path), title="Quả lý chua"))
    key = str(item.pk)
    assert found(fresh(people.student), "cau hoi") == {(key, "published")}
    assert found(fresh(people.student), "câu hỏi") == {(key, "published")}
    assert found(fresh(people.student), "tim sam gan nhu den") == {(key, "published")}
    [hit] = search_api.search_documents(fresh(people.student), "qua ly chua den").hits
    assert hit.kind == "h5p" and hit.subject == "toan" and hit.grade == 10 and hit.status == "published"
    assert "<p>" not in hit.excerpt_html  # HTML of content.json stripped (the highlighter escapes the rest)
    [document] = item_documents(item)
    assert "Câu hỏi: quả lý chua đen chín có màu gì?" in document.body
    assert "Blue" in document.body and "Freshly Picked Blackcurrants" in document.body  # answers, image title
    # Interface labels (semantics.json "common" fields), file paths and licences are not the activity's text.
    for label in ("Show solution", "Check", "Retry", "images/", "Are you sure"):
        assert label not in document.body, label
    assert document.outcomes and document.school == people.school.pk


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("H5P.Blanks.h5p", "Bilberries (Vaccinium myrtillus)"),
        ("H5P.DragText.h5p", "What are the colors of these berries"),
        ("H5P.Accordion.h5p", "Cranberries"),
        ("H5P.TrueFalse.h5p", "Oslo is the capital of Norway."),
    ],
)
def test_text_of_real_hub_packages(people, upload, fixture, words):
    item = upload(f"{H5P_DIR}/{fixture}", complete=False)
    [document] = item_documents(item)
    assert words in document.body
    assert "Drop Zone @index" not in document.body and "Try again" not in document.body


def test_the_json_reader_streams_and_matches_a_full_parse():
    content = {
        "a": "x",
        "list": ["Câu \u0111\u1ea7u", {"text": 'say "hi" \\ there', "n": 3}],
        "l10n": {"checkAnswer": "Kiểm tra"},
        "nested": {"deep": [["ok"]]},
    }
    text = json.dumps(content)
    pieces = [text[i : i + 3] for i in range(0, len(text), 3)]  # strings and escapes cut across pieces
    assert list(json_strings(pieces)) == [
        (("a",), "x"),
        (("list",), "Câu đầu"),
        (("list", "text"), 'say "hi" \\ there'),
        (("l10n", "checkAnswer"), "Kiểm tra"),
        (("nested", "deep"), "ok"),
    ]
    assert len(next(iter(json_strings([json.dumps({"t": "a" * 50_000})])))[1]) < 50_000  # one long string is cut


def test_who_finds_a_draft_an_item_under_review_and_an_approved_item(
    people, upload, django_capture_on_commit_callbacks, settings
):
    other = make_school_people("khac-")
    item = upload(f"{H5P_DIR}/H5P.TrueFalse.h5p", title="Nhà hát Opera Oslo")
    key = str(item.pk)
    colleague = UserFactory(username="dongnghiep")  # teaches the same subject at the same school
    schools_api.assign_role(user=colleague, school=people.school, role=Role.TEACHER)
    schools_api.add_group_member(group=people.group, user=colleague)
    everyone = {
        "author": people.teacher,
        "colleague": colleague,
        "group head": people.group_head,
        "principal": people.principal,
        "school admin": people.school_admin,
        "student": people.student,
        "parent": people.parent,
        "other school teacher": other.teacher,
        "other school student": other.student,
        "anonymous": AnonymousUser(),
    }

    def who_finds():
        return {name for name, user in everyone.items() if found(fresh(user), "oslo opera")}

    def who_may_see(item):
        """lms.library's own rules: can_play, and the current reviewer on the admin item page."""
        item = LibraryItem.objects.get(pk=item.pk)
        reviewer = review.current_reviewer(item)
        return {
            name
            for name, user in everyone.items()
            if can_play(fresh(user), item) or (reviewer is not None and reviewer.pk == user.pk)
        }

    assert who_finds() == {"author"} == who_may_see(item)
    assert found(people.teacher, "oslo") == {(key, "draft")}

    with django_capture_on_commit_callbacks(execute=True):
        review.submit_for_review(item=item, user=people.teacher)
    assert who_finds() == {"author", "group head"} == who_may_see(item)  # the head reviews the subject
    assert found(fresh(people.group_head), "oslo") == {(key, "review")}

    with django_capture_on_commit_callbacks(execute=True):
        item = review.review_item(item=LibraryItem.objects.get(pk=item.pk), user=people.group_head, approve=True)
    assert who_finds() == set(everyone) == who_may_see(item)  # approved items play for everyone
    assert found(fresh(other.student), "oslo") == {(key, "published")}


def test_staff_holding_the_library_permission_find_their_schools_drafts(people, upload):
    item = upload(f"{H5P_DIR}/H5P.TrueFalse.h5p")
    other = make_school_people("khac-")
    permission = Permission.objects.get(codename="change_libraryitem", content_type__app_label="library")
    people.school_admin.user_permissions.add(permission)
    other.school_admin.user_permissions.add(permission)
    call_command("reindex", "--source", "library", "--no-progress", stdout=io.StringIO())
    assert found(fresh(people.school_admin), "oslo") == {(str(item.pk), "draft")}
    assert found(fresh(other.school_admin), "oslo") == set()  # the permission counts at the item's school only


def test_a_returned_item_goes_back_to_its_author(people, upload, django_capture_on_commit_callbacks):
    item = upload(f"{H5P_DIR}/H5P.TrueFalse.h5p")
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_for_review(item=item, user=people.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        review.review_item(item=item, user=people.group_head, approve=False, comment="Thêm nguồn ảnh.")
    assert found(fresh(people.teacher), "oslo") == {(str(item.pk), "draft")}
    assert found(fresh(people.group_head), "oslo") == set()


def test_filters_and_facets(people, upload, approve, tmp_path):
    h5p = approve(upload(vietnamese_multichoice(tmp_path)))
    draft = upload(f"{H5P_DIR}/H5P.TrueFalse.h5p")
    results = search_api.search_documents(
        fresh(people.teacher), "", filters={"kind": ["h5p"]}, facets=("kind", "subject", "grade", "status", "school")
    )
    assert {hit.key for hit in results.hits} == {str(h5p.pk), str(draft.pk)}
    assert {v.value: v.count for v in results.facets["status"]} == {"published": 1, "draft": 1}
    assert {v.value for v in results.facets["subject"]} == {"toan"}
    assert {v.value for v in results.facets["school"]} == {str(people.school.pk)}
    outcome = h5p.outcomes.get().code
    assert found(fresh(people.student), "", filters={"outcomes": [outcome], "kind": ["h5p"]}) == {
        (str(h5p.pk), "published")
    }


def test_deleting_an_item_removes_it(people, upload, approve, django_capture_on_commit_callbacks):
    item = approve(upload(f"{H5P_DIR}/H5P.TrueFalse.h5p"))
    assert found(fresh(people.student), "oslo")
    with django_capture_on_commit_callbacks(execute=True):
        delete_item(item=item)
    assert found(fresh(people.student), "oslo") == set()
    assert search_api.get_backend().count("library") == 0


def test_text_documents_are_indexed_streamed_and_capped(people, upload, approve, tmp_path):
    text = tmp_path / "de-cuong-on-tap.txt"
    text.write_text("Đề cương ôn tập: phương trình bậc hai.\n" + "luyện tập " * 30_000, encoding="utf-8")
    item = approve(upload(text))
    assert found(fresh(people.student), "de cuong on tap") == {(str(item.pk), "published")}
    [document] = item_documents(item)
    assert len(document.body) == MAX_BODY
    [hit] = search_api.search_documents(fresh(people.student), "phuong trinh bac hai").hits
    assert hit.kind == "document" and hit.url == f"/thu-vien/{item.uuid}/"


def test_pdf_text_is_indexed(people, upload, approve, tmp_path):
    from lib.pdf import new_document

    pdf = new_document(title="Đề cương")
    pdf.multi_cell(0, 8, "Định lí Vi-ét cho phương trình bậc hai")
    path = tmp_path / "de-cuong.pdf"
    pdf.output(str(path))
    item = approve(upload(path))
    assert found(fresh(people.student), "dinh li vi et") == {(str(item.pk), "published")}


def test_word_documents_are_indexed(people, upload, tmp_path):
    docx = tmp_path / "bai-tap.docx"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>Bài tập về </w:t></w:r><w:r><w:t>đạo hàm</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Tính đạo hàm của hàm số.</w:t></w:r></w:p></w:body></w:document>"
    )
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", body)
    item = upload(docx)
    [document] = item_documents(item)
    assert document.body == "Bài tập về đạo hàm\nTính đạo hàm của hàm số."
    assert found(fresh(people.teacher), "dao ham") == {(str(item.pk), "draft")}


def test_reindex_rebuilds_the_library_source(people, upload, approve, tmp_path):
    item = approve(upload(vietnamese_multichoice(tmp_path)))
    backend = search_api.get_backend()
    backend.clear("library")
    assert found(fresh(people.student), "cau hoi") == set()
    err = io.StringIO()
    call_command("reindex", "--source", "library", stdout=io.StringIO(), stderr=err)
    assert "library" in err.getvalue()
    assert found(fresh(people.student), "cau hoi") == {(str(item.pk), "published")}
    assert backend.count("library") == 1 and list(LibraryItemSource().object_ids()) == [str(item.pk)]


def test_reindexing_many_items_takes_a_bounded_number_of_queries(people, upload, django_assert_max_num_queries):
    for fixture in ("H5P.TrueFalse.h5p", "H5P.Blanks.h5p", "H5P.Accordion.h5p"):
        upload(f"{H5P_DIR}/{fixture}", complete=False)
    ids = list(LibraryItemSource().object_ids())
    with django_assert_max_num_queries(3 + 4 * len(ids)):  # items, subjects/outcomes; per item: libraries, viewers
        documents = [d for _id, docs in LibraryItemSource().documents_for_many(ids) for d in docs]
    assert len(documents) == 3


def test_office_xml_with_a_dtd_is_not_read(people, upload, tmp_path):
    docx = tmp_path / "bom-xml.docx"
    body = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "ha ha ha ha ha ha ha ha">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>&a;&a;&a;</w:t></w:r></w:p></w:body></w:document>"
    )
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", body)
    item = upload(docx, title="Tài liệu có DTD")
    [document] = item_documents(item)
    assert document.body == "" and document.title == "Tài liệu có DTD"  # refused, the item is still indexed


def test_content_json_is_read_only_up_to_its_cap(people, upload, monkeypatch):
    from search import library

    item = upload(f"{H5P_DIR}/H5P.Blanks.h5p", complete=False)
    monkeypatch.setattr(library, "MAX_JSON_BYTES", 300)
    [document] = item_documents(item)
    assert "Bilberries" in document.body and "Redcurrant" not in document.body


def test_the_search_page_lists_an_approved_activity_for_a_student(client, people, upload, approve, tmp_path):
    item = approve(upload(vietnamese_multichoice(tmp_path), title="Quả lý chua đen"))
    client.force_login(people.student)
    html = client.get("/tim-kiem/", {"q": "cau hoi"}).content.decode()
    assert "<mark>Câu</mark> <mark>hỏi</mark>" in html and "1 kết quả" in html
    assert "Quả lý chua đen" in html and str(item.uuid) in html
