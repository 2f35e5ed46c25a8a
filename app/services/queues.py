"""The report queues of the letter's left menu "Phản ánh, kiến nghị", their badges and alerts.

A queue lists, within the person's scope (``app.services.scope.scope_clause``), the reports of one
step of the process (DESIGN §3, column "whose queue"). Its first tab holds the reports waiting
for the person's action ("Chờ xử lý", "Chưa phê duyệt", …), its second tab the reports the
person's unit (or the centre) already moved past that step ("Đã xử lý", "Đã phê duyệt", …).

The menu badge is "(waiting / waiting + done)", as the letter's "Phê duyệt (1/1)"; the NEW mark
means a report arrived in the waiting tab since the person last opened the queue (one
``QueueVisit`` row per person and queue; never opened and something waiting is NEW too).
A report "arrives" in a queue when its row last changed (``Report.updated_at``: every change
of state writes it), when it was created for "Tiếp nhận" and "Tất cả phản ánh", and when the
follow-up was sent for "Thông tin theo dõi".

The badges of all queues come from at most five grouped queries per request (counts per state,
latest arrival per state, follow-ups, citizens' ratings, visits), whatever the number of queues and reports; the
lists and the counts use the same conditions (``Cond``), so a badge always equals its tab.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, distinct, exists, false, func, not_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..domain.calendar import LOCAL_TZ, UTC
from ..domain.workflow import Status
from ..extensions import db
from ..models import AppUser, Feedback, Rating, Report, ReportUnit, ReportUnitKind, Unit
from ..models.base import utcnow
from ..models.visit import QueueVisit
from .scope import scope_clause, sees_all
from .search import keyword_clause
from .workflow import overdue_clause

PAGE_SIZE = 20
ALL_STATUSES = frozenset(Status)


# --- Conditions a queue's tab puts on a report ----------------------------------------------

@dataclass(frozen=True)
class Cond:
    """Reports in ``statuses``; if ``mine``, assigned now to the person's unit; if ``handled``,
    ever distributed to the person's unit to handle; minus the reports ``exclude`` matches.

    The same condition is written as SQL (the lists) and evaluated over grouped counts (the
    badges)."""

    statuses: frozenset[Status] = ALL_STATUSES
    mine: bool = False
    handled: bool = False
    exclude: Cond | None = None

    def needs(self) -> set[str]:
        keys = {name for name in ("mine", "handled") if getattr(self, name)}
        return keys | (self.exclude.needs() if self.exclude else set())

    def clause(self, unit_id: int | None):
        if (self.mine or self.handled) and unit_id is None:
            return false()
        parts = []
        if self.statuses != ALL_STATUSES:
            parts.append(Report.status.in_(sorted(s.value for s in self.statuses)))
        if self.mine:
            # "IS NOT NULL" keeps the NOT of an exclude true for reports assigned to no unit.
            parts.append(and_(Report.unit_id.is_not(None), Report.unit_id == unit_id))
        if self.handled:
            parts.append(handled_by(unit_id))
        if self.exclude is not None:
            parts.append(not_(self.exclude.clause(unit_id)))
        return and_(true(), *parts)

    def matches(self, status: str, mine: bool, handled: bool) -> bool:
        if self.statuses != ALL_STATUSES and status not in self.statuses:
            return False
        if (self.mine and not mine) or (self.handled and not handled):
            return False
        return not (self.exclude and self.exclude.matches(status, mine, handled))


def handled_by(unit_id: int):
    return exists().where(
        ReportUnit.report_id == Report.id, ReportUnit.unit_id == unit_id,
        ReportUnit.kind == ReportUnitKind.HANDLING.value,
    )


@dataclass(frozen=True)
class Tab:
    key: str  # its value in the URL (?tab=…)
    label: str
    cond: Cond | None = None  # report queues
    follow_done: bool | None = None  # the follow-up queue: done or not
    answered: bool | None = None  # the citizens' feedback queue: answered or not


@dataclass(frozen=True)
class Queue:
    key: str  # URL segment and QueueVisit.queue
    title: str  # menu entry and page title
    permission: str  # the class_permission_name of its page (see app/security/roles.py)
    tabs: tuple[Tab, ...]
    columns: tuple[str, ...]
    arrival: str = "updated_at"  # Report column telling when a report arrived in the queue
    follow: bool = False  # lists the person's unit's follow-ups (ReportUnit kind "follow")
    # Lists citizens' ratings of published results (one row per rating, "Không hài lòng" first).
    feedback: bool = False
    icon: str = "fa-list"

    @property
    def waiting(self) -> Tab:
        return self.tabs[0]

    @property
    def done(self) -> Tab:
        return self.tabs[1]

    def tab(self, key: str | None) -> Tab:
        return next((t for t in self.tabs if t.key == key), self.tabs[0])


S = Status
# The letter's tables: set A (centre's lists, follow-ups), set B (units' lists), as it shows them.
COLUMNS = {
    "stt": "STT",
    "time": "Thời gian",
    "receiver": "Người tiếp nhận",
    "reporter": "Cá nhân / tổ chức",
    "phone": "Điện thoại",
    "title": "Tiêu đề",
    "window": "Từ ngày đến ngày",
    "status": "Trạng thái",
    "unit": "Đơn vị xử lý",
    "place": "Địa điểm",
    "rating": "Đánh giá",
    "feedback": "Ý kiến người dân",
}
_CENTRE_COLUMNS = ("stt", "time", "receiver", "reporter", "phone", "title", "status", "place")
_UNIT_COLUMNS = ("stt", "time", "reporter", "phone", "title", "window", "status", "place")
_HANDLING = frozenset({S.ASSIGNED, S.IN_PROGRESS})
_CLOSED = frozenset({S.PUBLISHED, S.REJECTED})

QUEUES: tuple[Queue, ...] = (
    Queue("tiep-nhan", "Tiếp nhận", "QueueIntake", (
        Tab("cho", "Chưa tiếp nhận", Cond(frozenset({S.NEW}))),
        Tab("da", "Đã tiếp nhận", Cond(ALL_STATUSES - {S.NEW})),
    ), _CENTRE_COLUMNS, arrival="created_at", icon="fa-inbox"),
    Queue("phan-phoi", "Phân phối", "QueueDistribution", (
        Tab("cho", "Chưa phân phối", Cond(frozenset({S.RECEIVED}))),
        Tab("da", "Đã phân phối", Cond(frozenset(
            {S.ASSIGNED, S.IN_PROGRESS, S.PENDING_APPROVAL, S.APPROVED, S.PUBLISHED}))),
    ), _CENTRE_COLUMNS[:-2] + ("status", "unit", "place"), icon="fa-share-alt"),
    Queue("xu-ly", "Xử lý", "QueueProcessing", (
        Tab("cho", "Chờ xử lý", Cond(_HANDLING, mine=True)),
        Tab("da", "Đã xử lý", Cond(handled=True, exclude=Cond(_HANDLING, mine=True))),
    ), _UNIT_COLUMNS, icon="fa-wrench"),
    Queue("phe-duyet", "Phê duyệt", "QueueApproval", (
        Tab("cho", "Chưa phê duyệt", Cond(frozenset({S.PENDING_APPROVAL}), mine=True)),
        Tab("da", "Đã phê duyệt", Cond(frozenset({S.APPROVED, S.PUBLISHED}), mine=True)),
    ), _UNIT_COLUMNS, icon="fa-check-square-o"),
    Queue("dang-tai", "Đăng tải kết quả", "QueuePublishing", (
        Tab("cho", "Chưa đăng tải", Cond(frozenset({S.APPROVED}))),
        Tab("da", "Đã đăng tải", Cond(frozenset({S.PUBLISHED}))),
    ), _UNIT_COLUMNS[:-1] + ("unit", "place"), icon="fa-globe"),
    Queue("tuong-tac", "Phản ánh có tương tác", "QueueFeedback", (
        Tab("cho", "Chờ phản hồi", answered=False),
        Tab("da", "Đã phản hồi", answered=True),
    ), ("stt", "time", "title", "unit", "rating", "feedback", "status"),
        feedback=True, icon="fa-comments"),
    Queue("theo-doi", "Thông tin theo dõi", "QueueFollowUp", (
        Tab("cho", "Chờ phản hồi", follow_done=False),
        Tab("da", "Đã phản hồi", follow_done=True),
    ), ("stt", "time", "receiver", "reporter", "phone", "title", "status", "unit", "place"),
        follow=True, icon="fa-eye"),
    Queue("tat-ca", "Tất cả phản ánh", "ReportList", (
        Tab("cho", "Đang giải quyết", Cond(ALL_STATUSES - _CLOSED)),
        Tab("da", "Đã kết thúc", Cond(_CLOSED)),
        Tab("tat-ca", "Tất cả", Cond()),
    ), ("stt", "time", "receiver", "reporter", "phone", "title", "window", "status", "unit",
        "place"), arrival="created_at", icon="fa-database"),
)
del S
QUEUES_BY_KEY = {q.key: q for q in QUEUES}


# --- Filters of a queue page -----------------------------------------------------------------

@dataclass
class Filters:
    date_from: dt.date | None = None  # received on or after (local date)
    date_to: dt.date | None = None  # received on or before (local date)
    source_id: int | None = None
    field_id: int | None = None
    keyword: str | None = None
    status: str | None = None  # one state (the "Tất cả phản ánh" list)
    condition: str | None = None  # an alert's condition (CONDITIONS), from the Cảnh báo panel


def local_day_start_utc(day: dt.date) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)
    return start.astimezone(UTC).replace(tzinfo=None)


def filter_clauses(user, filters: Filters) -> list:
    clauses = []
    if filters.date_from:
        clauses.append(Report.received_at >= local_day_start_utc(filters.date_from))
    if filters.date_to:
        clauses.append(
            Report.received_at < local_day_start_utc(filters.date_to + dt.timedelta(days=1))
        )
    if filters.source_id:
        clauses.append(Report.source_id == filters.source_id)
    if filters.field_id:
        clauses.append(Report.field_id == filters.field_id)
    if filters.keyword and filters.keyword.strip():
        clauses.append(keyword_clause(filters.keyword))
    if filters.status and filters.status in {s.value for s in Status}:
        clauses.append(Report.status == filters.status)
    if filters.condition in CONDITIONS:
        clauses.append(condition_clause(user, filters.condition))
    return clauses


# --- The Cảnh báo panel's conditions (also filters of the lists they link to) ---------------

# key → label; a see-all person counts the whole province, a unit's person its own unit.
CONDITIONS = {
    "moi": "Phản ánh mới",
    "chua-xu-ly": "Phản ánh chưa xử lý",
    "qua-han": "Phản ánh quá hạn chưa xử lý",
    "theo-doi": "Thông tin theo dõi chưa thực hiện",
}
_NOT_PROCESSED = (Status.ASSIGNED.value, Status.IN_PROGRESS.value)


def _at_unit(user):
    """Reports assigned now to the person's unit; every report for a see-all person."""
    if sees_all(user):
        return true()
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return false()
    return and_(Report.unit_id.is_not(None), Report.unit_id == unit_id)


