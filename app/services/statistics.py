"""Statistics of report handling (DESIGN §8): the one computation behind "Tổng hợp",
"Thống kê", "Biểu đồ phản ánh", their exports and ``GET /api/v1/statistics/summary``.

The figures come from the handling assignments (``report_assignment``): one row per
distribution of a report to a unit, written by the ``@on_event`` hook below in the same
transaction as the exchange-log events that start it (distribute) and end it (the leader's
approval, or the unit's return to the centre). The due time is stored at distribution, so a
closed period gives the same figures whenever it is asked for; ``assignments_from_log`` rebuilds
the table from the log alone (the migration's backfill, ``flask --app app stats rebuild``, and
the test that the table always equals the log).

For a period [start, end) (whole local days) an assignment counts when it was distributed
before ``end`` and not ended before ``start``; it is carried over or received, and ends on time,
late, returned, or is still open (on time or overdue) at the end of the period, so that
to_handle = done_on_time + done_late + returned + open_on_time + open_overdue on every row.
By unit every assignment counts; by field, source, month and status each report counts once,
under its last assignment of the period (DESIGN §8). A centre's return of an approved result
(Chờ đăng tải → Chờ duyệt) does not reopen the assignment: it was done when first approved.
"""
from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import and_, case, false, func, inspect, or_, select, text, true
from sqlalchemy.orm import aliased

from ..domain import calendar
from ..domain.calendar import LOCAL_TZ
from ..domain.workflow import STATUS_LABELS, Action, Status
from ..extensions import db
from ..models import (Assignment, AssignmentOutcome, Feedback, Field, Rating, Report, ReportEvent,
                      Source, Unit)
from ..models.base import utcnow
from .queues import local_day_start_utc
from .scope import sees_all, unit_in_scope
from .search import keyword_clause
from .derived import rebuilds
from .workflow import on_event

# The columns of §8, in the order of the official table: code → Vietnamese heading.
COLUMNS: dict[str, str] = {
    "carried_over": "Tồn kỳ trước",
    "received": "Tiếp nhận trong kỳ",
    "to_handle": "Tổng phải xử lý",
    "done_on_time": "Đã xử lý đúng hạn",
    "done_late": "Đã xử lý trễ hạn",
    "returned": "Trả lại",
    "open_on_time": "Đang xử lý trong hạn",
    "open_overdue": "Đang xử lý quá hạn",
    "on_time_rate": "Tỷ lệ đúng hạn (%)",
    "satisfied": "Hài lòng",
    "not_satisfied": "Không hài lòng",
}
COUNTS = tuple(c for c in COLUMNS if c != "on_time_rate")
GROUPINGS: dict[str, str] = {
    "unit": "Đơn vị xử lý",
    "field": "Lĩnh vực",
    "source": "Nguồn",
    "month": "Tháng",
    "status": "Trạng thái",
}
UNIT_ENDING_RETURN = (Status.ASSIGNED.value, Status.IN_PROGRESS.value)


# --- The assignments, kept in the same transaction as the log ------------------------------------

@on_event
def record_assignment(report: Report, event: ReportEvent, user) -> None:
    """A distribution starts an assignment; the leader's approval or the unit's return to the
    centre ends the open one."""
    if event.action == Action.DISTRIBUTE.value:
        db.session.add(Assignment(
            report_id=report.id, unit_id=event.target_unit_id, event=event,
            distributed_at=event.created_at, due_at=report.due_at,
            field_id=report.field_id, source_id=report.source_id,
        ))
        return
    if event.action == Action.APPROVE.value:
        outcome = AssignmentOutcome.APPROVED
    elif event.action == Action.RETURN.value and event.from_status in UNIT_ENDING_RETURN:
        outcome = AssignmentOutcome.RETURNED
    else:
        return
    # No flush here: the action's change of the report is written as one UPDATE at commit.
    with db.session.no_autoflush:
        current = db.session.execute(
            select(Assignment).where(Assignment.report_id == report.id,
                                     Assignment.ended_at.is_(None))
            .order_by(Assignment.distributed_at.desc(), Assignment.id.desc()).limit(1)
        ).scalar_one_or_none()
    if current is not None:
        current.ended_at = event.created_at
        current.outcome = outcome.value


