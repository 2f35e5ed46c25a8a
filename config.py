"""Configuration, read from environment variables (see README, "Cấu hình")."""
import os

from flask_appbuilder.const import AUTH_DB

from app.security.passwords import password_strength

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")

# development (default), testing or production. Production refuses to start without SECRET_KEY;
# elsewhere a random key is made once and kept in instance/secret_key (app/__init__.py).
APP_ENV = os.environ.get("APP_ENV", "development")

SECRET_KEY = os.environ.get("SECRET_KEY") or None


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or "sqlite:///" + os.path.join(INSTANCE_DIR, "phananh.db")
    # psycopg 3 is the driver we install; accept the usual spellings of a PostgreSQL URL.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


SQLALCHEMY_DATABASE_URI = _database_url()
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")

# Files attached to reports live outside static/, under generated names.
UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or os.path.join(INSTANCE_DIR, "uploads")
MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "10"))
MAX_CONTENT_LENGTH = (MAX_UPLOAD_MB * 5 + 1) * 1024 * 1024  # a request may carry several files

# Mail (DESIGN §9): the outbox worker `flask --app app notify worker` sends through this SMTP
# server; without MAIL_SERVER mails wait in the outbox. Links in mails start with APP_BASE_URL.
MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"  # STARTTLS
MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "") == "1"  # TLS from the start (port 465)
MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "phananh@localhost")
MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "20"))  # seconds per SMTP operation
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
APP_BASE_URL = os.environ.get("APP_BASE_URL", "http://127.0.0.1:8080")

# Logs: one line per record with the request id; LOG_FORMAT=json gives JSON lines.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

# --- Flask-AppBuilder -------------------------------------------------------------------------
APP_NAME = "Hệ thống thông tin phản ánh hiện trường"
APP_ICON = ""
APP_THEME = ""
FAB_BASE_TEMPLATE = "base_layout.html"
FAB_SECURITY_MANAGER_CLASS = "app.security.manager.SecurityManager"
FAB_INDEX_VIEW = "app.views.home.HomeView"
# Tables come from Alembic migrations; permissions and roles are synced by app.security.roles.
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False
FAB_ADD_SECURITY_API = False  # crashes with marshmallow 4 (FAB #2361)
FAB_API_SWAGGER_UI = True
FAB_API_MAX_PAGE_SIZE = 100
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Quản trị hệ thống"
AUTH_ROLE_PUBLIC = "Public"
AUTH_USER_REGISTRATION = False
FAB_PASSWORD_COMPLEXITY_ENABLED = True
FAB_PASSWORD_COMPLEXITY_VALIDATOR = password_strength

# --- Single sign-on (OpenID Connect; the provincial sso.thuathienhue.gov.vn) -------------------
# AUTH_TYPE stays AUTH_DB: the login page keeps the password form and adds an SSO button when
# these three are set (app/security/auth.py explains why). Unset: password sign-in only.
OIDC_DISCOVERY_URL = os.environ.get("OIDC_DISCOVERY_URL", "")  # …/.well-known/openid-configuration
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_SCOPE = os.environ.get("OIDC_SCOPE", "openid email profile")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "sso.thuathienhue.gov.vn")

# --- Security ---------------------------------------------------------------------------------
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None  # a handler may keep a form open all day; the token lives with the session
WTF_I18N_ENABLED = True  # WTForms' messages through Flask-Babel's Vietnamese catalogue
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = APP_ENV == "production"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
PERMANENT_SESSION_LIFETIME = 8 * 3600
# The page cache (app/ops/page_cache.py): a person's page sent again while no data changes and
# the minute is the same. memory:// keeps pages in each worker; redis://127.0.0.1:6379/1 shares
# them between workers and instances; off builds every page.
PAGE_CACHE = os.environ.get("PAGE_CACHE", "memory://")
# Login rate limit: FAB applies AUTH_RATE_LIMIT only when both flags are on.
RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute")
# Shared storage for several app instances (e.g. redis://127.0.0.1:6379/0); memory is per process.
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
RATELIMIT_HEADERS_ENABLED = True
# Lockout: after this many wrong passwords in a row an account is refused for so many minutes
# (whatever the password); an administrator can unlock it sooner ("Danh sách người dùng").
AUTH_LOCKOUT_FAILURES = int(os.environ.get("AUTH_LOCKOUT_FAILURES", "5"))
AUTH_LOCKOUT_MINUTES = int(os.environ.get("AUTH_LOCKOUT_MINUTES", "15"))
# The public channel (portal /cong-khai/, Open311 POST): per address, no outside service.
PUBLIC_POST_RATE_LIMIT = os.environ.get("PUBLIC_POST_RATE_LIMIT", "5 per minute; 50 per day")
PUBLIC_TRACK_RATE_LIMIT = os.environ.get("PUBLIC_TRACK_RATE_LIMIT", "20 per minute; 200 per day")
# A person needs longer than this between opening "Gửi phản ánh" and sending it (seconds).
PUBLIC_MIN_FILL_SECONDS = float(os.environ.get("PUBLIC_MIN_FILL_SECONDS", "4"))

# --- Language and time ------------------------------------------------------------------------
BABEL_DEFAULT_LOCALE = "vi"
BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
BABEL_DEFAULT_FOLDER = os.path.join(BASE_DIR, "translations")
BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASE_DIR, "translations")
LANGUAGES = {"vi": {"flag": "vn", "name": "Tiếng Việt"}}
