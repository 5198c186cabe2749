"""Export of everything held about one student: JSON files in a ZIP, with providers registered by other apps."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from lms.privacy import api, services
from lms.privacy.models import ProcessingEvent, RefusedAccess

pytestmark = pytest.mark.django_db


def read_zip(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def test_export_holds_profile_guardians_consents_requests_and_registered_providers(school_people, login):
    student = school_people.student
    services.give_consent(actor=school_people.parent, student=student, purpose="publish_work")
    services.create_request(actor=school_people.parent, school=school_people.school, subject=student, kind="export")
    services.record_behaviour(user=student, kind="view", school=school_people.school, target="bai-giang/1")
    services.set_personal_id(actor=school_people.school_admin, user=student, value="001209012345")

    def gradebook(student_, school_):
        return {"marks": [{"subject": "toan", "score": "8.5"}], "student": student_.pk}

    api.register_export_provider("example_app", gradebook)
    try:
        response = login(school_people.school_admin).get(
            reverse("privacy:export", args=[school_people.school.code, student.pk])
        )
    finally:
        api.unregister_export_provider("example_app")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    files = read_zip(b"".join([response.content]))
    assert {
        "manifest.json",
        "profile.json",
        "guardians.json",
        "consents.json",
        "requests.json",
        "example_app.json",
        "gradebook.json",
    } <= set(files)
    assert "behaviour.json" not in files  # sensitive: only when asked (R42)
    assert files["profile.json"]["ma_dinh_danh"] == student.ma_dinh_danh
    assert files["profile.json"]["personal_id"] == "********2345"
    assert "001209012345" not in json.dumps(files)
    assert files["guardians.json"][0]["username"] == school_people.parent.username
    assert files["guardians.json"][0]["is_legal_representative"] is True
    assert files["consents.json"][0]["purpose"] == "publish_work"
    assert files["consents.json"][0]["given_as"] == "representative"
    assert files["requests.json"][0]["kind"] == "export"
    assert files["example_app.json"]["marks"][0]["score"] == "8.5"
    assert files["manifest.json"]["school"] == school_people.school.code
    assert ProcessingEvent.objects.filter(action="exported", student=student).exists()


def test_behaviour_logs_are_exported_only_when_asked(school_people):
    services.record_behaviour(user=school_people.student, kind="login")
    data = services.export_student(
        actor=school_people.school_admin,
        school=school_people.school,
        student=school_people.student,
        include_behaviour=True,
    )
    assert read_zip(data)["behaviour.json"][0]["kind"] == "login"


def test_only_the_school_admin_exports(school_people, login):
    with pytest.raises(PermissionDenied):
        services.export_student(actor=school_people.teacher, school=school_people.school, student=school_people.student)
    url = reverse("privacy:export", args=[school_people.school.code, school_people.student.pk])
    assert login(school_people.parent).get(url).status_code == 403
    assert RefusedAccess.objects.filter(actor=school_people.parent, subject=school_people.student).exists()


def test_provider_names_are_file_names_and_unique():
    with pytest.raises(ValueError):
        api.register_export_provider("../evil", lambda s, sc: None)
    with pytest.raises(ValueError):
        api.register_export_provider("profile", lambda s, sc: None)