def _open_follow_up(user):
    conditions = [ReportUnit.report_id == Report.id,
                  ReportUnit.kind == ReportUnitKind.FOLLOW.value, ReportUnit.done_at.is_(None)]
    if not sees_all(user):
        unit_id = getattr(user, "unit_id", None)
        if unit_id is None:
            return false()
        conditions.append(ReportUnit.unit_id == unit_id)
    return exists().where(*conditions)


def condition_clause(user, key: str):
    """SQL condition of one alert, for ``user``.

    - mới: arrived and not yet taken — for the centre "Chờ tiếp nhận", for a unit distributed
      to it and not yet accepted ("Chờ xử lý");
    - chưa xử lý: at a unit, result not yet written ("Chờ xử lý", "Đang xử lý");
    - quá hạn chưa xử lý: the same, past the due date (``overdue_clause``);
    - theo dõi chưa thực hiện: a follow-up (of the person's unit) not yet marked done.
    """
    if key == "moi":
        if sees_all(user):
            return Report.status == Status.NEW.value
        return and_(Report.status == Status.ASSIGNED.value, _at_unit(user))
    if key == "chua-xu-ly":
        return and_(Report.status.in_(_NOT_PROCESSED), _at_unit(user))
    if key == "qua-han":
        return and_(Report.status.in_(_NOT_PROCESSED), _at_unit(user), overdue_clause())
    if key == "theo-doi":
        return _open_follow_up(user)
    raise KeyError(key)


