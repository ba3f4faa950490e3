"""Konsulta's settings: one module, every deployment difference read from the environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Production unless told otherwise: a forgotten environment must stop the processes, never run
# them on values printed in this repository. `make run`, `make test` and `make bench` declare
# development (platform_site/devservices.py, tests/devenv.py); a deployment sets
# KONSULTA_ENV=production (or nothing) and every secret below.
KONSULTA_ENV = os.environ.get("KONSULTA_ENV", "production").strip().lower() or "production"
if KONSULTA_ENV not in {"production", "development"}:
    raise ImproperlyConfigured(
        f"KONSULTA_ENV={KONSULTA_ENV!r}: expected 'production' (the default) or 'development'"
    )
PRODUCTION = KONSULTA_ENV == "production"
# Settings a production environment must give; development runs on the sample values and
# says so on every start (see the end of this module).
MISSING_IN_ENVIRONMENT: list[str] = []


def env_required(name: str, development_value: str) -> str:
    """The variable's value; in production a missing one is recorded (the process refuses to
    start once all are known), in development a sample value stands in."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    MISSING_IN_ENVIRONMENT.append(name)
    return "" if PRODUCTION else development_value


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_required("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-used-in-production")

# The apex domain; municipalities live on <subdomain>.<PLATFORM_DOMAIN> or a custom domain.
PLATFORM_DOMAIN = os.environ.get("PLATFORM_DOMAIN", "localhost")
# Scheme and port used to build absolute links (mails, feeds, sitemap): the stored address of
# a site, never the request's Host header. The port only in development.
PLATFORM_SCHEME = os.environ.get("PLATFORM_SCHEME", "https" if PRODUCTION else "http")
PLATFORM_PORT = os.environ.get("PLATFORM_PORT", "" if PRODUCTION else "8000")
PLATFORM_NAME = "Konsulta"

# Municipalities may bring custom domains, so any host passes here; the tenant middleware then
# serves only the apex domain and hosts in the Domain table (anything else: the 404 page).
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "*")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "billing",
    # Provider-wide legal rule sets (public schema), read by consultations.
    "rulesets",
    # Regional portals and the public index of what municipalities published.
    "portal",
    # No models: the top layer's management commands (demo_load) live here.
    "platform_site",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "accounts",
    "allauth",
    "allauth.account",
    "consultations",
    "django.contrib.sitemaps",
    "subscriptions",
    "remarks",
    "surveys",
    "meetings",
    "reports",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Municipality"
# Send SET search_path only when the tenant changes, not before every query (halves the
# round trips of a page: bench/pages.py). Nothing in the project sets search_path by hand.
TENANT_LIMIT_SET_CALLS = True
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New municipalities are cloned from this schema, kept migrated by `schemas_migrate`.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# Spare schemas cloned ahead of time: provisioning then renames one (tenants/cloning.py).
TENANT_SPARE_SCHEMAS = int(os.environ.get("TENANT_SPARE_SCHEMAS", "2"))

MIDDLEWARE = [
    # A request id for every log line and the response (platform_site/logcontext.py).
    "platform_site.logcontext.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /healthz answers on any host, before a tenant is looked up (platform_site/health.py).
    "platform_site.health.HealthMiddleware",
    # Before the tenant middleware, which answers an unknown host by itself: every response,
    # that 404 page included, gets X-Frame-Options, the CSP and the Permissions-Policy.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Static files are the same for every site, the unavailable pages included.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.MunicipalityMiddleware",
    # Before anything reads the tenant's tables: a suspended or unready site answers alone.
    "tenants.middleware.MunicipalityStatusMiddleware",
    # Anonymous residents' pages, stored per municipality under its page version: a hit
    # answers here, before sessions, CSRF and authentication (consultations/page_cache.py).
    "consultations.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "platform_site.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "platform_site.urls_public"
WSGI_APPLICATION = "platform_site.wsgi.application"

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
                "consultations.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default="postgres://postgres@127.0.0.1:5432/konsulta",
        engine="django_tenants.postgresql_backend",
    )
}
# Connections persist between requests (opening one costs ~6 ms); each is closed after a
# minute, or after it has served DB_CONN_MAX_SCHEMAS schemas, since PostgreSQL keeps the
# catalogue of every schema a connection touched in its memory (tenants/connections.py).
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A stopped or unreachable server is noticed within two seconds, and the page says so
# (platform_site/errors.py), instead of waiting for the kernel's TCP timeout.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "2"))
)
DB_CONN_MAX_SCHEMAS = int(os.environ.get("DB_CONN_MAX_SCHEMAS", "50"))
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# BIGINT keys from the first migration: Citus moves schemas only with BIGINT sequences.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # Redis out of reach is a cache miss, not an error page (platform_site/cache.py).
        "BACKEND": "platform_site.cache.FailSoftRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        # Every key starts with the schema name: two tenants never read each other's entries.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": "konsulta",
    }
}

