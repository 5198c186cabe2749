"""Files round-trip through a real S3 server (SeaweedFS), configured exactly as production configures it."""

from __future__ import annotations

import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from storages.backends.s3 import S3Storage
from wagtail.documents import get_document_model

from config.settings import components
from lib import health

pytestmark = pytest.mark.s3


def _fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback test server
        return response.status, response.read()


def test_storage_round_trip_with_vietnamese_names_and_no_overwrite(s3_server):
    storage = S3Storage(**components.s3_options(s3_server.env()))
    content = "Bài giảng: Đường tròn lớp 9".encode()
    name = storage.save("bai-giang/đường tròn.txt", ContentFile(content))
    second = storage.save("bai-giang/đường tròn.txt", ContentFile(b"khac"))
    try:
        assert name != second  # two teachers uploading the same file name both keep their file
        assert storage.exists(name)
        assert storage.size(name) == len(content)
        with storage.open(name) as fh:
            assert fh.read() == content
        status, body = _fetch(storage.url(name))  # a signed URL, as a browser would get
        assert (status, body) == (200, content)
    finally:
        storage.delete(name)
        storage.delete(second)
    assert not storage.exists(name)


def test_large_upload_uses_multipart_and_survives(s3_server):
    storage = S3Storage(**components.s3_options(s3_server.env()))
    payload = bytes(range(256)) * (12 * 4096)  # 12 MiB: above boto3's 8 MiB multipart threshold
    name = storage.save("video/bai-giang.mp4", ContentFile(payload))
    try:
        with storage.open(name) as fh:
            assert fh.read() == payload
    finally:
        storage.delete(name)


def test_wrong_credentials_are_rejected(s3_server):
    from botocore.exceptions import ClientError

    bad = S3Storage(**components.s3_options(s3_server.env(AWS_SECRET_ACCESS_KEY="sai-khoa")))
    with pytest.raises(ClientError):
        bad.save("x.txt", ContentFile(b"x"))


@pytest.fixture
def s3_default_storage(s3_server, settings):
    settings.STORAGES = components.storages(s3_server.env())
    return S3Storage(**components.s3_options(s3_server.env()))


def test_a_teacher_uploads_a_document_in_the_admin_and_it_lands_in_s3(client, people, s3_default_storage):
    client.force_login(people.teacher)
    upload = SimpleUploadedFile("Đề cương ôn tập.pdf", b"%PDF-1.4 noi dung de cuong", content_type="application/pdf")
    response = client.post(
        "/admin/documents/add/", {"title": "Đề cương ôn tập học kì I", "file": upload, "collection": 1}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/admin/documents/", response["Location"]
    document = get_document_model().objects.get(title="Đề cương ôn tập học kì I")
    try:
        assert s3_default_storage.exists(document.file.name)
        served = client.get(document.url)
        assert served.status_code == 302  # Wagtail redirects to a signed URL on the object store
        assert served["Location"].startswith(s3_default_storage.endpoint_url or "http://127.0.0.1")
        assert _fetch(served["Location"]) == (200, b"%PDF-1.4 noi dung de cuong")
    finally:
        document.file.delete(save=False)


def test_healthz_checks_s3_storage(client, db, s3_default_storage):
    result = health.run_checks()["storage"]
    assert result["ok"] is True
    assert result["detail"] == "S3Storage"
    assert not s3_default_storage.listdir("healthz")[1]  # the probe object is removed again
