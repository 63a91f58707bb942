"""Settings for CAH Tracker, driven by environment variables.

SQLite is the embedded default; set DATABASE_URL (for example
postgres://postgres@127.0.0.1:5432/cahtracker) to use PostgreSQL.
DEBUG is off unless DJANGO_DEBUG=1 (``make run`` sets it), and with DEBUG off
the app refuses to start without a real SECRET_KEY.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG")

# The test suite (pytest) and local development run with a throwaway key;
# any other start without SECRET_KEY stops here.
RUNNING_TESTS = "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or RUNNING_TESTS):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DJANGO_DEBUG=1 "
            "for local development (make run does this)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = [
    host.strip() for host in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if host.strip()
]

INSTALLED_APPS = [
    "states.apps.StaffAdminConfig",  # Django's admin, with the research queue
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # /sitemap.xml, in every language (states/sitemaps.py)
    "django_filters",
    "simple_history",
    "import_export",
    "states.apps.SignInAttemptsConfig",  # django-axes, named for staff
    "csp",
    # Two-factor sign-in for staff: authenticator apps (TOTP) and recovery codes.
    "django_otp",
    "states.apps.AuthenticatorAppsNamed",  # django_otp.plugins.otp_totp
    "states.apps.RecoveryCodesNamed",  # django_otp.plugins.otp_static
    # The JSON API for partners: its views, its OpenAPI schema and offline docs, CORS for reading it.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    # Email alerts (alerts/), sent by a background worker: the tasks framework
    # backported from Django 6, and its database backend (no new server).
    "django_tasks",
    "django_tasks_db",
    "states",
    "alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The language comes from the address (/id/, /th/, /ar/; English unprefixed), never from
    # the browser, since i18n_patterns leaves English unprefixed. First, so that every page,
    # even one a middleware answers (a NUL in the query, a database outage), is in it.
    "states.middleware.LanguageFromTheAddressMiddleware",
    "states.middleware.HeadWithoutBodyMiddleware",
    "states.middleware.RefuseNulInQueryMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "states.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "states.middleware.EmbedsMayBeFramedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Stored public pages are served from here, before sessions and the rest (states/page_cache.py).
    "states.page_cache.CachedPublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "states.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "states.middleware.DatabaseOutageMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out login is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling: 5 wrong passwords for one user from one address are
# answered as usual; the 6th locks sign-in for an hour with a page that says so.
AXES_FAILURE_LIMIT = 6
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# One reading of the client's address for every limit (states/addresses.py):
# TRUSTED_PROXIES is how many proxies in front each append the address they
# got the request from to X-Forwarded-For (1 behind the documented nginx).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "states.addresses.client_address"

# The issuer name authenticator apps show next to the code.
OTP_TOTP_ISSUER = "CAH Tracker"

# Bulk import and export in the admin: all rows or none, and no spreadsheet formulas.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

ROOT_URLCONF = "cahtracker.urls"

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
                "states.context_processors.organisation",
            ],
        },
    },
]

WSGI_APPLICATION = "cahtracker.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while a staff member saves; IMMEDIATE takes the
    # write lock at the start of a transaction, so two editors queue instead of
    # failing with "database is locked" half-way through a save.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The public pages' languages; English stays at the unprefixed addresses. The
# admin and the API stay in English (their codes are the data's own). The
# language switcher names each language in itself, from Django's own language
# information (states/templatetags/languages.py), not from these names.
LANGUAGES = [
    ("en", "English"),
    ("id", "Indonesian"),
    ("th", "Thai"),
    ("ar", "Arabic"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))  # where collectstatic writes
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where the data package is built, once per data version, and served from (states/dataset.py).
DATA_PACKAGE_DIR = Path(os.environ.get("DATA_PACKAGE_DIR", BASE_DIR / "data-packages"))

# The cache: this process's memory, or Redis shared by every app server when
# REDIS_URL is set (for example redis://127.0.0.1:6379/1).
# Rendered public pages stay in each process's memory ("pages"), keyed by the
# data's version (states/page_cache.py), and with Redis are shared by every
# process, so each page is rendered once per data version (SharedPages).
REDIS_URL = os.environ.get("REDIS_URL", "")
SHARED_CACHE = bool(REDIS_URL)
# Redis is a cache, not a dependency: a Redis that is hung (or unreachable)
# costs a request at most this long per call, then the page goes on without it.
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "OPTIONS": REDIS_TIMEOUTS}
        if SHARED_CACHE
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}
    ),
    # Room for every public address in every language, compressed and not: Django's
    # default of 300 made a crawler's sweep, or a publish, re-render pages over and over.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
    # Template fragments that read only the language and the page's name (the
    # navigation, the footer: {% cache ... using="fragments" %}), kept in each process.
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}

# Public pages are cached (states/page_cache.py); PUBLIC_PAGE_CACHE=0 turns it
# off, which the benchmark does to measure pages rendered afresh.
# --- The JSON API (states/api.py) -----------------------------------------------------
# Read-only, anonymous, throttled; any site may read it from a browser (CORS),
# without cookies or credentials.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["states.throttles.ReadersRateThrottle"],
    # API_RATE=off lifts it (make bench: wrk is one reader, and DRF's count of a reader's
    # requests would grow to every request it made in the minute).
    "DEFAULT_THROTTLE_RATES": {
        "anon": None if os.environ.get("API_RATE") == "off" else os.environ.get("API_RATE", "120/minute")
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CAH Tracker API",
    "DESCRIPTION": (
        "Where Asian states stand on the Rome Statute and on a convention on crimes against humanity: "
        "read-only, published records only, every figure computed from dated, sourced records. "
        "Data under CC BY 4.0."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_GENERATE_CHOICE_DESCRIPTION": True,
    # A status under any treaty (the Rome Statute's and each other instrument's)
    # is one choice set; written comments have their own.
    "ENUM_NAME_OVERRIDES": {
        "TreatyStatusEnum": "states.choices.TreatyStatus",
        "SubmissionStatusEnum": "states.choices.SubmissionStatus",
        "DatePrecisionEnum": "states.choices.DatePrecision",
        "WhoseWordsEnum": "states.choices.WhoseWords",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "states.api.describe_every_field",
    ],
}
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# Off by default while developing (DJANGO_DEBUG=1), where a template edited
# would otherwise not show until the data changed.
PUBLIC_PAGE_CACHE = env_flag("PUBLIC_PAGE_CACHE", default=not DEBUG)

# Where the loader reads the project's own seed data.
SEED_DIR = BASE_DIR / "seed"

# Mail (corrections from readers are sent to staff): the console unless configured.
# Who runs the site, as the footer and /about/ say it. The coalition this
# tracker serves by default; a partner running a copy sets its own.
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Asia Justice Coalition")
ORGANISATION_URL = os.environ.get("ORGANISATION_URL", "")
# Empty: readers are sent to the corrections form, which reaches staff.
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cah-tracker@localhost")
# A real mail server: EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and these.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 20  # seconds: a hung mail server holds a worker, never a page

# Email alerts: the site's address, for the links in each message (the worker has no request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
ALERT_SIGN_UPS_PER_HOUR = int(os.environ.get("ALERT_SIGN_UPS_PER_HOUR", "100"))
# Mail is sent by a background task: in the database queue that ``make serve``'s
# worker (manage.py db_worker) runs, or at once, in the request, for ``make run`` and tests.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASK_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG or RUNNING_TESTS
            else "django_tasks_db.DatabaseBackend",
        )
    }
}


# --- Serving in production -------------------------------------------------------
# Behind a TLS-terminating proxy, set TRUST_X_FORWARDED_PROTO=1 so Django knows
# a request came over https. HTTPS=0 serves plain http (make serve, locally).
HTTPS = env_flag("HTTPS", default=not (DEBUG or RUNNING_TESTS))
if env_flag("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 60 * 60 * 24 * 365 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_flag("HSTS_PRELOAD", default=True)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
# Only staff have sessions: they end after eight hours or when the browser closes.
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): nothing inline and nothing from another
# site on public pages. The staff site has its own policy (states.middleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
STAFF_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
    }
}
# The browser features the site never uses are switched off (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Logs go to stdout (the process manager keeps them): each 5xx with its traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Static files: compressed and fingerprinted once by collectstatic, served by whitenoise.
if not (DEBUG or RUNNING_TESTS):
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
