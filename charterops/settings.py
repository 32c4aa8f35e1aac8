"""CharterOps settings, read from the environment.

Every setting has a local default that needs no server (SQLite, local files, a file
outbox, a file-system Celery broker). Production switches each part on with an
environment variable; see `.env.example`. Secrets never live in this file: outside
local debug a missing secret stops start-up with a message that names it.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    """Read a variable, or the contents of the file named by NAME_FILE (Docker secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def required_secret(name: str, debug_default: str) -> str:
    """Outside local debug a missing secret is a start-up error, never a weak default."""
    value = env(name)
    if value:
        return value
    if DEBUG:
        return debug_default
    raise ImproperlyConfigured(f"{name} is not set. It is required when DEBUG is off; see .env.example.")


# Local debug is the default so that a fresh clone runs; production sets DEBUG=0.
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = required_secret("SECRET_KEY", "local-debug-only-secret-key-not-for-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set. It is required when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Where links in emails, guest pages and printed sign-in links point. Unset, it is the
# local server's default address (charterops/site.py warns commands when that is wrong).
SITE_URL_DEFAULT = "http://127.0.0.1:8000"
SITE_URL = env("SITE_URL", SITE_URL_DEFAULT).rstrip("/")

INSTALLED_APPS = [
    # The Django admin with the back office's own site: the dashboard as its first page.
    "backoffice.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "charterops",
    "events",
    "crew",
    "bookings",
    "guests",
    "safety",
    "reports",
    "backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "charterops.middleware.OwnerTimeZoneMiddleware",
    # The audit log (django-simple-history) records who made each change in a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "charterops.urls"
WSGI_APPLICATION = "charterops.wsgi.application"

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
    # Every HTML page people open (crew, guest, waiver, the published guest page) is a
    # Jinja2 template under <app>/jinja2/ extending charterops/jinja2/base.html: compiled
    # to Python, they render a 40-item checklist in a fraction of the time Django's engine
    # takes. Django templates are for the admin and emails only, and no name may exist in
    # both engines (charterops/tests/test_template_engines.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "charterops.jinja2.environment"},
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL points at PostgreSQL. ---
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'charterops.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding lets psycopg prepare the queries a process repeats, so
    # PostgreSQL plans each one once per connection instead of on every request. Turn it
    # off behind a transaction-pooling PgBouncer, which cannot keep prepared statements.
    # psycopg prepares a statement once it has run prepare_threshold times (Django turns
    # that off unless asked).
    prepared = env_bool("DB_SERVER_SIDE_BINDING", True)
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": prepared, "prepare_threshold": 5 if prepared else None}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat read while one of them writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Username + password sign-in (the back office); permissions follow from Membership
# roles only (charterops/permissions.py).
AUTHENTICATION_BACKENDS = ["charterops.permissions.MembershipBackend"]

# --- Time: stored in UTC, shown in each organization's own zone. ---
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One date-and-time format in the back office, with its zone (charterops/formats/en).
FORMAT_MODULE_PATH = ["charterops.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

# --- Cache and Celery: Redis when REDIS_URL is set, otherwise nothing to install. ---
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
    # A task not acknowledged within this many seconds (a worker died holding it, or a
    # retry's countdown outlived it) is handed to another worker. Every retry countdown
    # stays below it (EMAIL_RETRY_MAX_SECONDS; a test checks it).
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
else:
    # Files under var/cache/, shared like the broker: the worker's heartbeat must be
    # readable by /healthz in the web process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    # kombu's file-system transport: the web server, worker and beat share var/celery/.
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
        # The worker looks for new messages this often (seconds); demo mail goes out briskly.
        "polling_interval": 0.2,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- The outbox (charterops.tasks): retries and the sweeper of lost and stuck emails. ---
# A failed send is retried after 30 s, 60 s, 120 s … never more than EMAIL_RETRY_MAX_SECONDS.
EMAIL_RETRY_BASE_SECONDS = env_int("EMAIL_RETRY_BASE_SECONDS", 30)
EMAIL_RETRY_MAX_SECONDS = env_int("EMAIL_RETRY_MAX_SECONDS", 15 * 60)
# Still queued this long after it was recorded: its task was lost (broker down at commit).
OUTBOX_REQUEUE_AFTER_SECONDS = env_int("OUTBOX_REQUEUE_AFTER_SECONDS", 10 * 60)
# In flight this long: the worker died between handing it over and recording the result.
OUTBOX_STUCK_AFTER_SECONDS = env_int("OUTBOX_STUCK_AFTER_SECONDS", 15 * 60)
OUTBOX_SWEEP_LIMIT = env_int("OUTBOX_SWEEP_LIMIT", 1000)
# /healthz reports the scheduler down (and the owners are emailed once) when the
# heartbeat, written every 5 minutes, is older than this.
BEAT_SILENT_AFTER_SECONDS = env_int("BEAT_SILENT_AFTER_SECONDS", 15 * 60)

# --- Nudges (events.nudges): scheduled reminders and owner alerts. ---
# The sweep runs every minute; a test schedule may make it every few seconds.
NUDGE_SWEEP_EVERY_SECONDS = env_int("NUDGE_SWEEP_EVERY_SECONDS", 0)
# Guests still on hold get their own signing link again this many hours before departure.
NUDGE_GUEST_ON_HOLD_HOURS = [int(h) for h in env_list("NUDGE_GUEST_ON_HOLD_HOURS", "48,24")]
# The owners hear of an event still pending confirmation this long after it was booked …
NUDGE_PENDING_CONFIRMATION_HOURS = env_int("NUDGE_PENDING_CONFIRMATION_HOURS", 72)
# … and of an event not started this many minutes after its departure.
NUDGE_NOT_STARTED_AFTER_MINUTES = env_int("NUDGE_NOT_STARTED_AFTER_MINUTES", 15)
# Someone who acted on the subject of a nudge this recently is not nudged about it.
NUDGE_RECENT_ACTION_MINUTES = env_int("NUDGE_RECENT_ACTION_MINUTES", 30)
# Crew (crew.nudges): the daily digest of the next 24 hours' charters goes out at this
# hour, UTC (the minute sweep finds it; quiet hours hold it for the brand's morning) …
NUDGE_DIGEST_HOUR_UTC = env_int("NUDGE_DIGEST_HOUR_UTC", 12)
# … the pre-departure checklist this many minutes before departure, the post-return one
# (to the captain) this many minutes before the return …
NUDGE_BEFORE_DEPARTURE_MINUTES = env_int("NUDGE_BEFORE_DEPARTURE_MINUTES", 30)
NUDGE_BEFORE_RETURN_MINUTES = env_int("NUDGE_BEFORE_RETURN_MINUTES", 30)
# … an item still not complete this many minutes after its due moment …
NUDGE_CHECKLIST_OVERDUE_GRACE_MINUTES = env_int("NUDGE_CHECKLIST_OVERDUE_GRACE_MINUTES", 10)
# … an open slot escalates at these hours before departure (crew who may claim it, then
# them and the captain, then the owners) …
NUDGE_UNFILLED_ROLE_HOURS = [int(h) for h in env_list("NUDGE_UNFILLED_ROLE_HOURS", "48,24,12")]
# … and a designation not acknowledged is recalled at these.
NUDGE_UNACKNOWLEDGED_HOURS = [int(h) for h in env_list("NUDGE_UNACKNOWLEDGED_HOURS", "48,24")]

# --- Storage: local files under var/ unless an S3 bucket is configured. ---
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL") or None
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", "us-west-2")
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "region_name": AWS_S3_REGION_NAME,
            "default_acl": None,
            "file_overwrite": True,
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/media/"},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Email: a file outbox under var/outbox/ unless SES (or another backend) is chosen. ---
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "outbox"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "CharterOps <ops@charterops.local>")
AWS_SES_REGION_NAME = env("AWS_SES_REGION_NAME", "us-west-2")
AWS_SES_REGION_ENDPOINT = env("AWS_SES_REGION_ENDPOINT", f"email.{AWS_SES_REGION_NAME}.amazonaws.com")
USE_SES_V2 = True
# django-ses paces bulk sends at this share of the account's rate (read from SES); 0: off.
AWS_SES_AUTO_THROTTLE = float(env("AWS_SES_AUTO_THROTTLE", "0.5")) or None
# Another endpoint (a local SES-compatible server in tests); SES's own by default.
AWS_SES_REGION_ENDPOINT_URL = env("AWS_SES_REGION_ENDPOINT_URL", f"https://{AWS_SES_REGION_ENDPOINT}")
# SES events (bounces, complaints) arrive by SNS at /ses/events: signatures are checked,
# and only these topics are trusted (set them in production).
AWS_SES_VERIFY_EVENT_SIGNATURES = env_bool("AWS_SES_VERIFY_EVENT_SIGNATURES", True)
AWS_SNS_EVENT_TRUSTED_TOPIC_ARNS = env_list("AWS_SNS_EVENT_TRUSTED_TOPIC_ARNS")

# --- Crew sign-in tokens (charterops/jwt.py). ---
JWT_ALGORITHM = env("JWT_ALGORITHM", "HS256")
JWT_SECRET = required_secret("JWT_SECRET", "local-debug-only-jwt-secret-not-for-production")
JWT_ISSUER = env("JWT_ISSUER", "charterops")
JWT_AUDIENCE = env("JWT_AUDIENCE", "charterops-crew")
JWT_TTL_SECONDS = env_int("JWT_TTL_SECONDS", 30 * 24 * 3600)
# RS256 (JWT_ALGORITHM=RS256) signs with one private key and verifies with any public key
# of a kid → PEM map (JSON objects; from the environment or *_FILE), so keys can rotate:
# add the new public key, switch JWT_SIGNING_KID, drop the old key once its tokens expire.
JWT_PRIVATE_KEYS: dict[str, str] = json.loads(env("JWT_PRIVATE_KEYS") or "{}")
JWT_PUBLIC_KEYS: dict[str, str] = json.loads(env("JWT_PUBLIC_KEYS") or "{}")
JWT_SIGNING_KID = env("JWT_SIGNING_KID")
if JWT_ALGORITHM not in {"HS256", "RS256"}:
    raise ImproperlyConfigured(f"JWT_ALGORITHM must be HS256 or RS256, not {JWT_ALGORITHM!r}.")
if JWT_ALGORITHM == "RS256" and (JWT_SIGNING_KID not in JWT_PRIVATE_KEYS or JWT_SIGNING_KID not in JWT_PUBLIC_KEYS):
    raise ImproperlyConfigured(
        "JWT_ALGORITHM=RS256 needs JWT_SIGNING_KID naming a key present in JWT_PRIVATE_KEYS and JWT_PUBLIC_KEYS."
    )

# --- Security: strict by default outside local debug. ---
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a load balancer, the client's address is the last hop it appended to
# X-Forwarded-For (charterops/http.py); off, it is REMOTE_ADDR.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz is probed over plain HTTP by load balancers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- API (Django REST framework + drf-spectacular) ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Crew and owners: Authorization: Bearer <JWT>. First, so a 401 names the scheme.
        "crew.auth.JWTAuthentication",
        # Owners in the back office may use the browsable API with their session.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "charterops.throttling.UserRateThrottle",
        "charterops.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", "600/min"),
        "anon": env("API_THROTTLE_ANON", "60/min"),
        "exchange": env("API_THROTTLE_EXCHANGE", "10/min"),
        "service": env("API_THROTTLE_SERVICE", "120/min"),
    },
    # JSON in, JSON out: one way to send a body, and the one the schema documents.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "charterops.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CharterOps API",
    "DESCRIPTION": "Crew API (JWT bearer), the booking-platform service API (service key bearer), and the "
    "signed webhooks CharterOps sends to owners' endpoints (Standard Webhooks).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "charterops.api.document_errors",
        "events.webhook_schema.document_webhook_headers",
    ],
    # OpenAPI 3.1 for its `webhooks` section: what CharterOps POSTs to owners' endpoints.
    "OAS_VERSION": "3.1.0",
    "WEBHOOKS": [
        f"events.webhook_schema.{name}"
        for name in (
            "EVENT_CREATED",
            "EVENT_UPDATED",
            "EVENT_CONFIRMED",
            "EVENT_CANCELLED",
            "EVENT_STARTED",
            "EVENT_COMPLETED",
            "ROLE_CLAIMED",
            "ROLE_RELEASED",
            "WAIVER_SIGNED",
            "GUEST_BOARDED",
            "FLOAT_PLAN_OVERDUE",
        )
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

# --- Guests: waivers, guest pages, photos ---
# A drawn signature arrives as a PNG data URL; larger ones are refused (decoded bytes).
GUEST_SIGNATURE_MAX_BYTES = env_int("GUEST_SIGNATURE_MAX_BYTES", 200_000)
# Published guest pages: short caching, since a page is republished whenever it changes.
GUEST_PAGE_CACHE_CONTROL = env("GUEST_PAGE_CACHE_CONTROL", "public, max-age=60, must-revalidate")
# Photos: size cap, the only content types accepted (never SVG or HTML), and how long a
# presigned upload stays valid.
GUEST_PHOTO_MAX_BYTES = env_int("GUEST_PHOTO_MAX_BYTES", 15 * 1024 * 1024)
GUEST_PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "image/webp": "webp"}
GUEST_PHOTO_UPLOAD_EXPIRES_SECONDS = env_int("GUEST_PHOTO_UPLOAD_EXPIRES_SECONDS", 600)
GUEST_PHOTO_MAX_PER_EVENT = env_int("GUEST_PHOTO_MAX_PER_EVENT", 500)
# What the guest page lists when an event gives no list of its own.
GUEST_PAGE_WHAT_TO_BRING = "Soft-soled shoes, sunscreen, sunglasses, a warm layer and a photo ID."
# A guest who lost their signing link asks for it again from the guest page; the link is
# mailed to the guest's own address on file. Requests per client address, and per email or
# phone asked about, in each window; past the first limit the page answers 429, past the
# second nothing more is sent (the answer looks the same).
GUEST_LINK_REQUEST_WINDOW_SECONDS = env_int("GUEST_LINK_REQUEST_WINDOW_SECONDS", 15 * 60)
GUEST_LINK_REQUESTS_PER_IP = env_int("GUEST_LINK_REQUESTS_PER_IP", 10)
GUEST_LINK_REQUESTS_PER_CONTACT = env_int("GUEST_LINK_REQUESTS_PER_CONTACT", 3)