def assignments_from_log(connection, report_id: int | None = None) -> Iterator[dict]:
    """The assignments as the exchange log tells them, report by report (streamed).

    The due time of the report's current assignment is the report's own; an earlier one's is
    rebuilt from its distribution time and the field's handling days with today's working-day
    exceptions (what the log does not record)."""
    exceptions = {
        day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)): bool(working)
        for day, working in connection.execute(
            text("SELECT day, is_working_day FROM workday_exception"))
    }
    rows = connection.execute(text(
        "SELECT e.id, e.report_id, e.created_at, e.action, e.from_status, e.target_unit_id,"
        " r.distributed_at, r.due_at, f.handling_days, r.field_id, r.source_id"
        " FROM report_event e JOIN report r ON r.id = e.report_id"
        " LEFT JOIN field f ON f.id = r.field_id"
        " WHERE e.action IN ('distribute', 'approve', 'return')"
        + (" AND e.report_id = :report_id" if report_id is not None else "")
        + " ORDER BY e.report_id, e.created_at, e.id"
    ).execution_options(stream_results=True, yield_per=5000), {"report_id": report_id})

    def moment(value):
        return value if isinstance(value, dt.datetime) or value is None \
            else dt.datetime.fromisoformat(str(value))

    current: dict | None = None
    report_id = None
    for (ident, rid, created, action, from_status, target, distributed, due, days,
         field_id, source_id) in rows:
        created, distributed, due = moment(created), moment(distributed), moment(due)
        if rid != report_id:
            if current is not None:
                yield current
            current, report_id = None, rid
        if action == Action.DISTRIBUTE.value:
            if current is not None:  # cannot happen through the workflow; kept as it was
                yield current
            if due is None or distributed != created:
                due = calendar.window_end(
                    created, days or calendar.DEFAULT_HANDLING_DAYS, exceptions)
            current = {"report_id": rid, "unit_id": target, "event_id": ident,
                       "distributed_at": created, "due_at": due,
                       "ended_at": None, "outcome": None,
                       "field_id": field_id, "source_id": source_id}
        elif current is not None and (
            action == Action.APPROVE.value
            or (action == Action.RETURN.value and from_status in UNIT_ENDING_RETURN)
        ):
            current["ended_at"] = created
            current["outcome"] = (AssignmentOutcome.APPROVED if action == Action.APPROVE.value
                                  else AssignmentOutcome.RETURNED).value
            yield current
            current = None
    if current is not None:
        yield current


