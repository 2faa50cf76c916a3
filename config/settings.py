"""Settings for every environment, read from the environment (12-factor).

DJANGO_ENV=development (the default) runs with nothing installed: an SQLite file,
tasks executed in-process, a development secret key. DJANGO_ENV=production refuses
to start without SECRET_KEY and turns DEBUG off.
"""

from datetime import timedelta
from pathlib import Path

import csp.constants as csp
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # Production never runs on the well-known development key, even with DEBUG turned on.
    if not DEBUG or DJANGO_ENV == "production":
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off or DJANGO_ENV=production: a long random "
            "string, e.g. from python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off (as in production): the site's "
        "host names, comma-separated, e.g. ALLOWED_HOSTS=crm.example.go.jp."
    )
# Origins (https://host) allowed to post forms when they differ from the host itself.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with the index in the order staff work (core.admin_site).
    "core.app_configs.RecordsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core.app_configs.LoginRecordsConfig",  # django-axes, named for staff
    "csp",
    "import_export",
    # Ours, in dependency order: each may import only those above it.
    "core",
    "accounts",
    # The read audit: written for every path that shows classified records (core.audit).
    "audit",
    "contacts",
    "projects",
    "missions",
    "agreements",
    "followups",
    # Dated notes on any record (a journal): reads the apps above; reports reads it.
    "notes",
    "reports",
    "exports",
    # Search everything and saved filters: reads the lists of every app above.
    "search",
    # Spreadsheets in: reads every app above (imports.resources); none imports it.
    "imports",
    # Imports every app above to notify other systems of their changes; none imports it.
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the Django process, cached and compressed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.AdminRefusesNulBytes",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # One entry of the read audit for a request that read classified records.
    "audit.middleware.ReadAuditMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connections are kept between requests (opening one costs a served request more than
# its rows: docs/performance.md), checked before reuse; `?conn_max_age=0` in
# DATABASE_URL closes each at the request's end.
DATABASES["default"].setdefault("CONN_MAX_AGE", 600)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # No JIT compilation: the condition of who may read a record (core.classification,
    # correlated EXISTS) makes PostgreSQL estimate a count of 20,000 meetings at 700,000,
    # above jit_above_cost, and compile it for 2.3 s to run it in 0.17 s
    # (docs/performance.md). The app's queries are short; none gains from JIT.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# What is kept in the cache (the API's throttle counts above all) lives in each process