# --- Crew sign-in ---
# Magic links: how long a code lives when mailed with an event, and when asked for at
# /crew/login. Codes are stored as an HMAC keyed with MAGIC_LINK_SECRET (SECRET_KEY when
# unset, so rotating SECRET_KEY also ends every outstanding link).
MAGIC_LINK_EVENT_TTL_SECONDS = env_int("MAGIC_LINK_EVENT_TTL_SECONDS", 24 * 3600)
MAGIC_LINK_SIGN_IN_TTL_SECONDS = env_int("MAGIC_LINK_SIGN_IN_TTL_SECONDS", 10 * 60)
MAGIC_LINK_SECRET = env("MAGIC_LINK_SECRET") or SECRET_KEY
# Failed codes (unknown, used, expired) allowed per window, from one address and from
# everyone together; past either limit every code is refused with a 429 until the window
# ends. 31^8 possible codes make guessing hopeless at these rates.
SIGN_IN_THROTTLE_WINDOW_SECONDS = env_int("SIGN_IN_THROTTLE_WINDOW_SECONDS", 15 * 60)
SIGN_IN_FAILURES_PER_IP = env_int("SIGN_IN_FAILURES_PER_IP", 10)
SIGN_IN_FAILURES_GLOBAL = env_int("SIGN_IN_FAILURES_GLOBAL", 300)
# Sign-in link requests at /crew/login per address, and emails per crew address, per window.
SIGN_IN_REQUESTS_PER_IP = env_int("SIGN_IN_REQUESTS_PER_IP", 10)
SIGN_IN_EMAILS_PER_ADDRESS = env_int("SIGN_IN_EMAILS_PER_ADDRESS", 3)
# The crew JWT cookie is Secure everywhere but local debug over plain HTTP.
CREW_COOKIE_SECURE = env_bool("CREW_COOKIE_SECURE", not DEBUG)

