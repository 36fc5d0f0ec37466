"""Settings of the django-helpdesk peer that the benchmark serves beside Sarv (bench/helpdesk_peer.py).

Production-like where it matters for speed: DEBUG off, persistent database connections
as Sarv's benchmark server uses, e-mail into the dummy backend (django-helpdesk still
renders its notification e-mails). Every value comes from the environment the harness
sets; the secret key is random per run.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SCRATCH = Path(os.environ.get("HDPEER_SCRATCH", "/tmp/hdpeer"))

SECRET_KEY = os.environ["HDPEER_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "hdsite.urls"
WSGI_APPLICATION = "hdsite.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": os.environ.get("HDPEER_DB_NAME", "bench_helpdesk"),
    "USER": os.environ.get("HDPEER_DB_USER", "postgres"),
    "HOST": os.environ.get("HDPEER_DB_HOST", "127.0.0.1"),
    "PORT": os.environ.get("HDPEER_DB_PORT", "5432"),
    "CONN_MAX_AGE": int(os.environ.get("HDPEER_CONN_MAX_AGE", "600")),
}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = str(SCRATCH / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = str(SCRATCH / "media")
SITE_ID = 1
LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:home"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@bench.invalid"
HELPDESK_TEAMS_MODE_ENABLED = False
# The data set has about 2,000 requester accounts. By default django-helpdesk offers every active user as a
# ticket owner and CC, so its list page, ticket page and ticket form load them all on each request. An
# administrator with that many accounts restricts both lists to staff, as Sarv offers only agents.
HELPDESK_STAFF_ONLY_TICKET_OWNERS = os.environ.get("HDPEER_STAFF_ONLY_OWNERS", "true") == "true"
HELPDESK_STAFF_ONLY_TICKET_CC = HELPDESK_STAFF_ONLY_TICKET_OWNERS
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
