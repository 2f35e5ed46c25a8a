"""A realistic data set of any size, for the benchmark and the performance guards (DESIGN §11).

``generate(n_reports, events_per_report, seed, until)``:

- the letter's catalogues, the demo accounts, more units up to ~200 (the communes, markets,
  enterprises…) and their people up to ~1,000 accounts, handlers in proportion to the work;
- reports received over the history that ends at ``until`` (ten years for a million: about
  270 a day), each carried through the workflow of ``app.domain.workflow`` — received,
  distributed to a unit chosen with a skewed share (the field's default unit first), accepted,
  processed, approved, published — with the detours of real life: returns by the unit, the
  leader and the centre, re-distribution, reopening, follow-up units, comments; about 94 %
  published, 3 % rejected, the rest open (mostly recent, some long overdue);
- exchange logs with a long tail (a report in ~2,500 carries 500+ events);
- every column the app reads: the search columns (by the model's own
  ``Report.refresh_search_text``, whatever columns it fills), the
  ``version`` (one per change of state), due dates from the working-day calendar, the
  ``report_unit`` links the scope reads, the log's names as they were.

The same seed and ``until`` on the same starting database give the same rows. Rows go in by
COPY on PostgreSQL and by batched inserts on SQLite, with the big tables' secondary indexes
and foreign keys dropped during the load and rebuilt after; then every derived table is rebuilt
(``app.services.derived``) and the tables analysed.
"""
from __future__ import annotations

import bisect
import datetime as dt
import io
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from flask_appbuilder.security.sqla.models import assoc_user_role
from werkzeug.security import generate_password_hash

from ..domain import calendar, tracking
from ..domain.workflow import Role, Status
from ..extensions import db
from ..models import AppUser, Feedback, Field, Report, ReportEvent, ReportUnit, Source, Unit
from ..ops import data_version
from . import vocabulary as V

TARGET_UNITS = 200
TARGET_USERS = 1000
CENTRE_OPERATORS = 25
VIEWERS = 8
# History length: about 270 reports a day (Hue-S's rate grown tenfold over ten years).
REPORTS_PER_DAY = 270
MAX_HISTORY_DAYS = 3650
MIN_HISTORY_DAYS = 30
PUBLISHED, REJECTED = 0.94, 0.03
LONG_LOG_EVERY = 2500  # one report in this many has a log of 500+ events
CONFIDENTIAL = 0.05
FOLLOW_UPS = 0.08
# Citizens' ratings of published results: the share rated, the ratings' weights, the share of
# ratings the centre has answered (a reply; the portal's tracking page shows it).
RATED = 0.05
RATINGS = (("satisfied", 0.6), ("acceptable", 0.25), ("not_satisfied", 0.15))
ANSWERED = 0.8
RARE = 1 / 20000
VN_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh, no daylight saving time
CHUNK = 2000

BIG_TABLES = ("report", "report_event", "report_unit")
# Rebuilt whole from the log after the load: its foreign keys checked row by row cost two thirds
# of its three minutes at a million reports.
REBUILT_TABLES = ("report_assignment",)


class GenerateError(RuntimeError):
    pass


# --- The people and units the reports are handled by -----------------------------------------

@dataclass(frozen=True)
class Person:
    id: str  # every value the loader writes is text
    name: str
    unit_id: str | None
    unit_name: str | None


@dataclass
class World:
    units: list[tuple[int, str]]
    unit_cumulative: list[float]
    handlers: dict[int, list[Person]]
    leaders: dict[int, list[Person]]
    operators: list[Person]
    fields: list[tuple[int, str, int, int | None]]  # id, name, handling days, default unit
    field_cumulative: list[float]
    sources: list[tuple[int, str]]  # id, channel
    source_cumulative: list[float]
    exceptions: dict[dt.date, bool]


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return [x / total for x in out]


def _full_name(first: str | None, last: str | None, username: str) -> str:
    return " ".join(p for p in (first, last) if p).strip() or username


def _ensure_units() -> None:
    """Add units up to TARGET_UNITS: communes, town halls, markets… (names fixed, not seeded)."""
    existing = set(db.session.scalars(sa.select(Unit.name)))
    missing = TARGET_UNITS - len(existing)
    if missing <= 0:
        return
    districts = list(db.session.scalars(
        sa.select(Unit.id).where(Unit.kind == "district").order_by(Unit.id)))
    rng = random.Random("perf-units")
    patterns = [p for p in V.UNIT_PATTERNS for _ in range(p[2])]
    while missing:
        pattern, kind, _ = rng.choice(patterns)
        name = pattern.format(" ".join(rng.sample(V.COMMUNE_SYLLABLES, 2)))
        if name in existing:
            continue
        existing.add(name)
        parent = rng.choice(districts) if districts and "UBND" in pattern else None
        db.session.add(Unit(name=name, kind=kind, parent_id=parent, login_method="sso", active=True))
        missing -= 1
    db.session.commit()


