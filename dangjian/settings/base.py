"""Base settings: every value comes from the environment with a safe default.

dev.py (make run), test.py (make test) and production.py extend this module.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from dangjian.env import env, env_bool, env_list, load_dev_keys

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env("DANGJIAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Secrets: taken from the environment; outside production a development key file
# under var/ (never in the database, never in git) is generated on first use.
_dev_keys = load_dev_keys(VAR_DIR / "dev-keys.json")
SECRET_KEY = env("DJANGO_SECRET_KEY", _dev_keys["secret_key"])
# Comma-separated Fernet keys: the first encrypts, all decrypt (key rotation, docs/security.md).
FIELD_ENCRYPTION_KEYS = env_list("DANGJIAN_FIELD_KEYS", _dev_keys["field_key"])
# Key of the keyed hash (blind index) used for exact lookup and uniqueness of ID numbers.
BLIND_INDEX_KEY = env("DANGJIAN_BLIND_INDEX_KEY", _dev_keys["blind_index_key"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "treebeard",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "apps.core",
    "apps.accounts",
    "apps.orgs",
    "apps.members",
    "apps.recruitment",
    "apps.dues",
    "apps.orglife",
    "apps.education",
    "apps.appraisal",
    "apps.care",
    "apps.democracy",
    "apps.excel",
    "apps.stats",
    "apps.mobility",
    "apps.supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.RequestContextMiddleware",
    "apps.core.middleware.NoStoreForSignedInMiddleware",
    "apps.core.middleware.QueryIntegerBoundsMiddleware",
    "apps.core.middleware.JsonBodyCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.SessionRefreshMiddleware",
    "apps.core.middleware.ChosenLanguageMiddleware",  # Chinese unless chosen otherwise
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.AccountStateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.ContentSecurityPolicyMiddleware",
    "apps.core.middleware.MethodNotAllowedPageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

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
                "django.template.context_processors.i18n",
                "apps.core.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite (WAL) under var/ by default; PostgreSQL through DATABASE_URL.
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# SQLite has one writer at a time, and every request writes (the session's idle timeout).
# A county's roster import holds the write lock for a few seconds while it commits; other
# requests wait for it (up to 30 s) instead of failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = int(env("DANGJIAN_SQLITE_BUSY_TIMEOUT_MS", "30000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS};"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # models.W040 "SQLite does not support indexes with non-key columns": the covering
    # indexes' INCLUDE columns are for PostgreSQL; on SQLite apps/core/sqlite_paths.py gives
    # each a NOCASE twin holding them as key columns. The warning printed on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Optional read replica for reports (docs/scale-out.md); the router sends report
# reads there when it is configured.
# PostgreSQL: server-side parameter binding with prepared statements (psycopg 3). A
# statement executed more than DANGJIAN_PG_PREPARE_THRESHOLD times on a connection is
# prepared: PostgreSQL parses it once per connection instead of on every request
# (docs/deployment.md, docs/performance.md). Empty (the default): Django's client-side
# binding, nothing prepared, as a transaction-mode connection pooler needs. At least 1: a
# migration's multi-command statement cannot be prepared on its first execution.
PG_PREPARE_THRESHOLD = env("DANGJIAN_PG_PREPARE_THRESHOLD", "").strip()
if PG_PREPARE_THRESHOLD and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if not PG_PREPARE_THRESHOLD.isdigit() or int(PG_PREPARE_THRESHOLD) < 1:
        raise ImproperlyConfigured(f"DANGJIAN_PG_PREPARE_THRESHOLD must be a whole number ≥ 1, not {PG_PREPARE_THRESHOLD!r}")
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=int(PG_PREPARE_THRESHOLD))
if env("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(env("DATABASE_REPLICA_URL"), conn_max_age=60)
DATABASE_ROUTERS = ["apps.core.routers.ReportReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "apps.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The reverse proxies whose X-Forwarded-For / X-Real-IP are believed (addresses or
# networks, comma-separated). Empty: REMOTE_ADDR is the client. apps/core/clientip.py.
TRUSTED_PROXIES = env_list("DANGJIAN_TRUSTED_PROXIES", "")

# Lockout: 5 failures lock the username + client address pair for 15 minutes; the same
# account from another address is not locked. The address is apps.core.clientip's.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "apps.core.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"  # JSON under /api/, page otherwise

# API tokens (apps.accounts.models.ApiToken): a fixed lifetime counted from issue (use
# does not extend it), and at most this many live tokens per user (the oldest go first).
API_TOKEN_LIFETIME_DAYS = int(env("DANGJIAN_API_TOKEN_DAYS", "30"))
API_TOKEN_MAX_PER_USER = 10

# Sessions: 30 minutes idle timeout. The expiry moves forward when the session is saved;
# apps.core.middleware.SessionRefreshMiddleware saves it at most once a minute instead of
# on every request (one UPDATE per GET before).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Input formats with ISO first, so date inputs render YYYY-MM-DD (dangjian/formats).
FORMAT_MODULE_PATH = ["dangjian.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.CappedCountPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dangjian 党员教育管理平台 API",
    "DESCRIPTION": "按组织树范围授权的党员教育管理接口。所有接口只返回当前用户管理范围内的数据。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationStatusEnum": "apps.orgs.models.Organisation.Status",
        "MemberStatusEnum": "apps.members.codes.STATUS_CHOICES",
        "DevelopmentFileStatusEnum": "apps.recruitment.models.DevelopmentFile.Status",
        "JobStatusEnum": "apps.excel.models.JobStatus",
        "TemporaryBranchStatusEnum": "apps.mobility.rules.TEMPORARY_STATUS_CHOICES",
        "ContactKindEnum": "apps.mobility.rules.CONTACT_KIND_CHOICES",
        "MobileRecordStatusEnum": "apps.mobility.rules.MOBILE_STATUS_CHOICES",
    },
}

TASKS = {
    "default": {
        "BACKEND": env("DANGJIAN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "WARNING")},
}

# Demo accounts (make run) keep their known passwords; elsewhere every new account
# must change its password at first login.
DEMO_MODE = env_bool("DANGJIAN_DEMO_MODE", False)

# Statistics snapshots (ADR 0011, `manage.py build_stats_snapshot`, daily): a subtree with at
# least this many counted members reads its member figures from the day's snapshot.
STATS_SNAPSHOT_MIN_MEMBERS = int(env("DANGJIAN_STATS_SNAPSHOT_MIN_MEMBERS", "2000"))
# Rows written up to this many seconds before a build are re-counted by readers (clock skew
# between application servers and the database).
STATS_SNAPSHOT_MARGIN_SECONDS = int(env("DANGJIAN_STATS_SNAPSHOT_MARGIN_SECONDS", "120"))
# More organisations changed since the build than this: count the subtree live instead.
STATS_SNAPSHOT_MAX_DIRTY = int(env("DANGJIAN_STATS_SNAPSHOT_MAX_DIRTY", "2000"))
