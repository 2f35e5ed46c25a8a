"""Row-level scope: which reports a person may see, and what of the reporter they may see.

One filter, applied on every path (lists, pages by id, actions, bulk actions, exports, API,
counts): who holds "Xem mọi phản ánh" (``can_see_all``: the centre, the viewer and
administrators by default) sees every report; anyone else sees only the reports ever
distributed to their unit, to handle or to follow.
"""
from __future__ import annotations

from sqlalchemy import false, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..domain.workflow import ANONYMOUS_REPORTER
from ..extensions import db
from ..models import Report, ReportUnit
from ..security.permissions import report_permissions, sees_all

REPORTER_FIELDS = ("reporter_name", "reporter_address", "reporter_phone", "reporter_email")


def unit_in_scope(user) -> int | None:
    """The unit whose reports a person who does not see all sees: their own, when they hold
    any permission on reports; None otherwise."""
    unit_id = getattr(user, "unit_id", None)
    return unit_id if unit_id is not None and report_permissions(user) else None


def scope_unit(user) -> int | None:
    """The unit a person's scope is limited to; None for who sees all (or nothing)."""
    return None if sees_all(user) else unit_in_scope(user)


def scope_key(user) -> tuple[bool, int | None]:
    """What ``scope_clause`` depends on for ``user`` (a statement built from it can be kept
    under this key)."""
    return sees_all(user), unit_in_scope(user)


def scope_links(unit_id: int) -> ColumnElement[bool]:
    """Condition on ``ReportUnit``: the links putting a report in unit ``unit_id``'s scope
    (to handle or to follow, done or not)."""
    return ReportUnit.unit_id == unit_id


def units_seeing(report: Report) -> set[int]:
    """The units in whose scope ``report`` is: those it is linked to (``scope_links``; the
    unit handling it is one)."""
    return {link.unit_id for link in report.unit_links}


def scope_clause(user, *, probe: bool = False) -> ColumnElement[bool]:
    """SQL condition on ``Report`` true for exactly the reports ``user`` may see (who sees all
    is a permission, app/security/permissions.py).

    ``probe``: the statement's reports come from a word index and stop at a LIMIT; each is
    checked against its links on its own. PostgreSQL cannot know that the reports carrying a
    unit's mark (app/domain/text.py) are linked to it, expects few to be, and may hash all
    the unit's links first (156,217 for the busiest unit: 25 of a 80 ms count of a search's
    first 1,001 matches)."""
    if sees_all(user):
        return true()
    unit_id = unit_in_scope(user)
    if unit_id is None:
        return false()
    linked = (select(true()).select_from(ReportUnit)
              .where(ReportUnit.report_id == Report.id, scope_links(unit_id)))
    # An OFFSET keeps PostgreSQL from turning the EXISTS into a join it may hash.
    return (linked.offset(0) if probe else linked).exists()


def in_scope(user, report: Report) -> bool:
    """``scope_clause`` for a report already loaded."""
    if sees_all(user):
        return True
    unit_id = unit_in_scope(user)
    return unit_id is not None and any(link.unit_id == unit_id for link in report.unit_links)


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


def shows_reporter(user, report: Report, seeing_all: bool | None = None) -> bool:
    """Only who sees all reports (the centre, the viewer) sees a confidential reporter; a
    unit's people see "Ẩn danh". ``seeing_all``: already known of ``user`` (a notification's
    audience is chosen by it), which spares reading their permissions."""
    if not report.confidential:
        return True
    return sees_all(user) if seeing_all is None else seeing_all


def reporter_of(user, report: Report, seeing_all: bool | None = None) -> dict[str, str | None]:
    """The reporter fields as this user may see them: every page, export, API and mail uses
    this."""
    if shows_reporter(user, report, seeing_all):
        return {name: getattr(report, name) for name in REPORTER_FIELDS}
    return {"reporter_name": ANONYMOUS_REPORTER, "reporter_address": ANONYMOUS_REPORTER,
            "reporter_phone": ANONYMOUS_REPORTER, "reporter_email": ANONYMOUS_REPORTER}