def _unit_weights(units: list[tuple[int, str]]) -> list[float]:
    """A skewed share of the work: a Zipf law over the units in a fixed shuffled order."""
    order = list(range(len(units)))
    random.Random("perf-unit-share").shuffle(order)
    weights = [0.0] * len(units)
    for rank, index in enumerate(order, start=1):
        weights[index] = 1.0 / rank
    return weights


def _ensure_users(units: list[tuple[int, str]], weights: list[float], centre_id: int) -> None:
    """Accounts up to ~TARGET_USERS: handlers per unit in proportion to its work, a leader per
    unit, centre operators, viewers. One password hash for all (DEMO_PASSWORD when set)."""
    roles = {r: db.session.scalar(sa.text("SELECT role_id FROM role_code WHERE code = :c"),
                                  {"c": r.code})
             for r in Role}
    if None in roles.values():
        raise GenerateError("Thiếu vai trò: chạy `flask --app app seed` trước.")
    taken = set(db.session.scalars(sa.select(AppUser.username)))
    password = generate_password_hash(
        current_app.config.get("DEMO_PASSWORD") or random.Random().randbytes(16).hex())
    budget = TARGET_USERS - 2 * len(units) - CENTRE_OPERATORS - VIEWERS
    total = sum(weights)
    wanted: list[tuple[str, Role, int | None]] = []
    for (unit_id, _), weight in zip(units, weights):
        handlers = 1 + int(budget * weight / total)
        wanted += [(f"gen.{unit_id}.xuly{k}", Role.HANDLER, unit_id) for k in range(1, handlers + 1)]
        wanted += [(f"gen.{unit_id}.lanhdao{k}", Role.LEADER, unit_id) for k in (1, 2)[:1 + (handlers > 6)]]
    wanted += [(f"gen.trungtam{k}", Role.CENTRE, centre_id) for k in range(1, CENTRE_OPERATORS + 1)]
    wanted += [(f"gen.theodoi{k}", Role.VIEWER, None) for k in range(1, VIEWERS + 1)]
    rng = random.Random("perf-users")
    rows = []
    for username, role, unit_id in wanted:
        first = f"{rng.choice(V.FAMILY_NAMES)} {rng.choice(V.MIDDLE_NAMES)}"
        last = rng.choice(V.GIVEN_NAMES)
        if username in taken:
            continue
        rows.append(dict(username=username, first_name=first, last_name=last,
                         email=f"{username}@sinh.phananh.local", password=password, active=True,
                         unit_id=unit_id, must_change_password=False, role=role))
    for start in range(0, len(rows), 500):
        batch = rows[start:start + 500]
        db.session.execute(sa.insert(AppUser.__table__),
                           [{k: v for k, v in r.items() if k != "role"} for r in batch])
        ids = dict(db.session.execute(
            sa.select(AppUser.username, AppUser.id)
            .where(AppUser.username.in_([r["username"] for r in batch]))).all())
        db.session.execute(sa.insert(assoc_user_role),
                           [{"user_id": ids[r["username"]], "role_id": roles[r["role"]]} for r in batch])
    db.session.commit()


def _people(role: Role) -> list[tuple[Person, int | None]]:
    rows = db.session.execute(sa.text(
        "SELECT u.id, u.first_name, u.last_name, u.username, u.unit_id, n.name "
        "FROM ab_user u JOIN ab_user_role ur ON ur.user_id = u.id "
        "JOIN role_code r ON r.role_id = ur.role_id LEFT JOIN unit n ON n.id = u.unit_id "
        "WHERE r.code = :role AND u.active ORDER BY u.id"), {"role": role.code}).all()
    return [(Person(str(i), _full_name(f, l, u), None if uid is None else str(uid), uname), uid)
            for i, f, l, u, uid, uname in rows]