def rebuild_assignments(connection, report_id: int | None = None, batch: int = 5000) -> int:
    """Replace the assignments (of one report, or all) by those the log tells: for data whose
    times were set outside the workflow (the demo's backdated history, ``perf generate``)."""
    table = Assignment.__table__
    connection.execute(table.delete().where(
        table.c.report_id == report_id if report_id is not None else true()))
    # Migration 0010 calls this on a table without the columns later revisions added.
    present = {c["name"] for c in inspect(connection).get_columns(table.name)}
    columns = [c.name for c in table.columns if c.name in present and c.name != "id"]
    write = _copy_writer(connection, table.name, columns) \
        if connection.dialect.name == "postgresql" else \
        (lambda chunk: connection.execute(table.insert(), chunk))
    count, chunk = 0, []
    for row in assignments_from_log(connection, report_id):
        chunk.append({c: row[c] for c in columns})
        if len(chunk) >= batch:
            write(chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        write(chunk)
        count += len(chunk)
    return count


def _copy_writer(connection, table: str, columns: list[str]):
    """PostgreSQL's COPY, on the connection's own transaction: a million assignments go in
    some 50 s sooner than as INSERTs (the foreign keys checked row by row were most of the
    rest: ``REBUILT_TABLES`` in app/perf/generate.py)."""
    def write(chunk: list[dict]) -> None:
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in chunk:
                copy.write_row([row[c] for c in columns])
    return write


@rebuilds("Phân công xử lý (thống kê)")
def rebuild_after_bulk_load() -> None:
    """``perf generate`` loads reports and logs without the workflow: the assignments follow."""
    rebuild_assignments(db.session.connection())


# --- Periods ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Whole local days, ``first`` to ``last`` inclusive (Asia/Ho_Chi_Minh)."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return local_day_start_utc(self.first)

    @property
    def end(self) -> dt.datetime:
        return local_day_start_utc(self.last + dt.timedelta(days=1))

    @property
    def label(self) -> str:
        return f"Từ ngày {self.first:%d/%m/%Y} đến ngày {self.last:%d/%m/%Y}"

    def year_before(self) -> Period:
        return Period(_year_before(self.first), _year_before(self.last))

    def months(self) -> list[Period]:
        """The period cut at month boundaries."""
        parts, first = [], self.first
        while first <= self.last:
            last_of_month = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
            parts.append(Period(first, min(last_of_month, self.last)))
            first = last_of_month + dt.timedelta(days=1)
        return parts


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29/02
        return day.replace(year=day.year - 1, day=28)


PRESETS = {
    "thang-nay": "Tháng này",
    "thang-truoc": "Tháng trước",
    "quy-nay": "Quý này",
    "nam-nay": "Năm nay",
    "tuy-chon": "Tùy chọn",
}


def today_local(now: dt.datetime | None = None) -> dt.date:
    return calendar.local_date(now or utcnow())


def preset_period(key: str, today: dt.date) -> Period:
    """A preset's period around ``today`` (a local date); unknown keys give this month."""
    month_start = today.replace(day=1)
    if key == "thang-truoc":
        last = month_start - dt.timedelta(days=1)
        return Period(last.replace(day=1), last)
    if key == "quy-nay":
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        end_month = first.month + 2
        return Period(first, first.replace(
            month=end_month, day=month_calendar.monthrange(first.year, end_month)[1]))
    if key == "nam-nay":
        return Period(today.replace(month=1, day=1), today.replace(month=12, day=31))
    return Period(month_start, month_start.replace(
        day=month_calendar.monthrange(today.year, today.month)[1]))


# --- The figures ------------------------------------------------------------------------------

@dataclass
class Criteria:
    """The queue filters the statistics take (besides the period)."""

    source_id: int | None = None
    field_id: int | None = None
    keyword: str | None = None


@dataclass
class Row:
    key: object
    label: str
    figures: dict[str, int | float | None] = field(default_factory=dict)
    same_period: int | None = None  # received in the same period a year before (Thống kê)

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, **self.figures}


@dataclass
class Table:
    by: str
    period: Period
    rows: list[Row]
    total: Row
    compared: bool = False


def empty_figures() -> dict[str, int | float | None]:
    return {**{c: 0 for c in COUNTS}, "on_time_rate": None}


def on_time_rate(done_on_time: int, done_late: int) -> float | None:
    done = done_on_time + done_late
    return round(100.0 * done_on_time / done, 1) if done else None


def citizen_ratings(user, period: Period, by: str, criteria: Criteria) -> dict:
    """group key → (Hài lòng, Không hài lòng): the citizens' ratings given in the period on the
    units' published results (DESIGN §10), in the user's scope and the criteria. A rating
    counts under the unit whose result was rated, and by field, source or status under its
    report; "Chấp nhận được" is neither."""
    if by == "month":
        return {m.first.strftime("%Y-%m"): citizen_ratings(user, m, "total", criteria)[None]
                for m in period.months()}
    rated = func.coalesce(func.sum(case((Feedback.rating == Rating.SATISFIED.value, 1),
                                        else_=0)), 0)
    unrated = func.coalesce(func.sum(case((Feedback.rating == Rating.NOT_SATISFIED.value, 1),
                                          else_=0)), 0)
    key = {"unit": Feedback.unit_id, "field": Report.field_id, "source": Report.source_id,
           "status": _status_at(period, Feedback.report_id, Feedback)}.get(by)
    query = (
        select(*([key.label("group_key")] if key is not None else []), rated, unrated)
        .select_from(Feedback).join(Report, Report.id == Feedback.report_id)
        .where(Feedback.created_at >= period.start, Feedback.created_at < period.end,
               _unit_restriction(user, Feedback.unit_id), *_criteria_clauses(criteria))
    )
    if key is None:
        return {None: tuple(db.session.execute(query).one())}
    return {row[0]: (row[1], row[2]) for row in db.session.execute(query.group_by(key))}


def _unit_restriction(user, unit_column=Assignment.unit_id):
    """The statistics' scope: everything for those who see every report, the person's own
    unit's assignments (or ratings) for a unit's people, nothing otherwise."""
    if sees_all(user):
        return true()
    unit_id = unit_in_scope(user)
    return false() if unit_id is None else unit_column == unit_id