# by default; with CACHE_URL (e.g. redis://127.0.0.1:6379/1) every app server shares
# it, so that two gunicorn instances enforce one limit.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# A user's permissions kept in the cache between requests (accounts.permissions): by
# default only when the cache is shared by every process (CACHE_URL).
PERMISSIONS_CACHE = env.bool("PERMISSIONS_CACHE", default=None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The analysts' login page (the admin keeps its own); after it, the dashboard.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes): AXES_FAILURE_LIMIT failed logins lock an account, from
# any address, and an address, for any account, until AXES_COOLOFF_HOURS have passed
# without another attempt. The API's tokens and force_login never call authenticate().
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(hours=env.float("AXES_COOLOFF_HOURS", default=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
# Axes would print its version banner on every manage.py command.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
# Reverse proxies in front of the site (0: clients connect directly); the client's
# address is then the X-Forwarded-For entry the outermost proxy appended.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Sessions end after SESSION_COOKIE_AGE seconds without a request, not after a fixed time.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True

# HTTPS and the browser's protections, on in production. A reverse proxy that
# terminates TLS says so in a header: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
# (not needed with gunicorn behind a proxy on the same machine, which trusts it itself).
IN_PRODUCTION = DJANGO_ENV == "production"
SECURE_PROXY_SSL_HEADER = tuple(env.list("SECURE_PROXY_SSL_HEADER", default=[])) or None
if SECURE_PROXY_SSL_HEADER and len(SECURE_PROXY_SSL_HEADER) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER must be a header and its value, e.g. HTTP_X_FORWARDED_PROTO,https."
    )
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=IN_PRODUCTION)
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60 if IN_PRODUCTION else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=IN_PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=IN_PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=IN_PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=IN_PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from our own static files: no inline script, no eval, no other site.
# Styles may be inline: the admin's change list and the browsable API use style
# attributes, and an injected style is a far smaller danger than an injected script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        # Swagger UI draws its icons as data: images.
        "img-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}

# Japanese first: the staff read Japanese, English is the second language.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
# Dates year first in forms (2019/08/29), never month first: config/formats, core.dates.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production serves the files `collectstatic` gathered, under names that change with
    # their content so that browsers may cache them for ever; development needs no
    # collectstatic.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IN_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded documents and export files on S3-compatible object storage (django-storages)
# when a bucket is named, so that every app server and worker sees the same files; the
# credentials come from the environment as boto3 reads them (AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY). They are never served by the bucket: downloads stream through
# the application, after its permission checks.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    AWS_LOCATION = env.str("AWS_LOCATION", default="")
    AWS_DEFAULT_ACL = None  # the bucket's own policy: private
    AWS_S3_FILE_OVERWRITE = False  # a second file of the same name gets a name of its own
# Outside production WhiteNoise finds the files where the apps keep them.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not IN_PRODUCTION
# Uploaded agreement documents: never under STATIC_ROOT and never served by URL;
# agreements.views serves them to users allowed to view the agreement.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Larger agreement documents are refused (agreements.validators), whichever way they come.
AGREEMENT_DOCUMENT_MAX_BYTES = env.int("AGREEMENT_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)

# Celery: with no broker configured, tasks run in-process so a newcomer needs nothing.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Nothing is lost: a message is acknowledged only when its task has finished, and one
# whose worker dies goes back to the queue. Every task is idempotent, so running one
# twice does no harm. One message at a time per worker process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TASK_IGNORE_RESULT = True
# Redis gives an unacknowledged message to another worker after this long: more than
# the longest retry countdown (WEBHOOK_BACKOFF_MAX_SECONDS) and the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
# `make beat`; times are Japan's (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    "expire-agreements": {
        "task": "agreements.tasks.expire_agreements",
        "schedule": crontab(hour=0, minute=10),
    },
    "agreement-expiry-alerts": {
        "task": "agreements.tasks.send_expiry_alerts",
        "schedule": crontab(hour=8, minute=0),
    },
    "follow-up-reminders": {
        "task": "followups.tasks.send_reminder_digests",
        "schedule": crontab(hour=8, minute=0),
    },
    "saved-filter-alerts": {
        "task": "search.tasks.send_saved_filter_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "relay-stale-webhook-deliveries": {
        "task": "webhooks.tasks.relay_stale_deliveries",
        "schedule": crontab(minute="*"),
    },
    "purge-expired-exports": {
        "task": "exports.tasks.purge_expired_exports",
        "schedule": crontab(minute=20),
    },
    "purge-read-audit": {
        "task": "audit.tasks.purge_read_audit",
        "schedule": crontab(hour=3, minute=30),
    },
}
# How long the read audit keeps its entries (the retention job deletes older ones).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=5 * 365)

# E-mail: printed on the console in development, SMTP in production.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")
# Links in e-mails point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Background jobs (README: Background jobs).
FOLLOWUP_REMINDER_DAYS = 7
BUREAU_ALERT_EMAIL = env.str("BUREAU_ALERT_EMAIL", default="")
AGREEMENT_EXPIRY_ALERT_DAYS = (180, 90, 30)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_BACKOFF_SECONDS = env.float("WEBHOOK_BACKOFF_SECONDS", default=30)
WEBHOOK_BACKOFF_MAX_SECONDS = env.float("WEBHOOK_BACKOFF_MAX_SECONDS", default=60 * 60)
WEBHOOK_RELAY_AFTER_SECONDS = env.int("WEBHOOK_RELAY_AFTER_SECONDS", default=5 * 60)
# An attempt ends within its soft time limit (a POST times out well before), the task
# is killed 10 s later at the latest, and the lease a worker takes on the delivery lapses
# 5 s after that: no two workers ever post one delivery at once.
WEBHOOK_TASK_SOFT_TIME_LIMIT = 3 * WEBHOOK_TIMEOUT_SECONDS + 5
WEBHOOK_LEASE_SECONDS = WEBHOOK_TASK_SOFT_TIME_LIMIT + 15
EXPORT_TTL_HOURS = env.int("EXPORT_TTL_HOURS", default=24)
EXPORT_TIME_LIMIT_SECONDS = env.int("EXPORT_TIME_LIMIT_SECONDS", default=30 * 60)
# The longest list downloaded at once (`?format=csv|xlsx`); a longer one is a 400 that
# points to the background export. A download is built before its first byte is sent,
# so it must be ready well within a proxy's wait for an answer (nginx: 60 s) and the
# time a worker has to finish its requests at a restart (config/gunicorn.conf.py):
# some 20 s at the slowest rate measured by `make bench` (docs/performance.md).
# Imports (imports.reading): files larger are refused before they are read.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
# A file of more rows is imported by a background job (imports.tasks), with progress.
IMPORT_SYNC_MAX_ROWS = env.int("IMPORT_SYNC_MAX_ROWS", default=300)
IMPORT_TIME_LIMIT_SECONDS = env.int("IMPORT_TIME_LIMIT_SECONDS", default=30 * 60)
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=50_000)

