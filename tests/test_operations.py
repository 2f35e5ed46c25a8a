"""Running the app: health checks, request ids in the logs, database outages, backups."""
from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import tarfile

import pytest
import sqlalchemy as sa

from conftest import new_client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- Health ------------------------------------------------------------------------------------

def test_healthz_answers_without_session_or_sign_in(app):
    response = new_client(app).get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_names_the_schema_revision(app, db):
    expected = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    response = new_client(app).get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "revision": expected}
    assert "Set-Cookie" not in response.headers


def test_readyz_refuses_a_database_behind_the_code(app, db):
    current = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    try:
        response = new_client(app).get("/readyz")
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["revision"] == "0001"
    assert "flask --app app db upgrade" in response.json["reason"]


# --- Request ids -------------------------------------------------------------------------------

def test_every_answer_carries_a_request_id(app):
    client = new_client(app)
    mine = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a-01"})
    assert mine.headers["X-Request-ID"] == "lb-7f3a-01"
    made = client.get("/login/")
    assert len(made.headers["X-Request-ID"]) == 32
    # Something that could forge log lines is not taken over.
    forged = client.get("/healthz", headers={"X-Request-ID": "x injected=line"})
    assert forged.headers["X-Request-ID"] != "x injected=line"


def test_json_log_lines_carry_the_request_id(app):
    from app.ops.logs import JsonFormatter, RequestIdFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("phananh.test")
    logger.addHandler(handler)
    try:
        with app.test_request_context("/", headers={"X-Request-ID": "req-42"}):
            app.preprocess_request()
            logger.warning("Đã nhận phản ánh")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["request_id"] == "req-42"
    assert line["message"] == "Đã nhận phản ánh"
    assert line["level"] == "WARNING"


# --- A database that goes away -----------------------------------------------------------------

def _flaky_app(failures: int, calls: list):
    """A WSGI app that answers as the app does while the database is down, ``failures`` times."""
    from app.ops.database import _RETRY_MARK

    def wsgi(environ, start_response):
        calls.append(environ["REQUEST_METHOD"])
        if len(calls) <= failures:
            start_response("503 SERVICE UNAVAILABLE", [(_RETRY_MARK, "1"), ("Retry-After", "5")])
            return [b"down"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"up"]

    return wsgi


def _call(middleware, method: str):
    from werkzeug.test import run_wsgi_app
    from werkzeug.test import EnvironBuilder

    app_iter, status, headers = run_wsgi_app(middleware, EnvironBuilder(method=method).get_environ())
    return status, dict(headers), b"".join(app_iter)


def test_reads_are_retried_while_the_database_comes_back():
    from app.ops.database import RetryReads

    calls: list = []
    status, headers, body = _call(RetryReads(_flaky_app(2, calls), delays=(0, 0, 0)), "GET")
    assert (status, body, calls) == ("200 OK", b"up", ["GET", "GET", "GET"])


def test_writes_are_not_retried_and_the_mark_stays_inside():
    from app.ops.database import _RETRY_MARK, RetryReads

    calls: list = []
    status, headers, body = _call(RetryReads(_flaky_app(5, calls), delays=(0, 0, 0)), "POST")
    assert status.startswith("503") and calls == ["POST"]
    assert _RETRY_MARK not in headers and headers["Retry-After"] == "5"


def test_reads_give_up_after_a_bounded_number_of_tries():
    from app.ops.database import RetryReads

    calls: list = []
    status, _, _ = _call(RetryReads(_flaky_app(99, calls), delays=(0, 0, 0)), "GET")
    assert status.startswith("503") and len(calls) == 4


# --- Backups -----------------------------------------------------------------------------------

def _cli(env: dict, *args, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, capture_output=True,
        text=True, env={**os.environ, **env}, timeout=300, input=stdin,
    )


