"""Generated data sets for the tests (``flask perf generate``), each in a database of its own so
that the shared test database keeps its exact counts."""
from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from conftest import DEMO_PASSWORD, fresh_database

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def flask_command(url: str, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": url, "DEMO_PASSWORD": DEMO_PASSWORD}
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def generated_database(tmp: str, name: str, *generate_args: str) -> str:
    """A fresh, migrated database filled by ``flask perf generate <generate_args>``; its URL."""
    url = fresh_database(tmp, name)
    flask_command(url, "db", "upgrade")
    flask_command(url, "perf", "generate", *generate_args)
    return url


def engine_for(url: str) -> sa.Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return sa.create_engine(url)
