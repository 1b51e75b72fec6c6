"""Tongban settings: environment variables only, typed, with embedded defaults for a first run.

Without DATABASE_URL the portal runs on SQLite under var/; without REDIS_URL Celery uses kombu's
filesystem transport under var/broker, so `make run` needs no server installed. A bad value
raises ImproperlyConfigured at start-up (django-environ).

Fail closed (issue 12): DEBUG is off unless the environment turns it on (`make run` does, for the
demo); there is no committed SECRET_KEY — it comes from SECRET_KEY or a file named by
SECRET_KEY_FILE (a Docker secret), and without one the project refuses to start unless DEBUG is
on (then a random key for this process only). HTTPS-only cookies, HSTS, the SSL redirect and a
Content-Security-Policy without inline script or style are on by default; the test settings
(tests/settings.py) turn the HTTPS ones off because the test client speaks plain HTTP.
"""

import base64
import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _secret(name: str) -> str:
    """A secret from NAME, or from the file NAME_FILE names (Docker/compose secrets)."""
    value = env.str(name, default="")
    path = env.str(f"{name}_FILE", default="")
    if not value and path:
        value = Path(path).read_text().strip()
    return value


SECRET_KEY = _secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) is not set and DEBUG is off: refusing to start. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "debug-only-" + secrets.token_urlsafe(50)  # this process only; `make run` keeps one in var/
def _pii_keys() -> tuple[dict[str, bytes], str, bytes]:
    """Personal data at rest (core/pii.py): PII_KEYS (or PII_KEYS_FILE) is `id:base64key ...`,
    32-byte AES-256 keys, the first one writing and every one reading (key rotation);
    PII_INDEX_KEY (or _FILE) is the blind index's HMAC key (base64, its own key). Without them the
    project refuses to start unless DEBUG is on (the demo derives both from its SECRET_KEY)."""
    listed, index = _secret("PII_KEYS").split(), _secret("PII_INDEX_KEY")
    if not listed or not index:
        if not DEBUG:
            raise ImproperlyConfigured(
                "PII_KEYS and PII_INDEX_KEY (or their _FILE) are not set and DEBUG is off: refusing to start. "
                "docker-compose.yml's header says how to make them."
            )
        derive = lambda label: hashlib.sha256(f"{label}\0{SECRET_KEY}".encode()).digest()  # noqa: E731
        return {"dev": derive("pii-key")}, "dev", derive("pii-index")
    keys = {}
    for item in listed:
        kid, _, b64 = item.partition(":")
        key = base64.b64decode(b64)
        if not kid or len(key) != 32:
            raise ImproperlyConfigured(f"PII_KEYS: {kid!r} is not `id:base64 of 32 bytes`.")
        keys[kid] = key
    return keys, listed[0].partition(":")[0], base64.b64decode(index)


PII_KEYS, PII_WRITE_KEY, PII_INDEX_KEY = _pii_keys()

# The audit chain's daily anchor outside the database (core/anchors.py): AUDIT_ANCHOR_KEY (or
# _FILE) is the base64 of a 32-byte Ed25519 seed (DEBUG without it: a demo key in var/);
# AUDIT_ANCHOR_PUBLIC_KEYS the base64 public keys of retired ones; the signed files go to
# AUDIT_ANCHOR_DIR, which the operator copies off the box every day (docs/decisions.md).
AUDIT_ANCHOR_KEY = _secret("AUDIT_ANCHOR_KEY")
AUDIT_ANCHOR_PUBLIC_KEYS = env.str("AUDIT_ANCHOR_PUBLIC_KEYS", default="").split()
AUDIT_ANCHOR_DIR = env.path("AUDIT_ANCHOR_DIR", default=str(VAR_DIR / "audit-anchors"))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address the QR codes on notices point to (the public progress page lives under it).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The area the deployment serves, named in the site's chrome (title, header, footer, home, error
# page; context processor portal.context_processors.area). A whole city's deployment sets the
# city's; documents of a case name their issuer's district instead (accounts/districts.py).
PORTAL_AREA_NAME = env.str("PORTAL_AREA_NAME", default="清新区")
PORTAL_AREA_FULL_NAME = env.str("PORTAL_AREA_FULL_NAME", default="清远市清新区")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "pgtrigger",
    "core",
    "accounts",
    "matters",
    "exchange",
    "workflow",
    "windows",
    "terminals",
    "supervision",
    "notifications",
    "payments",
    "market",
    "civic",
    "portal",
]