def prepare_world() -> World:
    """The catalogues, the demo accounts, the generated units and people (idempotent)."""
    from .. import sync_security
    from ..services import calendar as calendar_service
    from ..services.demo import DEMO_ACCOUNTS, ensure_account
    from ..services.seed import CENTRE_UNIT_NAME, seed_catalogues

    seed_catalogues()
    sync_security()
    password = current_app.config.get("DEMO_PASSWORD")
    if password:
        for account in DEMO_ACCOUNTS:
            ensure_account(*account, password)
    _ensure_units()
    centre_id = db.session.scalar(sa.select(Unit.id).where(Unit.name == CENTRE_UNIT_NAME))
    units = [(i, n) for i, n in db.session.execute(
        sa.select(Unit.id, Unit.name).where(Unit.active, Unit.id != centre_id).order_by(Unit.id))]
    weights = _unit_weights(units)
    _ensure_users(units, weights, centre_id)

    handlers: dict[int, list[Person]] = {}
    leaders: dict[int, list[Person]] = {}
    for role, into in ((Role.HANDLER, handlers), (Role.LEADER, leaders)):
        for person, unit_id in _people(role):
            if unit_id is not None:
                into.setdefault(unit_id, []).append(person)
    # A unit without a handler or a leader gets no work (it could not be done in the app either).
    keep = [k for k, (unit_id, _) in enumerate(units) if unit_id in handlers and unit_id in leaders]
    units = [units[k] for k in keep]
    weights = [weights[k] for k in keep]
    operators = [p for p, _ in _people(Role.CENTRE)]
    if not units or not operators:
        raise GenerateError("Không có đơn vị xử lý hoặc cán bộ Trung tâm để giao việc.")
    fields = [(i, n, d, u) for i, n, d, u in db.session.execute(
        sa.select(Field.id, Field.name, Field.handling_days, Field.default_unit_id)
        .where(Field.active).order_by(Field.id))]
    # The busy fields of a city: roads, sanitation, lighting, order, trees first.
    field_weights = [1.0 / rank for rank in range(1, len(fields) + 1)]
    sources = [(i, c) for i, c in db.session.execute(
        sa.select(Source.id, Source.channel).where(Source.active).order_by(Source.id))]
    source_weights = [{"app": 6, "facebook": 2, "email": 0.5, "portal": 1, "phone": 1.5}.get(c, 0.5)
                      for _, c in sources]
    return World(
        units=units, unit_cumulative=_cumulative(weights), handlers=handlers, leaders=leaders,
        operators=operators, fields=fields, field_cumulative=_cumulative(field_weights),
        sources=sources, source_cumulative=_cumulative(source_weights),
        exceptions=calendar_service.exceptions(),
    )


# --- One report's life --------------------------------------------------------------------------

_CLOCK = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000" for s in range(86400)]
_EPOCH = dt.date(1970, 1, 1).toordinal()


@lru_cache(maxsize=8192)
def _day(day: int) -> str:
    return dt.date.fromordinal(_EPOCH + day).isoformat()