def alert_counts(user) -> dict[str, int]:
    """The four numbers of the Cảnh báo panel, in two queries."""
    scope = scope_clause(user)
    first = db.session.execute(
        select(*(func.count(case((condition_clause(user, key), 1)))
                 for key in ("moi", "chua-xu-ly", "qua-han")))
        .where(scope, Report.status.in_([Status.NEW.value, *_NOT_PROCESSED]))
    ).one()
    follow = [ReportUnit.kind == ReportUnitKind.FOLLOW.value, ReportUnit.done_at.is_(None)]
    if not sees_all(user):
        unit_id = getattr(user, "unit_id", None)
        follow.append(ReportUnit.unit_id == unit_id if unit_id is not None else false())
    follow_count = db.session.execute(
        select(func.count(distinct(ReportUnit.report_id))).where(*follow)
    ).scalar_one()
    return {"moi": first[0], "chua-xu-ly": first[1], "qua-han": first[2],
            "theo-doi": follow_count}


# --- Lists ------------------------------------------------------------------------------------

@dataclass
class Row:
    report: Report
    arrived_at: dt.datetime | None
    receiver_name: str | None
    unit_name: str | None
    feedback: Feedback | None = None  # the "Phản ánh có tương tác" queue's rating


# The follow-up queue joins the person's unit's follow-up link (an alias: the scope's EXISTS on
# report_unit must stay a subquery of its own).
FollowLink = aliased(ReportUnit, name="follow_link")