@pytest.fixture(scope="module")
def backup_site(tmp_path_factory):
    """A database of its own (same engine as the suite) with the demo data, and its uploads."""
    work = tmp_path_factory.mktemp("backup")
    test_url = os.environ.get("TEST_DATABASE_URL")
    if test_url:
        name = sa.engine.make_url(test_url).database + "_backup"
        admin = sa.create_engine(sa.engine.make_url(test_url).set(
            drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(test_url).set(database=name).render_as_string(False)
    else:
        admin, url = None, "sqlite:///" + str(work / "site.db")
    env = {"DATABASE_URL": url, "UPLOAD_FOLDER": str(work / "uploads")}
    for step in (("db", "upgrade"), ("demo",)):
        result = _cli(env, *step)
        assert result.returncode == 0, result.stderr
    yield env, work, url
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _scalar(url: str, sql: str):
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()
    finally:
        engine.dispose()


def _execute(url: str, sql: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def test_backup_round_trip_restores_database_and_files(backup_site):
    env, work, url = backup_site
    archive = str(work / "sao-luu.tar.gz")
    created = _cli(env, "backup", "create", archive)
    assert created.returncode == 0, created.stderr
    assert "15 phản ánh" in created.stdout

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    assert manifest["counts"]["report"] == 15
    assert manifest["dialect"] == ("postgresql" if url.startswith("postgresql") else "sqlite")
    photos = [n for n in names if n.startswith("uploads/")]
    assert photos and all(n in manifest["checksums"] for n in photos)

    # After the backup: a report is removed from the log and its file is lost.
    _execute(url, "DELETE FROM queue_visit")
    _execute(url, "INSERT INTO workday_exception (day, is_working_day, note) "
                  "VALUES ('2031-01-02', false, 'Sau sao lưu')")
    lost = os.path.join(env["UPLOAD_FOLDER"], photos[0].split("/", 1)[1])
    os.remove(lost)

    refused = _cli(env, "backup", "restore", archive, stdin="n\n")
    assert refused.returncode != 0
    assert _scalar(url, "SELECT count(*) FROM workday_exception WHERE note = 'Sau sao lưu'") == 1

    restored = _cli(env, "backup", "restore", archive, "--yes")
    assert restored.returncode == 0, restored.stderr
    assert _scalar(url, "SELECT count(*) FROM workday_exception WHERE note = 'Sau sao lưu'") == 0
    assert _scalar(url, "SELECT count(*) FROM report") == 15
    assert os.path.isfile(lost)


def test_restore_refuses_a_damaged_archive(backup_site):
    env, work, url = backup_site
    archive = str(work / "hong.tar.gz")
    assert _cli(env, "backup", "create", archive).returncode == 0
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]
    damaged = str(work / "hong-sua.tar.gz")
    with tarfile.open(damaged, "w:gz") as tar:
        for member, data in members:
            if member.name.startswith("database."):
                data = data[:-100] + bytes(100)
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
    result = _cli(env, "backup", "restore", damaged, "--yes")
    assert result.returncode != 0
    assert "bị hỏng" in result.stderr
    assert _scalar(url, "SELECT count(*) FROM report") == 15

    with open(archive, "rb") as f:
        truncated = f.read()[:2000]
    cut = work / "cut.tar.gz"
    cut.write_bytes(truncated)
    assert "hỏng" in _cli(env, "backup", "restore", str(cut), "--yes").stderr


def test_restore_refuses_an_archive_of_a_newer_schema(backup_site):
    env, work, url = backup_site
    archive = str(work / "moi.tar.gz")
    assert _cli(env, "backup", "create", archive).returncode == 0
    newer = str(work / "moi-hon.tar.gz")
    with tarfile.open(archive) as tar, tarfile.open(newer, "w:gz") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["revision"] = "9999_tuong_lai"
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    result = _cli(env, "backup", "restore", newer, "--yes")
    assert result.returncode != 0
    assert "mới hơn mã nguồn" in result.stderr