def _ts(t: float) -> str:
    """A naive UTC time as SQLAlchemy writes it on SQLite (PostgreSQL reads the same text)."""
    seconds = int(t)
    return _day(seconds // 86400) + _CLOCK[seconds % 86400]




def _search_columns() -> tuple[str, ...]:
    """The columns ``Report.refresh_search_text`` fills (search_text, and any its rule adds)."""
    probe = SimpleNamespace(title="Đường", content="ổ gà", location=None, reporter_name=None,
                            reporter_phone=None, confidential=False, unit_links=[])
    Report.refresh_search_text(probe)
    columns = set(Report.__table__.columns.keys())
    return tuple(sorted(k for k in vars(probe) if k in columns and k not in (
        "title", "content", "location", "reporter_name", "reporter_phone", "confidential")))


SEARCH_COLUMNS = _search_columns()
HOUR, DAY = 3600.0, 86400.0
# Mean time (seconds) from the previous step to this one.
DELAYS = {
    "receive": 2 * HOUR, "reject": 3 * HOUR, "distribute": 4 * HOUR, "accept": 8 * HOUR,
    "return_unit": 10 * HOUR, "return_leader": DAY, "approve": 6 * HOUR, "return_centre": DAY,
    "publish": 10 * HOUR, "reopen": 5 * DAY, "comment": 3 * HOUR, "follow_done": DAY,
}
# The states as plain text (what the rows carry).
NEW, RECEIVED, ASSIGNED, IN_PROGRESS, PENDING_APPROVAL, APPROVED, PUBLISHED_, REJECTED_ = (
    s.value for s in (Status.NEW, Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS,
                      Status.PENDING_APPROVAL, Status.APPROVED, Status.PUBLISHED, Status.REJECTED))
OPEN_SHARE = {  # how the open reports spread over the open states
    NEW: 0.10, RECEIVED: 0.10, ASSIGNED: 0.18, IN_PROGRESS: 0.35, PENDING_APPROVAL: 0.17,
    APPROVED: 0.10,
}


@dataclass
class Rows:
    reports: list[list[str | None]] = field(default_factory=list)
    events: list[list[str | None]] = field(default_factory=list)
    links: list[list[str | None]] = field(default_factory=list)
    ratings: list[list[str | None]] = field(default_factory=list)


REPORT_COLUMNS = (
    "id", "reporter_name", "reporter_address", "reporter_phone", "reporter_email",
    "confidential", "title", "content", "location", "latitude", "longitude", "source_id",
    "field_id", "status", "unit_id", "received_at", "received_by_id", "distributed_at", "due_at",
    "return_due_at", "late_return", "result", "public_result", "published_at", "version",
    "created_at", "updated_at", "tracking_code",
)
EVENT_COLUMNS = (
    "id", "report_id", "created_at", "actor_id", "actor_name", "unit_id", "unit_name", "action",
    "content", "from_status", "to_status", "target_unit_id", "target_unit_name", "late",
)
LINK_COLUMNS = ("id", "report_id", "unit_id", "kind", "created_at", "done_at", "done_by_id",
                "received_at")
RATING_COLUMNS = ("id", "report_id", "published_at", "unit_id", "rating", "comment",
                  "created_at", "answered_at", "answer")


class Maker:
    """Makes the rows of consecutive reports; one random stream, so one seed gives one data set."""

    def __init__(self, world: World, seed: int, n: int, events_per_report: float,
                 until: dt.datetime, ids: tuple[int, int, int, int], taken_codes: set[str]):
        self.w = world
        # Public tracking codes are drawn by ``secrets`` (never from the seed: they must not be
        # predictable), unique among the codes already in the database and this run's.
        self.taken_codes = taken_codes
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.n = n
        self.now = until.replace(tzinfo=dt.timezone.utc).timestamp()
        days = min(MAX_HISTORY_DAYS, max(MIN_HISTORY_DAYS, n / REPORTS_PER_DAY))
        self.start = self.now - days * DAY
        self.report_id, self.event_id, self.link_id, self.rating_id = ids
        # Open reports: nearly all of the last days' reports, plus a backlog spread over the
        # years (stuck, long overdue) that brings the open share to 100 % - published - rejected.
        rate = n / days
        recent = rate * 0.85 * 4.0
        self.open_tail = max(0.0, (n * (1 - PUBLISHED - REJECTED) - recent) / n)
        self.open_states = list(OPEN_SHARE)
        self.open_cumulative = _cumulative(list(OPEN_SHARE.values()))
        self.long_log_at = n // 3
        base_events = 7.4  # the lifecycle's own events, on average, and the long logs' share
        self.comment_mean = max(0.0, events_per_report - base_events)
        self._due = lru_cache(maxsize=None)(self._due_uncached)
        self.unit_names = dict(world.units)
        self.times = self._received_times()

    def _tracking_code(self) -> str:
        code = tracking.new_code()
        while code in self.taken_codes:
            code = tracking.new_code()
        self.taken_codes.add(code)
        return code

    def _received_times(self) -> Iterator[float]:
        """Sorted arrival times, denser towards ``until`` (the use of the app grows)."""
        rng, n = self.rng, self.n
        span = self.now - 60 - self.start
        for u in sorted(self.random() for _ in range(n)):
            yield self.start + span * u ** (1 / 1.6)

    def _due_uncached(self, local_day: int, days: int) -> float:
        day = dt.date.fromordinal(local_day)
        end = calendar.end_of_local_day_utc(calendar.add_working_days(day, days, self.w.exceptions))
        return end.replace(tzinfo=dt.timezone.utc).timestamp()

    def due(self, t: float, days: int) -> float:
        local_day = dt.date(1970, 1, 1).toordinal() + int((t + VN_OFFSET) // DAY)
        return self._due(local_day, days)

    def _pick(self, cumulative: list[float], items: list):
        return items[min(bisect.bisect(cumulative, self.random()), len(items) - 1)]

    def randint(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def choice(self, items):
        return items[int(self.random() * len(items))]

    def _pick_unit(self, default_unit: int | None, avoid: int | None = None) -> int:
        w = self.w
        if default_unit is not None and default_unit in w.handlers and default_unit != avoid \
                and self.random() < 0.55:
            return default_unit
        while True:
            unit_id = self._pick(w.unit_cumulative, w.units)[0]
            if unit_id != avoid:
                return unit_id

    def _status(self, t: float) -> str:
        age = (self.now - t) / DAY
        if self.random() < 0.85 * math.exp(-age / 4.0) + self.open_tail:
            return self._pick(self.open_cumulative, self.open_states)
        return REJECTED_ if self.random() < REJECTED / (PUBLISHED + REJECTED) else PUBLISHED_

    def _path(self, status: str) -> list[str]:
        """The steps that bring a report to ``status``, with the detours of real life."""
        r = self.random
        steps = ["create"]
        if status == NEW:
            return steps
        if status == REJECTED_:
            return steps + (["reject"] if r() < 0.4 else ["receive", "reject"])
        steps.append("receive")
        if status == RECEIVED:
            return steps + (["distribute", "return_unit"] if r() < 0.3 else [])
        steps.append("distribute")
        if r() < 0.04:  # the unit hands it back; the centre sends it to another unit
            steps += (["accept"] if r() < 0.5 else []) + ["return_unit", "distribute"]
        if status == ASSIGNED:
            return steps
        steps.append("accept")
        if status == IN_PROGRESS:
            return steps + (["submit", "return_leader"] if r() < 0.1 else [])
        steps.append("submit")
        if r() < 0.03:
            steps += ["return_leader", "submit"]
        if status == PENDING_APPROVAL:
            return steps
        steps.append("approve")
        if r() < 0.01:
            steps += ["return_centre", "approve"]
        if status == APPROVED:
            return steps
        steps.append("publish")
        if r() < 0.005:
            steps += ["reopen", "distribute_same", "accept", "submit", "approve", "publish"]
        return steps

    def _comments(self, index: int) -> tuple[int, bool]:
        rng = self.rng
        if index == self.long_log_at or self.random() < 1 / LONG_LOG_EVERY:
            return 500 + int(min(2500, (rng.paretovariate(1.5) - 1) * 150)), True
        m = self.comment_mean
        if m <= 0:
            return 0, False
        mean = 5 * m if self.random() < 0.1 else 0.55 * m
        return int(rng.expovariate(1 / mean) + 0.5), False

    def _reporter(self):
        name = f"{self.choice(V.FAMILY_NAMES)} {self.choice(V.MIDDLE_NAMES)} {self.choice(V.GIVEN_NAMES)}"
        street = self.choice(V.STREETS)
        address = f"{self.randint(1, 300)} {street}, phường {self.choice(V.WARDS)}, thành phố Huế"
        phone = f"09{self.randint(0, 99_999_999):08d}"
        email = f"nguoidan{self.randint(1, 999_999)}@gmail.com" if self.random() < 0.3 else None
        return name, address, phone, email

    def report(self, index: int, rows: Rows) -> None:
        rng, w = self.rng, self.w
        t0 = next(self.times)
        status = self._status(t0)
        fid, fname, handling_days, default_unit = self._pick(w.field_cumulative, w.fields)
        sid, channel = self._pick(w.source_cumulative, w.sources)
        problem, problem_long = self.choice(V.PROBLEMS.get(fname, V.PROBLEMS["Khác"]))
        road = f"{self.choice(V.ROAD_KINDS)} {self.choice(V.STREETS)}"
        place = self.choice(V.LANDMARKS) if self.random() < 0.25 else road
        location = f"{road}, phường {self.choice(V.WARDS)}"
        title_parts = [problem, "tại", place]
        content_parts = [self.choice(V.OPENINGS), problem_long, "ở khu vực", f"{place}."]
        content_parts += rng.sample(V.EXTRA_SENTENCES, self.randint(0, 3))
        if self.random() < RARE:
            content_parts.append(V.RARE_SENTENCE)
        name, address, phone, email = self._reporter()
        confidential = self.random() < CONFIDENTIAL
        lat = lon = None
        if self.random() < 0.7:
            lat, lon = f"{16.46 + rng.uniform(-0.08, 0.08):.6f}", f"{107.59 + rng.uniform(-0.1, 0.1):.6f}"
        title = " ".join(title_parts)
        content_text = " ".join(content_parts)
        steps = self._path(status)
        extra, long_log = self._comments(index)
        follow_units: list[int] = []
        if "distribute" in steps and self.random() < FOLLOW_UPS:
            follow_units = [self._pick_unit(None) for _ in range(self.randint(1, 2))]
        extras = ["comment"] * extra
        after_distribute = steps.index("distribute") + 1 if "distribute" in steps else None
        for unit_id in dict.fromkeys(follow_units):
            if self.random() < 0.85:
                extras.append(f"follow_done:{unit_id}")
        # Merge the extra events into the lifecycle at random places after their earliest one.
        slots = []
        for kind in extras:
            low = after_distribute if kind.startswith("follow") else 1
            slots.append((self.randint(low, len(steps)), kind))
        slots.sort(key=lambda s: s[0])
        merged, k = [], 0
        for position in range(len(steps) + 1):
            while k < len(slots) and slots[k][0] == position:
                merged.append(slots[k][1])
                k += 1
            if position < len(steps):
                merged.append(steps[position])

        # Times: each step after the previous one, squeezed into the past when it would not fit.
        times = [t0]
        t = t0
        for kind in merged[1:]:
            if kind == "submit":
                mean = handling_days * 0.55 * DAY
            elif kind == "comment" and long_log:
                mean = 20 * 60
            else:
                mean = DELAYS[kind.split(":")[0].replace("_same", "")]
            t += rng.expovariate(1 / mean) + 1
            times.append(t)
        limit = self.now - 60
        if times[-1] > limit:
            scale = (limit - t0) / (times[-1] - t0)
            times = [t0 + (x - t0) * scale for x in times]

        report_id = str(self.report_id)
        self.report_id += 1
        operator = self.choice(w.operators)
        state = NEW
        unit_id = None
        handler = leader = last_unit = None
        received_by = operator.id if channel == "phone" else None
        field_id = str(fid) if (status != NEW or self.random() < 0.5) else None
        distributed_at = due_at = return_due_at = None
        late_return = False
        result = public_result = published_at = None
        version = 1
        updated_at = t0
        links: dict[tuple[int, str], list] = {}
        events = rows.events

        for kind, t in zip(merged, times):
            actor = operator
            before = state
            content = None
            target = None
            late = False
            action = kind
            if kind == "create":
                actor = operator if channel == "phone" else None
                content = content_text
            elif kind == "receive":
                state, content = RECEIVED, content_text
                received_by = received_by or operator.id
            elif kind == "reject":
                state, content = REJECTED_, self.choice(V.REJECT_REASONS)
            elif kind in ("distribute", "distribute_same"):
                action = "distribute"
                if kind == "distribute":  # the field's unit first; after a return, another one
                    unit_id = self._pick_unit(default_unit if last_unit is None else None,
                                              avoid=last_unit)
                    handler = self.choice(w.handlers[unit_id])
                    leader = self.choice(w.leaders[unit_id])
                else:  # reopened: back to the unit that handled it
                    unit_id = last_unit
                state = ASSIGNED
                distributed_at = t
                due_at = self.due(t, handling_days)
                return_due_at = self.due(t, calendar.RETURN_WINDOW_DAYS)
                target = unit_id
                content = self.choice(V.DISTRIBUTE_NOTES)
                if (unit_id, "handling") not in links:
                    links[(unit_id, "handling")] = [t, None, None]
                if last_unit is None:  # follow-up units go with the first distribution
                    for follow in follow_units:
                        if follow != unit_id and (follow, "follow") not in links:
                            links[(follow, "follow")] = [t, None, None]
                last_unit = unit_id
            elif kind == "accept":
                actor, state = handler, IN_PROGRESS
            elif kind == "return_unit":
                action, actor, state = "return", handler, RECEIVED
                content = self.choice(V.RETURN_REASONS)
                late = t > return_due_at
                late_return = late_return or late
                unit_id = due_at = None
            elif kind == "submit":
                actor, state = handler, PENDING_APPROVAL
                result = content = self.choice(V.RESULTS)
            elif kind == "return_leader":
                action, actor, state = "return", leader, IN_PROGRESS
                content = self.choice(V.RETURN_REASONS)
            elif kind == "approve":
                actor, state, content = leader, APPROVED, result
            elif kind == "return_centre":
                action, state, content = "return", PENDING_APPROVAL, self.choice(V.RETURN_REASONS)
            elif kind == "publish":
                state, public_result, published_at = PUBLISHED_, result, t
                content = result
            elif kind == "reopen":
                state, content = RECEIVED, self.choice(V.REOPEN_REASONS)
                unit_id = due_at = published_at = None
            elif kind == "comment":
                if unit_id is not None and self.random() < 0.5:
                    actor = handler if self.random() < 0.7 else leader
                content = self.choice(V.COMMENTS)
            else:  # follow_done:<unit>
                action = "follow_done"
                follow = int(kind.split(":")[1])
                link = links.get((follow, "follow"))
                if link is None or link[1] is not None:
                    continue  # the follow-up went to the handling unit itself
                actor = self.choice(w.handlers[follow])
                link[1], link[2] = t, actor.id
                content = self.choice(V.FOLLOW_NOTES) if self.random() < 0.5 else None
            if state != before:
                version += 1
                updated_at = t
            events.append([
                str(self.event_id), report_id, _ts(t),
                actor.id if actor else None, actor.name if actor else None,
                actor.unit_id if actor else None, actor.unit_name if actor else None,
                action, content, None if kind == "create" else before, state,
                None if target is None else str(target),
                None if target is None else self.unit_names[target], "1" if late else "0",
            ])
            self.event_id += 1
        assert state == status, (state, status, merged)

        for (link_unit, kind), (created, done_at, done_by) in links.items():
            rows.links.append([str(self.link_id), report_id, str(link_unit), kind, _ts(created),
                               None if done_at is None else _ts(done_at), done_by, _ts(t0)])
            self.link_id += 1
        if published_at is not None and self.random() < RATED:
            self._rating(rows, report_id, published_at, unit_id)
        searchable = SimpleNamespace(
            title=title, content=content_text, location=location, reporter_name=name,
            reporter_phone=phone, confidential=confidential,
            unit_links=[SimpleNamespace(unit_id=unit) for unit, _ in links])
        Report.refresh_search_text(searchable)  # the model's own rule, on plain values
        rows.reports.append([
            report_id, name, address, phone, email, "1" if confidential else "0", title, content_text,
            location, lat, lon, str(sid), field_id, status,
            None if unit_id is None else str(unit_id), _ts(t0), received_by,
            None if distributed_at is None else _ts(distributed_at),
            None if due_at is None else _ts(due_at),
            None if return_due_at is None else _ts(return_due_at), "1" if late_return else "0",
            result, public_result, None if published_at is None else _ts(published_at),
            str(version), _ts(t0), _ts(updated_at), self._tracking_code(),
            *[getattr(searchable, column) for column in SEARCH_COLUMNS],
        ])


    def _rating(self, rows: Rows, report_id: str, published_at: float, unit_id) -> None:
        """A citizen's rating of the result, a day or so after publication, most answered by
        the centre within a day (none in the future)."""
        rng = self.rng
        rated = published_at + rng.expovariate(1 / DAY) + 60
        rating = rng.choices([r for r, _ in RATINGS], [w for _, w in RATINGS])[0]
        comment = self.choice(V.RATING_COMMENTS[rating])
        answered = rated + rng.expovariate(1 / DAY) + 60 if self.random() < ANSWERED else None
        if rated >= self.now:
            return
        if answered is not None and answered >= self.now:
            answered = None
        rows.ratings.append([
            str(self.rating_id), report_id, _ts(published_at),
            None if unit_id is None else str(unit_id), rating, comment, _ts(rated),
            None if answered is None else _ts(answered), None if answered is None else "reply"])
        self.rating_id += 1


# --- Loading ------------------------------------------------------------------------------------

def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return str(value)


def _extra_columns(table: str, known: tuple[str, ...]) -> list[tuple[str, Callable[[], str | None]]]:
    """Columns another part of the app added to a big table since this loader was written: filled
    by their Python default, left to the database's default, or NULL; refused if none applies."""
    from flask_appbuilder import Model

    extras = []
    for column in Model.metadata.tables[table].columns:
        if column.name in known:
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            extras.append((column.name, lambda v=_text(default.arg): v))
        elif default is not None and getattr(default, "is_callable", False):
            extras.append((column.name, lambda f=default.arg: _text(f(None))))
        elif column.server_default is None and not column.nullable and not column.primary_key:
            raise GenerateError(
                f"Bộ sinh dữ liệu chưa biết cột {table}.{column.name} (NOT NULL, không có giá trị "
                "mặc định): hãy thêm nó vào app/perf/generate.py.")
    return extras


class _Loader:
    """Writes rows into the big tables with their secondary indexes and foreign keys set aside."""

    def __init__(self, connection):
        self.connection = connection
        self.saved: list[str] = []

    def restore(self, progress: Callable[[str], None]) -> None:
        for statement in self.saved:
            progress(statement)
            self.cursor.execute(statement)

    def close(self, ok: bool) -> None:
        if ok:
            self.connection.commit()
        else:
            self.connection.rollback()


class _PostgresLoader(_Loader):
    def __init__(self, connection):
        super().__init__(connection)
        self.cursor = connection.cursor()
        self.cursor.execute("SET synchronous_commit = off")
        self.cursor.execute("SET maintenance_work_mem = '1GB'")

    def set_aside(self, tables) -> None:
        cur = self.cursor
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') ORDER BY contype, conname",
            (list(tables),))
        constraints = cur.fetchall()
        cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) AND NOT EXISTS ("
            " SELECT 1 FROM pg_constraint c WHERE c.conindid = "
            " (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass) "
            "ORDER BY i.indexname", (list(tables),))
        indexes = cur.fetchall()
        for table, name, definition in constraints:
            if self._try(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'):
                self.saved.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            if self._try(f'DROP INDEX "{name}"'):
                self.saved.insert(0, definition)

    def _try(self, statement: str) -> bool:
        """Run ``statement`` unless something depends on what it drops (then keep that one)."""
        self.cursor.execute("SAVEPOINT set_aside")
        try:
            self.cursor.execute(statement)
        except Exception:
            self.cursor.execute("ROLLBACK TO SAVEPOINT set_aside")
            return False
        self.cursor.execute("RELEASE SAVEPOINT set_aside")
        return True

    def write(self, table: str, columns, rows) -> None:
        if not rows:
            return
        buffer = io.StringIO()
        null = "\\N"
        for row in rows:
            buffer.write("\t".join([null if v is None else v for v in row]))
            buffer.write("\n")
        with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())

    def finish(self, tables) -> None:
        for table in tables:
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(max(id), 0) + 1 FROM {table}), false)")


