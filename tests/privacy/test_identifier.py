"""The 12-digit personal ID: encrypted at rest, never shown to teachers or parents (R35, R46)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection

from lms.privacy import crypto, services
from lms.privacy.models import PersonalIdentifier, RefusedAccess

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PID = "079208001234"


def raw_value(user) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {PersonalIdentifier._meta.db_table} WHERE user_id = %s", [user.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_stored_encrypted_and_readable_by_the_school_admin_only(school_people):
    services.set_personal_id(actor=school_people.school_admin, user=school_people.student, value="0792 0800 1234")
    stored = raw_value(school_people.student)
    assert PID not in stored
    assert Fernet(crypto._keys()[0].encode()).decrypt(stored.encode()).decode() == PID
    assert services.reveal_personal_id(actor=school_people.school_admin, user=school_people.student) == PID
    assert services.masked_personal_id(school_people.student) == "••••••••1234"
    for person in (school_people.teacher, school_people.parent, school_people.principal, school_people.student):
        with pytest.raises(PermissionDenied):
            services.reveal_personal_id(actor=person, user=school_people.student)
    assert RefusedAccess.objects.filter(resource="personal ID").count() == 4


def test_only_twelve_digits_and_no_duplicates(school_people):
    with pytest.raises(ValidationError, match="đúng 12 chữ số"):
        services.set_personal_id(actor=school_people.school_admin, user=school_people.student, value="07920800123")
    with pytest.raises(PermissionDenied):
        services.set_personal_id(actor=school_people.teacher, user=school_people.student, value=PID)
    services.set_personal_id(actor=school_people.school_admin, user=school_people.student, value=PID)
    with pytest.raises(ValidationError, match="đã có số định danh"):
        services.set_personal_id(actor=school_people.school_admin, user=school_people.parent, value=PID)


def test_pages_teachers_and_parents_open_never_show_it(school_people, login):
    from django.urls import reverse

    services.set_personal_id(actor=school_people.school_admin, user=school_people.student, value=PID)
    parent_page = login(school_people.parent).get(reverse("privacy:child_consents", args=[school_people.student.pk]))
    account = login(school_people.teacher).get(reverse("schools:account"))
    for page in (parent_page, account):
        assert page.status_code == 200 and PID not in page.content.decode()


def test_missing_key_is_a_clear_error(school_people, settings):
    settings.PRIVACY_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="PRIVACY_ENCRYPTION_KEYS"):
        services.set_personal_id(actor=school_people.school_admin, user=school_people.student, value=PID)
    settings.PRIVACY_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="key 1 is not a valid Fernet key"):
        crypto.encrypt(PID)


def test_key_rotation_keeps_ids_readable(school_people, settings):
    old = Fernet.generate_key().decode()
    settings.PRIVACY_ENCRYPTION_KEYS = [old]
    services.set_personal_id(actor=school_people.school_admin, user=school_people.student, value=PID)
    new = Fernet.generate_key().decode()
    settings.PRIVACY_ENCRYPTION_KEYS = [new, old]
    assert services.rotate_personal_ids() == 1
    settings.PRIVACY_ENCRYPTION_KEYS = [new]
    assert services.reveal_personal_id(actor=school_people.school_admin, user=school_people.student) == PID
    settings.PRIVACY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        PersonalIdentifier.objects.get(user=school_people.student)


def test_production_refuses_to_start_without_a_key():
    env = {k: v for k, v in os.environ.items() if k not in {"PRIVACY_ENCRYPTION_KEYS", "DJANGO_SETTINGS_MODULE"}}
    env.update({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "lms.truong.edu.vn"})
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.production"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Production settings need PRIVACY_ENCRYPTION_KEYS" in result.stderr
    env["PRIVACY_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    ok = subprocess.run(
        [sys.executable, "-c", "import config.settings.production"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
