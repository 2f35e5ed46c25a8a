"""Idempotent form submissions: every form that changes data carries a one-time token (the
hidden field ``_once``). The first submission with a token stores it in the same transaction as
its change; a repeat (a double click, a resend after a slow answer) finds the token taken,
changes nothing and is told "Đã cập nhật".

How: a ``before_request`` hook adds the token's row and flushes it before the view runs, so the
row commits with the view's change or rolls back with it (a refused submission may be sent
again). A repeat that arrives while the first is still running waits on the row's key
(PostgreSQL) or on the write lock (SQLite), then finds it taken. Our templates write the field
(``submission_token()``); app/static/js/app.js adds one to any other POST form of the site (FAB's
and the console's), and disables the button after the first click as a courtesy only.
A request without the field (the REST API, scripts) is not concerned.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import abort, flash, g, has_request_context, redirect, request, url_for
from flask_appbuilder.utils.base import is_safe_redirect_url
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import FormSubmission
from ..models.base import utcnow
from .workflow import on_event

FIELD = "_once"
REPEATED = "Đã cập nhật"
# A repeat comes within seconds; a day covers a resend after a night's pause.
KEPT_FOR = dt.timedelta(days=1)
_VALID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_FIELD_HTML = f'<input type="hidden" name="{FIELD}" value="{{}}">'
_FIELD_FOUND = re.compile(re.escape(_FIELD_HTML).replace(r"\{\}", "[A-Za-z0-9_-]+"))
_FIELD_BLANK = _FIELD_HTML.format("\x00once\x00")


def token_field() -> Markup:
    """The hidden input of a new one-time token (a Jinja global)."""
    return Markup(_FIELD_HTML.format(secrets.token_urlsafe(18)))


def blank_tokens(page: str) -> str:
    """A page kept to be sent again (app.ops.page_cache): its tokens taken out…"""
    return _FIELD_FOUND.sub(_FIELD_BLANK, page)


def fill_tokens(page: str) -> str:
    """…and new ones put in each time it is sent: a token is never sent twice."""
    if _FIELD_BLANK not in page:
        return page
    parts = page.split(_FIELD_BLANK)
    return "".join(part + _FIELD_HTML.format(secrets.token_urlsafe(18))
                   for part in parts[:-1]) + parts[-1]


def _repeat_answer(token: str):
    row = db.session.get(FormSubmission, token)
    flash(REPEATED, "info")
    if row is not None and row.report_id is not None:
        return redirect(url_for("ReportPageView.show", report_id=row.report_id, tab="nhat-ky"))
    # Back to the page the form was on (a POST-only address, as FAB's actions, cannot be shown).
    referrer = request.referrer
    return redirect(referrer if referrer and is_safe_redirect_url(referrer) else request.url)


def claim_token():
    """before_request: take the form's token, or answer a repeat without running the view."""
    if request.method != "POST" or request.path.startswith("/api/"):
        return None
    token = request.form.get(FIELD)
    if not token or not current_user.is_authenticated:
        return None  # no token: not one of our forms; signed out: the view sends to sign-in
    if not _VALID.fullmatch(token):
        abort(400, description="Biểu mẫu không hợp lệ, vui lòng tải lại trang.")
    db.session.execute(delete(FormSubmission).where(
        FormSubmission.user_id == current_user.id,
        FormSubmission.created_at < utcnow() - KEPT_FOR))
    row = FormSubmission(token=token, user_id=current_user.id, created_at=utcnow())
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return _repeat_answer(token)
    g.form_submission = row
    return None


@on_event
def _remember_report(report, event, user) -> None:
    """The report a submission created or changed: a repeat is sent back to its page."""
    row = g.get("form_submission") if has_request_context() else None
    if row is None:
        return
    # One report: its page. Several (a bulk action): none, the repeat goes back to the form.
    reports = g.setdefault("form_submission_reports", set())
    reports.add(report.id)
    row.report_id = report.id if len(reports) == 1 else None


def init_app(app) -> None:
    app.before_request(claim_token)
    app.add_template_global(token_field, "submission_token")
