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

The badges of all queues come from a few small statements per request, whatever the number
of queues and reports: the counts kept by app.services.counters (per state, "assigned to my
unit", "ever handled by my unit", the province's citizens' ratings), and
per queue the person's last visit with one EXISTS "arrived since". Lists and counts use the
same conditions (``Cond``), so a badge equals its tab.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

from sqlalchemy import (
    Select, and_, case, exists, false, func, literal_column, not_, or_, select, true, update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..domain.calendar import LOCAL_TZ, UTC
from ..domain.workflow import AT_HANDLER, Status
from ..extensions import db
from ..formatting import vi_number
from ..models import AppUser, Feedback, Report, ReportUnit, ReportUnitKind, Unit
from ..models.base import utcnow
from ..models.counter import PROVINCE
from ..models.feedback import DISSATISFIED_FIRST
from ..models.visit import QueueVisit
from ..ops import data_version
from .counters import (
    FOLLOW_DONE, FOLLOW_OPEN, RATINGS_ANSWERED, RATINGS_WAITING, counts_of, parse_state_bucket,
)
from .scope import scope_clause, scope_key, scope_links, scope_unit, sees_all, unit_in_scope
from .search import SEARCH_VECTOR, keyword_clause
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
        Tab("cho", "Chờ xử lý", Cond(AT_HANDLER, mine=True)),
        Tab("da", "Đã xử lý", Cond(handled=True, exclude=Cond(AT_HANDLER, mine=True))),
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
    unit_id: int | None = None  # ever distributed to this unit to handle (statistics' links)


def local_day_start_utc(day: dt.date) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)
    return start.astimezone(UTC).replace(tzinfo=None)


def filter_clauses(user, filters: Filters, *, common: bool = False) -> list:
    """The filters' conditions; ``common``: the keyword matches many reports (``list_page``)."""
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
        clauses.append(keyword_clause(filters.keyword, unit_id=scope_unit(user), common=common))
    if filters.status and filters.status in {s.value for s in Status}:
        clauses.append(Report.status == filters.status)
    if filters.condition in CONDITIONS:
        clauses.append(condition_clause(user, filters.condition))
    if filters.unit_id:
        clauses.append(handled_by(filters.unit_id))
    return clauses


# --- The Cảnh báo panel's conditions (also filters of the lists they link to) ---------------

# key → label; a see-all person counts the whole province, a unit's person its own unit.
CONDITIONS = {
    "moi": "Phản ánh mới",
    "chua-xu-ly": "Phản ánh chưa xử lý",
    "qua-han": "Phản ánh quá hạn chưa xử lý",
    "theo-doi": "Thông tin theo dõi chưa thực hiện",
}
_NOT_PROCESSED = tuple(sorted(s.value for s in AT_HANDLER))


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
    """The four numbers of the Cảnh báo panel: three from the counts, the overdue ones (a
    matter of the clock) counted on the index of open reports' due dates."""
    kept = _kept_counts(user)
    groups = state_groups(user, kept)
    see_all = sees_all(user)

    def count(statuses, need_mine):
        return sum(n for status, mine, _, n in groups
                   if status in statuses and (mine or see_all or not need_mine))

    if see_all:
        follow_open = kept[PROVINCE].get(FOLLOW_OPEN, 0)
    else:
        follow_open = follow_counts(user, kept)[0]
    overdue = db.session.execute(
        select(func.count()).select_from(Report).where(condition_clause(user, "qua-han"))
    ).scalar_one()
    return {"moi": count({Status.NEW.value} if see_all else {Status.ASSIGNED.value}, True),
            "chua-xu-ly": count(set(_NOT_PROCESSED), True), "qua-han": overdue,
            "theo-doi": follow_open}


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


def _arrival(queue: Queue):
    """The column telling when a row arrived in ``queue``."""
    if queue.follow:
        return FollowLink.created_at
    if queue.feedback:
        return Feedback.created_at
    return getattr(Report, queue.arrival)


def _list_select(user, queue: Queue, tab: Tab | None, filters: Filters, *columns,
                 common: bool = False, bounded: bool = True):
    """``select(*columns)`` from the reports of ``tab`` (None: of any tab) within the scope,
    filtered (``common``: see ``filter_clauses``). ``bounded``: the statement stops at a LIMIT
    (a page, a count), so a keyword's matches have their scope checked one by one
    (``scope_clause``'s ``probe``)."""
    query = select(*columns).select_from(Report)
    if queue.follow:
        query = query.join(FollowLink, and_(
            FollowLink.report_id == Report.id,
            FollowLink.unit_id == getattr(user, "unit_id", None),
            FollowLink.kind == ReportUnitKind.FOLLOW.value,
        ))
    if queue.feedback:
        query = query.join(Feedback, Feedback.report_id == Report.id)
    tab_clause = true() if tab is None else _tab_clause(user, queue, tab)
    return query.where(scope_clause(user, probe=bounded and bool(filters.keyword)), tab_clause,
                       *filter_clauses(user, filters, common=common))


def select_tab(user, queue: Queue, tab: Tab, filters: Filters, *columns):
    """``select(*columns)`` of a tab's reports within the scope, filtered (the exports)."""
    return _list_select(user, queue, tab, filters, *columns, bounded=False)


def list_page(user, queue: Queue, tab: Tab, filters: Filters, page: int = 1,
              page_size: int = PAGE_SIZE, few: bool = False) -> list[Row]:
    """One page of a queue's tab, newest first (follow-ups: newest request first): one query
    whatever the page size (the receiver's and the unit's names joined in, no relationship
    loaded per row). Pages stop at ``MAX_PAGES`` (``page_count``): an OFFSET costs what it
    skips.

    ``few``: the filters match at most ``count_limit`` reports (``tab_counts``). The database
    then fetches those few and sorts them, instead of walking the time index newest first
    until 20 match — which, for a rare keyword, is a walk through the whole table (the
    planner cannot tell how rare a word is). A keyword with more matches than that walks the
    index (``keyword_clause``'s ``common``; on PostgreSQL ``_newest_matches``)."""
    receiver = aliased(AppUser)
    page = min(max(page, 1), MAX_PAGES)
    arrival = _arrival(queue)
    if queue.feedback:
        # The dissatisfied first, then the newest rating.
        order = (literal_column(DISSATISFIED_FIRST), Feedback.created_at.desc(),
                 Feedback.id.desc())
        extra = (Feedback,)
    elif queue.follow:
        # Newest follow-up request first, along the index of the unit's open follow-ups by
        # arrival (a walk of every report by date probed each for the few follow-ups: 0.9 s).
        order = (arrival.desc(), Report.id.desc())
        extra = ()
    else:
        newest = (func.coalesce(Report.received_at, Report.received_at) if few
                  else Report.received_at)
        order = (newest.desc(), Report.id.desc())
        extra = ()
    columns = (Report, arrival.label("arrived_at"), receiver.first_name, receiver.last_name,
               Unit.name, *extra)
    common = bool(filters.keyword) and not few

    def page_of(query) -> list[Row]:
        query = (query.outerjoin(receiver, receiver.id == Report.received_by_id)
                 .outerjoin(Unit, Unit.id == Report.unit_id)
                 .limit(page_size).offset((page - 1) * page_size))
        return [
            Row(report, arrived_at, " ".join(p for p in (first, last) if p) or None, unit_name,
                *rest)
            for report, arrived_at, first, last, unit_name, *rest in db.session.execute(query)
        ]

    if common and not (queue.follow or queue.feedback) \
            and db.session.get_bind().dialect.name == "postgresql":
        rows = page_of(_newest_matches(user, queue, tab, filters, columns))
        if len(rows) == page_size:
            return rows
    return page_of(_list_select(user, queue, tab, filters, *columns, common=common)
                   .order_by(*order))


# How many of a tab's newest reports ``_newest_matches`` reads before giving up: a word in
# one report of 150 fills a first page within them; a sparser one pays that walk (a few ms)
# and one statement more.
NEWEST_WALK = 3_000


def _newest_matches(user, queue: Queue, tab: Tab, filters: Filters, columns):
    """``columns`` of the tab's reports matching the keyword, newest first, among the tab's
    ``NEWEST_WALK`` newest (PostgreSQL). PostgreSQL cannot tell how many reports a keyword
    matches ("cây xanh": 1,468 expected, 32,076 found), so it read them all through the word
    index and sorted them (337 ms for the centre at a million); here it walks the time index
    and stops at the page's last match (4 ms), the words checked on the walk's rows, which no
    word index can reach. A page the walk does not fill (its matches are older) is for the
    caller to read the usual way."""
    walk = (_list_select(user, queue, tab, replace(filters, keyword=None), Report.id,
                         Report.received_at, SEARCH_VECTOR.label("search_vector"))
            .order_by(Report.received_at.desc(), Report.id.desc()).limit(NEWEST_WALK)
            .subquery("newest"))
    return (select(*columns).select_from(walk).join(Report, Report.id == walk.c.id)
            .where(keyword_clause(filters.keyword, unit_id=scope_unit(user),
                                  vector=walk.c.search_vector))
            .order_by(walk.c.received_at.desc(), walk.c.id.desc()))


# Counting a filtered tab stops here ("hơn 10.000"); listing stops at the same row.
COUNT_LIMIT = 10_000
# A keyword search stops counting sooner ("hơn 1.000", 50 pages): each match is a row read to
# check the word's accents, and a common word has tens of thousands in a unit's reports alone
# (a unit's search for "đường" counted 10,001 of them twice: 777 ms at 1M; 158 ms now).
KEYWORD_COUNT_LIMIT = 1_000
MAX_PAGES = COUNT_LIMIT // PAGE_SIZE


def count_limit(filters: Filters) -> int:
    return KEYWORD_COUNT_LIMIT if filters.keyword else COUNT_LIMIT


@dataclass(frozen=True)
class Count:
    n: int
    more: bool = False  # more than ``n`` (= COUNT_LIMIT) rows

    @property
    def text(self) -> str:
        number = vi_number(self.n)
        return f"hơn {number}" if self.more else number


def page_count(count: Count, page_size: int = PAGE_SIZE) -> int:
    return min(max(math.ceil(count.n / page_size), 1), MAX_PAGES)


def _has_filters(filters: Filters) -> bool:
    return any(getattr(filters, name) for name in filters.__dataclass_fields__)


def tab_counts(user, queue: Queue, filters: Filters,
               current: Tab | None = None) -> dict[str, Count]:
    """The number of reports of each tab of ``queue`` with ``filters`` applied.

    Nothing filtered: exact, from the kept counts. Filtered: one pass over at most
    ``count_limit`` + 1 matching reports of the queue, each tab counted in it; when more match,
    each tab reads "more than" what that pass saw, and the ``current`` tab (the list shown) is
    counted on its own up to the same bound."""
    if not _has_filters(filters):
        groups = [] if queue.follow or queue.feedback else state_groups(user)
        follow = follow_counts(user) if queue.follow else (0, 0)
        rated = _rating_counts(user) if queue.feedback else {}
        return {t.key: Count(tab_count(queue, t, groups, follow, rated)) for t in queue.tabs}
    limit = count_limit(filters)
    conditions = [_tab_clause(user, queue, t) for t in queue.tabs]
    row = _counted_newest(user, queue, filters, conditions, limit)
    if row is None:
        matching = (_list_select(user, queue, None, filters, *_tab_flags(conditions))
                    .where(or_(*conditions)).limit(limit + 1).subquery())
        row = db.session.execute(select(*_tallies(matching, conditions))).one()
    seen, per_tab = row[0], row[1:]
    if seen <= limit:
        return {t.key: Count(n) for t, n in zip(queue.tabs, per_tab)}
    counts = {t.key: Count(min(n, limit), more=True) for t, n in zip(queue.tabs, per_tab)}
    if current is not None and counts[current.key].n < limit:
        n = db.session.execute(select(func.count()).select_from(
            _list_select(user, queue, current, filters, Report.id)
            .limit(limit + 1).subquery())).scalar_one()
        counts[current.key] = Count(min(n, limit), n > limit)
    return counts


def _tab_flags(conditions: list) -> list:
    """A column per tab, tab0, tab1…: 1 for a report of that tab, else 0."""
    return [case((c, 1), else_=0).label(f"tab{i}") for i, c in enumerate(conditions)]


def _tallies(matching, conditions: list) -> list:
    """The rows of the subquery ``matching`` (of ``_tab_flags`` columns), then each tab's."""
    return [func.count(), *(func.coalesce(func.sum(matching.c[f"tab{i}"]), 0)
                            for i in range(len(conditions)))]


# A unit's keyword search on PostgreSQL: how many of its newest reports are probed for the
# keyword, and how many at most are walked to count its matches when the probe finds it common.
KEYWORD_PROBE = 100
KEYWORD_COUNT_WALK = 5_000


def _counted_newest(user, queue: Queue, filters: Filters, conditions: list, limit: int):
    """(matches, matches of each tab) of a unit's keyword search, up to ``limit`` + 1, counted
    along the unit's newest reports (PostgreSQL); None where the caller counts them the usual
    way.

    The search looks for the unit's mark beside the words (``keyword_clause``), and PostgreSQL
    then counts through the word index: a common word's matches in the busiest unit are
    132,224 reports, all read from the index before the first is counted (71 ms for "đường"
    at a million). Walking the unit's links newest first (ix_report_unit_received) finds
    1,001 of them among 1,217 reports (6.5 ms). A rare word would be walked in vain, so the
    newest ``KEYWORD_PROBE`` are probed first: the walk is taken only if they promise the
    ``limit`` + 1 matches within ``KEYWORD_COUNT_WALK`` reports. A walk (or a probe) that
    went through all of the unit's reports counted them exactly; one that ends short of the
    bound otherwise is counted again the usual way. (Without a unit's mark PostgreSQL walks
    the newest reports by itself when a word is that common: the centre's "đường", 8 ms
    either way.)"""
    unit_id = scope_unit(user)
    if (not filters.keyword or unit_id is None or queue.follow or queue.feedback
            or db.session.get_bind().dialect.name != "postgresql"):
        return None
    filtered = filter_clauses(user, filters)

    def walk(rows: int):
        """(the matches among the unit's newest ``rows`` reports up to ``limit`` + 1, whether
        those were all of its reports, the matches of each tab)."""
        # The unit's scope walked by its links, newest first; a report linked twice (to
        # handle and to follow) is one row.
        links = (select(ReportUnit.report_id, ReportUnit.received_at)
                 .where(scope_links(unit_id)).distinct()
                 .order_by(ReportUnit.received_at.desc(), ReportUnit.report_id.desc())
                 .limit(rows).cte("links"))
        found = (select(*_tab_flags(conditions))
                 .select_from(links).join(Report, Report.id == links.c.report_id)
                 .where(or_(*conditions), *filtered).limit(limit + 1).subquery())
        # The unit's links are counted only when the matches fell short (PostgreSQL runs the
        # subquery when the CASE asks for it).
        walked = select(func.count()).select_from(links).scalar_subquery()
        *tallies, seen = db.session.execute(
            select(*_tallies(found, conditions), case((func.count() <= limit, walked)))
        ).one()
        return tallies[0], seen is not None and seen < rows, tuple(tallies)

    matched, whole, row = walk(KEYWORD_PROBE)
    if matched > limit or whole:
        return row
    if matched * KEYWORD_COUNT_WALK < (limit + 1) * KEYWORD_PROBE:
        return None
    matched, whole, row = walk(KEYWORD_COUNT_WALK)
    return row if matched > limit or whole else None


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


def _kept_counts(user) -> dict[int, dict[str, int]]:
    """The counts kept by app.services.counters that concern the person, in one small query:
    their unit's, and the province's for who sees all."""
    unit_id = getattr(user, "unit_id", None)
    units = ([PROVINCE] if sees_all(user) else []) + ([unit_id] if unit_id is not None else [])
    return counts_of(db.session, units)


def state_groups(user, kept=None) -> list[tuple[str, bool, bool, int]]:
    """Reports within the person's scope per (state, assigned to my unit, ever handled by my
    unit), from ``kept`` (``_kept_counts``, read when not given)."""
    unit_id = getattr(user, "unit_id", None)
    see_all = sees_all(user)
    if not see_all and unit_in_scope(user) is None:
        return []
    counts = _kept_counts(user) if kept is None else kept
    groups: dict[tuple[str, bool, bool], int] = {}
    for bucket, n in counts.get(unit_id, {}).items() if unit_id is not None else ():
        key = parse_state_bucket(bucket)
        if key is not None:
            groups[key] = groups.get(key, 0) + n
    if see_all:
        # The whole province: the unit's own reports keep their flags, the others have none.
        unit_per_state: dict[str, int] = {}
        for (status, _, _), n in groups.items():
            unit_per_state[status] = unit_per_state.get(status, 0) + n
        for bucket, n in counts[PROVINCE].items():
            key = parse_state_bucket(bucket)
            if key is not None:
                others = n - unit_per_state.get(key[0], 0)
                groups[(key[0], False, False)] = groups.get((key[0], False, False), 0) + others
    return [(status, mine, handled, n) for (status, mine, handled), n in groups.items() if n]


def scope_total(user) -> int:
    """The number of reports the person may see."""
    return sum(n for *_, n in state_groups(user))


def follow_counts(user, kept=None) -> tuple[int, int]:
    """(open, done) follow-ups of the person's unit, from ``kept`` (``_kept_counts``, read
    when not given)."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return 0, 0
    counts = (_kept_counts(user) if kept is None else kept)[unit_id]
    return counts.get(FOLLOW_OPEN, 0), counts.get(FOLLOW_DONE, 0)


def _rating_counts(user, kept=None) -> dict[bool, int]:
    """Ratings within the person's scope, by answered or not: the province's kept counts for
    who sees all (``kept``: ``_kept_counts``, read when not given), one grouped query through
    the scope for anyone else."""
    if sees_all(user):
        province = (_kept_counts(user) if kept is None else kept)[PROVINCE]
        return {False: province.get(RATINGS_WAITING, 0), True: province.get(RATINGS_ANSWERED, 0)}
    answered = Feedback.answered_at.is_not(None)
    rows = db.session.execute(
        select(answered.label("answered"), func.count())
        .join(Report, Report.id == Feedback.report_id).where(scope_clause(user))
        .group_by(answered)
    ).all()
    return {bool(r[0]): r[1] for r in rows}


def tab_count(queue: Queue, tab: Tab, groups, follow: tuple[int, int], rated=None) -> int:
    """The number of reports of a tab (no filter) from the counts (``rated``: the ratings of
    ``_rating_counts``)."""
    if queue.follow:
        return follow[1] if tab.follow_done else follow[0]
    if queue.feedback:
        return (rated or {}).get(bool(tab.answered), 0)
    return sum(n for status, mine, handled, n in groups if tab.cond.matches(status, mine, handled))


def _arrived_since(user, queue: Queue, seen_at):
    """SQL: some report of the queue's waiting tab arrived after ``seen_at`` (SQL)."""
    arrival = _arrival(queue)
    if queue.feedback and sees_all(user):
        # The newest waiting rating, off the end of an index: the EXISTS was planned as a scan
        # of every rating (the planner expects a match early; none came: 4 ms a page).
        return (select(func.max(Feedback.created_at)).where(Feedback.answered_at.is_(None))
                .scalar_subquery() > seen_at)
    return _list_select(user, queue, queue.waiting, Filters(), Report.id).where(
        arrival > seen_at).exists()


def _seen_at(user, queue: Queue):
    """SQL: when the person last opened ``queue`` (NULL: never)."""
    return (select(QueueVisit.seen_at)
            .where(QueueVisit.user_id == user.id, QueueVisit.queue == queue.key)
            .scalar_subquery())


# The statement of the badges' NEW marks for each person, built once: it depends only on who
# they are (their id, unit and scope) and on their queues, and building it cost more than
# running it (1–1.5 ms of a page). Some 36 KB each: a worker forgets them all past 500.
_news_selects: dict[tuple, Select] = {}
_NEWS_SELECTS_KEPT = 500


def _news_select(user, queues: list[Queue]) -> Select:
    """SQL: each queue's last opening by the person, and whether something arrived in its
    waiting tab since (one EXISTS per queue)."""
    key = (user.id, getattr(user, "unit_id", None), scope_key(user), tuple(q.key for q in queues))
    query = _news_selects.get(key)
    if query is None:
        columns = []
        for queue in queues:
            seen = _seen_at(user, queue)
            columns += [seen, _arrived_since(user, queue, seen)]
        query = select(*(c.label(f"c{i}") for i, c in enumerate(columns)))
        if len(_news_selects) >= _NEWS_SELECTS_KEPT:
            _news_selects.clear()
        _news_selects[key] = query
    return query


def badges(user, queues: list[Queue]) -> dict[str, Badge]:
    """The badge of each of ``queues`` (those the person may open) for ``user``: the counts,
    then, in one statement, each queue's last opening by the person and whether something
    arrived in its waiting tab since (one EXISTS per queue)."""
    result: dict[str, Badge] = {}
    if not queues or user is None or not getattr(user, "is_authenticated", False):
        return result
    kept = _kept_counts(user)
    groups = state_groups(user, kept) if any(not (q.follow or q.feedback) for q in queues) else []
    follow = follow_counts(user, kept) if any(q.follow for q in queues) else (0, 0)
    rated = _rating_counts(user, kept) if any(q.feedback for q in queues) else {}
    row = db.session.execute(_news_select(user, queues)).one()
    for i, queue in enumerate(queues):
        seen_at, arrived = row[2 * i], row[2 * i + 1]
        badge = Badge(seen_at=seen_at)
        badge.waiting = tab_count(queue, queue.waiting, groups, follow, rated)
        badge.done = tab_count(queue, queue.done, groups, follow, rated)
        badge.new = badge.waiting > 0 and (seen_at is None or bool(arrived))
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
    data_version.declare({data_version.person_scope(user)})  # only this person's pages change
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
    "Badge", "COLUMNS", "CONDITIONS", "COUNT_LIMIT", "Cond", "Count", "Filters",
    "KEYWORD_COUNT_LIMIT", "MAX_PAGES", "PAGE_SIZE", "QUEUES", "QUEUES_BY_KEY", "Queue", "Row",
    "Tab", "alert_counts", "badges",
    "condition_clause", "filter_clauses", "is_new", "list_page", "mark_seen", "page_count",
    "scope_total", "select_tab", "tab_counts",
]


# --- Why a report waits for distribution again ----------------------------------------------

# How a report came back to "Chờ phân phối", as its queue row says it.
BACK_LABELS = {"return": "Bị trả lại", "reopen": "Mở lại"}


def back_notes(report_ids: list[int]) -> dict[int, tuple[str, str]]:
    """For reports now "Chờ phân phối": ``{id: (label, reason)}`` of those that came back from a
    unit (returned) or from publication (reopened) rather than from intake. One query for a
    page: the latest event of each report that led to "Chờ phân phối"."""
    from ..models import ReportEvent

    if not report_ids:
        return {}
    latest = (
        select(ReportEvent.report_id, func.max(ReportEvent.id).label("id"))
        .where(ReportEvent.report_id.in_(report_ids),
               ReportEvent.to_status == Status.RECEIVED.value,
               ReportEvent.from_status != Status.RECEIVED.value)
        .group_by(ReportEvent.report_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ReportEvent.report_id, ReportEvent.action, ReportEvent.content)
        .join(latest, ReportEvent.id == latest.c.id)
    ).all()
    return {row.report_id: (BACK_LABELS[row.action], row.content or "")
            for row in rows if row.action in BACK_LABELS}
