#!/usr/bin/env bash
# Set up from nothing and run the whole test suite (SQLite; PostgreSQL too when
# TEST_DATABASE_URL is set). Browser tests skip, saying why, where no Chromium is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
