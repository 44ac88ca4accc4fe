"""Guildhall settings: one module, read from environment variables.

Defaults are safe for a laptop (SQLite, eager Celery, localstripe, console e-mail);
production values are strict when DEBUG is off.
"""

import importlib.util
import sys
from email.utils import parseaddr
from pathlib import Path

import environ
from celery.schedules import crontab

from portal.core.observability import log_formatters, sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DEBUG = env.bool("DEBUG", default=False)


def refuse_to_start(reason: str) -> None:
    """One clear line, no traceback: a production start with a missing setting is a configuration error."""
    sys.stderr.write(f"Guildhall refuses to start: {reason}\n")
    raise SystemExit(1)


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        refuse_to_start("SECRET_KEY is not set and DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "portal",
    "portal.payments",
    "portal.api",
    "portal.adoption",
    "portal.accounts",
    "members",
    "events",
    "elections",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "portal.accounts.admin_site.GuildhallAdminConfig",  # django.contrib.admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions: a cached anonymous page is answered without touching the session or database.
    "portal.core.cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.mfa.StaffTwoFactorMiddleware",
    # Signed-in GETs of public pages, kept per kind of header (portal/core/cache.py).
    "portal.core.cache.SignedInPageCacheMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# Django's, with <input> and error lists written in Python (portal/core/forms_renderer.py): the same markup.
FORM_RENDERER = "portal.core.forms_renderer.FormRenderer"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.accounts.context_processors.header",
                "wagtail.contrib.settings.context_processors.settings",
            ],
            # The site's tags live with the site (portal.site), which is not an app of its own.
            "libraries": {"portal_tags": "portal.site.templatetags.portal_tags"},
            # Amounts look the same on every page: `{{ amount|money:currency }}`, no {% load %} needed;
            # `{% url %}` keeps its answers per process (portal/core/reverse.py).
            "builtins": ["portal.core.templatetags.money", "portal.core.templatetags.url_kept"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "guildhall.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores SELECT ... FOR UPDATE: IMMEDIATE transactions make writers queue instead
    # (see docs/ARCHITECTURE.md, capacity); WAL lets readers run beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # PostgreSQL plans a query of five joins in about 0.5 ms, ten times what running it takes here.
        # Server-side binding lets psycopg prepare a statement a connection has run twice, so it is planned
        # once per connection. Behind PgBouncer in transaction mode (before 1.21's max_prepared_statements)
        # set DATABASE_PREPARED_STATEMENTS=0.
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Cache and Celery ---------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.core.cache_backends.RedisCache",  # one client per pool, not per call
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "guildhall",
            # A Redis that is down or hung costs a page this long at most, then it renders uncached.
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_TIMEOUT_SECONDS", default=1.0),
                "socket_timeout": env.float("CACHE_TIMEOUT_SECONDS", default=1.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "guildhall"}}
    # A per-process cache multiplies every limit (API throttles, log-in lock-out, form limits) by the
    # number of processes and leaves the others' page caches stale after a publish.
    if not DEBUG and not env.bool("ALLOW_PER_PROCESS_CACHE", default=False):
        refuse_to_start(
            "REDIS_URL is not set and DEBUG is off: each process would keep its own rate limits and page"
            " cache. Set REDIS_URL, or ALLOW_PER_PROCESS_CACHE=1 to run a single process without Redis."
        )
