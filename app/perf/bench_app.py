"""The application as `flask perf bench` serves it under gunicorn — never used in production.

On top of ``create_app()``:

- the peers a FAB user would otherwise have, over the same ``report`` table: a default FAB
  ``ModelView`` list, a default ``ModelRestApi``, and Flask-Admin's default ``ModelView`` in the
  console (administrators only, as the console is);
- the capture of each page's own SQL: with ``PERF_CAPTURE_DIR`` set, a request carrying the
  header ``X-Bench-Capture: <name>`` has every statement it ran (text, parameters, executemany)
  pickled to ``<dir>/<name>.pickle``, for the benchmark to replay bare (the floor).

Served by ``gunicorn 'app.perf.bench_app:build()'``.
"""
from __future__ import annotations

import os
import pickle
import re

from flask import Flask, g, request
from flask_admin.contrib.sqla import ModelView as AdminModelView
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import event

from .. import create_app, sync_security
from ..console.views import Secured
from ..extensions import appbuilder, db
from ..models import Report

CAPTURE_HEADER = "X-Bench-Capture"
PEER_MODELVIEW = "/benchreportview/list/"
PEER_REST = "/api/v1/benchreport/"
PEER_ADMIN = "/admin/benchreport/"


class BenchReportView(ModelView):
    """FAB's default list of a model, as the tutorial writes it."""

    datamodel = SQLAInterface(Report)
    route_base = "/benchreportview"


class BenchReportApi(ModelRestApi):
    """FAB's default REST API of a model."""

    datamodel = SQLAInterface(Report)
    resource_name = "benchreport"


class BenchReportAdmin(Secured, AdminModelView):
    """Flask-Admin's default view of a model (gated like the console)."""


def _register_peers(app: Flask) -> None:
    appbuilder.add_view_no_menu(BenchReportView)
    appbuilder.add_api(BenchReportApi)
    app.extensions["phananh.console"].add_view(
        BenchReportAdmin(Report, db.session, name="Bench report", endpoint="benchreport"))
    sync_security()  # the administrators get the peers' permissions, nobody else


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:120]


def _install_capture(app: Flask, directory: str) -> None:
    os.makedirs(directory, exist_ok=True)

    @event.listens_for(db.engine, "before_cursor_execute")
    def _record(conn, cursor, statement, parameters, context, executemany):
        statements = g.get("bench_statements") if _in_request() else None
        if statements is not None:
            statements.append((statement, parameters, executemany))

    @app.before_request
    def _start():
        if request.headers.get(CAPTURE_HEADER):
            g.bench_statements = []

    @app.teardown_request
    def _write(exc):
        statements = g.pop("bench_statements", None)
        name = request.headers.get(CAPTURE_HEADER)
        if statements is not None and name:
            with open(os.path.join(directory, _safe_name(name) + ".pickle"), "wb") as f:
                pickle.dump(statements, f)


def _in_request() -> bool:
    from flask import has_request_context

    return has_request_context()


def build() -> Flask:
    app = create_app()
    with app.app_context():
        _register_peers(app)
        directory = os.environ.get("PERF_CAPTURE_DIR")
        if directory:
            _install_capture(app, directory)
    return app
