"""Settings for the test suite: the production settings with test defaults for unset variables.

Variables already in the environment win, so `.ci/run` points the same tests
at PostgreSQL by setting DATABASE_URL.
"""

import os

os.environ.setdefault("SARV_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("SARV_STATIC_MANIFEST", "false")
os.environ.setdefault("SARV_HTTPS", "false")
os.environ.setdefault("SARV_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SARV_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("SARV_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("SARV_LOG_LEVEL", "WARNING")
os.environ.setdefault("SARV_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from sarv.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# WhiteNoise warns when STATIC_ROOT is missing; the tests serve static files from the finders instead.
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405
