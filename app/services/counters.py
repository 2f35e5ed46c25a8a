"""Report counts per unit and state, kept exact in the transaction of every change.

The menu badges "(to act on / total)" and the Cảnh báo panel are shown on every page; counting
them from ``report`` at 1,000,000 reports costs more than a whole page may (DESIGN §11). So each
report contributes to a few buckets of ``report_count`` (``app.models.counter``):

- ``(0, "s:<state>")``: the whole province, one per report;
- ``(U, "s:<state>:<m><h>")`` for each unit U in the report's scope (any link to U), m = 1 when
  the report is assigned to U now, h = 1 when it was ever distributed to U to handle;
- ``(U, "f:open" | "f:done")`` per follow-up of unit U; ``(0, "f:open")`` per report with an
  open follow-up;
- ``(0, "r:waiting" | "r:answered")`` per citizen's rating (``count_ratings``).

The counts follow every change made through the ORM, whatever path made it (workflow actions,
intake, the demo, the console): before a flush the touched reports' contributions are read from
the database, after it they are read again and the difference is added, in the same
transaction. Bulk loads that bypass the ORM rebuild them (app.services.derived.rebuild_all).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import bindparam, delete, event, select, text
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Report, ReportUnit, ReportUnitKind
from ..models.counter import PROVINCE, ReportCount
from .derived import rebuilds

FOLLOW_OPEN = "f:open"
FOLLOW_DONE = "f:done"
# The province's citizens' ratings: waiting for the centre's answer, answered.
RATINGS_WAITING = "r:waiting"
RATINGS_ANSWERED = "r:answered"


def state_bucket(status: str, mine: bool | None = None, handled: bool | None = None) -> str:
    if mine is None:
        return f"s:{status}"
    return f"s:{status}:{int(bool(mine))}{int(bool(handled))}"


def parse_state_bucket(bucket: str) -> tuple[str, bool, bool] | None:
    """``(state, mine, handled)`` of a state bucket; None for a follow-up bucket."""
    parts = bucket.split(":")
    if parts[0] != "s":
        return None
    flags = parts[2] if len(parts) > 2 else "00"
    return parts[1], flags[0] == "1", flags[1] == "1"


def contributions(status: str, unit_id: int | None, links: Iterable[tuple[int, str, bool]]) -> Counter:
    """The buckets one report counts in; ``links`` are its (unit, kind, follow-up open)."""
    links = list(links)
    result: Counter = Counter({(PROVINCE, state_bucket(status)): 1})
    handling = {u for u, kind, _ in links if kind == ReportUnitKind.HANDLING}
    for unit in {u for u, _, _ in links}:
        result[(unit, state_bucket(status, unit_id == unit, unit in handling))] += 1
    follows = [(u, is_open) for u, kind, is_open in links if kind == ReportUnitKind.FOLLOW]
    for unit, is_open in follows:
        result[(unit, FOLLOW_OPEN if is_open else FOLLOW_DONE)] += 1
    if any(is_open for _, is_open in follows):
        result[(PROVINCE, FOLLOW_OPEN)] += 1
    return result


def _read(connection, report_ids: set[int], lock: bool = False) -> Counter:
    """The contributions of ``report_ids`` as the database holds them now; with ``lock``, the
    reports stay as read until the transaction ends (another transaction changing one of them
    meanwhile would otherwise be counted twice: in its own delta and in ours)."""
    if not report_ids:
        return Counter()
    ids = sorted(report_ids)
    query = select(Report.id, Report.status, Report.unit_id).where(Report.id.in_(ids))
    if lock and connection.dialect.name == "sqlite":
        # SQLite locks the whole database for writing, at the first write: take it now.
        connection.execute(text("UPDATE report_count SET n = n WHERE 0"))
    reports = connection.execute(query.with_for_update() if lock else query).all()
    links: dict[int, list] = {}
    for report_id, unit, kind, done_at in connection.execute(
        select(ReportUnit.report_id, ReportUnit.unit_id, ReportUnit.kind, ReportUnit.done_at)
        .where(ReportUnit.report_id.in_(ids))
    ):
        links.setdefault(report_id, []).append((unit, kind, done_at is None))
    total: Counter = Counter()
    for report_id, status, unit_id in reports:
        total.update(contributions(status, unit_id, links.get(report_id, [])))
    return total


def _touched_reports(session: Session) -> set[int]:
    ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Report):
            report_id = obj.id
        elif isinstance(obj, ReportUnit):
            report_id = obj.report_id or (obj.report.id if obj.report is not None else None)
        else:
            continue
        if report_id is not None:
            ids.add(report_id)
    return ids


def add(connection, delta: Counter) -> None:
    """Add ``delta`` to the counts in one statement, its rows in a fixed order (two
    transactions never wait on each other in a circle)."""
    changes = sorted((key, n) for key, n in delta.items() if n)
    if not changes:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = ReportCount.__table__
    upsert = insert(table).values(
        [{"unit_id": unit, "bucket": bucket, "n": n} for (unit, bucket), n in changes])
    connection.execute(upsert.on_conflict_do_update(
        index_elements=["unit_id", "bucket"], set_={"n": table.c.n + upsert.excluded.n}))


def count_ratings(connection, *, rated: int = 0, answered: int = 0) -> None:
    """``rated`` new ratings waiting, ``answered`` waiting ones answered: in the transaction
    that writes them (app.services.public)."""
    add(connection, Counter({(PROVINCE, RATINGS_WAITING): rated - answered,
                             (PROVINCE, RATINGS_ANSWERED): answered}))


def _before_flush(session: Session, flush_context, instances) -> None:
    # Always written, so a flush that failed leaves nothing for the next one.
    touched = _touched_reports(session)
    session.info["report_counts_before"] = (
        touched, _read(session.connection(), touched, lock=True) if touched else Counter())


def _after_flush(session: Session, flush_context) -> None:
    session.info.pop("report_counts", None)
    touched, before = session.info.pop("report_counts_before", (set(), Counter()))
    touched = touched | {obj.id for obj in session.new if isinstance(obj, Report)}
    if not touched:
        return
    connection = session.connection()
    delta = _read(connection, touched)
    delta.subtract(before)
    add(connection, delta)


def _forget(session: Session, *args) -> None:
    session.info.pop("report_counts_before", None)
    session.info.pop("report_counts", None)


_installed: set[int] = set()


def init_app(db) -> None:
    """Install the hooks on the application's session factory (once per process)."""
    if id(db.session) in _installed:
        return
    event.listen(db.session, "before_flush", _before_flush)
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "after_rollback", _forget)
    event.listen(db.session, "after_commit", _forget)
    _installed.add(id(db.session))