REST_FRAMEWORK = {
    # Deny unless allowed: a token or a session, then the groups' model permissions.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.APITokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.api.permissions.ModelPermissions",
        "core.api.permissions.TokenScope",
    ],
    # JSON only, nested deeper than any request refused before parsing: the records
    # nest (a mission's meetings), which a form cannot say, and a client generated from
    # the schema sends what the schema lists first. Multipart only where a file is
    # uploaded (agreement documents).
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.RecordPagination",
    "DEFAULT_RENDERER_CLASSES": [
        # DRF's JSON, byte for byte, rendered by orjson.
        "core.api.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.TokenRateThrottle",
        "core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_THROTTLE_TOKEN", default="6000/hour"),
        "user": env.str("API_THROTTLE_USER", default="6000/hour"),
    },
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

# PUT, PATCH and DELETE without If-Match are a 428, for a deployment that wants no
# blind overwrite by any client (README: API).
API_REQUIRE_IF_MATCH = env.bool("API_REQUIRE_IF_MATCH", default=False)

# The OC4IDS feed (README: OC4IDS): the publisher's name, and the project identifier
# prefix registered with the Open Contracting Partnership (oc4ids-xxxxxx).
OC4IDS_PUBLISHER_NAME = env.str(
    "OC4IDS_PUBLISHER_NAME",
    default="Ministry of Land, Infrastructure, Transport and Tourism (Japan)",
)
OC4IDS_ID_PREFIX = env.str("OC4IDS_ID_PREFIX", default="oc4ids-mlitjp")

SPECTACULAR_SETTINGS = {
    "TITLE": "MLIT overseas infrastructure records API",
    "DESCRIPTION": (
        "Top-sales missions and meetings, agreements, projects and watch lists, "
        "follow-ups, and the directory of organisations and people. Enumerations are "
        "English codes with a `<field>_label` in the reader's language (Accept-Language)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its pages describe every record and field: for the people and
    # tools of the ministry only, as the API itself.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The default hook, then ours: every operation documents the errors it may answer;
    # a blank-or-formatted text reads the same to every validator.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_error_responses",
        "core.api.schema.blank_or_formatted",
        "core.api.schema.spreadsheet_media_types",
    ],
    # One schema name per vocabulary, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        "CountryEnum": "django_countries.countries",
        "RegionEnum": "core.regions.Region",
        "SectorEnum": "core.sectors.SectorCode",
        "OrganizationKindEnum": "contacts.choices.OrganizationKind",
        "ProjectStatusEnum": "projects.choices.ProjectStatus",
        "StageEnum": "projects.choices.Stage",
        "SchemeEnum": "projects.choices.Scheme",
        "ParticipantRoleEnum": "projects.choices.ParticipantRole",
        "WatchListOutcomeEnum": "projects.choices.WatchListOutcome",
        "FigureKindEnum": "projects.choices.FigureKind",
        "LeaderRankEnum": "missions.choices.LeaderRank",
        "MissionKindEnum": "missions.choices.MissionKind",
        "MissionStatusEnum": "missions.choices.MissionStatus",
        "AgreementKindEnum": "agreements.choices.AgreementKind",
        "AgreementStatusEnum": "agreements.choices.AgreementStatus",
        "RenewalEnum": "agreements.choices.Renewal",
        "DocumentLanguageEnum": "agreements.choices.DocumentLanguage",
        "FollowUpStatusEnum": "followups.choices.FollowUpStatus",
    },
}

SIMPLE_HISTORY_REVERT_DISABLED = False
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# The organisation that signs agreements on Japan's side unless told otherwise.
MLIT_ORGANIZATION_NAME = "Ministry of Land, Infrastructure, Transport and Tourism"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
