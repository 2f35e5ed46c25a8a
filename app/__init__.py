"""The field report system (hệ thống thông tin phản ánh hiện trường): the application factory."""
from __future__ import annotations

import logging
import os
import secrets

from flask import Flask
from sqlalchemy import inspect

from . import fab_compat
from .extensions import appbuilder, csrf, db, migrate
from .json_provider import JSONProvider

log = logging.getLogger(__name__)
MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


class ConfigurationError(RuntimeError):
    pass


SECRET_FILE = "secret_key"


def _secret_key(app: Flask) -> None:
    """SECRET_KEY signs sessions, CSRF tokens and JWTs. Production refuses to start without one;
    elsewhere a random key is made once and kept in ``instance/secret_key`` (owner-only)."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config["APP_ENV"] == "production":
        raise ConfigurationError(
            "SECRET_KEY chưa được đặt: môi trường production cần một khóa bí mật riêng, "
            "đủ dài và ngẫu nhiên (biến môi trường SECRET_KEY)."
        )
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, SECRET_FILE)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or by another process starting at the same time
        with open(path, encoding="ascii") as f:
            app.config["SECRET_KEY"] = f.read().strip()
        return
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    app.config["SECRET_KEY"] = key
    log.info("Đã tạo khóa bí mật cho môi trường phát triển: %s", path)


def schema_ready() -> bool:
    """True once `flask db upgrade` has built the tables (the CLI must work before that)."""
    return "unit" in inspect(db.engine).get_table_names()


def _wtforms_translations() -> None:
    """Give WTForms' messages the Vietnamese catalogue (translations/vi, which holds wtforms.pot).

    With WTF_I18N_ENABLED, Flask-WTF looks WTForms' messages up only in WTForms' own catalogues,
    which have no Vietnamese, so "Field cannot be longer than 255 characters." stayed English.
    Flask-WTF keeps the catalogue it uses for a request in ``request.wtforms_translations``;
    handing it Flask-Babel's (ours) makes every WTForms message, values filled in, Vietnamese.
    """
    from flask import request
    from flask_babel import get_translations

    request.wtforms_translations = get_translations()


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.path.join(os.path.dirname(MIGRATIONS_DIR), "instance"))
    app.json = JSONProvider(app)
    app.config.from_object("config")
    if overrides:
        app.config.update(overrides)
    _secret_key(app)
    os.makedirs(app.instance_path, exist_ok=True)
    fab_compat.apply()

    with app.app_context():
        db.init_app(app)
        # FAB's own Model.metadata holds our tables and FAB's security tables alike.
        migrate.init_app(app, db, directory=MIGRATIONS_DIR)
        csrf.init_app(app)
        appbuilder.init_app(app, db.session)
        app.before_request(_wtforms_translations)

        from . import errors, ops, templating
        from .services import notifications  # noqa: F401  (its @on_event hook: who is told)
        from .views.registry import register_views

        templating.init_app(app)
        errors.init_app(app)
        ops.init_app(app)
        register_views(appbuilder)
        from .services import statistics  # noqa: F401  (its @on_event hook keeps the assignments)
        _init_public_channel(app)
        _init_administration(app)
        # Roles and permissions are created and brought up to date by `flask seed` / `flask
        # demo`, never here: an administrator's edits in the role editor outlive a restart.
        if not schema_ready():
            log.warning("Cơ sở dữ liệu chưa được khởi tạo: chạy `flask --app app db upgrade`.")

    from .cli import register_commands

    register_commands(app)
    return app


def _init_administration(app: Flask) -> None:
    """The audit log hook, SSO and first-sign-in password change, one-time form tokens, the data
    console at /admin/."""
    from .console import init_console
    from .security import auth
    from .services import audit, counters, submissions

    audit.init_app(app, db)
    counters.init_app(db)
    auth.init_app(app)
    submissions.init_app(app)  # after the sign-in checks: a token is taken for a page that runs
    init_console(app, appbuilder, db)


def _init_public_channel(app: Flask) -> None:
    """Open311 at /open311/v2/ and the citizens' ratings hook (the portal is a view)."""
    from .services import public  # noqa: F401  (registers its workflow event hook)
    from .views import open311

    open311.init_app(app)


def sync_security() -> None:
    """Register every view's permissions and sync the declared roles (idempotent)."""
    from .security.roles import sync_roles
    from .services import audit

    with audit.acting_as("Hệ thống: đồng bộ vai trò và quyền"):
        sync_roles(appbuilder)
