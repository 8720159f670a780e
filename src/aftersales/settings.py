"""Django settings, every value from the environment with a safe default for the embedded mode.

Embedded mode (no environment set): SQLite under ``var/``, DEBUG off, Chinese UI,
the worker running inside the web process (``aftersales run``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("AFTERSALES_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# The embedded default key only protects a local demo; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "aftersales-embedded-insecure-key-set-SECRET_KEY-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "template_partials",
    "aftersales.core",
    "aftersales.customers",
    "aftersales.catalog",
    "aftersales.service",
    "aftersales.dispatch",
    "aftersales.returns",
    "aftersales.callcenter",
    "aftersales.followup",
    "aftersales.complaints",
    "aftersales.suggestions",
    "aftersales.surveys",
    "aftersales.outbound",
    "aftersales.knowledge",
    "aftersales.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "aftersales.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

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
                "aftersales.core.context_processors.roles",
            ],
        },
    }
]

DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the in-process worker read while the web thread writes; the busy
    # timeout turns "database is locked" into a short wait.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_SQLITE_NAME", "")}
else:
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME")}
    # Server-side binding lets psycopg prepare the statements a process repeats, which
    # saves the planning time of every small query.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env_bool(
        "DB_SERVER_SIDE_BINDING", True
    )
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# collectstatic fills STATIC_ROOT in production; in the embedded mode the finders serve
# the files and an empty folder keeps the static-file middleware quiet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "aftersales@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

# Business rules from the regulations: each is a default an administrator may override
# through the environment (or, where the rule has a policy table, in the admin).
_RULES: dict[str, Any] = {
    # Rework window: the same fault within this many days reopens the job as 返修.
    "REWORK_WINDOW_DAYS": int(os.environ.get("AFTERSALES_REWORK_WINDOW_DAYS", "30")),
    # API tokens expire after this many days.
    "API_TOKEN_DAYS": int(os.environ.get("AFTERSALES_API_TOKEN_DAYS", "30")),
    # How often a token's "last used" time is written (seconds).
    "API_TOKEN_TOUCH_SECONDS": int(os.environ.get("AFTERSALES_API_TOKEN_TOUCH_SECONDS", "60")),
    # A process re-reads a token, its user and the user's roles at most this often (seconds);
    # a token deleted or a user deactivated or given other roles in the admin counts at once
    # in the process that made the change and within this time in the others.
    "API_AUTH_CACHE_SECONDS": float(os.environ.get("AFTERSALES_API_AUTH_CACHE_SECONDS", "10")),
    # Outbox delivery: a worker's claim on a delivery lapses after this lease, so another
    # worker delivers what a dead one left; failures are retried with backoff.
    "DELIVERY_LEASE_SECONDS": int(os.environ.get("AFTERSALES_DELIVERY_LEASE_SECONDS", "60")),
    "DELIVERY_RETRY_SECONDS": int(os.environ.get("AFTERSALES_DELIVERY_RETRY_SECONDS", "30")),
    "DELIVERY_MAX_ATTEMPTS": int(os.environ.get("AFTERSALES_DELIVERY_MAX_ATTEMPTS", "8")),
    # Escalations and other events are also POSTed here, signed with HMAC-SHA256.
    "WEBHOOK_URL": os.environ.get("AFTERSALES_WEBHOOK_URL", ""),
    "WEBHOOK_SECRET": os.environ.get("AFTERSALES_WEBHOOK_SECRET", ""),
    "WEBHOOK_TIMEOUT_SECONDS": int(os.environ.get("AFTERSALES_WEBHOOK_TIMEOUT_SECONDS", "10")),
    # Other processes see an administrator's calendar change within this many seconds.
    "CALENDAR_REFRESH_SECONDS": int(os.environ.get("AFTERSALES_CALENDAR_REFRESH_SECONDS", "60")),
    # The admin is warned this many days before the holiday package's coverage ends.
    "HOLIDAY_COVERAGE_WARN_DAYS": int(os.environ.get("AFTERSALES_HOLIDAY_COVERAGE_WARN_DAYS", "60")),
    # Largest file a user may attach to a request.
    "ATTACHMENT_MAX_BYTES": int(os.environ.get("AFTERSALES_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))),
    # The customer's rating of a completed request.
    "RATING_SCALE": (1, 5),
    # Shown to the agent on every call (hotline rule: answer within 3 rings, greet with the script).
    "GREETING_SCRIPT": os.environ.get(
        "AFTERSALES_GREETING_SCRIPT",
        "您好，欢迎致电售后服务热线，我是{agent}，工号{badge}，请问有什么可以帮您？",
    ),
    "HOTLINE_ANSWER_RINGS": int(os.environ.get("AFTERSALES_HOTLINE_ANSWER_RINGS", "3")),
    # Customer portal: one-time codes sent to the customer's phone.
    "PORTAL_CODE_MINUTES": int(os.environ.get("AFTERSALES_PORTAL_CODE_MINUTES", "10")),
    "PORTAL_CODE_ATTEMPTS": int(os.environ.get("AFTERSALES_PORTAL_CODE_ATTEMPTS", "5")),
    # Without an SMS gateway the codes go to the log and the development outbox page.
    "SMS_GATEWAY_URL": os.environ.get("AFTERSALES_SMS_GATEWAY_URL", ""),
    # Satisfaction surveys: the 95 % target for individual and business customers; a rating of
    # this value or more counts as satisfied.
    "SURVEY_TARGET": float(os.environ.get("AFTERSALES_SURVEY_TARGET", "0.95")),
    "SURVEY_TARGET_INDIVIDUAL": float(os.environ.get("AFTERSALES_SURVEY_TARGET_INDIVIDUAL", "0.95")),
    "SURVEY_TARGET_BUSINESS": float(os.environ.get("AFTERSALES_SURVEY_TARGET_BUSINESS", "0.95")),
    "SURVEY_SATISFIED_MIN_RATING": int(os.environ.get("AFTERSALES_SURVEY_SATISFIED_MIN_RATING", "4")),
    # Outbound seat norms: 70–100 dials and 60–80 successful calls per seat per day; retries.
    "OUTBOUND_MAX_ATTEMPTS": int(os.environ.get("AFTERSALES_OUTBOUND_MAX_ATTEMPTS", "3")),
    "OUTBOUND_RETRY_MINUTES": int(os.environ.get("AFTERSALES_OUTBOUND_RETRY_MINUTES", "120")),
    "OUTBOUND_DIALS_MIN": int(os.environ.get("AFTERSALES_OUTBOUND_DIALS_MIN", "70")),
    "OUTBOUND_DIALS_MAX": int(os.environ.get("AFTERSALES_OUTBOUND_DIALS_MAX", "100")),
    "OUTBOUND_SUCCESS_MIN": int(os.environ.get("AFTERSALES_OUTBOUND_SUCCESS_MIN", "60")),
    "OUTBOUND_SUCCESS_MAX": int(os.environ.get("AFTERSALES_OUTBOUND_SUCCESS_MAX", "80")),
    # Suggestions are decided within 60 days; a yearly certificate from this many suggestions.
    "SUGGESTION_DECISION_DAYS": int(os.environ.get("AFTERSALES_SUGGESTION_DECISION_DAYS", "60")),
    "SUGGESTION_CERTIFICATE_MIN": int(os.environ.get("AFTERSALES_SUGGESTION_CERTIFICATE_MIN", "3")),
    # FAQ articles not reviewed for this long are flagged as stale.
    "FAQ_STALE_AFTER_DAYS": int(os.environ.get("AFTERSALES_FAQ_STALE_AFTER_DAYS", "180")),
    "FAQ_QUERY_MAX_CHARS": 200,
    # Field work: resolved requests close themselves after this many days without a callback;
    # the technician's daily report is due the next working day at this time.
    "AUTO_CLOSE_DAYS": int(os.environ.get("AFTERSALES_AUTO_CLOSE_DAYS", "7")),
    "DAILY_REPORT_DEADLINE_TIME": os.environ.get("AFTERSALES_DAILY_REPORT_DEADLINE_TIME", "10:00"),
    "DAILY_REPORT_DEADLINE_WORKING_DAYS": int(
        os.environ.get("AFTERSALES_DAILY_REPORT_DEADLINE_WORKING_DAYS", "1")
    ),
    "APPOINTMENT_SLOT_MINUTES": int(os.environ.get("AFTERSALES_APPOINTMENT_SLOT_MINUTES", "120")),
    "SIGNATURE_MAX_BYTES": int(os.environ.get("AFTERSALES_SIGNATURE_MAX_BYTES", "1000000")),
    # Callbacks after installations, repairs and complaints; retries; installed-project schedule
    # (monthly in the first year after commissioning, quarterly after); the 100 % processing target.
    "CALLBACK_REQUEST_TYPES": ("installation", "repair", "complaint"),
    "CALLBACK_DUE_DAYS": int(os.environ.get("AFTERSALES_CALLBACK_DUE_DAYS", "3")),
    "CALLBACK_MAX_ATTEMPTS": int(os.environ.get("AFTERSALES_CALLBACK_MAX_ATTEMPTS", "3")),
    "CALLBACK_RETRY_MINUTES": int(os.environ.get("AFTERSALES_CALLBACK_RETRY_MINUTES", "120")),
    "CALLBACK_SCHEDULE_FIRST_PERIOD_MONTHS": 12,
    "CALLBACK_SCHEDULE_FIRST_INTERVAL_MONTHS": 1,
    "CALLBACK_SCHEDULE_LATER_INTERVAL_MONTHS": 3,
    "CALLBACK_PROCESSING_TARGET": 100,
    # Complaints: kept at least a year ("important" ones for ever); who is told at once.
    "COMPLAINT_RETENTION_YEARS": int(os.environ.get("AFTERSALES_COMPLAINT_RETENTION_YEARS", "1")),
    "COMPLAINT_MANAGER_SEVERITIES": ("serious", "critical"),
    "COMPLAINT_REPLY_RATE_TARGET": 100,
    "COMPLAINT_VALID_RATE_TARGET": 1,
    # Page size of every list in the API.
    "PAGE_SIZE": int(os.environ.get("AFTERSALES_PAGE_SIZE", "50")),
    "PAGE_SIZE_MAX": int(os.environ.get("AFTERSALES_PAGE_SIZE_MAX", "200")),
}
# Typed loosely on purpose: the values are ints, strings and tuples of the regulations.
AFTERSALES: dict[str, Any] = cast(dict[str, Any], _RULES)