# The broker may be another server than the cache's (an outage of one must not take the other). Without
# Redis, an embedded broker: kombu's SQLAlchemy transport on its own SQLite file, which the worker that
# `make run` starts (with beat) reads, so a laptop runs scheduled work as production does. Only the test
# settings run tasks eagerly.
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
EMBEDDED_BROKER = CELERY_BROKER_URL.startswith(("sqla+", "sqlalchemy+"))
CELERY_RESULT_BACKEND = None if EMBEDDED_BROKER else CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
# Tasks are fire-and-forget (e-mails, webhooks, documents): storing each one's result is a Redis write
# per task that nothing reads. A task whose caller waits for its answer says ignore_result=False.
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
# At least once: a message is acknowledged after its task ran, and one whose worker died is given back.
# Every task is idempotent (portal/core/outbox.py), so a redelivery sends nothing twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis gives an unacknowledged message to another worker after this long; no task may run longer, and
# long delays (webhook retries) live in the database, not in countdowns the broker would redeliver early.
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=60 * 60),
    # A broker that is down answers a publish fast; the outbox keeps the message meanwhile.
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT_SECONDS", default=2.0),
}
if EMBEDDED_BROKER:
    # The SQLAlchemy transport passes its options to create_engine; SQLite's writers wait for each other.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 20}}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fix-up closes the database connection before and after every task unless this is set,
# so each task paid for a new PostgreSQL connection (a backend forked per e-mail). With it the fix-up
# closes only every this-many tasks; portal/celery.py meanwhile honours CONN_MAX_AGE around each task
# as Django does around a request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# Celery's worker keeps Django's logging (LOG_FORMAT=json included) instead of installing its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Where beat remembers when each entry last ran (beside the SQLite files, not in the working directory).
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))
# How often beat runs the sweeps (outbox relay, order expiry, waiting-list offers, webhook retries).
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE: dict = {
    # Tasks committed but not finished in time are relayed again (portal/core/outbox.py).
    "portal-outbox-sweep": {"task": "portal.outbox_sweep", "schedule": SWEEP_INTERVAL_SECONDS},
    # A lost webhook loses no payment: re-read open card payments from Stripe (portal/payments/tasks.py).
    "payments-reconcile": {"task": "payments.reconcile", "schedule": 15 * 60},
    "payments-invoice-reminders": {"task": "payments.send_invoice_reminders", "schedule": 24 * 60 * 60},
    # Membership renewals (members/tasks.py): next period's invoice, reminders, grace, lapse. Daily at
    # 05:30 UTC; each step is idempotent, so running it more often or missing a day sends nothing twice.
    "members-renew": {"task": "members.renew", "schedule": crontab(hour=5, minute=30)},
}

# The transactional outbox (portal/core/outbox.py): a relayed task not finished after this long is
# relayed again, the wait doubling up to the cap; after so many attempts the row is left for staff.
OUTBOX_RELAY_AFTER_SECONDS = env.int("OUTBOX_RELAY_AFTER_SECONDS", default=5 * 60)
OUTBOX_MAX_DELAY_SECONDS = env.int("OUTBOX_MAX_DELAY_SECONDS", default=6 * 60 * 60)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
# A row not finished this long after its commit is logged as an error and mailed to ADMINS, once.
OUTBOX_ALERT_AFTER_SECONDS = env.int("OUTBOX_ALERT_AFTER_SECONDS", default=30 * 60)

# Days a member may stay in the directory with its renewal dues unpaid, before the membership lapses.
MEMBERS_GRACE_DAYS = env.int("MEMBERS_GRACE_DAYS", default=30)
# Days before the end of the paid period that the next period's dues are invoiced, and the reminders
# sent while that invoice is unpaid (days before the end; each once).
MEMBERS_RENEWAL_NOTICE_DAYS = env.int("MEMBERS_RENEWAL_NOTICE_DAYS", default=30)
MEMBERS_RENEWAL_REMINDER_DAYS = tuple(env.list("MEMBERS_RENEWAL_REMINDER_DAYS", cast=int, default=[30, 7, 0]))
# Reminders during the grace period, days after the end of the paid period (each once).
MEMBERS_GRACE_REMINDER_DAYS = tuple(env.list("MEMBERS_GRACE_REMINDER_DAYS", cast=int, default=[14, 25]))
# Days a freed seat of a full tier is held for the first organisation on its waiting list.
MEMBERS_WAITLIST_HOLD_DAYS = env.int("MEMBERS_WAITLIST_HOLD_DAYS", default=14)

