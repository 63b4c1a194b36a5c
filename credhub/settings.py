"""credhub's one settings file: everything that differs between machines comes from the environment.

Every variable is listed, with its default, in the README.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG")

# Development-only fallbacks. Outside DEBUG a missing SECRET_KEY or encryption key stops start-up,
# because silently running production on a published key would expose every stored secret.
_DEV_SECRET_KEY = "credhub-development-only-secret-key-do-not-use-in-production"
_DEV_ENCRYPTION_KEY = "Y3JlZGh1Yi1kZXZlbG9wbWVudC1vbmx5LWtleS0wMDA="


def _required(name: str, dev_default: str) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"Set the {name} environment variable (see the README).")


SECRET_KEY = _required("SECRET_KEY", _DEV_SECRET_KEY)

# Fernet keys for secrets at rest, primary first. Rotation: put a new key in front, run
# `manage.py rotate_encryption_key`, then drop the old key. Never derived from SECRET_KEY.
CREDHUB_ENCRYPTION_KEYS = [
    key.strip() for key in _required("CREDHUB_ENCRYPTION_KEYS", _DEV_ENCRYPTION_KEY).split(",") if key.strip()
]

# Which credentials may be used from this installation: "test" credentials only run where this is
# "test", production ones only where it is "production".
CREDHUB_ENVIRONMENT = os.environ.get("CREDHUB_ENVIRONMENT", "production").strip().lower()
if CREDHUB_ENVIRONMENT not in {"production", "test"}:
    raise ImproperlyConfigured("CREDHUB_ENVIRONMENT must be 'production' or 'test'.")

# Outbound requests refuse loopback, link-local and private addresses unless this is on.
CREDHUB_ALLOW_PRIVATE_TARGETS = env_flag("CREDHUB_ALLOW_PRIVATE_TARGETS")

ALLOWED_HOSTS = [
    host.strip() for host in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "credentials",
    # After credentials, whose db_worker (the same worker, which first re-queues stranded deliveries) wins.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "credhub.urls"

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
                "credentials.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "credhub.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie: the token travels in <body hx-headers>.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG and env_flag("HTTPS", True)
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "credentials.views.pages.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request bodies are never logged; these loggers only name paths and status codes.
        "django.request": {"level": "WARNING"},
    },
}

# Background work (webhook deliveries) goes through Django's tasks API (the django-tasks backport on 5.2).
# By default the queue is a table in the database, drained by `manage.py db_worker`: no extra service.
# With REDIS_URL set it is an RQ queue on Redis instead, drained by `manage.py rqworker default`.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _seconds_list(name: str, default: str) -> list[float]:
    try:
        return [float(part) for part in os.environ.get(name, default).split(",") if part.strip()]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be comma-separated numbers of seconds.") from error


# Webhooks: the wait before each retry of a failed delivery (then it is marked failed), the total time
# one attempt may take, how long a worker holds a delivery it has claimed (a worker killed mid-delivery
# frees it after this), and after how many days of nothing but failures an endpoint is disabled.
WEBHOOK_RETRY_DELAYS = _seconds_list("WEBHOOK_RETRY_DELAYS", "5,300,1800,7200,18000,36000")
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))
WEBHOOK_CLAIM_SECONDS = float(os.environ.get("WEBHOOK_CLAIM_SECONDS", "60"))
WEBHOOK_DISABLE_AFTER_DAYS = float(os.environ.get("WEBHOOK_DISABLE_AFTER_DAYS", "5"))

# Email (the admins of an endpoint disabled automatically are told): off unless EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "credhub@localhost")
