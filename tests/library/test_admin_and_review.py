"""The library in the Wagtail admin (upload, list, item page) and the review before students see an item."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from content.api import Licence
from curriculum.api import get_outcomes, get_subject
from lms.library import review
from lms.library.models import ItemStatus, LibraryItem, ReviewDecision
from lms.library.providers import LibraryProvider
from tests.library.conftest import upload_fixture
from tests.library.packages import H5P_DIR, SCORM_DIR

pytestmark = pytest.mark.django_db


def _post_upload(client, people, path, **extra):
    with path.open("rb") as handle:
        data = {
            "file": SimpleUploadedFile(path.name, handle.read()),
            "school": str(people.school.pk),
            "score_policy": "best",
            "licence": "",
            **extra,
        }
    return client.post(reverse("library_admin:upload"), data)


def test_teacher_uploads_in_the_admin_and_sees_the_list(client, people):
    client.force_login(people.teacher)
    response = _post_upload(client, people, H5P_DIR / "H5P.MultiChoice.h5p", title="Quả lý chua")
    item = LibraryItem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("library_admin:item", args=[item.uuid])
    assert item.title == "Quả lý chua" and item.owner == people.teacher and item.status == ItemStatus.DRAFT
    listing = client.get(reverse("library_admin:index"))
    assert listing.status_code == 200 and "Quả lý chua" in listing.content.decode()
    page = client.get(reverse("library_admin:item", args=[item.uuid]))
    assert page.status_code == 200 and "H5P.Question 1.4" in page.content.decode()


def test_rejected_upload_shows_every_reason_and_saves_nothing(client, people):
    client.force_login(people.teacher)
    response = _post_upload(client, people, SCORM_DIR / "negative" / "MissingLaunchUrl_SCORM12.zip")
    assert response.status_code == 200
    assert "resource_1" in response.content.decode()
    assert not LibraryItem.objects.exists()


def test_students_cannot_use_the_library_admin(client, people):
    client.force_login(people.student)
    assert client.get(reverse("library_admin:index")).status_code in (302, 403)


def _complete(item, people):
    toan = get_subject("toan")
    item.subject, item.grade = toan, 10
    item.licence, item.rights_confirmed = Licence.CC_BY, True
    item.save()
    item.outcomes.set(list(get_outcomes(subject=toan, grade=10)[:1]))
    return item


def test_review_follows_the_lesson_rules(people):
    item = upload_fixture(H5P_DIR / "H5P.TrueFalse.h5p", people)
    provider = LibraryProvider("h5p", "h5p")
    with pytest.raises(ValidationError) as caught:
        review.submit_for_review(item=item, user=people.teacher)
    assert any("YCCĐ" in m or "outcome" in m for m in caught.value.messages)
    _complete(item, people)
    review.submit_for_review(item=item, user=people.teacher)
    assert review.current_reviewer(item.__class__.objects.get(pk=item.pk)) == people.group_head
    assert provider.validate(str(item.uuid)) is None  # not embeddable until approved
    with pytest.raises(PermissionDenied):
        review.review_item(item=item, user=people.teacher, approve=True)  # no self-approval
    with pytest.raises(PermissionDenied):
        review.review_item(item=item, user=people.principal, approve=True)  # not this step's reviewer
    item = review.review_item(item=item, user=people.group_head, approve=True)
    assert item.status == ItemStatus.APPROVED
    assert provider.validate(str(item.uuid)).title == "True/False Question"
    assert [d.decision for d in ReviewDecision.objects.filter(item=item)] == ["submitted", "approved"]


def test_two_step_review_and_return(people):
    type(people.school).objects.filter(pk=people.school.pk).update(principal_approval_required=True)
    item = _complete(upload_fixture(SCORM_DIR / "RuntimeBasicCalls_SCORM12.zip", people), people)
    review.submit_for_review(item=item, user=people.teacher)
    with pytest.raises(ValidationError):
        review.review_item(item=item, user=people.group_head, approve=False, comment="  ")
    item = review.review_item(item=item, user=people.group_head, approve=True)
    assert item.status == ItemStatus.SUBMITTED and review.current_reviewer(item) == people.principal
    assert review.items_awaiting(people.principal) == [item]
    item = review.review_item(item=item, user=people.principal, approve=False, comment="Thêm nguồn tư liệu.")
    assert item.status == ItemStatus.RETURNED


def test_reviewer_approves_in_the_admin(client, people):
    item = _complete(upload_fixture(H5P_DIR / "H5P.TrueFalse.h5p", people), people)
    client.force_login(people.teacher)
    client.post(reverse("library_admin:item", args=[item.uuid]), {"action": "submit"})
    client.force_login(people.group_head)
    assert "True/False Question" in client.get(reverse("library_admin:index")).content.decode()
    client.post(reverse("library_admin:item", args=[item.uuid]), {"action": "approve", "comment": "Đạt"})
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED


def test_document_preview_and_download(client, people, tmp_path):
    pdf = tmp_path / "Đề cương.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\n")
    item = upload_fixture(pdf, people)
    client.force_login(people.student)
    assert client.get(reverse("library:document", args=[item.uuid])).status_code == 404  # not approved yet
    type(item).objects.filter(pk=item.pk).update(status=ItemStatus.APPROVED)
    inline = client.get(reverse("library:document", args=[item.uuid]))
    assert inline.status_code == 200 and inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")
    assert b"".join(inline.streaming_content).startswith(b"%PDF-1.7")
    download = client.get(reverse("library:document", args=[item.uuid]) + "?tai-ve=1")
    assert download["Content-Disposition"].startswith("attachment")
    page = client.get(reverse("library:document_page", args=[item.uuid]))
    assert page.status_code == 200 and 'class="library-pdf"' in page.content.decode()


def test_video_gets_a_player(client, people, tmp_path):
    video = tmp_path / "thi-nghiem.webm"
    video.write_bytes(b"\x1a\x45\xdf\xa3" + b"\0" * 100)
    item = upload_fixture(video, people)
    type(item).objects.filter(pk=item.pk).update(status=ItemStatus.APPROVED)
    client.force_login(people.student)
    page = client.get(reverse("library:document_page", args=[item.uuid])).content.decode()
    assert "<video controls" in page
    media = client.get(reverse("library:document", args=[item.uuid]))
    assert media["Content-Type"] == "video/webm" and "sandbox" in media["Content-Security-Policy"]


def test_media_byte_ranges_for_seeking(client, people, tmp_path):
    video = tmp_path / "bai-giang.mp4"
    payload = bytes(range(256)) * 40
    video.write_bytes(payload)
    item = upload_fixture(video, people)
    type(item).objects.filter(pk=item.pk).update(status=ItemStatus.APPROVED)
    client.force_login(people.student)
    url = reverse("library:document", args=[item.uuid])
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(payload)}"
    assert b"".join(part.streaming_content) == payload[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == payload[-10:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(payload)}-").status_code == 416
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Length"] == str(len(payload))
