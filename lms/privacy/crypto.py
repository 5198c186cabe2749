"""Encryption at rest for the personal ID (R35, R46): Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``.

Keys come from ``settings.PRIVACY_ENCRYPTION_KEYS`` (environment variable ``PRIVACY_ENCRYPTION_KEYS``, comma-separated
Fernet keys, newest first). Older keys still decrypt, so a key is rotated by putting a new one in front and running
``manage.py rotate_personal_ids``. Production refuses to start without a key (config/settings/production.py); here a
missing key is a clear ``ImproperlyConfigured`` at the first use, never a silent plain-text write.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

KEY_HELP = (
    "Set PRIVACY_ENCRYPTION_KEYS to one or more Fernet keys, comma-separated, newest first. Make one with: "
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'. "
    "Keep it out of the database backups: without it the personal IDs cannot be read."
)


def _keys() -> list[str]:
    keys = [key.strip() for key in getattr(settings, "PRIVACY_ENCRYPTION_KEYS", []) if key and key.strip()]
    if not keys:
        raise ImproperlyConfigured("No key to encrypt personal data. " + KEY_HELP)
    return keys


def check_keys(keys: list[str]) -> None:
    """Raise ``ImproperlyConfigured`` naming the position of a malformed key."""
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"PRIVACY_ENCRYPTION_KEYS: key {position} is not a valid Fernet key (32 url-safe base64 bytes). "
                + KEY_HELP
            ) from None


def fernet() -> MultiFernet:
    keys = _keys()
    check_keys(keys)
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A personal ID cannot be decrypted with the configured keys (a key was removed or changed). " + KEY_HELP
        ) from None


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


def digest(text: str) -> str:
    """Keyed hash for uniqueness checks; keyed by the newest key so it reveals nothing without it."""
    key = hashlib.sha256(b"lms.privacy.digest:" + _keys()[0].encode()).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python sees the plain text. Not searchable or orderable."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