# --- Reading and rebuilding -------------------------------------------------------------------

# Built once: every page reads it for the badges.
_COUNTS_OF = (select(ReportCount.unit_id, ReportCount.bucket, ReportCount.n)
              .where(ReportCount.unit_id.in_(bindparam("units", expanding=True)),
                     ReportCount.n != 0))


def counts_of(session, unit_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{unit: {bucket: n}}`` for ``unit_ids`` (PROVINCE for the whole province): one query,
    kept in the session until its next flush, commit or rollback (a queue page's badges and
    its tabs read the same numbers once). Read-only for the caller."""
    units = tuple(sorted(set(unit_ids)))
    kept = session.info.setdefault("report_counts", {})
    if units not in kept:
        result: dict[int, dict[str, int]] = {u: {} for u in units}
        if units:
            for unit, bucket, n in session.execute(_COUNTS_OF, {"units": list(units)}):
                result[unit][bucket] = n
        kept[units] = result
    return kept[units]


_REBUILD_SQL = """
WITH links AS (
    SELECT report_id, unit_id,
           MAX(CASE WHEN kind = 'handling' THEN 1 ELSE 0 END) AS handled
    FROM report_unit GROUP BY report_id, unit_id
)
SELECT l.unit_id, 's:' || r.status || ':'
       || CASE WHEN r.unit_id = l.unit_id THEN '1' ELSE '0' END
       || CASE WHEN l.handled = 1 THEN '1' ELSE '0' END, COUNT(*)
FROM links l JOIN report r ON r.id = l.report_id
GROUP BY 1, 2
UNION ALL
SELECT 0, 's:' || status, COUNT(*) FROM report GROUP BY status
UNION ALL
SELECT unit_id, CASE WHEN done_at IS NULL THEN 'f:open' ELSE 'f:done' END, COUNT(*)
FROM report_unit WHERE kind = 'follow' GROUP BY 1, 2
UNION ALL
SELECT 0, 'f:open', COUNT(DISTINCT report_id) FROM report_unit
WHERE kind = 'follow' AND done_at IS NULL
UNION ALL
SELECT 0, CASE WHEN answered_at IS NULL THEN 'r:waiting' ELSE 'r:answered' END, COUNT(*)
FROM feedback GROUP BY 1, 2
"""


@rebuilds("số phản ánh theo đơn vị và trạng thái (huy hiệu, cảnh báo)")
def rebuild() -> None:
    rebuild_counts(db.session.connection())


def rebuild_counts(connection) -> None:
    """Recount every bucket from the tables (after a bulk load; the migration that adds them)."""
    rows = connection.execute(text(_REBUILD_SQL)).all()
    connection.execute(delete(ReportCount.__table__))
    values = [{"unit_id": u, "bucket": b, "n": n} for u, b, n in rows if n]
    if values:
        connection.execute(ReportCount.__table__.insert(), values)