class _SqliteLoader(_Loader):
    def __init__(self, connection):
        super().__init__(connection)
        self.cursor = connection.cursor()
        self.cursor.execute("PRAGMA synchronous = OFF")
        self.cursor.execute("PRAGMA cache_size = -262144")

    def set_aside(self, tables) -> None:
        marks = ", ".join("?" for _ in tables)
        rows = self.cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name", list(tables)).fetchall()
        for name, definition in rows:
            self.cursor.execute(f'DROP INDEX "{name}"')
            self.saved.append(definition)

    def write(self, table: str, columns, rows) -> None:
        if rows:
            marks = ", ".join("?" for _ in columns)
            self.cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def finish(self, tables) -> None:
        pass  # INTEGER PRIMARY KEY takes max(id) + 1 by itself

    def close(self, ok: bool) -> None:
        super().close(ok)
        self.cursor.execute("PRAGMA synchronous = FULL")  # the pooled connection goes on serving


def _clean(text: str | None) -> str | None:
    """Names copied from the database into the log, made safe for COPY's text format."""
    if text is None:
        return None
    return text.replace("\\", "/").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _cleaned(world: World) -> World:
    def person(p: Person) -> Person:
        return Person(p.id, _clean(p.name), p.unit_id, _clean(p.unit_name))

    world.units = [(i, _clean(n)) for i, n in world.units]
    world.operators = [person(p) for p in world.operators]
    for group in (world.handlers, world.leaders):
        for unit_id, people in group.items():
            group[unit_id] = [person(p) for p in people]
    return world


