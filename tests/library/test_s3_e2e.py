"""The same upload and playback against the real S3 server of the test suite (SeaweedFS `weed mini`): packages
are extracted into the bucket and played same-origin through our views (never presigned object URLs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect
from storages.backends.s3 import S3Storage

from config.settings import components
from lms.library.models import H5PLibrary, Result, ScormRuntime
from tests.library.conftest import approve, lesson_with, upload_fixture
from tests.library.packages import H5P_DIR, SCORM_DIR
from tests.support.people import make_school_people

pytestmark = [pytest.mark.s3, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def s3_default_storage(s3_server, settings):
    settings.STORAGES = components.storages(s3_server.env())
    return S3Storage(**components.s3_options(s3_server.env()))


def test_h5p_and_scorm_upload_into_s3_and_play(live_server, new_context, student_login, s3_default_storage, settings):
    settings.LIBRARY_SCORM_AUTOCOMMIT_SECONDS = 1
    people = make_school_people()
    h5p = approve(upload_fixture(H5P_DIR / "H5P.MultiChoice.h5p", people))
    scorm = approve(upload_fixture(SCORM_DIR / "RuntimeBasicCalls_SCORM12.zip", people))
    library = H5PLibrary.objects.get(machine_name="H5P.MultiChoice")
    # In the bucket, not on local disk.
    assert s3_default_storage.exists(f"{h5p.storage_prefix}/content/content.json")
    assert s3_default_storage.exists(f"{library.storage_prefix}/js/multichoice.js")
    assert s3_default_storage.exists(f"{scorm.storage_prefix}/shared/launchpage.html")
    assert not (Path(django_settings.MEDIA_ROOT) / "library").exists()
    content_json = f"{h5p.storage_prefix}/content/content.json"
    assert s3_default_storage.size(content_json) == s3_default_storage.open(content_json).size > 100

    lesson = lesson_with(
        people,
        [
            ("h5p", {"reference": str(h5p.uuid), "title": ""}),
            ("scorm", {"reference": str(scorm.uuid), "title": ""}),
        ],
    )
    page = new_context(base_url=live_server.url, locale="vi-VN").new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    student_login(page, people.student)
    page.goto(lesson.url)
    h5p_frame = page.frame_locator(f'figure[data-library-item="{h5p.uuid}"] iframe')
    h5p_frame.get_by_text("Very dark purple").click()
    h5p_frame.get_by_role("button", name="Check").click()
    expect(page.locator("[data-library-score]")).to_have_text("1.00 / 1.00", timeout=15_000)
    assert Result.objects.get(item=h5p, student=people.student).score_raw == 1

    sco = page.frame_locator(f'figure[data-library-item="{scorm.uuid}"] iframe').frame_locator("#scorm-content")
    next_button = sco.get_by_role("button", name="Next ->")
    for _ in range(14):
        next_button.click()
    expect(next_button).to_be_disabled()
    from tests.library.test_playback_e2e import _wait_for

    _wait_for(lambda: ScormRuntime.objects.filter(item=scorm, completion_status="completed").first())
    # Every package file came from our own origin.
    assert not [url for url in requests if url.startswith(s3_default_storage.endpoint_url)]


def test_media_from_s3_streams_with_byte_ranges(client, s3_default_storage, tmp_path):
    from django.urls import reverse

    from lms.library.models import ItemStatus

    people = make_school_people()
    video = tmp_path / "thi-nghiem.mp4"
    payload = bytes(range(256)) * 50_000  # 12.8 MB: a multipart upload of three parts
    video.write_bytes(payload)
    item = upload_fixture(video, people)
    assert s3_default_storage.size(item.document.name) == len(payload)
    type(item).objects.filter(pk=item.pk).update(status=ItemStatus.APPROVED)
    client.force_login(people.student)
    url = reverse("library:document", args=[item.uuid])
    part = client.get(url, HTTP_RANGE="bytes=6000000-6000099")
    assert part.status_code == 206 and b"".join(part.streaming_content) == payload[6_000_000:6_000_100]
    whole = client.get(url)
    assert whole["Content-Length"] == str(len(payload)) and b"".join(whole.streaming_content) == payload
