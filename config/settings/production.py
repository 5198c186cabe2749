"""Production: refuses to start without a secret key and allowed hosts; HTTPS-only cookies, HSTS and a CSP."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *

DEBUG = False

_missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not ENV.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: "
        + ", ".join(_missing)
        + ". SECRET_KEY must be a long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))'); "
        "ALLOWED_HOSTS is a comma-separated list of the site's host names, e.g. ALLOWED_HOSTS=lms.truong.edu.vn."
    )
if len(SECRET_KEY) < 32 or SECRET_KEY.startswith(("dev-only", "test-only", "change-me")):
    raise ImproperlyConfigured("SECRET_KEY is too short or is a placeholder: set at least 32 random characters.")

# R35: the personal ID is encrypted at rest with keys that live outside the database (and its backups).
if not PRIVACY_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "Production settings need PRIVACY_ENCRYPTION_KEYS: one or more Fernet keys, comma-separated, newest first, "
        "to encrypt personal IDs at rest. Make one with: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())' and keep it out of the database backups."
    )
for _position, _key in enumerate(PRIVACY_ENCRYPTION_KEYS, start=1):
    try:
        from cryptography.fernet import Fernet

        Fernet(_key.encode())
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            f"PRIVACY_ENCRYPTION_KEYS: key {_position} is not a valid Fernet key (32 url-safe base64-encoded bytes)."
        ) from None

# HTTPS: the proxy in front (nginx, Caddy, a load balancer) terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = ENV.get("SECURE_SSL_REDIRECT", "true").lower() == "true"
# /healthz is probed over plain HTTP from inside the deployment network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = int(ENV.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = ENV.get("SECURE_HSTS_PRELOAD", "false").lower() == "true"
# Browsers send the Origin header with form posts; Django checks it against these.
CSRF_TRUSTED_ORIGINS = CSRF_TRUSTED_ORIGINS or [
    f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS if host not in ("*",)
]
CONTENT_SECURITY_POLICY["upgrade-insecure-requests"] = []

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
WAGTAILADMIN_BASE_URL = ENV.get("SITE_BASE_URL") or f"https://{ALLOWED_HOSTS[0]}"

LOGGING["root"]["level"] = ENV.get("LOG_LEVEL", "INFO")