# --- Capacity (portal/core/capacity.py) ---------------------------------------------------
# How long a buyer waits for the row that owns a capacity (PostgreSQL) before hearing "busy, try again".
CAPACITY_LOCK_TIMEOUT_MS = env.int("CAPACITY_LOCK_TIMEOUT_MS", default=5000)

# --- Events (summit registration) ---------------------------------------------------------
# Seats held while the buyer pays (ORDER_HOLD_SECONDS wins when both are set: tests use seconds).
ORDER_HOLD_SECONDS = env.int("ORDER_HOLD_SECONDS", default=env.int("ORDER_HOLD_MINUTES", default=15) * 60)
ORDER_HOLD_MINUTES = max(1, ORDER_HOLD_SECONDS // 60)  # as buyers are told
ORDER_APPROVED_HOLD_MINUTES = env.int("ORDER_APPROVED_HOLD_MINUTES", default=72 * 60)  # after staff approval
CELERY_BEAT_SCHEDULE["events-expire-orders"] = {"task": "events.expire_orders", "schedule": SWEEP_INTERVAL_SECONDS}
# An unpaid order (a declined card, a closed tab) gets its link by e-mail once, this long after it was placed.
ORDER_PAYMENT_LINK_AFTER_MINUTES = env.int("ORDER_PAYMENT_LINK_AFTER_MINUTES", default=3)
CELERY_BEAT_SCHEDULE["events-send-payment-links"] = {
    "task": "events.send_payment_links",
    "schedule": SWEEP_INTERVAL_SECONDS,
}
# Waiting lists: how long an offer holds its seats for the person it was sent to.
WAITING_LIST_OFFER_HOURS = env.int("WAITING_LIST_OFFER_HOURS", default=24)
CELERY_BEAT_SCHEDULE["events-expire-waiting-list-offers"] = {
    "task": "events.expire_waiting_list_offers",
    "schedule": SWEEP_INTERVAL_SECONDS,
}

# --- Elections (elections/) ----------------------------------------------------------------
# Mailings (nominations open, voting open, the reminder, results) are queued by beat, each once.
CELERY_BEAT_SCHEDULE["elections-send-mailings"] = {"task": "elections.send_mailings", "schedule": 15 * 60}
# The one reminder goes to those who have not voted this many hours before voting closes ...
ELECTIONS_REMINDER_HOURS = env.int("ELECTIONS_REMINDER_HOURS", default=72)
# ... and the results mailing is not sent for a certification older than this (a beat down for weeks).
ELECTIONS_RESULTS_MAIL_DAYS = env.int("ELECTIONS_RESULTS_MAIL_DAYS", default=14)

# --- Adoption survey (portal/adoption/disclosure.py) ---------------------------------------
# A segment is published only with at least this many responses ("other" included) ...
ADOPTION_MIN_SEGMENT = env.int("ADOPTION_MIN_SEGMENT", default=5)
# ... and its cores only when no single response makes up more than this share of them.
ADOPTION_DOMINANCE_SHARE = env.float("ADOPTION_DOMINANCE_SHARE", default=0.6)
# An edition's figures are computed once, when it has closed (hourly check; idempotent).
CELERY_BEAT_SCHEDULE["adoption-compute-closed-editions"] = {
    "task": "adoption.compute_closed_editions",
    "schedule": crontab(minute=10),
}

# --- E-mail -------------------------------------------------------------------------------
# Every message goes through a Celery task; the task hands it to the backend from EMAIL_URL.
EMAIL_BACKEND = "portal.core.mail.CeleryEmailBackend"
_email = env.email_url("EMAIL_URL", default="consolemail://")
GUILDHALL_EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _key in (
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_FILE_PATH",  # filemail:///var/mail/guildhall writes each message to a file there
):
    if _key in _email:
        globals()[_key] = _email[_key]
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="OpenInfra Foundation <noreply@openinfra.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who is mailed about failures (errors in requests, scheduled tasks stuck in the outbox), e.g.
# ADMINS="Operations <ops@example.org>,oncall@example.org".
ADMINS = [parseaddr(address) for address in env.list("ADMINS", default=[])]

# --- Stripe -------------------------------------------------------------------------------
LOCALSTRIPE_PORT = env.int("LOCALSTRIPE_PORT", default=8420)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_localstripe")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="pk_test_localstripe")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_localstripe")
# Without a real key we talk to our own localstripe; with one, to Stripe itself.
_uses_localstripe = STRIPE_SECRET_KEY == "sk_test_localstripe"  # noqa: S105 - the placeholder, not a secret
if _uses_localstripe and not DEBUG and not env.bool("STRIPE_ALLOW_LOCALSTRIPE", default=False):
    refuse_to_start(
        "STRIPE_SECRET_KEY is not set and DEBUG is off: payments would go to localstripe, a development"
        " stand-in. Set the Stripe keys, or STRIPE_ALLOW_LOCALSTRIPE=1 for a demonstration site."
    )
