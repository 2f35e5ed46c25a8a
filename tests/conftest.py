"""Test fixtures: one application and one migrated, seeded database per test run.

SQLite by default (a fresh file); PostgreSQL when TEST_DATABASE_URL is set (CI sets it): the
schema is dropped and rebuilt by the Alembic migrations, exactly as `flask db upgrade` does.
"""
from __future__ import annotations

import itertools
import os
import socket
import re
import tempfile

import pytest
import sqlalchemy as sa

DEMO_PASSWORD = "Demo2019pass"
_addresses = itertools.count(1)

os.environ.setdefault("DEMO_PASSWORD", DEMO_PASSWORD)


def _database_url(tmp_dir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(tmp_dir, "test.db")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def fresh_database(tmp: str, name: str) -> str:
    """A new empty database for a second application (served or run as a command): SQLite in
    ``tmp``, or, when the suite runs against PostgreSQL (TEST_DATABASE_URL), a database of its
    own on the same server."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(tmp, f"{name}.db")
    server = sa.engine.make_url(url.replace("postgres://", "postgresql://", 1))
    database = f"{server.database}_{name}"
    _postgres_admin(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
                    f'CREATE DATABASE "{database}"')
    return server.set(database=database).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        target = sa.engine.make_url(url)
        _postgres_admin(target, f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


def _postgres_admin(server, *statements: str) -> None:
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    admin.dispose()


@pytest.fixture(scope="session")
def app():
    tmp_dir = tempfile.mkdtemp(prefix="phananh-test-")
    url = _database_url(tmp_dir)
    os.environ["DATABASE_URL"] = url  # for CLI commands run in a subprocess
    from flask_migrate import upgrade

    from app import create_app, sync_security
    from app.services.demo import load_demo
    from app.services.seed import seed_catalogues

    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "UPLOAD_FOLDER": os.path.join(tmp_dir, "uploads"),
            "AUTH_RATE_LIMIT": "10 per minute",
            # Tests type wrong passwords on the shared demo accounts; the lockout test sets
            # its own threshold (tests/test_sign_in_defence.py).
            "AUTH_LOCKOUT_FAILURES": 1000,
        }
    )
    with application.app_context():
        upgrade()
        seed_catalogues()
        sync_security()
        load_demo()
    application.config["TEST_TMP_DIR"] = tmp_dir
    yield application


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def db(app_ctx):
    from app.extensions import db as database

    yield database
    database.session.rollback()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "the form carries no CSRF token"
    return match.group(1)


def new_client(app):
    """A test client with an address of its own, so the login rate limit counts it alone."""
    n = next(_addresses)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    return client


def login(app, username: str, password: str = DEMO_PASSWORD):
    """A test client signed in through the login form (with its CSRF token)."""
    client = new_client(app)
    page = client.get("/login/")
    response = client.post(
        "/login/",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def api_token(app, username: str, password: str = DEMO_PASSWORD) -> str:
    response = new_client(app).post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": False},
    )
    assert response.status_code == 200, response.text
    return response.json["access_token"]


def api_client(app, username: str):
    """A test client and headers carrying a JWT for ``username``."""
    return new_client(app), {"Authorization": f"Bearer {api_token(app, username)}"}


def free_port() -> int:
    """A TCP port nobody listens on now, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