MIDDLEWARE = [
    "core.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.security.SessionGuardMiddleware",
    "core.db_router.ReplicaReadsMiddleware",  # after the session and the user were read from the primary
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.MethodNotAllowedPage",
    "axes.middleware.AxesMiddleware",  # turns a locked-out attempt into the lockout answer
    "core.web.errors.ErrorPages",  # innermost: the Chinese 404/403/500 with DEBUG on too
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.navigation",
                "portal.context_processors.area",
                "portal.context_processors.calendar_warning",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Persistent connections (checked before reuse): a new PostgreSQL connection per request cost
    # its set-up and, worse, a cold catalog cache in which planning the dashboard's card query took
    # 7.7 ms against 1.5 ms to run it. DATABASE_CONN_MAX_AGE=0 (or ?conn_max_age=0 in the URL)
    # closes after every request again.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The password may come from a file (a Docker secret) instead of sitting in DATABASE_URL.
if _db_password := _secret("DATABASE_PASSWORD"):
    DATABASES["default"]["PASSWORD"] = _db_password
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web server and Celery worker share the file: wait for the other's write instead of failing,
    # and take the write lock at BEGIN so that read-then-write transactions do not deadlock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# A read replica (core/db_router.py, docs/scale.md): the dashboard, its drill-down, the disclosure
# page and API and the figures API read through it; nothing writes through it. Its connection is
# read-only whatever the server is (a replica URL pointing at the primary by mistake still cannot
# write), and the test runner treats it as the primary's mirror.
if _replica_url := env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url_config(_replica_url)
    if not DATABASES["replica"].get("PASSWORD"):  # from a file, like the primary's
        DATABASES["replica"]["PASSWORD"] = _secret("DATABASE_REPLICA_PASSWORD") or _db_password
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c default_transaction_read_only=on"
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"].get("CONN_MAX_AGE", 0))  # persistent too
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = DATABASES["default"].get("CONN_HEALTH_CHECKS", False)
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
REPLICA_READ_VIEWS = ["portal:supervision", "portal:figure_cases", "portal:disclosure", "api-disclosure",
                      "api-figures"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# GB/T 22239 level 3: ≥ 8 characters of three classes, not common, not a name with digits.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "real_name", "phone")}},
    {"NAME": "accounts.passwords.ComplexityValidator"},
    {"NAME": "accounts.passwords.GuessableValidator"},
]
# django-axes first: it refuses a locked-out account or address before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: the account, and the client
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"  # REMOTE_ADDR after TrustedProxyMiddleware
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_VERBOSE = False
# TOTP for staff and administrators (accounts.security). Off only in the test settings.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = f"通办 {PORTAL_AREA_NAME}政务服务"
# Sessions: ended after 12 hours whatever happens, and sooner when idle (accounts.security):
# staff 30 minutes, shared hall computers (addresses in HALL_NETWORKS) 15, citizens 2 hours.
SESSION_COOKIE_AGE = 12 * 3600
HALL_NETWORKS = env.list("HALL_NETWORKS", default=[])
PUBLIC_IDLE_MINUTES = env.int("PUBLIC_IDLE_MINUTES", default=120)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:workbench"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
# Uploaded materials and generated notices: outside the web root, served only through views that
# check who may read them (there is deliberately no MEDIA_URL route).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# The Chinese face of every PDF, cut once from Noto Serif CJK SC (core.pdf, `manage.py build_pdf_font`).
PDF_FONT_DIR = env.path("PDF_FONT_DIR", default=str(VAR_DIR / "fonts"))
PDF_FONT_SOURCE = env.str("PDF_FONT_SOURCE", default="")  # "file[:index]"; empty: ask fontconfig
# Templates whose characters get the lowest glyph ids (every document of theirs prints them).
PDF_FONT_FIRST = ["workflow/notices/*.html", "matters/guide_pdf.html", "exchange/licence_pdf.html",
                  "supervision/evaluation_pdf.html"]
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Source maps are read only by a developer's tools: served as they are, not compressed at
# collectstatic (brotli at its best quality, which WeasyPrint's fonttools brings, took 36 s of
# the image build's collectstatic and as long in CI, most of it on the maps of Redoc, Swagger UI
# and Chart.js).
from whitenoise.compress import Compressor  # noqa: E402

WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
MATERIAL_MAX_BYTES = env.int("MATERIAL_MAX_BYTES", default=10 * 1024 * 1024)

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.TokenAuthentication",  # knox's, one query a request
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "portal.pagination.CursorPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "通办 Tongban API",
    "DESCRIPTION": "一门式一网式政务服务平台接口。错误统一为 {code, message, fields}。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStateEnum": "workflow.models.Application.State",
        "SubCaseStateEnum": "workflow.models.SubCase.State",
        "TargetEnum": "matters.models.Target",
        "PauseKindEnum": "workflow.models.SubCasePause.Kind",
        "MatterKindEnum": "matters.models.Matter.Kind",
        "MatterLevelEnum": "matters.models.Matter.Level",
        "CardLevelEnum": "supervision.models.Card.Level",
        "WindowCategoryEnum": "windows.models.Window.Category",
        "TicketStateEnum": "windows.models.Ticket.State",
        "AppointmentStateEnum": "windows.models.Appointment.State",
        "ConsultationChannelEnum": "windows.models.Consultation.Channel",
        "ConsultationStateEnum": "windows.models.Consultation.State",
        "ChannelEnum": "workflow.models.Channel",
        "DeliveryMethodEnum": "workflow.models.DeliveryMethod",
        "LicenceStatusEnum": "exchange.models.LicenceStatus",
    },
}

