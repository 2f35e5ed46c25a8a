"""When the database goes away (a restart, a failover): a clear answer, then a quick recovery.

- Any request that meets a lost connection gets 503 with a Vietnamese message; its transaction
  was rolled back by the database, so a write is never half applied and the person may retry.
- Reads (GET/HEAD) are retried a few times with a short back-off before that answer, so a
  restart of a few seconds is not seen by people who are only reading.
- The pool's ``pool_pre_ping`` (config.py) replaces dead connections on the next checkout: no
  worker needs a restart.
"""
from __future__ import annotations

import logging
import time

from flask import jsonify, make_response, render_template, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from ..extensions import db

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = (
    "Cơ sở dữ liệu tạm thời không phản hồi. Thao tác chưa được thực hiện; "
    "vui lòng thử lại sau ít giây."
)
_RETRY_MARK = "X-Phananh-Db-Unavailable"  # internal: never leaves the process
READ_RETRY_DELAYS = (0.5, 1.0, 2.0)


def handle_database_unavailable(error: DBAPIError):
    try:
        db.session.rollback()
    except DBAPIError:
        pass
    db.session.remove()
    log.warning("Mất kết nối cơ sở dữ liệu: %s", error.__class__.__name__)
    if request.path.startswith(("/api/", "/open311/")):
        response = make_response(jsonify(message=UNAVAILABLE_MESSAGE), 503)
    else:
        # A page of its own: the usual layout's menu and badges would query the database again.
        response = make_response(render_template("unavailable.html", message=UNAVAILABLE_MESSAGE), 503)
    response.headers["Retry-After"] = "5"
    response.headers[_RETRY_MARK] = "1"
    return response


class RetryReads:
    """WSGI middleware: a GET/HEAD answered 503 for a lost database is run again, a few times
    with a growing pause; the last answer goes out as it is (without the internal mark)."""

    def __init__(self, wsgi_app, delays=READ_RETRY_DELAYS):
        self.wsgi_app = wsgi_app
        self.delays = delays

    def __call__(self, environ, start_response):
        retries = self.delays if environ.get("REQUEST_METHOD") in ("GET", "HEAD") else ()
        for delay in (*retries, None):
            captured = {}

            def capture(status, headers, exc_info=None):
                captured.update(status=status, headers=headers, exc_info=exc_info)
                return lambda data: None

            body = self.wsgi_app(environ, capture)
            marked = any(k == _RETRY_MARK for k, _ in captured["headers"])
            if marked and delay is not None:
                if hasattr(body, "close"):
                    body.close()
                time.sleep(delay)
                continue
            headers = [(k, v) for k, v in captured["headers"] if k != _RETRY_MARK]
            start_response(captured["status"], headers, captured["exc_info"])
            return body


def init_app(app) -> None:
    for error in (OperationalError, InterfaceError):
        app.register_error_handler(error, handle_database_unavailable)
    app.wsgi_app = RetryReads(app.wsgi_app)
