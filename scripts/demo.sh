#!/usr/bin/env bash
# Set up from nothing and run the application on SQLite with the demo data:
#   http://127.0.0.1:8080  (accounts: see README; password: $DEMO_PASSWORD, default Demo2019pass)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
export DEMO_PASSWORD=${DEMO_PASSWORD:-Demo2019pass}
export FLASK_APP=app
.venv/bin/flask db upgrade
.venv/bin/flask demo
echo "Mở http://127.0.0.1:8080 — đăng nhập bằng tài khoản minh họa, mật khẩu: $DEMO_PASSWORD"
exec .venv/bin/python run.py
