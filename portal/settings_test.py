"""Settings for the test suite: the same house, with fast and deterministic edges.

Eager Celery, a local-memory cache, no SSL redirect and a fast hasher, whatever the environment
says. Tests marked `redis`, `postgres` or `deploy` reach the real services or settings themselves.
"""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

from portal.settings import *  # noqa: E402,F403
from portal.settings import DATABASES, VAR_DIR  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = True
GUILDHALL_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = str(VAR_DIR / "test-media")

# The SQLite test database and the snapshots `--reuse-db` restores (tests/dbsnapshot.py).
TEST_DB_DIR = Path(os.environ.get("GUILDHALL_TEST_DB_DIR", str(VAR_DIR)))
TEST_DB_SNAPSHOT_DIR = TEST_DB_DIR / "test-db"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so live_server threads and concurrency tests share one database.
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_DB_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
