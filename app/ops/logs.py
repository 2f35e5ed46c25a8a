"""Logs with a request id on every line; JSON lines when ``LOG_FORMAT=json``.

The id comes from the proxy's ``X-Request-ID`` when it sends a sane one, else is made here; it is
returned in the response header, so gunicorn's access log (gunicorn.conf.py) and the
application's lines of one request carry the same id.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid

from flask import g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
PLAIN_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(log_format: str, level: str) -> None:
    """One handler on the root logger (gunicorn's error log and Flask's logger propagate)."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(PLAIN_FORMAT))
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "_phananh", False)]
    handler._phananh = True
    root.addHandler(handler)
    root.setLevel(level)


def _assign_request_id() -> None:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex


def _return_request_id(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "-")
    return response


def init_app(app) -> None:
    if not app.testing:
        configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    # First of all before_request functions: everything after may log with the id.
    app.before_request_funcs.setdefault(None, []).insert(0, _assign_request_id)
    app.after_request(_return_request_id)