def _criteria_clauses(criteria: Criteria, catalogue=Report) -> list:
    """The criteria: source and field on ``catalogue`` (the report, or the assignment's copy),
    the keyword on the report."""
    clauses = []
    if criteria.source_id:
        clauses.append(catalogue.source_id == criteria.source_id)
    if criteria.field_id:
        clauses.append(catalogue.field_id == criteria.field_id)
    if (criteria.keyword or "").strip():
        clauses.append(keyword_clause(criteria.keyword))
    return clauses


def _in_criteria(query, criteria: Criteria):
    """``query`` of assignments narrowed to the criteria; report is joined for a keyword only."""
    if (criteria.keyword or "").strip():
        query = query.join(Report, Report.id == Assignment.report_id)
    return query.where(*_criteria_clauses(criteria, Assignment))


def _assignments(user, period: Period, criteria: Criteria, *extra_columns):
    """Assignments counting in ``period`` within the user's scope and the criteria."""
    return _in_criteria(select(
        Assignment.id, Assignment.report_id, Assignment.unit_id, Assignment.distributed_at,
        Assignment.due_at, Assignment.ended_at, Assignment.outcome, *extra_columns,
    ).where(
        Assignment.distributed_at < period.end,
        or_(Assignment.ended_at.is_(None), Assignment.ended_at >= period.start),
        _unit_restriction(user),
    ), criteria)


def _figure_columns(a, period: Period, now: dt.datetime):
    """Aggregates of §8 over the assignments ``a`` (a subquery)."""
    start, end = period.start, period.end
    cutoff = min(end, now)  # "still open at the end of the period" — or now, if sooner
    ended = and_(a.c.ended_at.is_not(None), a.c.ended_at < end)
    still_open = or_(a.c.ended_at.is_(None), a.c.ended_at >= end)
    approved = a.c.outcome == AssignmentOutcome.APPROVED.value

    def total(condition, name):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(name)

    return [
        total(a.c.distributed_at < start, "carried_over"),
        total(a.c.distributed_at >= start, "received"),
        func.count().label("to_handle"),
        total(and_(ended, approved, a.c.ended_at <= a.c.due_at), "done_on_time"),
        total(and_(ended, approved, a.c.ended_at > a.c.due_at), "done_late"),
        total(and_(ended, a.c.outcome == AssignmentOutcome.RETURNED.value), "returned"),
        total(and_(still_open, a.c.due_at >= cutoff), "open_on_time"),
        total(and_(still_open, a.c.due_at < cutoff), "open_overdue"),
    ]


def _last_per_report(query):
    """Of each report's assignments in ``query``, the last one (counted once, DESIGN §8)."""
    ranked = query.add_columns(func.row_number().over(
        partition_by=Assignment.report_id,
        order_by=(Assignment.distributed_at.desc(), Assignment.id.desc()),
    ).label("rank")).subquery()
    return select(ranked).where(ranked.c.rank == 1).subquery()


def _status_at(period: Period, report_id=Assignment.report_id, outer=Assignment):
    """The report's state at the end of the period, from the log (a closed period keeps it)."""
    event = aliased(ReportEvent)
    return (
        select(event.to_status)
        .where(event.report_id == report_id, event.created_at < period.end)
        .order_by(event.created_at.desc(), event.id.desc()).limit(1)
        .correlate(outer).scalar_subquery().label("group_key")
    )


def _group_column(by: str, period: Period):
    if by == "unit":
        return Assignment.unit_id.label("group_key")
    if by == "field":
        return Assignment.field_id.label("group_key")
    if by == "source":
        return Assignment.source_id.label("group_key")
    if by == "status":
        return _status_at(period)
    return None


def _figures(row) -> dict:
    figures = {name: int(getattr(row, name) or 0) for name in COUNTS if name in row._fields}
    figures.setdefault("satisfied", 0)
    figures.setdefault("not_satisfied", 0)
    figures["on_time_rate"] = on_time_rate(figures["done_on_time"], figures["done_late"])
    return {name: figures[name] for name in COLUMNS}


