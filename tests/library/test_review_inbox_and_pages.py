"""Library review in content's "Chờ duyệt" inbox with e-mail to reviewers and uploaders; an item's own page;
PDF text extracted on upload."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from content.api import Licence
from curriculum.api import get_outcomes, get_subject
from lms.library import review
from lms.library.models import ItemStatus
from lms.library.pdftext import pdf_text
from tests.library.conftest import approve, upload_fixture
from tests.library.packages import H5P_DIR, SCORM_DIR

pytestmark = pytest.mark.django_db


def _complete(item):
    toan = get_subject("toan")
    item.subject, item.grade = toan, 10
    item.licence, item.rights_confirmed = Licence.CC_BY, True
    item.save()
    item.outcomes.set(list(get_outcomes(subject=toan, grade=10)[:1]))
    return item


def _pdf(tmp_path, text, name="de-cuong.pdf", pages=1):
    from lib.pdf import new_document

    document = new_document(title="Đề cương")
    for number in range(pages):
        if number:
            document.add_page()
        document.multi_cell(0, 8, text)
    path = tmp_path / name
    document.output(str(path))
    return path


def test_submitted_items_appear_in_the_reviewers_inbox(client, people):
    item = _complete(upload_fixture(H5P_DIR / "H5P.TrueFalse.h5p", people, title="Đúng hay sai: Oslo"))
    review.submit_for_review(item=item, user=people.teacher)
    client.force_login(people.group_head)
    html = client.get(reverse("content_review:inbox")).content.decode()
    assert "Đúng hay sai: Oslo" in html and reverse("library_admin:item", args=[item.uuid]) in html
    assert "Toán" in html
    client.force_login(people.principal)  # not this step's reviewer
    assert "Đúng hay sai: Oslo" not in client.get(reverse("content_review:inbox")).content.decode()
    review.review_item(item=item, user=people.group_head, approve=True)
    client.force_login(people.group_head)
    assert "Đúng hay sai: Oslo" not in client.get(reverse("content_review:inbox")).content.decode()


def test_reviewers_and_the_uploader_are_emailed(people, django_capture_on_commit_callbacks):
    type(people.school).objects.filter(pk=people.school.pk).update(principal_approval_required=True)
    item = _complete(upload_fixture(SCORM_DIR / "RuntimeBasicCalls_SCORM12.zip", people, title="Gói SCORM ôn tập"))
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_for_review(item=item, user=people.teacher)
    [to_head] = mail.outbox
    assert to_head.to == [people.group_head.email] and "Gói SCORM ôn tập" in to_head.subject
    assert str(item.uuid) in to_head.body
    with django_capture_on_commit_callbacks(execute=True):
        item = review.review_item(item=item, user=people.group_head, approve=True)
    assert [m.to for m in mail.outbox[1:]] == [[people.principal.email]]  # the next step; the uploader waits
    with django_capture_on_commit_callbacks(execute=True):
        review.review_item(item=item, user=people.principal, approve=False, comment="Thêm nguồn tư liệu.")
    last = mail.outbox[-1]
    assert last.to == [people.teacher.email] and "Thêm nguồn tư liệu." in last.body
    assert len(mail.outbox) == 3


def test_the_uploader_hears_of_the_approval(people, django_capture_on_commit_callbacks):
    item = _complete(upload_fixture(H5P_DIR / "H5P.TrueFalse.h5p", people))
    review.submit_for_review(item=item, user=people.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        review.review_item(item=item, user=people.group_head, approve=True, comment="Đạt")
    [message] = mail.outbox
    assert message.to == [people.teacher.email] and "Đạt" in message.body


def test_an_approved_item_has_its_own_page(client, people):
    item = upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", people, title="Màu của quả lý chua")
    url = reverse("library:item_page", args=[item.uuid])
    assert url == f"/thu-vien/{item.uuid}/"
    client.force_login(people.student)
    assert client.get(url).status_code == 404  # a draft: not for students
    client.force_login(people.teacher)
    preview = client.get(url).content.decode()
    assert "Màu của quả lý chua" in preview and "library-item-unavailable" in preview
    approve(item)
    client.force_login(people.student)
    page = client.get(url).content.decode()
    assert 'sandbox="allow-scripts' in page and "data-xapi-url" in page and "library-embed.js" in page


def test_a_scorm_and_a_document_item_have_their_own_page(client, people, tmp_path):
    scorm = approve(upload_fixture(SCORM_DIR / "RuntimeBasicCalls_SCORM12.zip", people))
    pdf = approve(upload_fixture(_pdf(tmp_path, "Ôn tập"), people))
    client.force_login(people.student)
    assert reverse("library:scorm_player", args=[scorm.uuid]) in client.get(f"/thu-vien/{scorm.uuid}/").content.decode()
    assert 'class="library-pdf"' in client.get(f"/thu-vien/{pdf.uuid}/").content.decode()
    assert client.get("/thu-vien/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_pdf_text_is_extracted_on_upload(people, tmp_path):
    item = upload_fixture(_pdf(tmp_path, "Định lí Vi-ét cho phương trình bậc hai"), people)
    assert "Định lí Vi-ét cho phương trình bậc hai" in item.extracted_text


def test_pdf_text_is_capped(tmp_path):
    path = _pdf(tmp_path, "phương trình " * 200, pages=5)
    full = pdf_text(path)
    assert len(full) > 4000
    assert len(pdf_text(path, max_chars=1000)) == 1000
    assert pdf_text(path, max_pages=1) == full.split("\n\n")[0]


def test_a_damaged_pdf_is_stored_without_text(people, tmp_path):
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"0" * 1000)
    item = upload_fixture(broken, people)
    assert item.status == ItemStatus.DRAFT and item.extracted_text == ""


def _submitted_documents(people, tmp_path, count, prefix):
    items = []
    for number in range(count):
        sheet = tmp_path / f"{prefix}-phieu-{number}.txt"
        sheet.write_text(f"Phiếu học tập số {number}", encoding="utf-8")
        item = _complete(upload_fixture(sheet, people, title=f"{prefix} phiếu {number}"))
        review.submit_for_review(item=item, user=people.teacher)
        items.append(item)
    return items


def _lesson_under_review(people):
    from content import api as content_api
    from tests.support.baseline import ensure_site_baseline

    ensure_site_baseline()
    toan = get_subject("toan")
    topic = content_api.get_or_create_topic(school=people.school, subject=toan, grade=10, title="Chương I. Mệnh đề")
    lesson = content_api.create_lesson_draft(
        topic=topic,
        title="Bài 1. Mệnh đề",
        author=people.teacher,
        subject=toan,
        grade=10,
        outcomes=list(get_outcomes(subject=toan, grade=10)[:1]),
        licence=Licence.SCHOOL,
        rights_confirmed=True,
    )
    lesson = content_api.LessonPage.objects.get(pk=lesson.pk)
    lesson.get_workflow().start(lesson, people.teacher)
    return lesson


def test_the_inbox_reads_library_items_in_a_constant_number_of_queries(
    client, people, tmp_path, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.support.people import make_school_people

    _lesson_under_review(people)
    first = _submitted_documents(people, tmp_path, 1, "A")
    with CaptureQueriesContext(connection) as one:
        assert [e.title for e in review.inbox_entries(people.group_head)] == ["A phiếu 0"]
    # items, the subject groups of their (school, subject) pairs, the groups' heads, [principals,] submissions
    budget = 5
    assert len(one) <= budget
    client.force_login(people.group_head)
    client.get(reverse("content_review:inbox"))  # warm the caches (site, permissions) as a second request would
    with CaptureQueriesContext(connection) as page_with_one:
        client.get(reverse("content_review:inbox"))

    # More items: of this school (step 1), of another school (its own head), and one at the principal's step.
    _submitted_documents(people, tmp_path, 5, "B")
    other = make_school_people(prefix="b-")
    _submitted_documents(other, tmp_path, 3, "C")
    type(people.school).objects.filter(pk=people.school.pk).update(principal_approval_required=True)
    review.review_item(item=first[0], user=people.group_head, approve=True)  # now waits for the principal

    with django_assert_max_num_queries(budget):
        entries = review.inbox_entries(people.group_head)
    assert sorted(e.title for e in entries) == [f"B phiếu {n}" for n in range(5)]
    assert {e.submitted_by for e in entries} == {people.teacher.get_full_name() or people.teacher.username}
    with django_assert_max_num_queries(budget):
        assert [e.title for e in review.inbox_entries(people.principal)] == ["A phiếu 0"]
    with django_assert_max_num_queries(budget):
        assert sorted(e.title for e in review.inbox_entries(other.group_head)) == [f"C phiếu {n}" for n in range(3)]
    # The same reviewers as the item-by-item rule.
    for item in review.LibraryItem.objects.filter(status=ItemStatus.SUBMITTED):
        reviewer = review.current_reviewer(item)
        assert item.pk in {i.pk for i in review.items_awaiting(reviewer)}

    # The whole "Chờ duyệt" page with a lesson and the library items waiting: nine items cost what one did, plus
    # the principals' query now that an item waits at that step (the rest is the admin's chrome and the lessons).
    client.force_login(people.group_head)
    with django_assert_max_num_queries(min(len(page_with_one) + 1, 55)):
        html = client.get(reverse("content_review:inbox")).content.decode()
    assert "Bài 1. Mệnh đề" in html and "B phiếu 4" in html