def _tab_clause(user, queue: Queue, tab: Tab):
    unit_id = getattr(user, "unit_id", None)
    if queue.follow:
        if unit_id is None:
            return false()
        return FollowLink.done_at.is_not(None) if tab.follow_done else FollowLink.done_at.is_(None)
    if queue.feedback:
        return Feedback.answered_at.is_not(None) if tab.answered else Feedback.answered_at.is_(None)
    return tab.cond.clause(unit_id)


def _list_select(user, queue: Queue, tab: Tab, filters: Filters, *columns):
    """``select(*columns)`` from the reports of ``tab`` within the scope, filtered."""
    query = select(*columns).select_from(Report)
    if queue.follow:
        query = query.join(FollowLink, and_(
            FollowLink.report_id == Report.id,
            FollowLink.unit_id == getattr(user, "unit_id", None),
            FollowLink.kind == ReportUnitKind.FOLLOW.value,
        ))
    if queue.feedback:
        query = query.join(Feedback, Feedback.report_id == Report.id)
    return query.where(scope_clause(user), _tab_clause(user, queue, tab),
                       *filter_clauses(user, filters))


def list_page(user, queue: Queue, tab: Tab, filters: Filters, page: int = 1,
              page_size: int = PAGE_SIZE) -> tuple[list[Row], int]:
    """One page of a queue's tab (newest first) and the number of rows of the whole tab.

    Two queries, whatever the page size: the rows (with the receiver's and the unit's names
    joined in, no relationship loaded per row) and the count."""
    receiver = aliased(AppUser)
    if queue.follow:
        arrival = FollowLink.created_at
    elif queue.feedback:
        arrival = Feedback.created_at
    else:
        arrival = getattr(Report, queue.arrival)
    if queue.feedback:
        # The dissatisfied first, then the newest rating.
        order = (case((Feedback.rating == Rating.NOT_SATISFIED.value, 0), else_=1),
                 Feedback.created_at.desc(), Feedback.id.desc())
        extra = (Feedback,)
    else:
        order = (Report.received_at.desc(), Report.id.desc())
        extra = ()
    query = (
        _list_select(user, queue, tab, filters, Report, arrival.label("arrived_at"),
                     receiver.first_name, receiver.last_name, Unit.name, *extra)
        .outerjoin(receiver, receiver.id == Report.received_by_id)
        .outerjoin(Unit, Unit.id == Report.unit_id)
        .order_by(*order)
        .limit(page_size).offset(max(page - 1, 0) * page_size)
    )
    rows = [
        Row(report, arrived_at, " ".join(p for p in (first, last) if p) or None, unit_name,
            *rest)
        for report, arrived_at, first, last, unit_name, *rest in db.session.execute(query)
    ]
    total = db.session.execute(
        _list_select(user, queue, tab, filters, func.count(Report.id))
    ).scalar_one()
    return rows, total


