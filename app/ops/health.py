"""Health checks for a load balancer or systemd: no sign-in, no session, one cheap query.

- ``/healthz``: the process answers (no database access at all).
- ``/readyz``: the database answers and its schema is at the newest migration of this code;
  503 with the reason otherwise, so a proxy sends no traffic to an instance that would fail.
"""
from __future__ import annotations

import functools
import os

from flask import Blueprint, current_app, jsonify, session
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import csrf, db, limiter

health = Blueprint("health", __name__)


@functools.cache
def migration_scripts():
    """This code's Alembic migrations (read once: the files do not change at run time)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from .. import MIGRATIONS_DIR

    config = Config(os.path.join(MIGRATIONS_DIR, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return ScriptDirectory.from_config(config)


def code_revision() -> str:
    """The newest migration this code ships."""
    return migration_scripts().get_current_head()


def database_revision() -> str | None:
    """The schema's migration; None for a database that answers but was never migrated."""
    db.session.execute(text("SELECT 1"))
    try:
        with db.session.begin_nested():
            return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def _answer(code: int, **body):
    response = jsonify(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


@health.get("/healthz")
def healthz():
    return _answer(200, status="ok")


@health.get("/readyz")
def readyz():
    try:
        revision = database_revision()
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("readyz: cơ sở dữ liệu không phản hồi: %s", exc.__class__.__name__)
        return _answer(503, status="unavailable", reason="Cơ sở dữ liệu không phản hồi.")
    expected = code_revision()
    if revision != expected:
        return _answer(
            503, status="unavailable", revision=revision, expected=expected,
            reason=f"Cơ sở dữ liệu ở phiên bản {revision or 'trống'}, mã nguồn cần {expected}: "
                   "chạy `flask --app app db upgrade`.",
        )
    return _answer(200, status="ok", revision=revision)


@health.after_request
def _no_session(response):
    # FAB (the locale) and Flask-Login write into the session of every request: a probe that
    # comes every few seconds must not be handed a cookie.
    session.clear()
    session.modified = False
    return response


def init_app(app) -> None:
    # Probes come every few seconds from every balancer: never rate-limited, no form to protect.
    limiter.exempt(health)
    csrf.exempt(health)
    app.register_blueprint(health)
