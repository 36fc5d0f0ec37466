"""Django settings for Sarv.

Every value an installation may change is read from an environment variable
through the helpers in ``sarv.env``. Defaults are the safe ones: DEBUG is off,
SECRET_KEY must be given, and ALLOWED_HOSTS lists hosts explicitly.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from sarv.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SARV_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SARV_SECRET_KEY", required=True)
DEBUG = env_bool("SARV_DEBUG", False)
ALLOWED_HOSTS = env_list("SARV_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("SARV_CSRF_TRUSTED_ORIGINS")

# HTTPS is assumed in production; `make run` serves plain HTTP on loopback and sets SARV_HTTPS=false.
HTTPS = env_bool("SARV_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SARV_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SARV_HSTS_SECONDS", 0, minimum=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SARV_BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SARV_SESSION_SECONDS", 8 * 3600, minimum=300)
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "sarv.core",
    "sarv.accounts",
    "sarv.services",
    "sarv.calendars",
    "sarv.sla",
    "sarv.cmdb",
    "sarv.incidents",
    "sarv.problems",
    "sarv.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sarv.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sarv.core.middleware.RequestContextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sarv.core.middleware.UserPreferencesMiddleware",
    "sarv.core.middleware.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sarv.core.middleware.ModuleSwitchMiddleware",
]

ROOT_URLCONF = "sarv.urls"
WSGI_APPLICATION = "sarv.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sarv.core.context_processors.sarv",
            ],
        },
    },
]
# Django's form renderer, with select elements written in Python (see the module).
FORM_RENDERER = "sarv.core.form_renderer.FormRenderer"

# Database: SQLite under var/ by default, PostgreSQL when DATABASE_URL points to it.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sarv.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("SARV_DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server, the worker and the scheduler read while one of them writes;
        # IMMEDIATE takes the write lock at BEGIN, so a read-check-write block cannot interleave.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Choice fields read their options with QuerySet.iterator(), which on PostgreSQL opens a WITH HOLD
    # server-side cursor: DECLARE, FETCH and CLOSE for each of the list page's five menus. Client-side
    # cursors fetch the same rows in one round trip (measured with bench/inprocess.py, see bench/README.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    test_template = env_str("SARV_TEST_DB_TEMPLATE")
    if test_template:
        # A template created with a UTF-8 locale: pg_trgm finds no trigrams in Persian under the C locale.
        DATABASES["default"]["TEST"] = {"TEMPLATE": test_template}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["sarv.accounts.backends.CaseInsensitiveModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Language and time: Persian first, English second.
# Data is stored in UTC and shown in Asia/Tehran unless the user picks another zone.
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", "فارسی"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "sarv_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("SARV_TIME_ZONE", "Asia/Tehran")
# Record numbers carry the Jalali year of the creation instant in this zone, whatever the server's zone is.
SARV_NUMBERING_TIME_ZONE = env_str("SARV_NUMBERING_TIME_ZONE", "Asia/Tehran")

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Uploaded files live outside the web root and are served only by a view that checks permission.
MEDIA_ROOT = Path(env_str("SARV_MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_MANIFEST = env_bool("SARV_STATIC_MANIFEST", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_MAX_AGE = 3600

SARV_ATTACHMENT_MAX_BYTES = env_int("SARV_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
SARV_ATTACHMENT_MAX_FILES = env_int("SARV_ATTACHMENT_MAX_FILES", 10, minimum=1)
SARV_ATTACHMENT_EXTENSIONS = env_list(
    "SARV_ATTACHMENT_EXTENSIONS",
    [
        "pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "log", "csv", "json", "xml",
        "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "zip", "7z", "eml", "msg",
    ],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Mail: SMTP unless SARV_EMAIL_BACKEND names another backend. `make run` uses the console backend.
EMAIL_BACKEND = env_str("SARV_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("SARV_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("SARV_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("SARV_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("SARV_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("SARV_EMAIL_STARTTLS", False)
EMAIL_TIMEOUT = env_int("SARV_EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("SARV_EMAIL_FROM", "sarv@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SARV_BASE_URL = env_str("SARV_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

TASKS = {
    "default": {
        "BACKEND": env_str("SARV_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
if env_str("SARV_TASK_BACKEND") == "django_tasks_rq.RQBackend":
    RQ_QUEUES = {"default": {"URL": env_str("SARV_REDIS_URL", "redis://127.0.0.1:6379/0")}}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("SARV_REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("SARV_REDIS_URL")}
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "sarv.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sarv.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "sarv.core.api.parsers.JSONParser",
        "sarv.core.api.parsers.FormParser",
        "sarv.core.api.parsers.MultiPartParser",
    ],
    "DEFAULT_METADATA_CLASS": "sarv.core.api.metadata.Metadata",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sarv API",
    "DESCRIPTION": "REST API of Sarv, the Persian-first IT service management platform.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Impact and urgency share one choice set (high, medium, low); one name keeps the schema free of duplicates.
    "ENUM_NAME_OVERRIDES": {"LevelEnum": "sarv.core.choices.Impact",
                            "HolidayKindEnum": "sarv.calendars.choices.HolidayKind",
                            "PriorityEnum": "sarv.core.choices.Priority",
                            "AgreementKindEnum": "sarv.sla.choices.AgreementKind",
                            "CIStatusEnum": "sarv.cmdb.choices.CIStatus",
                            "StatusEnum": "sarv.incidents.choices.IncidentStatus",
                            "ProposalStatusEnum": "sarv.problems.choices.ProposalStatus",
                            "ClusterBasisEnum": "sarv.problems.choices.ClusterBasis",
                            "ProblemStatusEnum": "sarv.problems.choices.ProblemStatus"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sarv.core.api.schema.document_page_errors",
    ],
}

# django-filter's placeholder choice in list filters (its default is "---------").
FILTERS_EMPTY_CHOICE_LABEL = _("Any")

LOG_LEVEL = env_str("SARV_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Content-Security-Policy: every page loads scripts, styles, fonts and images from this origin only.
SARV_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