STRIPE_API_BASE = env.str(
    "STRIPE_API_BASE",
    default=f"http://127.0.0.1:{LOCALSTRIPE_PORT}" if _uses_localstripe else "https://api.stripe.com",
).rstrip("/")
STRIPE_JS_URL = env.str(
    "STRIPE_JS_URL",
    default=f"{STRIPE_API_BASE}/js.stripe.com/v3/" if _uses_localstripe else "https://js.stripe.com/v3/",
)

# Open card payments untouched for this long are re-read from Stripe by the reconciliation task.
PAYMENTS_RECONCILE_AFTER_SECONDS = env.int("PAYMENTS_RECONCILE_AFTER_SECONDS", default=300)
# Who hears about duplicate payments and other money matters.
FINANCE_EMAILS = env.list("FINANCE_EMAILS", default=["finance@openinfra.example"])
# Where sponsors and attendees write to the events team (shown on the sponsor page and in e-mails).
EVENTS_EMAIL = env.str("EVENTS_EMAIL", default="events@openinfra.example")
# When an approved sponsorship is invoiced: "approval" (staff invoice it once approved) or "signature"
# (a package with contract terms is invoiced by itself once the sponsor and staff have both signed).
SPONSORSHIP_INVOICE_ON = env.str("SPONSORSHIP_INVOICE_ON", default="approval")
if SPONSORSHIP_INVOICE_ON not in ("approval", "signature"):
    refuse_to_start('SPONSORSHIP_INVOICE_ON must be "approval" or "signature".')
