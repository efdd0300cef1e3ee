"""One settings module, driven by XINQIAO_* environment variables.

Profiles (XINQIAO_PROFILE): ``dev`` (default; what ``make run`` serves), ``test`` (chosen
automatically under pytest: fast hasher, tasks run immediately) and ``production``
(HTTPS hardening; refuses DEBUG and demo mode). Bad values stop start-up with a clear message.
Every secret may also be given as ``<NAME>_FILE`` pointing at a file that holds it.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    """Read a variable, or the contents of the file named by ``<name>_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = env(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated addresses or networks (CIDR: ``10.0.0.0/8``)."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an address or a network such as 10.0.0.0/8"
            ) from None
    return tuple(networks)


PROFILE = env("XINQIAO_PROFILE") or ("test" if "PYTEST_VERSION" in os.environ else "dev")
if PROFILE not in {"dev", "test", "production"}:
    raise ImproperlyConfigured(f"XINQIAO_PROFILE must be dev, test or production, not {PROFILE!r}")
TESTING = PROFILE == "test"
PRODUCTION = PROFILE == "production"

DATA_DIR = Path(env("XINQIAO_DATA_DIR", "./var")).resolve()
# The SQLite database and task store live here; the owner's alone (core/data_files.py).
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
KEY_FILE = Path(env("XINQIAO_KEY_FILE") or DATA_DIR / "keys" / "fields.keys")
# The access log's chain key, beside the field keys; and the newest head of the chain, kept
# outside the database so that deleting the newest rows and the head row is detected too.
AUDIT_KEY_FILE = Path(env("XINQIAO_AUDIT_KEY_FILE") or KEY_FILE.parent / "audit.key")
AUDIT_HEAD_FILE = DATA_DIR / "audit-head.json"

DEBUG = env_bool("XINQIAO_DEBUG", False)
DEMO_MODE = env_bool("XINQIAO_DEMO_MODE", False)
HTTPS = env_bool("XINQIAO_HTTPS", PRODUCTION)
if PRODUCTION and (DEBUG or DEMO_MODE):
    raise ImproperlyConfigured("Production refuses XINQIAO_DEBUG and XINQIAO_DEMO_MODE.")


def _secret_key() -> str:
    configured = env("XINQIAO_SECRET_KEY")
    if configured:
        return configured
    if PRODUCTION:
        key_path = DATA_DIR / "keys" / "secret_key"
        if key_path.exists():
            return key_path.read_text(encoding="utf-8").strip()
        if env("XINQIAO_MAKING_KEYS"):  # `xinqiao init` / `keys import`: they bring the key file
            return "setup-" + secrets.token_urlsafe(50)
        raise ImproperlyConfigured(
            "Set XINQIAO_SECRET_KEY (or XINQIAO_SECRET_KEY_FILE), or run `xinqiao init`."
        )
    key_path = DATA_DIR / "keys" / "secret_key"
    if key_path.exists():
        return key_path.read_text(encoding="utf-8").strip()
    # dev/test without init: a per-process key is fine (sessions do not survive restarts).
    return "dev-" + secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list(
    "XINQIAO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs XINQIAO_ALLOWED_HOSTS (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("XINQIAO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "auditlog",
    "huey.contrib.djhuey",
    "ninja",
    "xinqiao.core",
    "xinqiao.people",
    "xinqiao.rooms",
    "xinqiao.crisis",
    "xinqiao.cases",
    "xinqiao.letters",
    "xinqiao.screening",
    "xinqiao.privacy",
    "xinqiao.rights",
    "xinqiao.reports",
]
if TESTING:
    INSTALLED_APPS.append("tests.testapp")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xinqiao.core.protection.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xinqiao.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xinqiao.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xinqiao.core.protection.PrivateResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the sign-in middlewares: they answer an htmx request with HX-Redirect, not a 302.
    "django_htmx.middleware.HtmxMiddleware",
    "xinqiao.core.middleware.IdleTimeoutMiddleware",
    "xinqiao.core.middleware.SignInStepsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xinqiao.core.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xinqiao.urls"
WSGI_APPLICATION = "xinqiao.wsgi.application"

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
                "xinqiao.core.context_processors.navigation",
            ],
            "builtins": ["django.templatetags.i18n", "rules.templatetags.rules"],
        },
    }
]

# Forms render with the project's templates, so templates/django/forms/ can say "请选择…" where
# Django writes "---------" in an empty choice (issue 17).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "xinqiao.sqlite3"
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # IMMEDIATE: a transaction takes the write lock at its start, so concurrent writers
        # queue instead of failing half-way; WAL lets readers go on meanwhile.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    # A file, not memory: tests check what reaches the disk, and the live server shares it.
    _db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL.")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue (huey) ------------------------------------------------------------------------