# --- Outbound webhooks (events.webhooks): Standard Webhooks, delivered by Celery ---
WEBHOOK_TIMEOUT_SECONDS = float(env("WEBHOOK_TIMEOUT_SECONDS") or 10)
# Retries back off exponentially from the base (with ±20 % jitter) up to the ceiling; the
# default 17 attempts spread over about three days (events.webhooks.retry_schedule).
WEBHOOK_RETRY_BASE_SECONDS = float(env("WEBHOOK_RETRY_BASE_SECONDS") or 30)
WEBHOOK_RETRY_MAX_DELAY_SECONDS = float(env("WEBHOOK_RETRY_MAX_DELAY_SECONDS") or 12 * 3600)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 17)
# After a secret is rotated, the previous one still signs for this long.
WEBHOOK_ROTATION_OVERLAP_SECONDS = env_int("WEBHOOK_ROTATION_OVERLAP_SECONDS", 24 * 3600)
# Endpoints must resolve to public addresses. For tests only, these networks are let
# through too (a receiver the test starts on 127.0.0.1); empty by default, refused
# outside local debug so that no deployment can open the guard by accident.
WEBHOOK_TEST_ALLOWED_NETWORKS = env_list("WEBHOOK_TEST_ALLOWED_NETWORKS")
if WEBHOOK_TEST_ALLOWED_NETWORKS and not DEBUG:
    raise ImproperlyConfigured("WEBHOOK_TEST_ALLOWED_NETWORKS is for tests only; unset it when DEBUG is off.")