# The longest a residents' page is kept for anonymous visitors (0: never stored). Every change
# they show moves the municipality's page version, so this bounds only what the clock changes
# unseen (consultations/page_cache.py); the tests keep it at 0 except where they test it.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
# The longest a consultation's card (home page, list) is kept, for every visitor, signed in
# or not: its key carries the page version too, so this bounds only a deployment's change of
# the card's markup (0: never kept; consultations/page_cache.py, "Fragments").
CARD_CACHE_SECONDS = int(os.environ.get("CARD_CACHE_SECONDS", "600"))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.NotBlankValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Sessions live in each schema's own table; the cookie is host-only (no SESSION_COOKIE_DOMAIN),
# so a session of one municipality means nothing on another.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PLATFORM_SCHEME == "https"
CSRF_COOKIE_SECURE = PLATFORM_SCHEME == "https"
SESSION_COOKIE_AGE = 60 * 60 * 12
if PLATFORM_SCHEME == "https":
    # Behind the reverse proxy of deploy/nginx.conf, which terminates TLS and sets this header
    # on every request it passes (a client's own value never reaches us).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # The load balancer's or a local monitor's plain-HTTP probe.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Every municipality is a subdomain served over HTTPS with the wildcard certificate.
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Map questions of surveys: the areas' outlines are drawn without any tile server. A tile
# server (an URL template such as https://tile.example.org/{z}/{x}/{y}.png) adds a background
# and its origin is allowed in img-src below.
# Anonymous surveys: responses one IP address may send in 10 minutes (a school or an office
# shares one address, hence not 1). bench/surveys.py lifts it: all its clients are 127.0.0.1.
SURVEY_RATE_LIMIT_RESPONSES = int(os.environ.get("SURVEY_RATE_LIMIT_RESPONSES", "30"))
SURVEY_MAP_TILE_URL = os.environ.get("SURVEY_MAP_TILE_URL", "").strip()
_TILE_ORIGIN = "/".join(SURVEY_MAP_TILE_URL.split("/")[:3]) if SURVEY_MAP_TILE_URL else ""

# Content-Security-Policy (django-csp): no inline script or style anywhere. A script that must
# be inline takes the request's nonce (<script nonce="{{ request.csp_nonce }}">); the pay page
# loads Stripe.js and its frames.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, "https://js.stripe.com"],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF, "https://api.stripe.com"],
        "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): the site uses none of these features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
}