# --- Badges -------------------------------------------------------------------------------------

@dataclass
class Badge:
    waiting: int = 0
    done: int = 0
    latest: dt.datetime | None = None  # latest arrival in the waiting tab
    seen_at: dt.datetime | None = None
    new: bool = False

    @property
    def total(self) -> int:
        return self.waiting + self.done

    @property
    def text(self) -> str:
        return f"({self.waiting}/{self.total})"


@dataclass
class _Groups:
    counts: list = field(default_factory=list)  # (status, mine, handled, count)
    latest: list = field(default_factory=list)  # (status, mine, handled, max updated, max created)


def _report_groups(user, queues: list[Queue]) -> _Groups:
    """Counts per (state, assigned to my unit, ever handled by my unit) within the scope, and the
    latest arrivals among the states of the waiting tabs: two grouped queries."""
    unit_id = getattr(user, "unit_id", None)
    needs = set().union(*(t.cond.needs() for q in queues for t in q.tabs[:2]))
    keys = [Report.status.label("status")]
    if "mine" in needs and unit_id is not None:
        keys.append(case((and_(Report.unit_id.is_not(None), Report.unit_id == unit_id), 1),
                         else_=0).label("mine"))
    # "Ever handled by my unit" as an outer join (at most one link per report, unit and kind),
    # not as an EXISTS evaluated per report.
    handled = aliased(ReportUnit, name="handled_link")
    join_handled = "handled" in needs and unit_id is not None
    if join_handled:
        keys.append(case((handled.id.is_not(None), 1), else_=0).label("handled"))
    waiting_states = set().union(*(q.waiting.cond.statuses for q in queues))

    def grouped(extra_columns, *where):
        inner = select(*keys, *extra_columns).select_from(Report)
        if join_handled:
            inner = inner.outerjoin(handled, and_(
                handled.report_id == Report.id, handled.unit_id == unit_id,
                handled.kind == ReportUnitKind.HANDLING.value))
        inner = inner.where(scope_clause(user), *where).subquery()
        group = [inner.c[k.name] for k in keys]
        aggregates = [func.count()] if not extra_columns else [
            func.max(inner.c.updated_at), func.max(inner.c.created_at)]
        return db.session.execute(select(*group, *aggregates).group_by(*group)).all()

    def normalise(row, n_aggregates):
        values = dict(zip([k.name for k in keys], row[: len(keys)]))
        return (values["status"], bool(values.get("mine")), bool(values.get("handled")),
                *row[len(keys): len(keys) + n_aggregates])

    groups = _Groups()
    groups.counts = [normalise(r, 1) for r in grouped([])]
    if waiting_states:
        groups.latest = [
            normalise(r, 2)
            for r in grouped(
                [Report.updated_at.label("updated_at"), Report.created_at.label("created_at")],
                Report.status.in_(sorted(s.value for s in waiting_states)),
            )
        ]
    return groups


