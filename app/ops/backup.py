"""Backups: the database and the uploaded files in one archive with a manifest, and restore.

The archive (``.tar.gz``) holds ``manifest.json`` (format, schema revision, database kind, row
counts of the main tables, a SHA-256 of every other member), the database (SQLite: a copy made
with SQLite's online backup API; PostgreSQL: ``pg_dump`` in custom format) and ``uploads/``.
Restore checks every checksum and the schema revision before it touches anything; an archive of
a newer schema than this code, or a damaged one, is refused.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import make_url

from ..extensions import db
from .health import code_revision, database_revision, migration_scripts

FORMAT = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
# Tables whose row counts the manifest records, and restore checks.
COUNTED_TABLES = ("unit", "field", "source", "ab_user", "report", "report_event", "attachment",
                  "personnel")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in Vietnamese."""


@dataclass
class Manifest:
    revision: str
    dialect: str
    created_at: str
    counts: dict[str, int]
    checksums: dict[str, str]

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, **self.__dict__}, ensure_ascii=False,
                          indent=2).encode()


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_url(url) -> str:
    """postgresql+psycopg://… as the URL pg_dump and pg_restore take."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _counts() -> dict[str, int]:
    return {table: db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in COUNTED_TABLES}


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} thất bại: {done.stderr.strip()[-500:]}")


def _dump_database(url, work: str) -> str:
    if url.get_backend_name() == "sqlite":
        target = os.path.join(work, "database.sqlite3")
        source = sqlite3.connect(url.database)
        try:
            with sqlite3.connect(target) as copy:
                source.backup(copy)
        finally:
            source.close()
        return target
    target = os.path.join(work, "database.pgdump")
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", target, _libpq_url(url)])
    return target


def create(path: str, upload_folder: str) -> Manifest:
    """Write the archive at ``path``; the database is read in one consistent snapshot."""
    url = make_url(db.engine.url)
    revision = database_revision()
    if revision is None:
        raise BackupError("Cơ sở dữ liệu chưa được khởi tạo: không có gì để sao lưu.")
    counts = _counts()
    db.session.rollback()
    with tempfile.TemporaryDirectory(prefix="phananh-backup-") as work:
        dump = _dump_database(url, work)
        members = {os.path.basename(dump): dump}
        if os.path.isdir(upload_folder):
            for root, _, files in os.walk(upload_folder):
                for name in sorted(files):
                    full = os.path.join(root, name)
                    member = os.path.join(UPLOADS, os.path.relpath(full, upload_folder))
                    members[member.replace(os.sep, "/")] = full
        manifest = Manifest(
            revision=revision, dialect=url.get_backend_name(),
            created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            counts=counts, checksums={m: _sha256(p) for m, p in sorted(members.items())},
        )
        partial = path + ".partial"
        with tarfile.open(partial, "w:gz") as archive:
            data = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            for member, full in sorted(members.items()):
                archive.add(full, arcname=member, recursive=False)
        os.replace(partial, path)  # never a half-written archive under the final name
    return manifest


def inspect(path: str, work: str) -> Manifest:
    """Unpack ``path`` into ``work`` and check it whole; raise BackupError if it is not sound."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(work, filter="data")
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"Tệp sao lưu hỏng hoặc không đọc được ({exc}).") from None
    try:
        with open(os.path.join(work, MANIFEST), encoding="utf-8") as f:
            raw = json.load(f)
        if raw.pop("format") != FORMAT:
            raise BackupError("Tệp sao lưu có định dạng không được hỗ trợ.")
        manifest = Manifest(**raw)
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError("Tệp sao lưu không có bản kê (manifest.json) hợp lệ.") from None
    for member, expected in manifest.checksums.items():
        full = os.path.join(work, member)
        if not os.path.isfile(full) or _sha256(full) != expected:
            raise BackupError(f"Tệp sao lưu bị hỏng: “{member}” không khớp mã kiểm tra.")
    if manifest.revision not in {s.revision for s in migration_scripts().walk_revisions()}:
        raise BackupError(
            f"Tệp sao lưu thuộc phiên bản cơ sở dữ liệu {manifest.revision}, mới hơn mã nguồn "
            f"này ({code_revision()}): hãy cập nhật ứng dụng trước khi khôi phục."
        )
    return manifest


def restore(path: str, upload_folder: str) -> Manifest:
    """Replace the database and the uploaded files with the archive's, then migrate to head."""
    url = make_url(db.engine.url)
    with tempfile.TemporaryDirectory(prefix="phananh-restore-") as work:
        manifest = inspect(path, work)
        if manifest.dialect != url.get_backend_name():
            raise BackupError(
                f"Tệp sao lưu của {manifest.dialect} không khôi phục được vào "
                f"{url.get_backend_name()}."
            )
        db.session.remove()
        db.engine.dispose()  # no open connection may hold the tables being replaced
        if manifest.dialect == "sqlite":
            with sqlite3.connect(os.path.join(work, "database.sqlite3")) as source, \
                    sqlite3.connect(url.database) as live:
                source.backup(live)
        else:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            _run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq_url(url),
                  os.path.join(work, "database.pgdump")])
        _replace_uploads(os.path.join(work, UPLOADS), upload_folder)
    counts = _counts()
    db.session.rollback()
    if counts != manifest.counts:
        raise BackupError(f"Số bản ghi sau khôi phục {counts} khác bản kê {manifest.counts}.")
    if manifest.revision != code_revision():  # an older schema: bring it up to this code
        from flask_migrate import upgrade

        upgrade()
    return manifest


def _replace_uploads(restored: str, upload_folder: str) -> None:
    previous = upload_folder.rstrip(os.sep) + ".truoc-khoi-phuc"
    shutil.rmtree(previous, ignore_errors=True)
    if os.path.isdir(upload_folder):
        os.replace(upload_folder, previous)
    if os.path.isdir(restored):
        shutil.copytree(restored, upload_folder)
    else:
        os.makedirs(upload_folder, exist_ok=True)
    shutil.rmtree(previous, ignore_errors=True)