@dataclass
class Summary:
    reports: int
    events: int
    links: int
    ratings: int
    seconds: float
    rebuilt: list[str]


def generate(n_reports: int, events_per_report: float = 10, seed: int = 2019,
             until: dt.datetime | None = None,
             progress: Callable[[int], None] = lambda n: None,
             stage: Callable[[str], None] = lambda s: None) -> Summary:
    """Add ``n_reports`` generated reports (and their logs) to the configured database."""
    started = time.monotonic()
    if until is None:
        until = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    stage("Danh mục, đơn vị, tài khoản")
    world = _cleaned(prepare_world())
    first_ids = tuple(
        (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
        for model in (Report, ReportEvent, ReportUnit, Feedback))
    existing = first_ids[0] - 1
    taken_codes = set(db.session.scalars(sa.select(Report.tracking_code)))
    db.session.close()
    maker = Maker(world, seed, n_reports, events_per_report, until, first_ids, taken_codes)

    plans = [(t, c, _extra_columns(t, c))
             for t, c in (("report", REPORT_COLUMNS + SEARCH_COLUMNS), ("report_event", EVENT_COLUMNS),
                          ("report_unit", LINK_COLUMNS), ("feedback", RATING_COLUMNS))]
    raw = db.engine.raw_connection()
    loader_class = _PostgresLoader if db.engine.dialect.name == "postgresql" else _SqliteLoader
    loader = loader_class(raw.driver_connection)
    ok = False
    counts = [0, 0, 0, 0]
    try:
        if n_reports >= existing:  # rebuilding the indexes costs less than maintaining them
            loader.set_aside(BIG_TABLES)
        stage("Phản ánh và nhật ký")
        done = 0
        while done < n_reports:
            rows = Rows()
            size = min(CHUNK, n_reports - done)
            for index in range(done, done + size):
                maker.report(index, rows)
            for k, ((table, columns, extras), batch) in enumerate(
                    zip(plans, (rows.reports, rows.events, rows.links, rows.ratings))):
                if extras:
                    batch = [row + [fill() for _, fill in extras] for row in batch]
                    columns = columns + tuple(name for name, _ in extras)
                loader.write(table, columns, batch)
                counts[k] += len(batch)
            done += size
            progress(size)
        stage("Chỉ mục và ràng buộc")
        loader.restore(lambda statement: stage(statement[:90]))
        loader.finish(BIG_TABLES)
        ok = True
    finally:
        loader.close(ok)
        raw.close()
    data_version.data_changed()  # COPY goes past the engine, which sees every other write
    stage("Dữ liệu dẫn xuất")
    rebuilt = rebuild_derived(loader_class, stage)
    # PostgreSQL: VACUUM too, as autovacuum would soon: freshly loaded pages are not yet marked
    # all-visible, and every index-only scan (the deep pages' ids) would visit the table.
    postgresql = db.engine.dialect.name == "postgresql"
    stage("Thống kê của cơ sở dữ liệu (VACUUM ANALYZE)" if postgresql else
          "Thống kê của cơ sở dữ liệu (ANALYZE)")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE" if postgresql else "ANALYZE"))
    return Summary(*counts, time.monotonic() - started, rebuilt)


def rebuild_derived(loader_class, stage: Callable[[str], None]) -> list[str]:
    """Every derived table rebuilt from the loaded rows (``app.services.derived``), with the
    indexes and foreign keys of those rebuilt whole set aside meanwhile."""
    from ..services.derived import rebuild_all

    raw = db.engine.raw_connection()
    loader = loader_class(raw.driver_connection)
    try:
        loader.set_aside(REBUILT_TABLES)
        loader.connection.commit()  # before the session's rebuild reads and writes them
        try:
            rebuilt = rebuild_all(stage)
            db.session.commit()
        finally:
            db.session.rollback()  # a failed rebuild lets go of the tables: restored all the same
            loader.restore(lambda statement: stage(statement[:90]))
    finally:
        loader.close(True)
        raw.close()
    return rebuilt