# The seller on every invoice (snapshotted on the invoice when it is issued) and where transfers go.
INVOICE_SELLER = {
    "name": env.str("INVOICE_SELLER_NAME", default="Open Infrastructure Foundation"),
    "address": env.str("INVOICE_SELLER_ADDRESS", default="PO Box 1903\nAustin, TX 78767\nUnited States"),
    "vat_id": env.str("INVOICE_SELLER_VAT_ID", default=""),
    "email": env.str("INVOICE_SELLER_EMAIL", default="finance@openinfra.example"),
    "bank_name": env.str("INVOICE_BANK_NAME", default="Example Bank"),
    "iban": env.str("INVOICE_BANK_IBAN", default="US00 0000 0000 0000 0000 00"),
    "bic": env.str("INVOICE_BANK_BIC", default="EXAMPLEXXX"),
}
INVOICE_REMINDER_DAYS_BEFORE_DUE = env.int("INVOICE_REMINDER_DAYS_BEFORE_DUE", default=5)
# Tax on invoices: rounded per line or per rate over the invoice ("line" or "invoice"); buyers' VAT numbers
# checked online against the EU's VIES when VIES_CHECK is on (an unanswered check charges tax).
TAX_ROUNDING = env.str("TAX_ROUNDING", default="line")
VIES_CHECK = env.bool("VIES_CHECK", default=False)
VIES_URL = env.str("VIES_URL", default="https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number")
VIES_TIMEOUT_SECONDS = env.float("VIES_TIMEOUT_SECONDS", default=5.0)
# Where PDFs find DejaVu Sans (dejavu/, Debian's fonts-dejavu-core) and Droid Sans Fallback for
# Chinese, Japanese and Korean (droid/, fonts-droid-fallback); without them, only Latin-1 prints.
PDF_FONT_DIR = env.str("PDF_FONT_DIR", default="/usr/share/fonts/truetype")

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Uploads (logos, documents) on S3-compatible storage when a bucket is named: every process of every
# host reads and writes the same files. Without one they stay on local disk, served by Django itself
# in development or with SERVE_MEDIA=1 (one host; otherwise let the proxy serve MEDIA_ROOT).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
SERVE_MEDIA = DEBUG or env.bool("SERVE_MEDIA", default=False)
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            # Logos and public documents are public: plain URLs, cacheable and usable in landscape files.
            "querystring_auth": False,
            "default_acl": None,
            "file_overwrite": False,
        },
    }
    SERVE_MEDIA = False
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# The one size limit for every logo upload (member organisations, applications, sponsors, the site's own).
MAX_LOGO_BYTES = env.int("MAX_LOGO_BYTES", default=1024 * 1024)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "portal.core.static_storage.KeptManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Security -----------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_ENGINE = "portal.accounts.session_store"  # the database's sessions, read in one written-out statement
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The public site is strict: no inline scripts or styles (portal/core/security.py adds Stripe's origins
# from STRIPE_JS_URL / STRIPE_API_BASE at request time). Non-executed data blocks such as
# <script type="application/ld+json"> are not blocked by script-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Third-party admin screens that cannot do without some inline code, by path prefix only
# (found by loading them in Chromium with the policy on; tests/e2e/test_csp.py keeps it honest).
CSP_PATH_RELAXATIONS: dict[str, dict[str, list[str]]] = {
    # Wagtail's form widgets (date choosers in filters and forms) print inline initialisers, and its
    # live preview shows the page in a same-origin frame.
    # Its editor also sets inline styles from script.
    "/admin/": {"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"], "frame-ancestors": ["'self'"]},
    # Swagger UI applies inline styles from its script.
    "/api/docs/": {"style-src": ["'unsafe-inline'"]},
}
SILENCED_SYSTEM_CHECKS = [
    # Preloading is a decision for the operator (it cannot be undone quickly), not a default.
    "security.W021",
]

# --- Wagtail ------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Open Infrastructure Foundation"
# The landscape export (portal/api/landscape.py): each project status as one of the maturities landscape2
# draws specially (graduated, incubating, sandbox, archived).
LANDSCAPE_MATURITY = {"incubating": "incubating", "confirmed": "graduated", "archived": "archived"}
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS: dict[str, dict[str, object]] = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "odt", "docx", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif", "svg"]
# New SVGs in the image library pass the same allowlist as logos (portal/core/svg.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "portal.site.image_forms.CheckedImageForm"
if env.str("WAGTAILSEARCH_URL", default=""):
    # e.g. https://user:pass@opensearch.example:9200 switches search to OpenSearch/Elasticsearch.
    WAGTAILSEARCH_BACKENDS["default"] = {
        "BACKEND": env.str("WAGTAILSEARCH_BACKEND", default="wagtail.search.backends.elasticsearch8"),
        "URLS": [env.str("WAGTAILSEARCH_URL")],
        "INDEX": env.str("WAGTAILSEARCH_INDEX", default="guildhall"),
    }

# --- Anonymous full-page cache (portal/core/cache.py) ------------------------------------------
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# Browsers revalidate every time by default, so a purge is seen at once; the server cache stays warm.
PAGE_CACHE_BROWSER_SECONDS = env.int("PAGE_CACHE_BROWSER_SECONDS", default=0)