# API tokens (django-rest-knox): one per sign-in, valid 8 hours, stored as a SHA-512 digest,
# deleted at sign-out (POST /api/auth/logout/).
REST_KNOX = {"TOKEN_TTL": timedelta(hours=8), "AUTO_REFRESH": False, "TOKEN_LIMIT_PER_USER": 20,
             "AUTH_HEADER_PREFIX": "Token"}

# --- Celery ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_TASK_IGNORE_RESULT = True
# Queues by kind (docs/decisions.md, "Celery queues by kind"), so a slow PDF never delays a
# dispatch: `notices` makes documents (notices, results, licences, exports), `exchange` talks to
# other organisations' systems (department systems, the SMS gateway, the payment provider),
# `figures` recomputes the dashboard's rollups and the sweeps over every case; the rest (beat's
# housekeeping, the intent relay, reminders) stays in the default queue `celery`. A worker started
# without -Q consumes all four (`make run`); docker-compose runs one worker per kind.
CELERY_TASK_DEFAULT_QUEUE = "celery"
TASK_QUEUES_BY_KIND = {
    "notices": ["workflow.tasks.generate_notice", "workflow.tasks.prepare_result", "workflow.tasks.issue_licence",
                "supervision.tasks.build_report"],
    "exchange": ["workflow.tasks.dispatch_subcases", "exchange.tasks.deliver_message", "exchange.tasks.relay_outbox",
                 "exchange.tasks.reconcile_departments", "exchange.tasks.sync_catalog",
                 "notifications.tasks.send_sms", "notifications.tasks.send_push", "civic.tasks.run_benefit", "payments.tasks.query_order", "payments.tasks.query_unsettled_orders",
                 "payments.tasks.reconcile_day", "payments.tasks.reconcile_yesterday"],
    "figures": ["supervision.tasks.refresh_figures", "supervision.tasks.refresh_all_figures",
                "supervision.tasks.refresh_figure_days", "supervision.tasks.sweep_deadlines",
                "supervision.tasks.verify_audit_chains"],
}
CELERY_TASK_ROUTES = {task: {"queue": queue} for queue, tasks in TASK_QUEUES_BY_KIND.items() for task in tasks}
CELERY_TASK_QUEUES = tuple(Queue(name) for name in (CELERY_TASK_DEFAULT_QUEUE, *TASK_QUEUES_BY_KIND))
CELERY_TASK_ACKS_LATE = True  # a task that dies midway is delivered again; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat as a single scheduler (portal.celery.SingleBeatScheduler): with Redis, only the beat holding
# a lock there sends; another takes over within BEAT_LOCK_SECONDS of the holder's death.
CELERY_BEAT_SCHEDULER = "portal.celery:SingleBeatScheduler"
BEAT_LOCK_SECONDS = env.float("BEAT_LOCK_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE = {
    "supervision-sweep-deadlines": {
        "task": "supervision.tasks.sweep_deadlines",
        "schedule": env.float("SWEEP_INTERVAL_SECONDS", default=60.0),
    },
    "workflow-deemed-acceptance": {
        "task": "workflow.tasks.deem_overdue_applications_accepted",
        "schedule": 3600.0,
    },
    "exchange-relay-outbox": {  # messages to department systems whose wake-up was lost or is due again
        "task": "exchange.tasks.relay_outbox",
        "schedule": env.float("EXCHANGE_RELAY_INTERVAL_SECONDS", default=5.0),
    },
    "exchange-reconcile-departments": {
        "task": "exchange.tasks.reconcile_departments",
        "schedule": env.float("EXCHANGE_RECONCILE_SECONDS", default=600.0),
    },
    "exchange-sync-catalog": {
        "task": "exchange.tasks.sync_catalog",
        "schedule": env.float("CATALOG_FEED_SYNC_SECONDS", default=3600.0),
    },
    "payments-query-unsettled": {  # orders whose payment notification never came
        "task": "payments.tasks.query_unsettled_orders",
        "schedule": env.float("PAYMENT_QUERY_INTERVAL_SECONDS", default=60.0),
    },
    "payments-daily-reconciliation": {  # yesterday's statement of the provider (Beijing day)
        "task": "payments.tasks.reconcile_yesterday",
        "schedule": crontab(hour=2, minute=30),
    },
    # background work recorded with its change (core.intents): sent again when not done after its lease
    "core-relay-intents": {
        "task": "core.tasks.relay_intents",
        "schedule": env.float("INTENT_RELAY_INTERVAL_SECONDS", default=10.0),
    },
    "core-forget-done-intents": {"task": "core.tasks.forget_done_intents", "schedule": crontab(hour=3, minute=40)},
    "workflow-recover-stalled": {
        "task": "workflow.tasks.recover_stalled",
        "schedule": 300.0,
    },
    "workflow-purge-pending-uploads": {  # files kept on forms that came back with errors, after a day
        "task": "workflow.tasks.purge_pending_uploads",
        "schedule": 3600.0,
    },
    # reminders (notifications, in-site and by text): 容缺 materials, supplements owed, results to
    # collect, tomorrow's appointments, licences expiring, ratings not given.
    # Hourly from 08:00 to 20:00, each message once by its dedupe key: a run lost with the broker or
    # a killed worker is made good by the next hour's (a daily run would lose that day's reminders)
    "workflow-send-reminders": {"task": "workflow.tasks.send_reminders", "schedule": crontab(hour="8-20", minute=0)},
    "windows-send-reminders": {"task": "windows.tasks.send_reminders", "schedule": crontab(hour="8-20", minute=5)},
    "exchange-send-reminders": {"task": "exchange.tasks.send_reminders", "schedule": crontab(hour="8-20", minute=10)},
    "supervision-send-reminders": {"task": "supervision.tasks.send_reminders", "schedule": crontab(hour="8-20", minute=15)},
    "market-send-reminders": {"task": "market.tasks.send_reminders", "schedule": crontab(hour="8-20", minute=20)},
    "windows-daily-appointments": {  # slots for the coming working days, 爽约 for missed bookings
        "task": "windows.tasks.daily_appointments",
        "schedule": crontab(hour=0, minute=20),
    },
    # the dashboard's rollups: the last 21 days every 5 minutes, every day each night (03:10)
    "supervision-refresh-figures": {
        "task": "supervision.tasks.refresh_figures",
        "schedule": env.float("FIGURES_REFRESH_SECONDS", default=300.0),
    },
    "supervision-refresh-all-figures": {
        "task": "supervision.tasks.refresh_all_figures",
        "schedule": crontab(hour=3, minute=10),
    },
    # the audit chain: yesterday's ends sealed into a signed anchor file, then every chain checked
    # against its rows and the anchors (administrators and supervisors are told of a break once)
    "core-seal-audit-anchors": {"task": "core.tasks.seal_audit_anchors", "schedule": crontab(hour=0, minute=5)},
    "supervision-verify-audit": {"task": "supervision.tasks.verify_audit_chains", "schedule": crontab(hour=0, minute=35)},
    # terminals' replay guard keeps a nonce per device request for 10 minutes: the older ones go
    "terminals-forget-old-nonces": {"task": "terminals.tasks.forget_old_nonces", "schedule": 600.0},
    # 免申即享: each active benefit's run recorded once a day as an intent (civic/tasks.py)
    "civic-plan-benefit-runs": {
        "task": "civic.tasks.plan_benefit_runs",
        "schedule": env.float("BENEFIT_PLAN_SECONDS", default=60.0),
    },
}

