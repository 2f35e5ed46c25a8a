"""When the database goes away (a restart, a failover): a clear answer, then a quick recovery.

- Any request that meets a lost connection gets 503 with a Vietnamese message, whether the
  error reached Flask or was caught on the way (FAB's API wraps its endpoints in ``@safe``, which
  turns every exception into a bare 500): SQLAlchemy's ``handle_error`` event marks the request,
  and a 500 of a marked request becomes that 503. An action is one transaction, so it is either
  committed whole or not at all; the message says which (a commit that succeeded before the
  connection was lost is recorded by the session's ``after_commit``).
- Reads (GET/HEAD) are retried a few times with a short back-off before that answer, so a
  restart of a few seconds is not seen by people who are only reading.
- The pool's ``pool_pre_ping`` (config.py) replaces dead connections on the next checkout: no
  worker needs a restart.
"""
from __future__ import annotations

import logging
import time

from flask import current_app, g, has_request_context, jsonify, make_response, request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from ..extensions import db

log = logging.getLogger(__name__)

NOT_DONE_MESSAGE = (
    "Cơ sở dữ liệu tạm thời không phản hồi. Thao tác chưa được thực hiện; "
    "vui lòng thử lại sau ít giây."
)
DONE_MESSAGE = (
    "Thao tác đã được ghi nhận, nhưng cơ sở dữ liệu tạm thời không phản hồi nên chưa hiển thị "
    "được kết quả. Vui lòng tải lại trang sau ít giây (không cần thực hiện lại)."
)
# A sign-in that failed is not done, whatever bookkeeping (login counts) it committed first.
SIGN_IN_PATHS = ("/login/", "/api/v1/security/login")
_RETRY_MARK = "X-Phananh-Db-Unavailable"  # internal: never leaves the process
READ_RETRY_DELAYS = (0.5, 1.0, 2.0)


def _mark_lost_connection(context) -> None:
    if has_request_context() and (context.is_disconnect or isinstance(
            context.sqlalchemy_exception, (OperationalError, InterfaceError))):
        g.database_lost = True


def _mark_commit(session) -> None:
    if has_request_context():
        g.database_committed = True


def unavailable_response():
    try:
        db.session.rollback()
    except DBAPIError:
        pass
    db.session.remove()
    log.warning("Mất kết nối cơ sở dữ liệu (%s %s)", request.method, request.path)
    # A read's own bookkeeping (the queue's "seen" time) is no action of the person's.
    wrote = (request.method not in ("GET", "HEAD") and g.get("database_committed")
             and not request.path.startswith(SIGN_IN_PATHS))
    message = DONE_MESSAGE if wrote else NOT_DONE_MESSAGE
    if request.path.startswith(("/api/", "/open311/")):
        response = make_response(jsonify(message=message), 503)
    else:
        # A page of its own, rendered without the context processors: the usual layout's menu
        # and badges, and Flask-Login's ``current_user``, would query the database again.
        page = current_app.jinja_env.get_template("unavailable.html").render(message=message)
        response = make_response(page, 503)
    response.headers["Retry-After"] = "5"
    response.headers[_RETRY_MARK] = "1"
    return response


def _handle_database_error(error: DBAPIError):
    return unavailable_response()


def _replace_caught_failure(response):
    if response.status_code == 500 and g.get("database_lost"):
        return unavailable_response()
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
    with app.app_context():
        event.listen(db.engine, "handle_error", _mark_lost_connection)
    event.listen(Session, "after_commit", _mark_commit)
    for error in (OperationalError, InterfaceError):
        app.register_error_handler(error, _handle_database_error)
    app.after_request(_replace_caught_failure)
    app.wsgi_app = RetryReads(app.wsgi_app)
