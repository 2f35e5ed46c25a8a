"""The fuzzer of issue 8 over the project's own OpenAPI document: no server error.

It runs tests/fuzz/fuzz_api.py in a process and on a database of its own (it creates, edits
and deletes rows), with a bounded number of examples per operation (FUZZ_EXAMPLES).
"""
from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _own_database() -> dict:
    """The environment of the fuzzer: its own SQLite file, or its own PostgreSQL database
    beside the suite's."""
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        base, name = url.rsplit("/", 1)
        fuzz_name = f"{name}_fuzz"
        admin = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1)
                                 + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{fuzz_name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{fuzz_name}"'))
        admin.dispose()
        env["TEST_DATABASE_URL"] = f"{base}/{fuzz_name}"
    return env


def test_the_fuzzer_finds_no_server_error():
    env = {**_own_database(), "FUZZ_EXAMPLES": os.environ.get("FUZZ_EXAMPLES", "12"),
           "RATELIMIT_ENABLED": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:logging", "-q", "-s",
         "--rootdir", ROOT, "-c", os.path.join(ROOT, "pytest.ini"),
         os.path.join(ROOT, "tests", "fuzz", "fuzz_api.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