def _grouped(user, period: Period, criteria: Criteria, by: str, now: dt.datetime) -> dict:
    """key → figures for one grouping (None key: the whole period)."""
    column = _group_column(by, period) if by != "total" else None
    query = _assignments(user, period, criteria, *([column] if column is not None else []))
    per_report = by != "unit"
    a = _last_per_report(query) if per_report else query.subquery()
    aggregates = _figure_columns(a, period, now)
    if column is None:
        rows = db.session.execute(select(*aggregates)).all()
        return {None: _figures(rows[0])}
    rows = db.session.execute(
        select(a.c.group_key, *aggregates).group_by(a.c.group_key)).all()
    return {row.group_key: _figures(row) for row in rows}


def _labels(by: str, keys: list) -> dict:
    if by == "status":
        return {k: STATUS_LABELS.get(k, k or "—") for k in keys}
    model = {"unit": Unit, "field": Field, "source": Source}[by]
    names = dict(db.session.execute(
        select(model.id, model.name).where(model.id.in_([k for k in keys if k is not None]))
    ).all()) if keys else {}
    missing = {"unit": "(Không rõ đơn vị)", "field": "(Chưa có lĩnh vực)",
               "source": "(Chưa có nguồn)"}[by]
    return {k: names.get(k, missing) for k in keys}


def _with_ratings(user, period: Period, by: str, criteria: Criteria,
                  figures_by_key: dict) -> dict:
    """The figures with the ratings; a group rated in the period but with nothing to handle
    in it (its result was approved before) gets a row of its own."""
    for key, (satisfied, not_satisfied) in citizen_ratings(user, period, by, criteria).items():
        if satisfied or not_satisfied:
            figures = figures_by_key.setdefault(key, empty_figures())
            figures["satisfied"], figures["not_satisfied"] = int(satisfied), int(not_satisfied)
    return figures_by_key


def summary(user, period: Period, by: str = "unit", criteria: Criteria | None = None, *,
            compare: bool = False, now: dt.datetime | None = None) -> Table:
    """The table of §8 for ``period`` grouped ``by`` unit, field, source, month or status,
    within the user's scope; the total row is the whole period, counted the same way.
    ``compare`` adds what was received in the same period a year before (so với cùng kỳ)."""
    if by not in GROUPINGS:
        raise ValueError(by)
    criteria = criteria or Criteria()
    now = now or utcnow()
    if by == "month":
        months = period.months()
        figures = _with_ratings(user, period, by, criteria, {
            m.first.strftime("%Y-%m"): _grouped(user, m, criteria, "total", now)[None]
            for m in months})
        labels = {m.first.strftime("%Y-%m"): f"Tháng {m.first:%m/%Y}" for m in months}
    else:
        figures = _with_ratings(user, period, by, criteria,
                                _grouped(user, period, criteria, by, now))
        labels = _labels(by, list(figures))
    if by == "month":  # each report once, under its last assignment of the whole period
        total_figures = _grouped(user, period, criteria, "total", now)[None]
        for name in ("satisfied", "not_satisfied"):
            total_figures[name] = sum(values[name] for values in figures.values())
    else:
        # By unit every assignment counts once; by field, source or state each report counts
        # once, in the group of its own field, source or state: the rows add up to the total.
        total_figures = empty_figures()
        for values in figures.values():
            for name in COUNTS:
                total_figures[name] += values[name]
        total_figures["on_time_rate"] = on_time_rate(total_figures["done_on_time"],
                                                     total_figures["done_late"])
    rows = [Row(key, labels[key], values) for key, values in figures.items()]
    rows.sort(key=lambda r: (r.key if by == "month" else r.label.casefold()))
    table = Table(by, period, rows, Row("total", "Tổng cộng", total_figures), compared=compare)
    if compare:
        _compare_same_period(user, table, criteria)
    return table


def _compare_same_period(user, table: Table, criteria: Criteria) -> None:
    received, total = _received(user, table.period.year_before(), criteria, table.by)
    if table.by == "month":
        received = {f"{int(key[:4]) + 1}{key[4:]}": count for key, count in received.items()}
    for row in table.rows:
        row.same_period = received.get(row.key, 0)
    table.total.same_period = total


