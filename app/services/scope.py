"""Row-level scope: which reports a person may see, and what of the reporter they may see.

One filter, applied on every path (lists, pages by id, actions, bulk actions, exports, API,
counts): the centre, the viewer and administrators see every report; a unit's people see only
reports ever distributed to their unit, to handle or to follow.
"""
from __future__ import annotations

from sqlalchemy import exists, false, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..domain.workflow import ANONYMOUS_REPORTER, ROLES_SEEING_ALL, ROLES_WITHOUT_REPORTER, Role
from ..extensions import db
from ..models import Report, ReportUnit

REPORTER_FIELDS = ("reporter_name", "reporter_address", "reporter_phone", "reporter_email")


def roles_of(user) -> set[Role]:
    """The workflow roles a FAB user holds (roles unknown to the domain are ignored)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    known = {r.value for r in Role}
    return {Role(r.name) for r in user.roles if r.name in known}


def sees_all(user) -> bool:
    return bool(roles_of(user) & ROLES_SEEING_ALL)


def scope_clause(user) -> ColumnElement[bool]:
    """SQL condition on ``Report`` true for exactly the reports ``user`` may see."""
    if sees_all(user):
        return true()
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None or not roles_of(user):
        return false()
    return exists().where(ReportUnit.report_id == Report.id, ReportUnit.unit_id == unit_id)


def visible_reports(user):
    """A ``select(Report)`` limited to the user's scope."""
    return select(Report).where(scope_clause(user))


def get_visible_report(user, report_id) -> Report | None:
    """The report if the user may see it, else None (callers answer 404: no existence leak)."""
    try:
        report_id = int(report_id)
    except (TypeError, ValueError):
        return None
    query = select(Report).where(Report.id == report_id, scope_clause(user))
    return db.session.execute(query).scalar_one_or_none()


def shows_reporter(user, report: Report) -> bool:
    """Unit roles see "Ẩn danh" for a confidential reporter; the centre and the viewer see all."""
    if not report.confidential:
        return True
    return sees_all(user) or not (roles_of(user) & ROLES_WITHOUT_REPORTER)


def reporter_of(user, report: Report) -> dict[str, str | None]:
    """The reporter fields as this user may see them: every page, export and API uses this."""
    if shows_reporter(user, report):
        return {name: getattr(report, name) for name in REPORTER_FIELDS}
    return {"reporter_name": ANONYMOUS_REPORTER, "reporter_address": ANONYMOUS_REPORTER,
            "reporter_phone": ANONYMOUS_REPORTER, "reporter_email": ANONYMOUS_REPORTER}
