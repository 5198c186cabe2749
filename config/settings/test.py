"""Settings for the test suite: fast hashing, in-memory e-mail, eager tasks, no static manifest.

The environment still selects the database (``DATABASE_URL``) so the same suite runs on SQLite and PostgreSQL.
"""

from config.settings.base import *

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
STORAGES = components.storages({})
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
WAGTAILSEARCH_BACKENDS = components.search_backends({})
SEARCH_BACKENDS = components.site_search_backends({})  # tests/search/ adds Elasticsearch when ELASTICSEARCH_URL is set
# Serve static files from the finders (no collectstatic in tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# No persistent connections in tests: a live-server thread keeping one open stops the test database from being dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0
# The personal ID's encryption key: derived from SECRET_KEY unless PRIVACY_ENCRYPTION_KEYS is given.
PRIVACY_ENCRYPTION_KEYS = PRIVACY_ENCRYPTION_KEYS or [components.derived_fernet_key(SECRET_KEY)]