REDIS_URL = env("XINQIAO_REDIS_URL")
# Parallel test processes (pytest-xdist) each keep their own queue and task store.
_TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if TESTING else ""
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env("XINQIAO_HUEY_NAME", "xinqiao") + _TEST_WORKER,
        "url": REDIS_URL,
        "immediate": TESTING,
        # In tests tasks still run at once, but results and schedules go through Redis.
        "immediate_use_memory": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "xinqiao",
        "filename": str(DATA_DIR / f"tasks{_TEST_WORKER}.sqlite3"),
        "immediate": TESTING,
        "immediate_use_memory": False,
    }
HUEY["consumer"] = {"workers": env_int("XINQIAO_WORKERS", 2, minimum=1), "periodic": True}
# Periodic jobs keep the school's clock (TIME_ZONE, which Django makes the process's local time):
# the nightly backup at 02:30 Beijing time, not at 02:30 UTC (10:30 in class).
HUEY["utc"] = False

# --- Cache ------------------------------------------------------------------------------------
# Counters every server process must share (the letterbox's daily limit per pupil, the pickup
# code's lock against guessing): in Redis when the deployment has it (several servers), else in
# the data directory (one server's gunicorn workers); the tests keep them in each process.
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("XINQIAO_HUEY_NAME", "xinqiao") + "-cache",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
# With Redis, sessions are read from the cache and written to both (a request then spares its
# session query: issue 15's answering path). The database stays the session's record, so ending
# a session (sign out, sign out everywhere by the session salt) is unchanged; the folder cache is
# not used for sessions (it would cull a whole school's sessions at its 300 entries).
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts and sign-in ---------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
AUTHENTICATION_BACKENDS = [
    "xinqiao.core.backends.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "xinqiao.core.backends.PasswordBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout: keyed on the account, never the address (a whole school shares one address).
AXES_FAILURE_LIMIT = env_int("XINQIAO_LOCKOUT_FAILURES", 6, minimum=1)
AXES_LOCKOUT_PARAMETERS = ["username"]
# The lock lifts by itself after the cool-off; 0 keeps it until an administrator unlocks.
LOCKOUT_COOLOFF_MINUTES = env_int("XINQIAO_LOCKOUT_COOLOFF_MINUTES", 30, minimum=0)
AXES_COOLOFF_TIME = timedelta(minutes=LOCKOUT_COOLOFF_MINUTES) if LOCKOUT_COOLOFF_MINUTES else None
# Beside it, a throttle per address (core/sign_in.py): this many failed sign-ins from one
# address within the window refuse further tries from it, without counting against accounts.
SIGN_IN_ADDRESS_FAILURES = env_int("XINQIAO_SIGN_IN_ADDRESS_FAILURES", 40, minimum=1)
SIGN_IN_ADDRESS_MINUTES = env_int("XINQIAO_SIGN_IN_ADDRESS_MINUTES", 15, minimum=1)
AXES_WHITELIST_CALLABLE = "xinqiao.core.sign_in.was_throttled"
AXES_RESET_ON_SUCCESS = True
# Tries on a locked account neither count nor push the end of the lock further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "xinqiao.core.views.auth.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# W006 warns that lockout ignores the address: that is the point (one school, one address).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The proxies whose X-Forwarded-For is believed (xinqiao.core.net.client_address, used by every
# record of an address: access log, security events, change history, lockout).
TRUSTED_PROXIES = env_networks("XINQIAO_TRUSTED_PROXIES")
if env("XINQIAO_PROXY_COUNT"):
    raise ImproperlyConfigured("XINQIAO_PROXY_COUNT is replaced by XINQIAO_TRUSTED_PROXIES.")
AXES_CLIENT_IP_CALLABLE = "xinqiao.core.net.client_address"

OTP_TOTP_ISSUER = "心桥 Xinqiao"
# Roles whose members read confidential material must use two-factor sign-in (DESIGN.md).
TWO_FACTOR_ROLES = frozenset(env_list("XINQIAO_TWO_FACTOR_ROLES", ["director", "counselor"]))

# API tokens end by themselves after this many days; their holder makes a new one.
API_TOKEN_DAYS = env_int("XINQIAO_API_TOKEN_DAYS", 90, minimum=1)

# A roster import that would mark more than this share of the enrolled students as having left
# needs its numbers confirmed (issue 12: a one-student workbook taken for the whole roster).
ROSTER_DEPARTURES_CONFIRM_PERCENT = env_int("XINQIAO_ROSTER_DEPARTURES_CONFIRM_PERCENT", 10)
if ROSTER_DEPARTURES_CONFIRM_PERCENT > 100:
    raise ImproperlyConfigured(
        "XINQIAO_ROSTER_DEPARTURES_CONFIRM_PERCENT is a percentage: at most 100, "
        f"not {ROSTER_DEPARTURES_CONFIRM_PERCENT}"
    )

# Open hours a week asked of the care room (关爱室); 0: none. Seed 004 item 14 holds only the
# counseling room to its 10 hours.
CARE_ROOM_WEEKLY_HOURS = env_int("XINQIAO_CARE_ROOM_WEEKLY_HOURS", 0)

# Emergency ("break-glass") access to a student's file lasts this many hours (issue 14 item 6).
EMERGENCY_ACCESS_HOURS = env_int("XINQIAO_EMERGENCY_ACCESS_HOURS", 4, minimum=1)
# The longest access grant the director may approve (issue 16 item 1), in days.
ACCESS_GRANT_MAX_DAYS = env_int("XINQIAO_ACCESS_GRANT_MAX_DAYS", 30, minimum=1)
# The days after an intervention begins on which the counselor follows the student up.
_follow_up_days = env_list("XINQIAO_CRISIS_FOLLOW_UP_DAYS", ["1", "3", "7", "30"])
if not all(day.isdigit() and int(day) > 0 for day in _follow_up_days):
    raise ImproperlyConfigured(
        f"XINQIAO_CRISIS_FOLLOW_UP_DAYS must be whole numbers of days, not {_follow_up_days!r}"
    )
CRISIS_FOLLOW_UP_DAYS = sorted({int(day) for day in _follow_up_days})

# A guardian's request for their child's records is answered within this many days (PIPL
# art. 45-46, issue 16 item 4); the director is reminded of those due within RIGHTS_REMIND_DAYS.
RIGHTS_RESPONSE_DAYS = env_int("XINQIAO_RIGHTS_RESPONSE_DAYS", 30, minimum=1)
RIGHTS_REMIND_DAYS = env_int("XINQIAO_RIGHTS_REMIND_DAYS", 7, minimum=1)

STAFF_IDLE_MINUTES = env_int("XINQIAO_STAFF_IDLE_MINUTES", 15, minimum=1)
# The workbench keeps its counts this long at most, and only while nothing is written
# (core/workbench_cache.py); 0 counts on every load.
WORKBENCH_KEEP_SECONDS = env_int("XINQIAO_WORKBENCH_KEEP_SECONDS", 60, minimum=0)
# Refusals a person may collect in a minute before the answer is 429 and the director is told
# (issue 12: a student probed made-up case ids). The tests walk every route as one person.
REFUSALS_PER_MINUTE = env_int("XINQIAO_REFUSALS_PER_MINUTE", 10_000 if TESTING else 30, minimum=1)
# Reading patterns flagged to the director (issue 16 item 2; privacy/detectors.py): one person
# reading this many distinct students' files within this many minutes; reads outside the
# working hours (local time, start inclusive, end exclusive) on the working days (1 = Monday;
# every day by default: boarding schools hold evening study and weekend classes, so a weekday-only
# rule would flag ordinary work); this many refusals within the same window (slower probing
# than core/access.py's per-minute limit, which answers 429 and tells the director at once).
ACCESS_FLAG_FILES = env_int("XINQIAO_ACCESS_FLAG_FILES", 30, minimum=2)
ACCESS_FLAG_MINUTES = env_int("XINQIAO_ACCESS_FLAG_MINUTES", 10, minimum=1)
ACCESS_FLAG_REFUSALS = env_int("XINQIAO_ACCESS_FLAG_REFUSALS", 10, minimum=2)
# Reads under an access grant within its last hours (at most its last quarter) are flagged.
ACCESS_FLAG_GRANT_END_HOURS = env_int("XINQIAO_ACCESS_FLAG_GRANT_END_HOURS", 24, minimum=1)
ACCESS_WORK_START_HOUR = env_int("XINQIAO_ACCESS_WORK_START_HOUR", 7)
ACCESS_WORK_END_HOUR = env_int("XINQIAO_ACCESS_WORK_END_HOUR", 22)
if not 0 <= ACCESS_WORK_START_HOUR < ACCESS_WORK_END_HOUR <= 24:
    raise ImproperlyConfigured(
        "XINQIAO_ACCESS_WORK_START_HOUR and _END_HOUR must satisfy 0 <= start < end <= 24"
    )
_work_days = env_list("XINQIAO_ACCESS_WORK_DAYS", ["1", "2", "3", "4", "5", "6", "7"])
if not all(day in {"1", "2", "3", "4", "5", "6", "7"} for day in _work_days):
    raise ImproperlyConfigured(
        f"XINQIAO_ACCESS_WORK_DAYS must be days 1 (Monday) to 7 (Sunday), not {_work_days!r}"
    )
ACCESS_WORK_DAYS = frozenset(int(day) for day in _work_days)
SESSION_COOKIE_AGE = env_int("XINQIAO_SESSION_DAYS", 14, minimum=1) * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "xinqiao_session"
CSRF_COOKIE_NAME = "xinqiao_csrf"

# --- Security (production runs behind HTTPS) -------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("XINQIAO_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("XINQIAO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("XINQIAO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("XINQIAO_HSTS_PRELOAD", True)

# --- Language, time ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "xinqiao_language"
TIME_ZONE = env("XINQIAO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "uploads"
BACKUP_DIR = Path(env("XINQIAO_BACKUP_DIR") or DATA_DIR / "backups")
# The nightly backup (xinqiao worker): its hour, a second folder (a mounted disk or network
# share) and the rotation: the newest backup of each of the last N days, weeks and months.
BACKUP_SCHEDULE = env_bool("XINQIAO_BACKUP_SCHEDULE", True)
BACKUP_HOUR = env_int("XINQIAO_BACKUP_HOUR", 2)
if BACKUP_HOUR > 23:
    raise ImproperlyConfigured(f"XINQIAO_BACKUP_HOUR must be 0 to 23, not {BACKUP_HOUR}")
BACKUP_COPY_DIR = env("XINQIAO_BACKUP_COPY_DIR") or None
BACKUP_KEEP_DAILY = env_int("XINQIAO_BACKUP_KEEP_DAILY", 7, minimum=1)
BACKUP_KEEP_WEEKLY = env_int("XINQIAO_BACKUP_KEEP_WEEKLY", 4)
BACKUP_KEEP_MONTHLY = env_int("XINQIAO_BACKUP_KEEP_MONTHLY", 12)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Change history (django-auditlog) ----------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Logging: structured JSON lines; never confidential text ------------------------------
LOG_LEVEL = env("XINQIAO_LOG_LEVEL", "WARNING" if TESTING else "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "xinqiao.core.logging.RequestContextFilter"}},
    "formatters": {"json": {"()": "xinqiao.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Handlers of its own, so run_huey does not add a second, plain-text one.
        "huey": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

# --- E-mail (reminders, notifications); console in development -------------------------------
EMAIL_BACKEND = env(
    "XINQIAO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("XINQIAO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("XINQIAO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("XINQIAO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("XINQIAO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("XINQIAO_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env("XINQIAO_EMAIL_FROM", "xinqiao@localhost")

# --- Urgent notices on outside channels (core/delivery.py, issue 14) ---------------------------
# The address people's phones reach the server at: acknowledgement links in messages use it.
# In production it defaults to the first allowed host over HTTPS.
SITE_URL = env(
    "XINQIAO_SITE_URL",
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000",
).rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("XINQIAO_SITE_URL must start with http:// or https://.")
ACKNOWLEDGE_LINK_HOURS = env_int("XINQIAO_ACKNOWLEDGE_LINK_HOURS", 24, minimum=1)
# How often the bell and the notification list ask for news (htmx polling).
NOTIFICATION_POLL_SECONDS = env_int("XINQIAO_NOTIFICATION_POLL_SECONDS", 20, minimum=1)
# Minutes of silence before a new channel is tried (the channel form's first value).
DELIVERY_SILENCE_MINUTES = env_int("XINQIAO_DELIVERY_SILENCE_MINUTES", 5)
DELIVERY_ATTEMPTS = env_int("XINQIAO_DELIVERY_ATTEMPTS", 6, minimum=1)
# The first retry waits this long, each next one twice as long.
DELIVERY_RETRY_SECONDS = env_int("XINQIAO_DELIVERY_RETRY_SECONDS", 30, minimum=1)
# A worker owns a delivery this long; longer than a send may take (10 s timeout).
DELIVERY_LEASE_SECONDS = env_int("XINQIAO_DELIVERY_LEASE_SECONDS", 120, minimum=15)

NINJA_PAGINATION_PER_PAGE = 50
# A larger ``limit`` is refused with 422 (xinqiao.core.api.Pagination): scripts page through.
NINJA_PAGINATION_MAX_LIMIT = 100
NINJA_PAGINATION_CLASS = "xinqiao.core.api.Pagination"

# Research exports (issue 16 item 3): the default k of k-anonymity, the smallest number of
# students every released combination of quasi-identifiers covers (the form may raise it).
RESEARCH_EXPORT_K = env_int("XINQIAO_RESEARCH_EXPORT_K", 5, minimum=2)