def _follow_groups(user) -> dict[bool, tuple[int, dt.datetime | None]]:
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return {}
    is_open = ReportUnit.done_at.is_(None)
    rows = db.session.execute(
        select(is_open.label("open"), func.count(), func.max(ReportUnit.created_at))
        .where(ReportUnit.unit_id == unit_id, ReportUnit.kind == ReportUnitKind.FOLLOW.value)
        .group_by(is_open)
    ).all()
    return {bool(r[0]): (r[1], r[2]) for r in rows}


def _feedback_groups(user) -> dict[bool, tuple[int, dt.datetime | None]]:
    """Ratings within the person's scope, by answered or not: one grouped query."""
    answered = Feedback.answered_at.is_not(None)
    rows = db.session.execute(
        select(answered.label("answered"), func.count(), func.max(Feedback.created_at))
        .join(Report, Report.id == Feedback.report_id)
        .where(scope_clause(user))
        .group_by(answered)
    ).all()
    return {bool(r[0]): (r[1], r[2]) for r in rows}


def visits(user) -> dict[str, dt.datetime]:
    rows = db.session.execute(
        select(QueueVisit.queue, QueueVisit.seen_at).where(QueueVisit.user_id == user.id)
    ).all()
    return {queue: seen_at for queue, seen_at in rows}


def badges(user, queues: list[Queue]) -> dict[str, Badge]:
    """The badge of each of ``queues`` (those the person may open) for ``user``."""
    result: dict[str, Badge] = {}
    if not queues or user is None or not getattr(user, "is_authenticated", False):
        return result
    report_queues = [q for q in queues if not (q.follow or q.feedback)]
    groups = _report_groups(user, report_queues) if report_queues else _Groups()
    follow = _follow_groups(user) if any(q.follow for q in queues) else {}
    rated = _feedback_groups(user) if any(q.feedback for q in queues) else {}
    seen = visits(user)
    for queue in queues:
        badge = Badge(seen_at=seen.get(queue.key))
        if queue.follow:
            badge.waiting, badge.latest = follow.get(True, (0, None))
            badge.done = follow.get(False, (0, None))[0]
        elif queue.feedback:
            badge.waiting, badge.latest = rated.get(False, (0, None))
            badge.done = rated.get(True, (0, None))[0]
        else:
            for status, mine, handled, count in groups.counts:
                if queue.waiting.cond.matches(status, mine, handled):
                    badge.waiting += count
                elif queue.done.cond.matches(status, mine, handled):
                    badge.done += count
            for status, mine, handled, updated, created in groups.latest:
                if queue.waiting.cond.matches(status, mine, handled):
                    moment = created if queue.arrival == "created_at" else updated
                    if moment and (badge.latest is None or moment > badge.latest):
                        badge.latest = moment
        badge.new = badge.waiting > 0 and (
            badge.seen_at is None or (badge.latest is not None and badge.latest > badge.seen_at)
        )
        result[queue.key] = badge
    return result


def mark_seen(user, queue: Queue, at: dt.datetime | None = None) -> None:
    """Record that ``user`` opens ``queue`` now, or saw it as of ``at`` (one UPDATE; an INSERT
    the first time)."""
    now = at or utcnow()
    updated = db.session.execute(
        update(QueueVisit).where(QueueVisit.user_id == user.id, QueueVisit.queue == queue.key)
        .values(seen_at=now)
    ).rowcount
    if not updated:
        db.session.add(QueueVisit(user_id=user.id, queue=queue.key, seen_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # the same person opened it twice at once: the other wrote it
        db.session.rollback()


def is_new(row: Row, tab: Tab, queue: Queue, seen_before: dt.datetime | None) -> bool:
    """A row of the waiting tab that arrived since the person last opened the queue."""
    if tab is not queue.waiting:
        return False
    return seen_before is None or (row.arrived_at is not None and row.arrived_at > seen_before)


__all__ = [
    "Badge", "COLUMNS", "CONDITIONS", "Cond", "Filters", "PAGE_SIZE", "QUEUES", "QUEUES_BY_KEY",
    "Queue", "Row", "Tab", "alert_counts", "badges", "condition_clause", "filter_clauses",
    "is_new", "list_page", "mark_seen", "visits",
]