# django-allauth: e-mail is the login; residents' sign-up arrives with the consultations issue.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
# Residents sign up on their municipality's subdomain (accounts.adapter); never on the apex.
ACCOUNT_FORMS = {"signup": "accounts.forms.ResidentSignupForm"}
# Mail clients pre-fetch links: the confirmation link shows a page with a button (POST).
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
# Confirmation keys stored in each schema, not HMACs of the address's id: ids repeat across
# schemas, so a signed id from municipality A would confirm some address on B.
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
# The client's address for rate limits: how many proxies of ours stand in front (nginx on the
# same host: 1). Their X-Forwarded-For entries are trusted exactly that far; with 0 (the
# default, no proxy) the header is ignored, so a client can't name its own address.
KONSULTA_TRUSTED_PROXY_HOPS = int(os.environ.get("KONSULTA_TRUSTED_PROXY_HOPS", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = KONSULTA_TRUSTED_PROXY_HOPS
# Limits per municipality (cache keys carry the schema). Generous per IP address: a library,
# school or town hall may put many residents behind one address at a consultation meeting.
# Failed sign-ins count per account *and* address (accounts.adapter): a visitor guessing one
# resident's password is slowed down for five minutes, while the owner, from any other
# address, still signs in; nobody can lock an account out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "10/m/ip,60/h/ip",
    "reset_password": "20/m/ip,3/15m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Files only staff may read (scans of paper remarks, residents' attachments), per schema under
# PRIVATE_MEDIA_ROOT/<schema_name>/: outside MEDIA_ROOT, so no URL ever maps to them.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
# Files of each municipality go under MEDIA_ROOT/<schema_name>/.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"Konsulta <noreply@{PLATFORM_DOMAIN}>")

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE = {
    # Picks up municipalities whose provisioning task was lost (worker died, broker flushed).
    "provisioning-resume": {
        "task": "tenants.tasks.provisioning_resume",
        "schedule": 60.0,
    },
    # Refills the pool of spare schemas that provisioning takes from.
    "spares-replenish": {
        "task": "tenants.tasks.spares_replenish_task",
        "schedule": 60.0,
    },
    # Invitations past their expiry are removed in every ready municipality.
    "invitations-purge": {
        "task": "tenants.tasks.invitations_purge_all",
        "schedule": 60.0 * 60,
    },
    # Scheduled consultations open and open ones close by themselves, on time.
    "consultations-advance": {
        "task": "consultations.tasks.consultations_advance_all",
        "schedule": 60.0,
    },
    # Asks Stripe about open orders: a payment confirmed while our server was down (its
    # webhook lost or not yet retried) is picked up here.
    "billing-orders-reconcile": {
        "task": "billing.tasks.orders_reconcile",
        "schedule": 60.0 * 5,
    },
}
# Subscribers hear of consultations announced or opened within this many seconds.
CELERY_BEAT_SCHEDULE["notifications-send"] = {
    "task": "subscriptions.tasks.notifications_send_all",
    "schedule": 300.0,
}
# Subscriptions left unconfirmed for seven days are deleted.
CELERY_BEAT_SCHEDULE["subscriptions-purge"] = {
    "task": "subscriptions.tasks.subscriptions_purge_all",
    "schedule": 60.0 * 60,
}
# The portals' digests: each run plans this day's and this week's and mails what is due.
CELERY_BEAT_SCHEDULE["portal-digests"] = {
    "task": "portal.tasks.digests_send_all",
    "schedule": 60.0 * 60,
}
CELERY_BEAT_SCHEDULE["portal-digest-subscribers-purge"] = {
    "task": "portal.tasks.digest_subscribers_purge",
    "schedule": 60.0 * 60 * 24,
}
# Beat records every tick of its loop in Redis (GET /healthz reports its age); the loop
# wakes at least this often.
CELERY_BEAT_SCHEDULER = "platform_site.heartbeat:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 15
# Reminders the day before a meeting (hourly: each run mails what the last one left).
CELERY_BEAT_SCHEDULE["meeting-reminders"] = {
    "task": "meetings.tasks.reminders_send_all",
    "schedule": 60.0 * 60,
}
# Meeting sign-ups left unconfirmed for seven days are deleted.
CELERY_BEAT_SCHEDULE["meeting-signups-purge"] = {
    "task": "meetings.tasks.signups_purge_all",
    "schedule": 60.0 * 60,
}
# Drafts of surveys closed longer than the grace period are deleted.
CELERY_BEAT_SCHEDULE["survey-drafts-purge"] = {
    "task": "surveys.tasks.survey_drafts_purge_all",
    "schedule": 60.0 * 60,
}
# The yearly reminder to review the accessibility statement by 31 March (once a year each).
CELERY_BEAT_SCHEDULE["accessibility-review-remind"] = {
    "task": "consultations.tasks.accessibility_review_remind_all",
    "schedule": 60.0 * 60 * 6,
}
# Reminders 7 days and 1 day before the report's deadline (hourly; each sent once).
CELERY_BEAT_SCHEDULE["report-reminders"] = {
    "task": "reports.tasks.report_reminders_send_all",
    "schedule": 60.0 * 60,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

INVITATION_VALID_DAYS = 7

# Every line of web and worker: time, level, schema, request id (platform_site/logcontext.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "platform_site.logcontext.ContextFilter"}},
    "formatters": {
        "context": {
            "format": "%(asctime)s %(levelname)s schema=%(schema)s request=%(request_id)s "
            "%(name)s: %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "context",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "konsulta": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "celery": {"level": "INFO"},
    },
}
# The worker logs through LOGGING above instead of replacing the root logger's handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Billing (Stripe) ---------------------------------------------------------------------
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
# Without it no webhook is accepted (billing.gateway); production refuses to start.
STRIPE_WEBHOOK_SECRET = env_required("STRIPE_WEBHOOK_SECRET", "")
# Tests and development point this at localstripe; empty means Stripe itself.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# On: the "Pay" step confirms the PaymentIntent server-side with a test card (localstripe,
# Stripe's test mode). Off: the page hands the client_secret to Stripe.js.
STRIPE_TEST_MODE = env_bool("STRIPE_TEST_MODE", False)
# localstripe knows only "card"; in production BLIK and Przelewy24 are offered too.
STRIPE_PAYMENT_METHOD_TYPES = env_list("STRIPE_PAYMENT_METHOD_TYPES", "card,blik,p24")
STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "20"))
STRIPE_MAX_NETWORK_RETRIES = int(os.environ.get("STRIPE_MAX_NETWORK_RETRIES", "2"))
# The provider, as printed on order confirmations: from the environment in production. The
# development values are marked as samples and fail the NIP and IBAN checksums, so no one can
# mistake them for real details (or pay to them).
BILLING_PROVIDER = {
    "name": env_required("BILLING_PROVIDER_NAME", "Dostawca przykładowy (dane testowe)"),
    "nip": env_required("BILLING_PROVIDER_NIP", "0000000001"),
    "address": env_required("BILLING_PROVIDER_ADDRESS", "ul. Przykładowa 1, 00-000 Nigdzie"),
    "bank_account": env_required(
        "BILLING_PROVIDER_BANK_ACCOUNT", "PL00 0000 0000 0000 0000 0000 0000"
    ),
}
# The provider's own legal texts on the apex site (its privacy notice and accessibility
# statement): whom to write to, and the date they were last reviewed (ISO date).
PROVIDER_CONTACT_EMAIL = os.environ.get("PROVIDER_CONTACT_EMAIL", f"kontakt@{PLATFORM_DOMAIN}")
PROVIDER_LEGAL_TEXTS_DATE = os.environ.get("PROVIDER_LEGAL_TEXTS_DATE", "2026-12-04")
# Days a municipality has to pay an order by transfer, printed on the confirmation.
BILLING_TRANSFER_DUE_DAYS = 14

# --- Fail closed ----------------------------------------------------------------------------
if PRODUCTION and (MISSING_IN_ENVIRONMENT or DEBUG):
    problems = [f"{name} is not set" for name in MISSING_IN_ENVIRONMENT]
    if DEBUG:
        problems.append("DJANGO_DEBUG is on")
    raise ImproperlyConfigured(
        "Konsulta refuses to start in production: "
        + "; ".join(problems)
        + ". Set them in the environment (deploy/README.md), or KONSULTA_ENV=development "
        "on a developer's machine."
    )
if not PRODUCTION and MISSING_IN_ENVIRONMENT:
    print(
        "\n"
        + "!" * 78
        + "\n!! DEVELOPMENT settings (KONSULTA_ENV=development): sample values stand in for "
        + ", ".join(MISSING_IN_ENVIRONMENT)
        + ".\n!! Never serve real users like this.\n"
        + "!" * 78,
        file=sys.stderr,
        flush=True,
    )