# No third-party calls from the admin: no avatars from Gravatar (it would learn staff addresses'
# hashes) and no release check against releases.wagtail.org; the CSP allows neither.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- allauth ------------------------------------------------------------------------------
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_CHANGE_EMAIL = True  # one address per person: changing it verifies the new one first
ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{WAGTAIL_SITE_NAME}] "
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) plus recovery codes.
# Anyone may turn it on; staff must before they reach an admin (portal/accounts/mfa.py).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = WAGTAIL_SITE_NAME
# Paths a staff member without a second factor is sent away from (to set one up).
MFA_REQUIRED_FOR_STAFF_PATHS = ("/admin/", "/django-admin/")
# Every rate limit (allauth's, the site's forms, the API's throttles) counts client addresses read one
# way (portal.core.ratelimit.client_ip): behind N proxies of ours the address is the Nth from the right
# in X-Forwarded-For (0: trust only REMOTE_ADDR, right when nothing sits in front).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
LOGIN_URL = "account_login"
# One log-in for everyone: the Wagtail admin sends visitors to allauth's page too, through a gate
# that answers 403 (not a redirect loop) to someone logged in without admin access.
WAGTAILADMIN_LOGIN_URL = "admin_login"
LOGIN_REDIRECT_URL = "accounts:home"
# Passwords and e-mail addresses change through allauth only (verified and rate-limited).
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.GuildhallAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api.filters.StrictFilterBackend",
        "portal.api.filters.StrictOrderingFilter",
    ],
    # Tools send `Authorization: Bearer <token>` (portal/api/authentication.py); people use the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",  # DRF's, with a nesting limit
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Anonymous clients by IP, tools by token id, signed-in people by account.
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.AnonymousThrottle",
        "portal.api.throttling.TokenThrottle",
        "portal.api.throttling.SessionUserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="600/minute"),
        "token": env.str("API_TOKEN_RATE", default="3000/minute"),
        "user": env.str("API_USER_RATE", default="3000/minute"),
    },
    # The anonymous throttle reads the client's address as every other limit does (TRUSTED_PROXY_COUNT).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guildhall API",
    "DESCRIPTION": "Projects, members and tiers, events, sponsors and adoption data of the foundation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["portal.api.schema.only_public_api"],
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Outbound webhooks (portal/api: webhook_dispatch) ---------------------------------------
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
# Retries back off exponentially from this many seconds, capped at 6 hours; the time of the next one is
# kept in the delivery row and a beat task (every minute) sends the deliveries that are due.
WEBHOOK_RETRY_BACKOFF_SECONDS = env.int("WEBHOOK_RETRY_BACKOFF_SECONDS", default=60)
WEBHOOK_MAX_RETRIES = env.int("WEBHOOK_MAX_RETRIES", default=8)
CELERY_BEAT_SCHEDULE["api-retry-webhooks"] = {"task": "api.retry_webhooks", "schedule": SWEEP_INTERVAL_SECONDS}

# --- Logging and errors -------------------------------------------------------------------
# LOG_FORMAT=json: each record (an error with its traceback included) is one JSON object on one line.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in {"text", "json"}:
    refuse_to_start(f"LOG_FORMAT is {LOG_FORMAT!r}: use text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": log_formatters(LOG_FORMAT),
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "console"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's errors go to the root's console (one format, once) and, DEBUG off, to ADMINS.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        # Wagtail and its task runner narrate every page save at INFO; keep the console readable.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        # stripe-python logs every request at INFO.
        "stripe": {"level": "WARNING"},
        # fontTools narrates every font it subsets for a PDF (some sixty lines each) at INFO.
        "fontTools": {"level": "WARNING"},
    },
}

# Errors to Sentry when a DSN is set (the `sentry` extra installs sentry-sdk).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    if importlib.util.find_spec("sentry_sdk") is None:
        refuse_to_start("SENTRY_DSN is set but sentry-sdk is not installed: install the `sentry` extra.")
    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
