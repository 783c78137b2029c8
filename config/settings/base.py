"""Settings shared by every Logitrack deployment.

DEBUG is off everywhere; secrets never have a default. ``local`` adds the embedded defaults used by
``make run``, ``test`` the test-suite tweaks and ``prod`` the hardened production profile.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.settings.env import data_dir, env_bool, env_int, env_list, env_str

DATA_DIR = data_dir()

DEBUG = env_bool("DJANGO_DEBUG", False)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "ninja",
    "logitrack.core",
    "logitrack.addresses",
    "logitrack.tenancy",
    "logitrack.accounts",
    "logitrack.security",
    "logitrack.privacy",
    "logitrack.privacy.consent",
    "logitrack.privacy.breaches",
    "logitrack.privacy.policies",
    "logitrack.privacy.erasure",
    "logitrack.logistics",
    "logitrack.imports",
    "logitrack.tracking",
    "logitrack.notifications",
    "logitrack.analytics",
    "logitrack.web",
]

MIDDLEWARE = [
    "logitrack.core.middleware.RequestLogMiddleware",
    "logitrack.core.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside every middleware that sets a cookie, so that it sees (and drops) all of them.
    "logitrack.privacy.cookies.middleware.CookieConsentMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "logitrack.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "logitrack.tenancy.middleware.PrincipalMiddleware",
    "logitrack.tenancy.middleware.AccessDeclarationMiddleware",
    # After the access declarations: a material policy change is accepted before other pages.
    "logitrack.privacy.policies.middleware.PolicyAcceptanceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "logitrack.web.middleware.MethodNotAllowedMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "logitrack.privacy.cookies.context.cookie_consent",
            ],
        },
    },
]


def database_settings() -> dict[str, Any]:
    """The default database: ``DATABASE_URL`` when set, else SQLite in WAL mode under DATA_DIR."""
    url = env_str("DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        config["CONN_HEALTH_CHECKS"] = True
        if config["ENGINE"] == "django.db.backends.postgresql":
            # A server that accepts the TCP connection but does not answer (restarting, or a
            # network that drops packets) fails a connect after 5 s instead of hanging it
            # (libpq's connect_timeout; a URL's own ?connect_timeout= wins).
            config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "logitrack.sqlite3",
        "OPTIONS": {
            # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock
            # at BEGIN so that concurrent writers queue instead of failing with "locked".
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
        # Kept open across requests, as PostgreSQL's are: opening a SQLite connection (file,
        # WAL index, the PRAGMAs above) per request costs more than most queries (ADR 0024).
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": database_settings()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
]

# Internationalisation: Vietnamese first, English second; times stored in UTC.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Our own date and time formats per language: vi 29/11/2026 14:05, en 29 Nov 2026 14:05.
FORMAT_MODULE_PATH = ["logitrack.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS everywhere: the plain-HTTP listener only redirects, Django itself always sees TLS.
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Cookies: Secure, SameSite=Lax, names with the __Host- prefix (Secure, Path=/, no Domain).
SESSION_COOKIE_NAME = "__Host-logitrack_session"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
CSRF_COOKIE_NAME = "__Host-logitrack_csrf"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "logitrack.web.views.csrf_failure"
LANGUAGE_COOKIE_NAME = "__Host-logitrack_lang"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_PATH = "/"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60

_IMG_SRC: list[str] = [SELF, "data:"]  # and the map tiles' origin (below)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": _IMG_SRC,
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": True,
    },
}

# Request bodies: anything larger is answered 413 before it is read.
LOGITRACK_MAX_BODY_BYTES = env_int("LOGITRACK_MAX_BODY_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = LOGITRACK_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Django's file storage sets 0644 on every file it writes, whatever the umask: uploads and
# collected static files stay readable by this account only, like the rest of DATA_DIR (ADR 0013).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# The development outbox: one 0600 file per message in a 0700 directory (logitrack.core.mail).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "logitrack.core.mail.PrivateFileEmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Logitrack <no-reply@logitrack.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Demo data (``logitrack demo``): each app with demo objects adds its loader here.
LOGITRACK_DEMO_ALLOWED = True
DEMO_LOADERS = [
    "logitrack.tenancy.demo.load",
    "logitrack.logistics.demo.load",
    "logitrack.tracking.demo.load",
    "logitrack.privacy.demo.load",
]

# --- Orders and shipments (logitrack.logistics; docs/adr/0018, 0019) ------------------------------
# The highest cash-on-delivery amount an order may carry, in VND.
LOGITRACK_COD_CAP_VND = env_int("LOGITRACK_COD_CAP_VND", 100_000_000)

LOGITRACK_HTTPS_PORT = env_int("LOGITRACK_HTTPS_PORT", 8443)
LOGITRACK_HTTP_PORT = env_int("LOGITRACK_HTTP_PORT", 8080)
LOGITRACK_BIND = env_str("LOGITRACK_BIND", "127.0.0.1")

# --- Device ingestion (docs/adr/0025) -------------------------------------------------------------
# The gateway's HTTPS port for the OsmAnd protocol and the batch API (``logitrack gateway``).
LOGITRACK_OSMAND_PORT = env_int("LOGITRACK_OSMAND_PORT", 5055)
LOGITRACK_GATEWAY_WORKERS = env_int("LOGITRACK_GATEWAY_WORKERS", 1)
# How long the gateway waits for a request's headers, counted from the end of the previous
# answer on a keep-alive connection (granian has one timer for both; docs/adr/0040): trackers
# reporting every 10-60 s keep their connection, a client trickling header bytes is cut.
LOGITRACK_GATEWAY_HEADER_TIMEOUT_MS = env_int("LOGITRACK_GATEWAY_HEADER_TIMEOUT_MS", 60_000)
# The plain-HTTP legacy port for OsmAnd trackers that cannot speak TLS (docs/adr/0030): 0, the
# default, opens no listener; even when open it accepts only devices of tenants that turned it on.
LOGITRACK_OSMAND_PLAIN_PORT = env_int("LOGITRACK_OSMAND_PLAIN_PORT", 0)
# Group commit: a transaction gathers positions for at most this many ms or rows.
LOGITRACK_INGEST_COMMIT_WINDOW_MS = env_int("LOGITRACK_INGEST_COMMIT_WINDOW_MS", 5)
LOGITRACK_INGEST_COMMIT_MAX_ROWS = env_int("LOGITRACK_INGEST_COMMIT_MAX_ROWS", 2000)
# A fix further ahead of the server's clock than this is refused.
LOGITRACK_INGEST_MAX_FUTURE_S = env_int("LOGITRACK_INGEST_MAX_FUTURE_S", 600)
LOGITRACK_INGEST_ACK_TIMEOUT_S = env_int("LOGITRACK_INGEST_ACK_TIMEOUT_S", 10)
LOGITRACK_INGEST_MAX_BODY = env_int("LOGITRACK_INGEST_MAX_BODY", 256 * 1024)
# Per device and gateway process: single reports per second (and burst), batch positions.
LOGITRACK_INGEST_DEVICE_RATE = env_int("LOGITRACK_INGEST_DEVICE_RATE", 50)
LOGITRACK_INGEST_DEVICE_BURST = env_int("LOGITRACK_INGEST_DEVICE_BURST", 500)
LOGITRACK_INGEST_BATCH_RATE = env_int("LOGITRACK_INGEST_BATCH_RATE", 2000)
LOGITRACK_INGEST_BATCH_BURST = env_int("LOGITRACK_INGEST_BATCH_BURST", 20000)
# MQTT (logitrack/tracking/ingest/mqtt.py): empty URL turns the subscriber off.
# mqtt://user:password@host:1883 or mqtts://host:8883 (TLS; LOGITRACK_MQTT_CA names a CA file).
LOGITRACK_MQTT_URL = env_str("LOGITRACK_MQTT_URL", "")
LOGITRACK_MQTT_CA = env_str("LOGITRACK_MQTT_CA", "")
LOGITRACK_MQTT_TOPIC_PREFIX = env_str("LOGITRACK_MQTT_TOPIC_PREFIX", "logitrack/v1")
TLS_DIR = DATA_DIR / "tls"

# Logging (ADR 0013): every logger propagates to the root logger, whose only handler carries the
# redacting filter (logitrack.core.logging.RedactingFilter); no logger has a handler of its own,
# so nothing reaches an output without passing the filter. Django's default handlers (console,
# mail_admins, django.server) are replaced by naming their loggers here with no handlers.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "logitrack.core.logging.RedactingFilter"}},
    "formatters": {"json": {"()": "logitrack.core.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]},
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # 4xx warnings repeat RequestLogMiddleware's line; 5xx errors carry the traceback.
        "django.request": {"handlers": [], "level": "ERROR", "propagate": True},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": True},
        "django.security": {"handlers": [], "level": "WARNING", "propagate": True},
        "django.db.backends": {"handlers": [], "level": "WARNING", "propagate": True},
        "logitrack": {"handlers": [], "level": "INFO", "propagate": True},
        "py.warnings": {"handlers": [], "level": "WARNING", "propagate": True},
        # granian's own loggers, in the worker processes where Django configures logging.
        "_granian": {"handlers": [], "level": "WARNING", "propagate": True},
        "granian.access": {"handlers": [], "level": "WARNING", "propagate": True},
        # redis-py gives this logger a bare StreamHandler of its own (redis.utils._set_info_logger)
        # unless it already exists, and logs every pub/sub message at DEBUG. Declared here, it
        # exists from start-up, so no such handler is added (and dictConfig removes one added
        # before); its records reach the root's redacting handler, message bodies never.
        "push_response": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}

# --- Authentication (logitrack.accounts; docs/adr/0007-authentication.md) ------------------------
# Appended as one block so that the accounts app owns these lines; it edits the lists above
# in place rather than repeating them.
INSTALLED_APPS.append("axes")
# Timeouts are checked right after the user is loaded and before the principal is built.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "logitrack.accounts.middleware.SessionTimeoutMiddleware",
)
# django-axes turns a lockout flagged during authentication into the response; it goes last.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Argon2id at m=64 MiB, t=3, p=1 (see the ADR and bench/argon2_login.py), over the NFKC form of
# the password (ADR 0011); the second entry verifies older hashes of the password as typed, which
# are re-hashed with the first at the next sign-in.
PASSWORD_HASHERS = [
    "logitrack.accounts.hashers.NfkcArgon2PasswordHasher",
    "logitrack.accounts.hashers.LogitrackArgon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "logitrack.accounts.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "logitrack.accounts.password_validation.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "logitrack.accounts.password_validation.ListedPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60

# Sessions are stored by a keyed hash of their key, never the key itself (ADR 0013).
SESSION_ENGINE = "logitrack.accounts.session_store"

LOGITRACK_SESSION_IDLE_SECONDS = env_int("LOGITRACK_SESSION_IDLE_SECONDS", 30 * 60)
LOGITRACK_SESSION_ABSOLUTE_SECONDS = env_int("LOGITRACK_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = LOGITRACK_SESSION_ABSOLUTE_SECONDS

# Links in e-mails are built from this, never from the request's Host header.
LOGITRACK_PUBLIC_URL = env_str("LOGITRACK_PUBLIC_URL", f"https://localhost:{LOGITRACK_HTTPS_PORT}")

# Brute-force protection: 5 failures lock that e-mail from that IP address for 15 minutes; the
# same e-mail from another address is not locked, so an attacker cannot lock the owner out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours, i.e. 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "logitrack.accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "logitrack.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "logitrack.accounts.lockout.lockout_response"
# No e-mail or IP address in axes' log lines; successful sign-ins are in UserSession and the
# audit chain, so axes' own access log (more personal data) stays off.
AXES_VERBOSE = False
AXES_CLIENT_STR_CALLABLE = "logitrack.accounts.lockout.client_str"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
# axes logs successes at INFO and failures and lockouts at WARNING (as digests, see
# AXES_CLIENT_STR_CALLABLE); keep the warnings only.
LOGGING["loggers"]["axes"] = {"handlers": [], "level": "WARNING", "propagate": True}

# --- Field encryption (logitrack.core.crypto, docs/adr/0005-field-encryption.md) -----------------
# The master keyring never lives in the database: LOGITRACK_MASTER_KEY holds one or more entries
# "id:base64-of-32-random-bytes" (or a bare base64 key) separated by commas, newest last, or
# LOGITRACK_MASTER_KEY_FILE names a file with one entry per line. New data keys are wrapped with
# the newest entry; each wrapped key names the entry that unwraps it. Production refuses to start
# without one (prod.py); the embedded default generates DATA_DIR/master.key (local.py).
LOGITRACK_MASTER_KEY = env_str("LOGITRACK_MASTER_KEY")
LOGITRACK_MASTER_KEY_FILE = env_str("LOGITRACK_MASTER_KEY_FILE")
# Unwrapped data keys stay in a process's memory at most this long (an LRU of this many), so a
# key destroyed by another process stops decrypting everywhere within that time.
LOGITRACK_DATA_KEY_CACHE_SECONDS = env_int("LOGITRACK_DATA_KEY_CACHE_SECONDS", 60)
LOGITRACK_DATA_KEY_CACHE_SIZE = env_int("LOGITRACK_DATA_KEY_CACHE_SIZE", 4096)

# --- Tenancy (logitrack.tenancy; docs/adr/0008-tenancy-and-access.md) -----------------------------
# Partners' `Authorization: Bearer lt_...` keys: PrincipalMiddleware calls this to bind the key's
# tenant and permissions, and answers 401 invalid_api_key when it returns None.
LOGITRACK_API_KEY_AUTHENTICATOR = "logitrack.tenancy.api_keys.authenticate_bearer"
# htmx (served from django-htmx's static files) reloads the commune list of the address forms.
if "django_htmx" not in INSTALLED_APPS:
    INSTALLED_APPS.append("django_htmx")

# --- Maps (logitrack.tracking: live map, playback, geofences) ----------------------------------
# Leaflet and Leaflet.draw come from django-leaflet's static files (a PyPI package, nothing pasted
# into the repository). Tiles come from LOGITRACK_MAP_TILE_URL (an XYZ template); its origin is
# added to the Content-Security-Policy's img-src. Without network access the tiles fail and the
# map still draws markers, tracks and geofences on a blank background.
if "leaflet" not in INSTALLED_APPS:
    INSTALLED_APPS.append("leaflet")
# Leaflet.markercluster from the xstatic-leaflet-markercluster wheel (PyPI), served under
# static/leaflet.markercluster/ by its own finder (docs/adr/0056).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "logitrack.tracking.map.staticfiles.MarkerClusterFinder",
]
LOGITRACK_MAP_TILE_URL = env_str(
    "LOGITRACK_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
LOGITRACK_MAP_ATTRIBUTION = env_str(
    "LOGITRACK_MAP_ATTRIBUTION", "&copy; OpenStreetMap contributors"
)
_tile_origin = urlsplit(LOGITRACK_MAP_TILE_URL.replace("{s}", "a"))
if _tile_origin.scheme in ("https", "http") and _tile_origin.netloc:
    _tile_host = (
        _tile_origin.netloc.replace("a.", "*.", 1)
        if "{s}" in LOGITRACK_MAP_TILE_URL
        else _tile_origin.netloc
    )
    _IMG_SRC.append(f"{_tile_origin.scheme}://{_tile_host}")
# Geofences larger than this (km², geodesic) are refused (code geofence_too_large): a district is
# a few hundred km²; a geofence the size of a province is a mistake that fires for every vehicle.
LOGITRACK_GEOFENCE_MAX_AREA_KM2 = env_int("LOGITRACK_GEOFENCE_MAX_AREA_KM2", 2_500)

# --- Background jobs, cache and rate limits (docs/adr/0009, docs/adr/0012) -----------------------
# Django's tasks API through the django-tasks backport: the database backend (django-tasks-db) by
# default, whose worker `logitrack serve` supervises; RQ on Redis (django-tasks-rq) when REDIS_URL
# is set. The cache holds the rate-limit counters: a database table shared by every process of
# one machine by default, Django's own RedisCache (shared across machines) with REDIS_URL.
REDIS_URL = env_str("REDIS_URL")
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS: dict[str, Any] = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}
CACHES: dict[str, Any] = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "logitrack_cache",
        # Culling would let a flood of new keys evict the counters that limit it.
        "OPTIONS": {"MAX_ENTRIES": 1_000_000, "CULL_FREQUENCY": 10},
    },
}
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "logitrack",
        },
    }
# Any limit of logitrack/security/throttle.py's DEFAULT_RATES can be changed per deployment:
# LOGITRACK_RATE_LIMITS="signin.ip=60/10m,password_reset.account=5/h".
LOGITRACK_RATE_LIMITS = {
    name.strip(): rate.strip()
    for name, _, rate in (item.partition("=") for item in env_list("LOGITRACK_RATE_LIMITS", []))
}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = "rl:"
# Rate limits are always on; tests prove each one by exceeding it.
RATELIMIT_ENABLE = True

# --- Documents (logitrack.documents; docs/adr/0023) ---------------------------------------------
# Uploaded files: type from the bytes, images re-encoded without metadata, encrypted per file
# under the tenant's key, stored under server-generated keys in the storage named by
# LOGITRACK_DOCUMENT_STORAGE.
INSTALLED_APPS.append("logitrack.documents")
LOGITRACK_DOCUMENT_STORAGE = env_str("LOGITRACK_DOCUMENT_STORAGE", "default")
LOGITRACK_DOCUMENT_MAX_BYTES = env_int("LOGITRACK_DOCUMENT_MAX_BYTES", 15 * 1024 * 1024)
# Images: more pixels than this is a decompression bomb (a 48-megapixel phone photo passes).
LOGITRACK_DOCUMENT_MAX_PIXELS = env_int("LOGITRACK_DOCUMENT_MAX_PIXELS", 50_000_000)
# XLSX: members, total inflated bytes, and inflated bytes per compressed byte of one member.
LOGITRACK_XLSX_MAX_MEMBERS = env_int("LOGITRACK_XLSX_MAX_MEMBERS", 2_000)
LOGITRACK_XLSX_MAX_EXPANDED_BYTES = env_int("LOGITRACK_XLSX_MAX_EXPANDED_BYTES", 200 * 1024 * 1024)
LOGITRACK_XLSX_MAX_RATIO = env_int("LOGITRACK_XLSX_MAX_RATIO", 200)
# The size limit is counted while the body streams in, before Django's own handlers buffer it.
FILE_UPLOAD_HANDLERS = [
    "logitrack.documents.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Routes that take a document may receive a body as large as one document and its form fields;
# every other route keeps LOGITRACK_MAX_BODY_BYTES (core.middleware.BodySizeLimitMiddleware).
LOGITRACK_UPLOAD_BODY_BYTES = LOGITRACK_DOCUMENT_MAX_BYTES + 1024 * 1024
LOGITRACK_UPLOAD_PATHS = [
    r"^/api/v1/shipments/[^/]+/documents$",
    r"^/api/v1/shipments/[^/]+/proof-of-delivery$",
    r"^/documents/shipments/[^/]+/upload/$",
    r"^/driver/shipments/[^/]+/",
    r"^/ingest/camera$",
]
# Camera snapshots (logitrack.tracking.cameras): largest file, most pixels, and how far from the
# snapshot's time an RFID read at the same dock links it to a shipment.
LOGITRACK_CAMERA_MAX_BYTES = env_int("LOGITRACK_CAMERA_MAX_BYTES", 10 * 1024 * 1024)
LOGITRACK_CAMERA_MAX_PIXELS = env_int("LOGITRACK_CAMERA_MAX_PIXELS", 40_000_000)
# The face detector searches a copy this many pixels on its longest side: smaller is faster and
# misses smaller faces (20 px on the copy: 75 px tall in a 1080p frame at 512, 60 px at 640).
# bench/rfid_blur.py, quiet 2-core machine: 113 ms median at 512 (the 150 ms budget), 158 at 640.
LOGITRACK_CAMERA_DETECT_SIDE = env_int("LOGITRACK_CAMERA_DETECT_SIDE", 512)
# Snapshots per second per camera (and burst), per process: each costs a core ~0.25 s to blur.
LOGITRACK_CAMERA_RATE = env_int("LOGITRACK_CAMERA_RATE", 1)
LOGITRACK_CAMERA_BURST = env_int("LOGITRACK_CAMERA_BURST", 10)
LOGITRACK_CAMERA_SHIPMENT_WINDOW_SECONDS = env_int("LOGITRACK_CAMERA_SHIPMENT_WINDOW_SECONDS", 600)
# Paths whose `Authorization: Bearer` carries a device token, checked by the view itself: the
# API-key middleware (tenancy.middleware.PrincipalMiddleware) leaves them anonymous.
LOGITRACK_DEVICE_BEARER_PATHS = [r"^/ingest/camera$", r"^/ingest/rfid/zebra$"]
# Threads per gateway process that store RFID batches (0: 1 on SQLite, 4 on PostgreSQL).
LOGITRACK_RFID_THREADS = env_int("LOGITRACK_RFID_THREADS", 0)

# --- Partners, disclosures and breaches (logitrack.privacy.breaches; docs/adr/0036) ---------------
# The app itself is listed in INSTALLED_APPS right after logitrack.privacy.
# Who Logitrack is on the breach report to the authority (Decree 356/2025/ND-CP) and in notices.
LOGITRACK_OPERATOR_NAME = env_str("LOGITRACK_OPERATOR_NAME", "Logitrack")
LOGITRACK_OPERATOR_ADDRESS = env_str("LOGITRACK_OPERATOR_ADDRESS", "")
LOGITRACK_OPERATOR_TAX_CODE = env_str("LOGITRACK_OPERATOR_TAX_CODE", "")
LOGITRACK_PRIVACY_CONTACT_EMAIL = env_str(
    "LOGITRACK_PRIVACY_CONTACT_EMAIL", "privacy@logitrack.local"
)

# --- Backups (logitrack.security.backups; docs/adr/0055) ------------------------------------------
# Encrypted dumps and their manifests; keep them on another disk or machine than the database.
LOGITRACK_BACKUP_DIR = env_str("LOGITRACK_BACKUP_DIR") or str(DATA_DIR / "backups")
# `logitrack backup prune` (and the daily job) deletes backups older than this, never the newest.
LOGITRACK_BACKUP_KEEP_DAYS = env_int("LOGITRACK_BACKUP_KEEP_DAYS", 30)
# Where pg_dump and pg_restore are; empty: the newest /usr/lib/postgresql/*/bin, then PATH.
LOGITRACK_PG_BIN_DIR = env_str("LOGITRACK_PG_BIN_DIR")