# Background work (core.intents): a pending intent is sent again when its lease runs out (the
# wake-up on commit was lost with the broker, or the worker died mid-task); each send doubles the
# wait up to the cap. Done intents are kept this many days for the admin.
INTENT_LEASE_SECONDS = env.float("INTENT_LEASE_SECONDS", default=300.0)
INTENT_MAX_BACKOFF_SECONDS = env.float("INTENT_MAX_BACKOFF_SECONDS", default=1800.0)
INTENT_KEEP_DAYS = env.int("INTENT_KEEP_DAYS", default=30)
# Backpressure: the relay tops the broker's queue up to this many waiting messages, and sends
# nothing while it holds more (what waits in the queue is not lost; the worker is not flooded).
INTENT_RELAY_MAX_QUEUED = env.int("INTENT_RELAY_MAX_QUEUED", default=200)
# An export job (supervision ReportJob) belongs to its worker this long, renewed at each progress
# step; a worker that died mid-build leaves it to be taken again after it.
REPORT_LEASE_SECONDS = env.float("REPORT_LEASE_SECONDS", default=120.0)

# --- the exchange with department systems (docs/exchange-protocol.md) ----------------------------
EXCHANGE_RELAY_BASE_SECONDS = env.float("EXCHANGE_RELAY_BASE_SECONDS", default=2.0)
EXCHANGE_RELAY_MAX_BACKOFF_SECONDS = env.float("EXCHANGE_RELAY_MAX_BACKOFF_SECONDS", default=300.0)
EXCHANGE_RELAY_MAX_ATTEMPTS = env.int("EXCHANGE_RELAY_MAX_ATTEMPTS", default=12)  # about 25 minutes of retries
EXCHANGE_HTTP_TIMEOUT_SECONDS = env.float("EXCHANGE_HTTP_TIMEOUT_SECONDS", default=10.0)
# The province catalog feed: its address, our key there ("id:secret") and the code we sign as.
# The payment provider (统一公共支付平台; the sandbox `python -m paysim` in the demo and tests):
# where it is, who we are to it, the key both sides sign with, and the address it sends
# payment notifications to (this portal as the provider reaches it).
# 市民之窗 terminals (issue 13): a session ends after this many seconds without a touch; the
# catalog matter whose data-sharing policy covers a resident's own queries at a terminal (查).
TERMINAL_IDLE_SECONDS = env.int("TERMINAL_IDLE_SECONDS", default=60)
TERMINAL_CODE_IDLE_SECONDS = env.int("TERMINAL_CODE_IDLE_SECONDS", default=180)  # the texted code's screen
TERMINAL_QUERY_MATTER = env.str("TERMINAL_QUERY_MATTER", default="QX-ZZCX-0001")
PAYMENT_PROVIDER_URL = env.str("PAYMENT_PROVIDER_URL", default="")
PAYMENT_MERCHANT = env.str("PAYMENT_MERCHANT", default="QXZWFWZX")
PAYMENT_KEY_ID = env.str("PAYMENT_KEY_ID", default="p1")
PAYMENT_SECRET = env.str("PAYMENT_SECRET", default="")
PAYMENT_NOTIFY_BASE_URL = env.str("PAYMENT_NOTIFY_BASE_URL", default="http://127.0.0.1:8000")
PAYMENT_QUERY_AFTER_SECONDS = env.float("PAYMENT_QUERY_AFTER_SECONDS", default=120.0)
# The SMS gateway (短信平台; the sandbox `python -m smssim` in the demo and tests): where it is,
# our account and key there, and the address its delivery receipts reach (this portal as the
# gateway sees it). Empty URL: no texts, the in-site message alone.
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_ACCOUNT = env.str("SMS_ACCOUNT", default="QXZWFWZX")
SMS_KEY_ID = env.str("SMS_KEY_ID", default="s1")
SMS_SECRET = env.str("SMS_SECRET", default="")
SMS_RECEIPT_BASE_URL = env.str("SMS_RECEIPT_BASE_URL", default="http://127.0.0.1:8000")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default=f"{PORTAL_AREA_NAME}政务服务")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=5.0)
CATALOG_FEED_URL = env.str("CATALOG_FEED_URL", default="")
CATALOG_FEED_KEY = env.str("CATALOG_FEED_KEY", default="")
CATALOG_FEED_CLIENT = env.str("CATALOG_FEED_CLIENT", default="QXZWFWZX")
# Data sources (数据共享, exchange/datasources.py): the exchange platform's address, our key there
# ("id:secret") and the code we sign as; empty URL: no source is queried (materials by hand).
DATA_SOURCE_URL = env.str("DATA_SOURCE_URL", default="")
DATA_SOURCE_KEY = env.str("DATA_SOURCE_KEY", default="")
DATA_SOURCE_CLIENT = env.str("DATA_SOURCE_CLIENT", default="QXZWFWZX")
DATA_SOURCE_TIMEOUT_SECONDS = env.float("DATA_SOURCE_TIMEOUT_SECONDS", default=3.0)

# With REDIS_URL (compose, several web processes or boxes) the cache is Redis, shared by every web
# and worker process, and sessions are read from it and written through to the database
# (cached_db: a Redis restarted empty signs nobody out). Without it (`make run`) the cache is
# per process and sessions are the database's alone.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# --- HTTPS, cookies, headers (fail closed) ----------------------------------------------------
# The reverse proxy's addresses: only from these are X-Forwarded-For and X-Forwarded-Proto
# believed (core.proxy.TrustedProxyMiddleware strips them from everyone else, before Django's
# SECURE_PROXY_SSL_HEADER or any address-based limit reads them). Addresses or CIDR networks.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_HTTPS = env.bool("HTTPS", default=not DEBUG)  # the demo (`make run`) serves plain HTTP on 127.0.0.1
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # container health checks speak HTTP to gunicorn directly
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_HTTPS)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: every form carries the token in its HTML
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this site only,
# nothing inline (the templates keep their scripts in static/js and their styles in static/css);
# PDFs and images of materials are shown inline from the same origin.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "frame-src": [_SELF],
        "frame-ancestors": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
    },
}
