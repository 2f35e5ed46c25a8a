"""What changed since a page was built: tokens that committed writes change, in the same
transaction, just before it commits (app/ops/page_cache.py keeps pages under them).

- The engine notes every statement that writes and the table it writes, whoever sends it (our
  services, FAB's and the console's screens, the command line); a write past SQLAlchemy (the
  generator's COPY) calls ``data_changed``.
- A report's work (an action, a new report, the counters, notifications and log lines that go
  with it) changes the tokens of the units the report is linked to and of who sees every report
  (``REPORTS``): a unit's people keep their pages while other units work. The workflow says which
  report it changed (an event hook); a person's own bookkeeping (a queue's last opening, the
  sign-in counts) says whose scope it is; the mail worker's claims and outcomes, which no page
  shows, change ``UNSEEN``, which no page reads. Any other write, or a report's work that does
  not say, changes ``ALL``, which every page depends on.
"""
from __future__ import annotations

import re
import uuid
import weakref

from flask import g, has_request_context
from sqlalchemy import event, select, update

from ..extensions import db
from ..models import DataVersion
from ..services.scope import scope_unit, units_seeing
from ..services.workflow import on_event

ALL = "all"
REPORTS = "reports"  # the pages of who sees every report
UNSEEN = "unseen"  # writes no kept page shows: the mail worker's claims and outcomes
# The tables of a report's work and of a person's view of it (the queues' last openings, the
# sign-in counts): a transaction that wrote only these, and said whose they are, changes only
# those scopes; without a word of whose (an administrator's edit), it changes ALL.
SCOPED_TABLES = frozenset({
    "report", "report_event", "report_unit", "attachment", "report_count", "report_assignment",
    "notification", "mail_outbox", "form_submission", "feedback", "queue_visit", "ab_user",
})
_WROTE = "data_version_wrote"  # the tables written in the connection's transaction (None: unknown)
_SCOPES = "data_version_scopes"
_WRITE_TABLE = re.compile(
    r'\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from)\s+"?(\w+)"?', re.IGNORECASE)
_WRITE = re.compile(r"\s*(copy|truncate|create|drop|alter|replace|merge)\b", re.IGNORECASE)
_WITH_WRITE = re.compile(r"\b(insert|update|delete)\b", re.IGNORECASE)
_BUMP = ("INSERT INTO data_version (scope, token) VALUES {} "
         "ON CONFLICT (scope) DO UPDATE SET token = excluded.token")
_TABLE_FOUND = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'data_version'",
    "postgresql": "SELECT to_regclass('data_version') IS NOT NULL",
}
_ready_engines: weakref.WeakSet = weakref.WeakSet()  # those whose database has the table


def unit_scope(unit_id: int) -> str:
    return f"unit:{unit_id}"


def person_scope(user) -> str:
    """The scope of what ``user`` sees of the reports."""
    unit_id = scope_unit(user)
    return REPORTS if unit_id is None else unit_scope(unit_id)


def tokens(user) -> tuple | None:
    """The tokens the pages of ``user`` depend on (None before the migrations made them)."""
    scopes = (ALL, person_scope(user))
    found = dict(db.session.execute(
        select(DataVersion.scope, DataVersion.token).where(DataVersion.scope.in_(scopes))).all())
    return None if ALL not in found else tuple(found.get(s) for s in scopes)


def declare(scopes) -> None:
    """The current transaction's writes are of these scopes only (``REPORTS``, a unit's)."""
    db.session.connection().info.setdefault(_SCOPES, set()).update(scopes)


def report_changed(report) -> None:
    declare({REPORTS, *(unit_scope(unit_id) for unit_id in units_seeing(report))})


def data_changed() -> None:
    """For a write the engine did not see (a COPY through the driver)."""
    with db.engine.begin() as conn:
        conn.execute(update(DataVersion).where(DataVersion.scope == ALL)
                     .values(token=uuid.uuid4().hex))


def changed_scopes(tables: set, scopes: set | None) -> list[str]:
    """The tokens a transaction that wrote ``tables`` (None: a table not known) changes."""
    if scopes and None not in tables and tables <= SCOPED_TABLES:
        return sorted(scopes)  # in one order: two transactions take the rows' locks alike
    return [ALL]


# --- The engine's hooks -----------------------------------------------------------------------

def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    found = _WRITE_TABLE.match(statement)
    if found:
        table = found.group(1).lower()
    elif _WRITE.match(statement) or (statement.lstrip()[:4].lower() == "with"
                                     and _WITH_WRITE.search(statement)):
        table = None
    else:
        return
    conn.info.setdefault(_WROTE, set()).add(table)


def _new_tokens_on_commit(conn) -> None:
    """Before the transaction commits, on its connection: new tokens for what it wrote."""
    tables, scopes = conn.info.pop(_WROTE, None), conn.info.pop(_SCOPES, None)
    if not tables:
        return
    # Through the driver's cursor: these writes are not writes to note again.
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if conn.engine not in _ready_engines:  # or a migration on its way to the table
            cursor.execute(_TABLE_FOUND[conn.dialect.name])
            if not (cursor.fetchone() or (False,))[0]:
                return
            _ready_engines.add(conn.engine)
        token = uuid.uuid4().hex  # hex and scope names of ours: nothing to quote
        cursor.execute(_BUMP.format(", ".join(
            f"('{scope}', '{token}')" for scope in changed_scopes(tables, scopes))))
    finally:
        cursor.close()
    if has_request_context():
        g.data_version_wrote = True


def watch_request() -> None:
    """From now on, note whether this request commits a write (``request_wrote``)."""
    g.data_version_wrote = False


def request_wrote() -> bool:
    return bool(g.get("data_version_wrote"))


def _forget(conn) -> None:
    conn.info.pop(_WROTE, None)
    conn.info.pop(_SCOPES, None)


def _forget_on_checkin(dbapi_connection, record) -> None:
    record.info.pop(_WROTE, None)
    record.info.pop(_SCOPES, None)


def init_app(app) -> None:
    engine = db.engine
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "commit", _new_tokens_on_commit)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "checkin", _forget_on_checkin)


@on_event
def _report_event(report, event_row, user) -> None:
    report_changed(report)
