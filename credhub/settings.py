"""credhub's one settings file: everything that differs between machines comes from the environment.

Every variable is listed, with its default, in the README.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
    if value and value == dev_default and not DEBUG:
        # The development keys are published in this repository: with them, anyone could forge
        # sessions or decrypt every stored secret.
        raise ImproperlyConfigured(f"{name} is the published development value: set a key of your own.")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"Set the {name} environment variable (see the README).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


SECRET_KEY = _required("SECRET_KEY", _DEV_SECRET_KEY)

# Fernet keys for secrets at rest, primary first. Rotation: put a new key in front, run
# `manage.py rotate_encryption_key`, then drop the old key. Never derived from SECRET_KEY.
CREDHUB_ENCRYPTION_KEYS = [
    key.strip() for key in _required("CREDHUB_ENCRYPTION_KEYS", _DEV_ENCRYPTION_KEY).split(",") if key.strip()
]
if not DEBUG and _DEV_ENCRYPTION_KEY in CREDHUB_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("CREDHUB_ENCRYPTION_KEYS holds the published development key: generate your own.")

# Which credentials may be used from this installation: "test" credentials only run where this is
# "test", production ones only where it is "production".
CREDHUB_ENVIRONMENT = os.environ.get("CREDHUB_ENVIRONMENT", "production").strip().lower()
if CREDHUB_ENVIRONMENT not in {"production", "test"}:
    raise ImproperlyConfigured("CREDHUB_ENVIRONMENT must be 'production' or 'test'.")

# Outbound requests refuse loopback, link-local and private addresses unless this is on.
CREDHUB_ALLOW_PRIVATE_TARGETS = env_flag("CREDHUB_ALLOW_PRIVATE_TARGETS")

# Seconds one outbound request (Test connection, session_for users) may take in all: connect, TLS,
# headers and body. Below gunicorn's worker timeout, so a slow target ends in "timed out".
CREDHUB_OUTBOUND_DEADLINE = float(os.environ.get("CREDHUB_OUTBOUND_DEADLINE") or 25)

# The credential proxy (`/api/v1/credentials/<id>/proxy/<path>`): the largest request body it passes on,
# the largest response it streams back (the stream ends there), seconds to connect to the upstream and
# seconds one call may take in all (connect, headers and body), and how many days usage records are kept.
CREDHUB_PROXY_MAX_REQUEST_BYTES = env_int("CREDHUB_PROXY_MAX_REQUEST_BYTES", 10 * 1024 * 1024)
CREDHUB_PROXY_MAX_RESPONSE_BYTES = env_int("CREDHUB_PROXY_MAX_RESPONSE_BYTES", 100 * 1024 * 1024)
CREDHUB_PROXY_CONNECT_TIMEOUT = float(os.environ.get("CREDHUB_PROXY_CONNECT_TIMEOUT") or 5)
CREDHUB_PROXY_TIMEOUT = float(os.environ.get("CREDHUB_PROXY_TIMEOUT") or 30)
CREDHUB_USAGE_RETENTION_DAYS = env_int("CREDHUB_USAGE_RETENTION_DAYS", 30)

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
    "axes",
    "csp",
    "credentials",
    # After credentials, whose db_worker (the same worker, which first re-queues stranded deliveries) wins.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "credentials.middleware.SecurityHeadersMiddleware",
    "credentials.middleware.CSPMiddleware",
    # The session, the signed-in user and messages: for the browser, never the JSON API (/api/).
    "credentials.middleware.BrowserSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "credentials.middleware.BrowserAuthenticationMiddleware",
    "credentials.middleware.BrowserMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the sign-in attempts of every view (the admin's included).
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # In production static files are answered here, before sessions and the database are touched
    # (runserver and the tests' live server serve them themselves).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

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

# Connections are kept open between requests by default: opening one per request costs about ten times
# the throughput on PostgreSQL. CONN_HEALTH_CHECKS makes a reused connection that died get replaced.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=env_flag("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_flag("CREDHUB_PG_PREPARED", True):
    # Server-side parameter binding lets psycopg prepare a statement it has run a few times on a
    # connection: PostgreSQL then skips parsing and planning it, which is most of the cost of the small
    # queries every API request makes (the key lookup joins four tables). Behind a connection pooler in
    # transaction mode without prepared-statement support (PgBouncer before 1.21), set
    # CREDHUB_PG_PREPARED=0.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every proxied call commits (its usage record, the rate counter): in WAL mode a commit is an append,
    # synced at checkpoints rather than on every commit, and readers never wait for a writer. IMMEDIATE
    # transactions take the write lock up front, so two processes never deadlock upgrading a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", transaction_mode="IMMEDIATE"
    )

# The failure counters of the API and the sign-in throttle live in this cache, so every server process
# on the same database (or Redis) counts together. The database cache's table is made by
# `manage.py createcachetable` (every make target runs it). The proxy's rate limit counts in the same
# Redis, or in its own table without it (credentials/proxy/rate.py).
# CREDHUB_CACHE_KEY_PREFIX keeps installations that share one Redis apart.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if REDIS_URL
        else "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": REDIS_URL or "credhub_cache",
        "KEY_PREFIX": os.environ.get("CREDHUB_CACHE_KEY_PREFIX", ""),
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# AxesBackend first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "credentials.sign_in.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in throttling (django-axes, counting in the cache above): after AXES_FAILURE_LIMIT wrong passwords
# for one username, or from one address, that username or address is refused for the cool-off time.
# An operator lifts it early with `manage.py axes_reset_username NAME` or `axes_reset_ip ADDRESS`.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env_int("CREDHUB_SIGN_IN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CREDHUB_SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "credentials.addresses.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not push its end further back: the message names a time that holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # the attempts live in the cache, not in axes' tables

# Peers whose X-Forwarded-For credhub believes (addresses or networks), e.g. the reverse proxy's.
CREDHUB_TRUSTED_PROXIES = [
    proxy.strip() for proxy in os.environ.get("CREDHUB_TRUSTED_PROXIES", "").split(",") if proxy.strip()
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
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Hashed, compressed copies made by collectstatic; DEBUG (runserver, tests) serves the plain files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie: the token travels in <body hx-headers>.
# A signed-in session lasts CREDHUB_SESSION_HOURS (12 by default), or until the browser closes.
SESSION_COOKIE_AGE = env_int("CREDHUB_SESSION_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_flag("CREDHUB_SESSION_EXPIRE_AT_BROWSER_CLOSE")

HTTPS = not DEBUG and env_flag("HTTPS", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# Over HTTPS, plain HTTP is redirected and browsers are told to use HTTPS only (a year, subdomains too).
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# "preload" only allows submitting the domain to the browsers' HSTS list; SECURE_HSTS_PRELOAD=0 leaves it out.
SECURE_HSTS_PRELOAD = HTTPS and env_flag("SECURE_HSTS_PRELOAD", True)
# The health check answers the proxy's plain-HTTP probes without a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy: SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto (the value "https" is implied).
if _proxy_ssl_header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "credentials.views.pages.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy: credhub's own scripts and styles only, no inline code, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Browser features credhub never uses, refused for the page and anything it could embed.
CREDHUB_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), magnetometer=(), gyroscope=(), "
    "accelerometer=(), fullscreen=(self)"
)

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

# Email (access key expiry warnings; the admins of an endpoint disabled automatically): off unless
# EMAIL_URL or EMAIL_HOST is set. Under DEBUG (make run) without either, emails are printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = False
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "credhub@localhost")
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
if EMAIL_URL:
    # smtp://user:password@host:587 (STARTTLS), smtps://…:465 (TLS from the start), or smtp+plain://…
    _email = urlsplit(EMAIL_URL)
    if _email.scheme not in ("smtp", "smtps", "smtp+plain") or not _email.hostname:
        raise ImproperlyConfigured("EMAIL_URL must look like smtp://user:password@host:587 (or smtps://).")
    EMAIL_HOST = _email.hostname
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme == "smtp"
if not EMAIL_HOST and DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Where links in emails point: the address people open credhub at.
CREDHUB_BASE_URL = os.environ.get("CREDHUB_BASE_URL", "").strip().rstrip("/") or (
    f"{'https' if HTTPS else 'http'}://{ALLOWED_HOSTS[0] if ALLOWED_HOSTS else 'localhost'}"
    + (f":{os.environ.get('PORT', '8000')}" if DEBUG else "")
)
# Access key expiry warnings: the worker's daily run, at this UTC time (HH:MM).
CREDHUB_EXPIRY_NOTICES_AT = os.environ.get("CREDHUB_EXPIRY_NOTICES_AT", "06:00").strip()
