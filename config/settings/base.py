"""Base settings shared by every environment; everything that differs between machines comes from the environment.

With no variables set the project runs on SQLite, local media files, the database search backend, eager Celery and
the console e-mail backend. Each variable below switches one part to a real service:

``DATABASE_URL``  ``CELERY_BROKER_URL``  ``CACHE_URL``  ``AWS_STORAGE_BUCKET_NAME`` (+ ``AWS_*``)
``ELASTICSEARCH_URL``  ``EMAIL_URL``  ``SECRET_KEY``  ``ALLOWED_HOSTS``  ``CSRF_TRUSTED_ORIGINS``
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.settings import components

BASE_DIR = Path(__file__).resolve().parent.parent.parent
ENV = os.environ

# ---------------------------------------------------------------------------------------------------------------------
# GENERAL
# ---------------------------------------------------------------------------------------------------------------------
DEBUG = False
SECRET_KEY = ENV.get("SECRET_KEY", "")
ALLOWED_HOSTS = components.split_list(ENV.get("ALLOWED_HOSTS"))
CSRF_TRUSTED_ORIGINS = components.split_list(ENV.get("CSRF_TRUSTED_ORIGINS"))

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Our own catalogue first; then Vietnamese for the Wagtail admin strings that Wagtail leaves untranslated
# (tools/wagtail_vi_catalogue.py refreshes and checks it after a Wagtail upgrade).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Vietnamese number format (decimal comma, dot for thousands) comes from Django's "vi" locale formats.
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["config.formats"]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------------------------------------------------
# APPS
# ---------------------------------------------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]
WAGTAIL_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]
LOCAL_APPS = [
    "lib",
    "curriculum",
    "lms.schools",
    "lms.privacy",
    "content",
    "lms.library",
    "lms.assessments",
    "lms.courses",
    "lms.gradebook",
    "lms.exams",
    "search",
    "demo",
]
INSTALLED_APPS = LOCAL_APPS + DJANGO_APPS + WAGTAIL_APPS

# ---------------------------------------------------------------------------------------------------------------------
# MIDDLEWARE
# ---------------------------------------------------------------------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lib.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lib.locale.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lib.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# ---------------------------------------------------------------------------------------------------------------------
# DATA: database, cache, files, search
# ---------------------------------------------------------------------------------------------------------------------
DATABASES = components.databases(ENV, BASE_DIR)
CACHES = components.caches(ENV)
STORAGES = components.storages(ENV)
WAGTAILSEARCH_BACKENDS = components.search_backends(ENV)
SEARCH_BACKENDS = components.site_search_backends(ENV)  # the search app's own (Vietnamese-aware) search

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(ENV.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploads above this size go to a temporary file instead of memory (lesson videos, SCORM packages).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# ---------------------------------------------------------------------------------------------------------------------
# AUTHENTICATION
# ---------------------------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "schools.User"
AUTHENTICATION_BACKENDS = ["lms.schools.auth.ThrottledModelBackend"]
LOGIN_URL = "schools:login"
LOGIN_REDIRECT_URL = "schools:account"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day: parents often read the e-mail in the evening
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# After MAX_FAILURES failed logins for one username (or IP_MAX_FAILURES from one address) within WINDOW seconds,
# further attempts are refused for LOCKOUT seconds, whatever the password.
LOGIN_THROTTLE = {
    "MAX_FAILURES": int(ENV.get("LOGIN_THROTTLE_MAX_FAILURES", "5")),
    "IP_MAX_FAILURES": int(ENV.get("LOGIN_THROTTLE_IP_MAX_FAILURES", "30")),
    "WINDOW": int(ENV.get("LOGIN_THROTTLE_WINDOW", "900")),
    "LOCKOUT": int(ENV.get("LOGIN_THROTTLE_LOCKOUT", "900")),
}
SESSION_COOKIE_AGE = 60 * 60 * 12
# Sessions are read from the cache (Redis in production) and written through to the database: one query less on
# every request (exam day's answer saves above all), and nobody is logged out when the cache is emptied.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # Wagtail's admin reads the token from the cookie

# ---------------------------------------------------------------------------------------------------------------------
# E-MAIL
# ---------------------------------------------------------------------------------------------------------------------
globals().update(components.email(ENV))
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "Hệ thống học tập <no-reply@truonghoc.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------------------------------------------------
# CELERY
# ---------------------------------------------------------------------------------------------------------------------
globals().update(components.celery(ENV))
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # lms.courses: plan items released, and due within a day (in-app and e-mail; each notice sent once).
    "courses-plan-notifications": {"task": "courses.send_plan_notifications", "schedule": 15 * 60},
    # lms.privacy: delete behaviour and usage logs older than the retention period (R42), once a day.
    "privacy-purge-behaviour-logs": {"task": "privacy.purge_behaviour_logs", "schedule": 24 * 60 * 60},
    # lms.exams: attempts whose time is up are submitted by the server, also when the browser is gone.
    "exams-submit-expired": {"task": "exams.submit_expired_attempts", "schedule": 30},
}

# ---------------------------------------------------------------------------------------------------------------------
# PERSONAL DATA (lms.privacy)
# ---------------------------------------------------------------------------------------------------------------------
# Fernet keys encrypting the personal ID at rest, newest first (production refuses to start without one; dev and
# test derive one from SECRET_KEY). Lunar-calendar public holidays (Tết, Giỗ Tổ) and compensatory days off, as ISO
# dates: they stop the 2-working-day clock of data-subject requests.
PRIVACY_ENCRYPTION_KEYS = components.split_list(ENV.get("PRIVACY_ENCRYPTION_KEYS"))
PRIVACY_HOLIDAYS = components.split_list(ENV.get("PRIVACY_HOLIDAYS"))

# ---------------------------------------------------------------------------------------------------------------------
# SECURITY (production tightens these; see production.py)
# ---------------------------------------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"  # H5P and SCORM players frame our own pages
# Content security policy, sent by lib.csp. Wagtail's admin needs inline styles; no inline scripts anywhere.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "media-src": ["'self'", "blob:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'", "https://www.youtube.com", "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
    "frame-ancestors": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
# Wagtail 8's page editor still writes two inline scripts (the go-live and expiry date pickers); the admin is used
# only by authenticated staff, so it alone may run inline scripts. Pages students see never may.
CONTENT_SECURITY_POLICY_OVERRIDES = [("/admin/", {"script-src": ["'self'", "'unsafe-inline'"]})]
CONTENT_SECURITY_POLICY_REPORT_ONLY = False
if ENV.get("AWS_S3_ENDPOINT_URL") or ENV.get("AWS_S3_CUSTOM_DOMAIN"):
    # Signed URLs send the browser straight to the object store for images, documents and video.
    _origin = ENV.get("AWS_S3_CUSTOM_DOMAIN") or ENV["AWS_S3_ENDPOINT_URL"]
    _origin = _origin if "://" in _origin else f"https://{_origin}"
    for _directive in ("img-src", "media-src", "connect-src"):
        CONTENT_SECURITY_POLICY[_directive].append(_origin.rstrip("/"))

# ---------------------------------------------------------------------------------------------------------------------
# WAGTAIL
# ---------------------------------------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = ENV.get("SITE_NAME", "Kho học liệu & Lớp học trực tuyến")
WAGTAILADMIN_BASE_URL = ENV.get("SITE_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("vi", "Tiếng Việt")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# One login page for the site and the admin, so throttling and the Vietnamese form apply everywhere.
WAGTAILADMIN_LOGIN_URL = "schools:login"
WAGTAIL_FRONTEND_LOGIN_URL = "schools:login"
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "odp",
    "txt",
    "csv",
    "epub",
    "zip",
]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Lessons go live when their last reviewer approves (see content.review); the reviewed revision is published.
WAGTAIL_FINISH_WORKFLOW_ACTION = "content.workflow_actions.publish_approved"
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party avatar requests (privacy; closed school networks)
WAGTAIL_ALLOW_UNICODE_SLUGS = False  # content slugs are folded with anyascii ("Đường tròn" → duong-tron)

# ---------------------------------------------------------------------------------------------------------------------
# COMPUTER-BASED TESTS (lms.exams)
# ---------------------------------------------------------------------------------------------------------------------
# The request header (META key, e.g. HTTP_X_REAL_IP) that the trusted reverse proxy sets to the client's address. Empty:
# REMOTE_ADDR is the client (no proxy). A header the proxy does not overwrite must never be named here: students could
# forge it to pass the allowed-network rule. When the header holds a list, its last entry (added by the proxy) is used.
EXAMS_CLIENT_IP_HEADER = ENV.get("EXAMS_CLIENT_IP_HEADER", "")

# ---------------------------------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50

# ---------------------------------------------------------------------------------------------------------------------
# LOGGING
# ---------------------------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": ENV.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},  # Wagtail's immediate background tasks log every run at INFO
    },
}