def _received(user, period: Period, criteria: Criteria, by: str) -> tuple[dict, int]:
    """The "received" column of ``summary(user, period, by, criteria)`` (key → count) and its
    total: what the comparison with a year before needs, from the assignments distributed in
    the period alone. A report's last assignment of a period is one distributed in it whenever
    it has any, so "received" by field, source, month or state counts the reports with an
    assignment distributed in the period, under the key of the last one."""
    months = period.months()
    if by == "month":
        column = case(*((Assignment.distributed_at < m.end, i) for i, m in enumerate(months)))
    else:
        column = _group_column(by, period)
    query = _in_criteria(select(Assignment.report_id, column.label("group_key")).where(
        Assignment.distributed_at >= period.start, Assignment.distributed_at < period.end,
        _unit_restriction(user),
    ), criteria)
    if by == "month":  # each report once a month, and once in the whole period
        a = query.subquery()
        reports = func.count(a.c.report_id.distinct())
        counts = {months[i].first.strftime("%Y-%m"): count for i, count in db.session.execute(
            select(a.c.group_key, reports).group_by(a.c.group_key)).all()}
        return counts, db.session.execute(select(reports)).scalar()
    a = query.subquery() if by == "unit" else _last_per_report(query)
    counts = dict(db.session.execute(
        select(a.c.group_key, func.count()).group_by(a.c.group_key)).all())
    return counts, sum(counts.values())


def change_percent(now_value: int, before: int | None) -> float | None:
    """Tăng/giảm so với cùng kỳ, in per cent (None when there was nothing a year before)."""
    if not before:
        return None
    return round(100.0 * (now_value - before) / before, 1)


# --- The charts ("Biểu đồ phản ánh") -----------------------------------------------------------

SMALL_UNIT_ITEMS = 5  # units with fewer results than this are ranked apart


def charts(user, period: Period, criteria: Criteria | None = None,
           now: dt.datetime | None = None) -> dict:
    """The data of the four charts, from the same figures as the tables."""
    criteria = criteria or Criteria()
    now = now or utcnow()
    months = period.months()
    sources = dict(db.session.execute(select(Source.id, Source.name).order_by(Source.name)).all())
    # Reports distributed in each month, by source, each report once a month (a source is the
    # report's, so its assignments of a month share it): one statement for all the months.
    month = case(*((Assignment.distributed_at < m.end, i) for i, m in enumerate(months)))
    distributed = _in_criteria(
        select(month.label("month"), Assignment.source_id, Assignment.report_id)
        .where(Assignment.distributed_at >= period.start, Assignment.distributed_at < period.end,
               _unit_restriction(user)), criteria).subquery()
    per_month_source: dict[object, list[int]] = {}
    for i, key, count in db.session.execute(
            select(distributed.c.month, distributed.c.source_id,
                   func.count(distributed.c.report_id.distinct()))
            .group_by(distributed.c.month, distributed.c.source_id)).all():
        per_month_source.setdefault(key, [0] * len(months))[i] = count
    by_field = summary(user, period, "field", criteria, now=now)
    by_unit = summary(user, period, "unit", criteria, now=now)
    ranked = sorted(
        (r for r in by_unit.rows if r.figures["on_time_rate"] is not None),
        key=lambda r: (-r.figures["on_time_rate"], r.label.casefold()),
    )
    done = lambda r: r.figures["done_on_time"] + r.figures["done_late"]  # noqa: E731
    today = Period(today_local(now), today_local(now))
    by_unit_today = list(_grouped(user, today, criteria, "unit", now).values())
    open_now = {name: sum(f[name] for f in by_unit_today)
                for name in ("open_on_time", "open_overdue")}
    return {
        "period": period.label,
        "months": [f"{m.first:%m/%Y}" for m in months],
        "by_source": [{"label": sources.get(k, "(Chưa có nguồn)"), "data": v}
                      for k, v in sorted(per_month_source.items(),
                                         key=lambda kv: sources.get(kv[0], ""))],
        "by_field": [{"label": r.label, "received": r.figures["received"],
                      "to_handle": r.figures["to_handle"]} for r in by_field.rows],
        "on_time": [{"label": r.label, "rate": r.figures["on_time_rate"], "done": done(r)}
                    for r in ranked if done(r) >= SMALL_UNIT_ITEMS],
        "on_time_small": [{"label": r.label, "rate": r.figures["on_time_rate"], "done": done(r)}
                          for r in ranked if done(r) < SMALL_UNIT_ITEMS],
        "open_now": {"open_on_time": open_now["open_on_time"],
                     "open_overdue": open_now["open_overdue"],
                     "as_of": f"{calendar.local_date(now):%d/%m/%Y}"},
    }


def local_today_label(now: dt.datetime | None = None) -> str:
    day = (now or utcnow()).replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TZ)
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"
