"""AuroMart settings: every value comes from the environment (or `.env`).

Defaults are for a developer's machine: SQLite in the repo folder, mail to the
console, Celery tasks in-process. Production sets DEBUG=false and the rest
(see `.env.example`); `manage.py check --deploy` is clean then.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from auromart.deploy_config import cache_config, media_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# No fallback key outside development: a public default key lets anyone forge
# sessions and JWTs (a superuser's, too). With DEBUG=true a built-in key is
# used so that a fresh clone runs; `check --deploy` flags it as well.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=false AuroMart refuses to start without "
            "its own secret key: set SECRET_KEY in the environment or in .env to a long "
            "random string, e.g. the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'. "
            "For development on your own machine set DEBUG=true instead."
        )
    SECRET_KEY = "django-insecure-dev-only-key-change-me-in-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base for links that leave the site (e-mails, PDFs).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "AuroMart"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "axes",
    "csp",
    "anymail",
    "import_export",
    "sorl.thumbnail",
    # ours
    "auromart.apps.AuroMartConfig",
    "accounts.apps.AccountsConfig",
    "catalog.apps.CatalogConfig",
    "inventory.apps.InventoryConfig",
    "pricing.apps.PricingConfig",
    "orders.apps.OrdersConfig",
    "procurement.apps.ProcurementConfig",
    "invoicing.apps.InvoicingConfig",
    "notifications.apps.NotificationsConfig",
    "reporting.apps.ReportingConfig",
    "jobs.apps.JobsConfig",
    "loyalty.apps.LoyaltyConfig",
    "payments.apps.PaymentsConfig",
    "standing_orders.apps.StandingOrdersConfig",
    "returns.apps.ReturnsConfig",
    "transfers.apps.TransfersConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auromart.api.middleware.JSONDepthMiddleware",
    "auromart.csp.CSPMiddleware",
    # Last, so that it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "auromart.urls"
WSGI_APPLICATION = "auromart.wsgi.application"
ASGI_APPLICATION = "auromart.asgi.application"

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
                "accounts.context_processors.navigation",
                "orders.context_processors.cart",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# An empty DATABASE_URL (a blank line in .env, `DATABASE_URL= make test`) means
# the default, not a parse error.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
_db = DATABASES["default"]
_db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.mysql":
    _db.setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            # Strict mode turns silent truncation into errors; READ COMMITTED
            # keeps row locks on stock rows from turning into gap locks.
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            "isolation_level": "read committed",
            # A database that does not answer fails a request (and /readyz)
            # in seconds instead of holding it.
            "connect_timeout": 5,
        }
    )
    _db["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue
            # instead of one failing with "database is locked" mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (API throttle counters, shared across hosts) -----------------------
CACHES = {"default": cache_config(env.cache("CACHE_URL", default="locmemcache://auromart"))}

# Seconds /readyz waits for its checks (database, cache, broker, storage) in all.
READINESS_TIMEOUT = env.float("READINESS_TIMEOUT", default=3.0)

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out user before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Lockout after repeated failures, for the login page and the API alike.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Lock the (account, address) pair: an attacker elsewhere cannot lock a real
# user out of their own machine, and one address cannot guess on forever.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# How many reverse proxies (load balancers) stand in front of gunicorn; their
# X-Forwarded-For decides the client's address for lockouts and throttles.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "auromart.net.client_ip"

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# Dates read "3 Dec 2026, 13:43" on pages and in the admin (auromart.formatting).
FORMAT_MODULE_PATH = ["auromart.formats"]

# --- Static and media -------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": media_storage(env.str),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Without collectstatic (tests, a quick local run) whitenoise serves from the
# finders; a deployment runs collectstatic and gets the hashed manifest.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_MANIFEST_STRICT = False
# Product thumbnails (sorl-thumbnail), made when an image is added and stored
# through the default storage beside it (catalog.services_media).
THUMBNAIL_PREFIX = "products/thumbs/"
THUMBNAIL_QUALITY = 82
THUMBNAIL_PRESERVE_FORMAT = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------
# An ESP through anymail (ANYMAIL_ESP=mailgun, sendgrid, ... plus its key in
# ANYMAIL_<ESP>_API_KEY), else EMAIL_URL (smtp://host:port), else the console.
# ANYMAIL_WEBHOOK_SECRET ("user:password") guards the tracking webhook at
# /anymail/<esp>/tracking/, which marks sent messages delivered or bounced.
ANYMAIL_ESP = env("ANYMAIL_ESP", default="")
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"
}
if ANYMAIL_ESP:
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
else:
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AuroMart <no-reply@auromart.local>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# While seed_demo runs, console e-mail is written here (one file per connection)
# instead of being printed; empty: discarded (notifications.demo_mail).
DEMO_MAIL_DIR = env("DEMO_MAIL_DIR", default=str(BASE_DIR / ".demo-mail"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
PROCUREMENT_TEAM_EMAILS = env.list(
    "PROCUREMENT_TEAM_EMAILS", default=["procurement@auromart.local"]
)
# A purchase order above this total (in the shop's currency) needs a second,
# different approver before it goes to the supplier; empty: one approval.
_approval_limit = env.str("PROCUREMENT_APPROVAL_LIMIT", default="")
PROCUREMENT_APPROVAL_LIMIT = Decimal(_approval_limit) if _approval_limit else None
# The supplier's confirmation link expires after this many days; a supplier
# that has not answered after this many hours gets one reminder.
PROCUREMENT_CONFIRM_LINK_DAYS = env.int("PROCUREMENT_CONFIRM_LINK_DAYS", default=14)
PROCUREMENT_CONFIRM_REMINDER_HOURS = env.int("PROCUREMENT_CONFIRM_REMINDER_HOURS", default=48)
TRANSFER_CONFIRM_REMINDER_HOURS = env.int("TRANSFER_CONFIRM_REMINDER_HOURS", default=24)
# WhatsApp-style alerts: POSTed as signed JSON to this URL; empty = simulated
# (recorded as sent, nothing leaves). The HMAC key signs each call.
WHATSAPP_WEBHOOK_URL = env("WHATSAPP_WEBHOOK_URL", default="")
WHATSAPP_WEBHOOK_SECRET = env("WHATSAPP_WEBHOOK_SECRET", default="")
WHATSAPP_WEBHOOK_TIMEOUT = env.int("WHATSAPP_WEBHOOK_TIMEOUT", default=10)
if WHATSAPP_WEBHOOK_URL and not WHATSAPP_WEBHOOK_SECRET:
    raise ImproperlyConfigured("WHATSAPP_WEBHOOK_URL needs WHATSAPP_WEBHOOK_SECRET to sign calls.")
INVOICE_TAX_RATE = Decimal(env.str("INVOICE_TAX_RATE", default="0.18"))
# Invoices: payment is due this many days after the invoice is issued (delivery).
INVOICE_DUE_DAYS = env.int("INVOICE_DUE_DAYS", default=30)
if INVOICE_DUE_DAYS < 0:
    raise ImproperlyConfigured("INVOICE_DUE_DAYS cannot be negative.")
# Payment reminders (invoicing.reminders): days relative to an unpaid invoice's due date.
PAYMENT_REMINDER_DAYS = [
    int(day) for day in env.list("PAYMENT_REMINDER_DAYS", default=["-3", "1", "7", "30"])
]
if any(abs(day) > 365 for day in PAYMENT_REMINDER_DAYS):
    raise ImproperlyConfigured("PAYMENT_REMINDER_DAYS must be within a year of the due date.")
# Orders: estimated delivery in business days from the order date.
ORDER_DELIVERY_DAYS = env.int("ORDER_DELIVERY_DAYS", default=3)
ORDER_PICKUP_DAYS = env.int("ORDER_PICKUP_DAYS", default=1)
# The catalog says "Low stock: N left" at or below this many units.
CATALOG_LOW_STOCK_THRESHOLD = env.int("CATALOG_LOW_STOCK_THRESHOLD", default=5)

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
# No broker: run each task in-process (callers enqueue after commit), so the
# embedded demo needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing happens after a commit, inside a request: with the broker down it
# must fail fast rather than hold the response, since nothing is lost (outbox
# rows stay pending for the sweep; PDFs render on first use). One retry, and
# bounded connect and socket waits: measured, a refused Redis costs a publish
# about 0.2 s and a hung one (accepts, never answers) about 5 s, the socket
# timeout; notifications.dispatch then skips the broker for 30 s. Celery's
# defaults: 3 retries (0.7 s refused), and no socket timeout for Redis at all
# (a hung Redis held the request for good: still waiting after 60 s).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.2,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    # Above the worker's 1 s BRPOP poll, so an idle worker never times out.
    "socket_timeout": max(CELERY_BROKER_CONNECTION_TIMEOUT, 5.0),
}
# Task results: nothing reads them (tasks record outcomes in the database),
# so none are stored; a task that opts in (auromart.ping) keeps its result
# for an hour. Measured before: 1,577 result keys in Redis after a short run.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = timedelta(hours=1)
# Beat as a singleton (auromart.beat): several beats may run, the one holding
# a Redis lock sends; a standby takes over within BEAT_LOCK_SECONDS.
CELERY_BEAT_SCHEDULER = "auromart.beat:SingletonScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 5
BEAT_LOCK_URL = env("BEAT_LOCK_URL", default=CELERY_BROKER_URL)
BEAT_LOCK_SECONDS = env.int("BEAT_LOCK_SECONDS", default=30)
if BEAT_LOCK_SECONDS < 3:
    raise ImproperlyConfigured("BEAT_LOCK_SECONDS must be at least 3.")
CELERY_BEAT_SCHEDULE = {
    # Retries and anything a deliverer missed; `manage.py deliver_outbox` does
    # the same from cron when there is no beat.
    "notifications-sweep-outbox": {
        "task": "notifications.sweep_outbox",
        "schedule": env.int("NOTIFICATIONS_SWEEP_SECONDS", default=60),
    },
    "procurement-confirmation-reminders": {
        "task": "procurement.send_confirmation_reminders",
        "schedule": 3600,
    },
    "transfers-confirmation-reminders": {
        "task": "transfers.send_confirmation_reminders",
        "schedule": 3600,
    },
    # Every low item gets a request or a reason; `manage.py replenishment_sweep` from cron.
    "procurement-replenishment-sweep": {
        "task": "procurement.replenishment_sweep",
        "schedule": env.int("REPLENISHMENT_SWEEP_SECONDS", default=3600),
    },
    # Dynamic reorder points from demand and measured lead times, then a sweep;
    # `manage.py replenishment_policies_recompute` from cron.
    "procurement-replenishment-policies": {
        "task": "procurement.replenishment_policies_recompute",
        "schedule": crontab(minute=30, hour=2),
    },
    # Reminders for unpaid invoices, daily at 09:00; `manage.py send_payment_reminders`.
    "invoicing-payment-reminders": {
        "task": "invoicing.send_payment_reminders",
        "schedule": crontab(minute=0, hour=9),
    },
    # Gateway refunds of credit notes still pending (a lost answer): retried with their
    # idempotency key, every 5 minutes (issue 24).
    "invoicing-refunds-retry": {
        "task": "invoicing.refunds_retry_pending",
        "schedule": 300,
    },
    # Unused loyalty points past their expiry date, daily at 01:15.
    "loyalty-expire-points": {
        "task": "loyalty.expire_points",
        "schedule": crontab(minute=15, hour=1),
    },
    # Orders still awaiting online payment after PAYMENT_TIMEOUT_MINUTES give their stock back.
    "payments-release-abandoned": {
        "task": "payments.release_abandoned",
        "schedule": 300,
    },
    # Standing orders (#18): reminders of coming runs, then the runs due; once per
    # run date whatever the schedule, so hourly only makes a missed hour harmless;
    # `manage.py run_standing_orders` from cron.
    "standing-orders-run-due": {
        "task": "standing_orders.run_due",
        "schedule": crontab(minute=5),
    },
    # Last month's report to subscribed staff, on the first at 07:00 local time.
    "reporting-monthly-report": {
        "task": "reporting.send_monthly_report",
        "schedule": crontab(minute=0, hour=7, day_of_month=1),
    },
}

# --- Standing orders (#18) ----------------------------------------------------
# The buyer is reminded this many days before each run (0: no reminder).
STANDING_ORDER_REMINDER_DAYS = env.int("STANDING_ORDER_REMINDER_DAYS", default=2)
if not 0 <= STANDING_ORDER_REMINDER_DAYS <= 28:
    raise ImproperlyConfigured("STANDING_ORDER_REMINDER_DAYS must be from 0 to 28.")
# Returns (#17): a buyer may ask to return delivered units for this many days after delivery.
RETURN_WINDOW_DAYS = env.int("RETURN_WINDOW_DAYS", default=30)
if not 0 <= RETURN_WINDOW_DAYS <= 365:
    raise ImproperlyConfigured("RETURN_WINDOW_DAYS must be from 0 to 365.")

# --- Notifications (the outbox) ---------------------------------------------
# How a committed message is handed over: "celery" (a broker is configured),
# "thread" (in-process pool: a request never waits for SMTP) or "inline".
NOTIFICATIONS_DELIVERY = env(
    "NOTIFICATIONS_DELIVERY", default="celery" if CELERY_BROKER_URL else "thread"
)
if NOTIFICATIONS_DELIVERY not in ("celery", "thread", "inline"):
    raise ImproperlyConfigured("NOTIFICATIONS_DELIVERY must be celery, thread or inline.")
NOTIFICATIONS_THREADS = env.int("NOTIFICATIONS_THREADS", default=2)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
# Backoff: 1 min, 2, 4, ... capped at 1 h (8 attempts span about 2 h).
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=3600)
# The lease a deliverer holds on a row while sending, renewed every third of
# it while the send runs; a row still claimed after it lost its deliverer.
# Lease + the sweep's period bound how long a crash goes unnoticed (45 + 60 s).
NOTIFICATIONS_CLAIM_SECONDS = env.int("NOTIFICATIONS_CLAIM_SECONDS", default=45)
if NOTIFICATIONS_CLAIM_SECONDS < 3:
    raise ImproperlyConfigured("NOTIFICATIONS_CLAIM_SECONDS must be at least 3.")

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "auromart.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "auromart.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env("THROTTLE_AUTH_RATE", default="20/minute"),
        # Sign-ups per client (API and page); the e-mail is the login name, so
        # "already registered" cannot be hidden, only slowed down.
        "register": env("THROTTLE_REGISTER_RATE", default="10/hour"),
        # Password-reset e-mails: per client address and per e-mail address.
        "password_reset_client": env("THROTTLE_PASSWORD_RESET_CLIENT_RATE", default="10/hour"),
        "password_reset_address": env("THROTTLE_PASSWORD_RESET_ADDRESS_RATE", default="3/hour"),
    },
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": PROXY_COUNT,
}
# JWT lifetimes, the schema and its Swagger UI: auromart/settings_api.py.
from auromart.settings_api import SIMPLE_JWT, SPECTACULAR_SETTINGS  # noqa: E402, F401

# --- Security ---------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health checks come from inside the network over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content Security Policy (django-csp 4): everything from this origin only, no
# inline script or style anywhere (htmx's config is a <meta>, its indicator
# styles are in site.css), no framing, no plugins. data: images are the SVG
# icons inside Bootstrap's and Swagger UI's CSS. Development gets the same
# policy so a violation shows up in the browser tests, not in production.
# auromart.csp lets the admin (staff only) have inline styles, never scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# API bodies nested deeper than this are a 400 `json_too_deep` (auromart.api.middleware).
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler already prints these: don't repeat them.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# --- Spreadsheet import/export (django-import-export) --------------------------
from import_export.formats import base_formats  # noqa: E402

# Formats offered for import and export: CSV and XLSX only.
IMPORT_EXPORT_FORMATS = [base_formats.CSV, base_formats.XLSX]
# Every import is one transaction; auromart.spreadsheets also rolls it back when
# any row is invalid, so a file is imported whole or not at all.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Importing needs its own permission, <app>.import_<model> (granted per user or
# group); exporting needs the view permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Formula escaping is done by our resources (auromart.spreadsheets): a text cell
# starting with = + - @ tab or CR gets a leading apostrophe, numbers stay
# numbers, and imports take the apostrophe off again. The library's own switch
# only drops a leading "=" and turns every cell into text, so it stays off.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
# The file between preview and confirm is kept in the default storage, not
# in one host's /tmp: with several hosts that is the S3 bucket
# (AWS_STORAGE_BUCKET_NAME), so another host can confirm the preview.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
# Uploads in the admin; `manage.py import_data` takes larger files.
SPREADSHEET_IMPORT_MAX_BYTES = env.int("SPREADSHEET_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
SPREADSHEET_XLSX_MAX_UNPACKED_BYTES = env.int(
    "SPREADSHEET_XLSX_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024
)
# Data rows per file: the size limit does not bound rows (a 312 KB XLSX held
# 100k rows and one admin request for 190 s). Counted before the file is parsed.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_ROWS_CLI = env.int("IMPORT_MAX_ROWS_CLI", default=1_000_000)
# An admin upload above either of these is imported by a background job (the
# page shows its progress) instead of the preview-then-confirm request.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=2_000)
IMPORT_BACKGROUND_BYTES = env.int("IMPORT_BACKGROUND_BYTES", default=512 * 1024)
# Rows read, validated and written at a time (the command and background
# imports), inside the file's one transaction: memory stays flat with the file.
IMPORT_BATCH_ROWS = env.int("IMPORT_BATCH_ROWS", default=1_000)

# --- Background jobs (jobs/) ------------------------------------------------------
# Each job kind and the function that runs it (jobs.services.job_run).
JOB_RUNNERS = {
    "spreadsheet_import": "auromart.spreadsheet_jobs.spreadsheet_import_run",
    "report_export": "reporting.export_jobs.report_export_run",
}
# How a committed job is started: "celery" (a broker is configured), "thread"
# (in-process, the default without a broker) or "inline" (the tests).
JOBS_DELIVERY = env("JOBS_DELIVERY", default="celery" if CELERY_BROKER_URL else "thread")
if JOBS_DELIVERY not in ("celery", "thread", "inline"):
    raise ImproperlyConfigured("JOBS_DELIVERY must be celery, thread or inline.")
# A job "running" for longer than this with no finish is taken as orphaned (its
# worker died; its transaction rolled back) and a redelivered task may run it again.
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=900)
# Rows of a failed job's error report kept on the job (all are counted).
JOB_MAX_REPORTED_ERRORS = env.int("JOB_MAX_REPORTED_ERRORS", default=500)

# --- Messages: carriers and SMS (auromart/settings_messages.py) ------------------
from auromart.settings_messages import *  # noqa: E402, F403

# --- Demo history (seed_demo, auromart/demo_history.py) ---------------------------
# On a fresh database seed_demo lives through this many days before today with
# about this many orders (0 orders: no history). The tests use a small one.
# Each order's whole life (place, accept, ship, deliver, invoice, payment) costs
# about 45 ms of CPU through the real services: 3,000 orders take about 2.5 min
# of CPU on a first `make run` (docs/performance.md, seed_demo; fewer orders
# seed faster, but with 500 no item has sold out for the stock-cover chart).
DEMO_HISTORY_ORDERS = env.int("DEMO_HISTORY_ORDERS", default=3_000)
DEMO_HISTORY_DAYS = env.int("DEMO_HISTORY_DAYS", default=182)
# Rows of a report table shown on its page at a time (the downloads hold them all).
REPORT_PAGE_ROWS = env.int("REPORT_PAGE_ROWS", default=25)
# Report downloads above these sizes run as a background job with progress
# (reporting.export_jobs); from REPORT_EXPORT_EMAIL_ROWS rows the file is also e-mailed.
REPORT_PDF_INLINE_ROWS = env.int("REPORT_PDF_INLINE_ROWS", default=40)
REPORT_EXPORT_INLINE_ROWS = env.int("REPORT_EXPORT_INLINE_ROWS", default=2_000)
REPORT_EXPORT_EMAIL_ROWS = env.int("REPORT_EXPORT_EMAIL_ROWS", default=500)

# --- Online payment (payments app) -----------------------------------------------
from auromart.settings_payments import *  # noqa: E402,F403

if PAYMENT_GATEWAY not in ("razorpay", "test"):  # noqa: F405
    raise ImproperlyConfigured('PAYMENT_GATEWAY must be "razorpay" or "test".')
if PAYMENT_GATEWAY == "razorpay" and not (RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET):  # noqa: F405
    raise ImproperlyConfigured("PAYMENT_GATEWAY=razorpay needs RAZORPAY_KEY_ID and _SECRET.")
