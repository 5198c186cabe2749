"""Local development and the one-command demo: DEBUG on, a fixed insecure key unless one is given."""

from config.settings.base import *

DEBUG = True
SECRET_KEY = ENV.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
# The personal ID's encryption key: derived from SECRET_KEY unless PRIVACY_ENCRYPTION_KEYS is given.
PRIVACY_ENCRYPTION_KEYS = PRIVACY_ENCRYPTION_KEYS or [components.derived_fernet_key(SECRET_KEY)]
