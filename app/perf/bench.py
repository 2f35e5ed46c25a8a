"""`flask perf bench`: every page of DESIGN §11, for each demo role, against its bare-SQL floor.

The app runs under gunicorn (one worker) on a free port over the configured database
(``app.perf.bench_app``: the app plus its peers and the SQL capture). For each page: warm-up
requests, then ``rounds`` timed requests one after another (p50, p95); one more request with
the capture header records the page's own SQL statements, which are then replayed bare through
the database driver (psycopg / sqlite3) ``rounds`` times in a transaction rolled back: the
floor. The table goes to docs/PERFORMANCE.md between markers of its database kind, so the prose
around it and the other database's table stay.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import functools
import math
import os
import pickle
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
import sqlalchemy as sa
from flask import current_app

from ..extensions import db, postgresql_plans
from ..ops.page_cache import HEADER as CACHE_HEADER
from ..services.queues import QUEUES
from . import bench_app
from .vocabulary import RARE_KEYWORD

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORT_FILE = os.path.join(ROOT, "docs", "PERFORMANCE.md")
WARM_UP = 2
SLOW_PAGE, SLOW_ROUNDS = 1.0, 5  # seconds of the first request; rounds of such a page
# A page of a minute (FAB's own list at a million reports): one round, no warm-up beyond the first
# request, or two such pages take most of a run.
VERY_SLOW_PAGE, VERY_SLOW_ROUNDS = 20.0, 1

# DESIGN §11, p95 in milliseconds; SQLite gets 1.5× (at 200,000 reports).
BUDGETS = {
    "fixed": ("any page's fixed cost (menu, badges, alerts, the user)", 20),
    "queue": ("a queue page (any tab, filter, page number)", 100),
    "search": ("accent-free keyword search", 300),
    "report": ("a report page with its log", 80),
    "action": ("an action", 50),
    "api": ("REST list, any page; a report's events", 100),
    "statistics": ("statistics of a year, by unit", 1000),
}
SQLITE_FACTOR = 1.5
# One account per role (DESIGN §7): the unit roles of Sở Giao thông vận tải, the busiest unit.
BENCH_ACCOUNTS = ("quantri", "trungtam", "gtvt.xuly", "gtvt.lanhdao", "theodoi")
# Searches as the centre (the whole table) and as a unit's handler (its scope).
SEARCH_ACCOUNTS = ("trungtam", "gtvt.xuly")
SEARCHES = (
    ("rare word", RARE_KEYWORD),
    ("common word", "đường"),
    ("two-letter word", "ga"),
    ("no match", "xyzzyqw"),
    ("issue 9's words", "o ga duong tranh"),
    ("issue 9's words", "cay xanh"),
)


class BenchError(RuntimeError):
    pass


@dataclass
class Page:
    account: str
    kind: str  # a key of BUDGETS, or "peer" / "bulk" (no budget line)
    label: str
    url: str
    method: str = "GET"
    # Per request (actions: each round acts on another report): (url, json body).
    requests_: Callable[[int], tuple[str, dict | None]] | None = None
    api: bool = False  # with the account's JWT
    rounds: int | None = None
    note: str = ""


@dataclass
class Result:
    page: Page
    samples: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    statements: int = 0
    status: int = 0
    note: str = ""

    @property
    def p50(self) -> float | None:
        return _percentile(self.samples, 50)

    @property
    def p95(self) -> float | None:
        return _percentile(self.samples, 95)


def _percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)  # nearest rank
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# --- The server ---------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the production settings (one sync worker unless told) serving
    ``app.perf.bench_app`` over the configured database."""

    def __init__(self, database_url: str, capture_dir: str, workers: int = 1,
                 page_cache: str | None = None):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile("w+", prefix="perf-bench-", suffix=".log",
                                               delete=False)
        env = {
            **os.environ, "DATABASE_URL": database_url, "PERF_CAPTURE_DIR": capture_dir,
            "RATELIMIT_ENABLED": "0",  # every sign-in of the benchmark comes from 127.0.0.1
            **({} if page_cache is None else {"PAGE_CACHE": page_cache}),
        }
        self.process = subprocess.Popen(
            # The production settings (gunicorn.conf.py), but no worker recycled mid-run.
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", str(workers),
             "--timeout", "600", "--max-requests", "0",
             "--bind", f"127.0.0.1:{self.port}", "app.perf.bench_app:build()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(self.base + "/login/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                self.log.seek(0)
                raise BenchError("gunicorn không khởi động được:\n" + self.log.read()[-3000:])
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        os.unlink(self.log.name)


# --- Signing in -----------------------------------------------------------------------------

class Client:
    def __init__(self, base: str, username: str, password: str):
        self.base = base
        self.username, self.password = username, password
        self.session = requests.Session()
        page = self.session.get(base + "/login/")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page.text)
        answer = self.session.post(
            base + "/login/", allow_redirects=False,
            data={"username": username, "password": password,
                  "csrf_token": token.group(1) if token else ""})
        if answer.status_code != 302:
            raise BenchError(f"{username} không đăng nhập được (DEMO_PASSWORD?)")
        self._sign_in_api()

    def _sign_in_api(self) -> None:
        jwt = requests.post(self.base + "/api/v1/security/login", json={
            "username": self.username, "password": self.password, "provider": "db",
            "refresh": False})
        if jwt.status_code != 200:
            raise BenchError(f"{self.username}: không lấy được JWT ({jwt.status_code})")
        self.jwt = {"Authorization": f"Bearer {jwt.json()['access_token']}"}

    def call(self, method: str, url: str, body: dict | None, api: bool,
             capture: str | None = None, again: bool = True) -> requests.Response:
        headers = dict(self.jwt) if api else {}
        if capture:
            headers[bench_app.CAPTURE_HEADER] = capture
        # An API call goes without the session cookie: the JWT alone, as programs call it.
        send = requests.request if api else self.session.request
        answer = send(method, self.base + url, json=body, headers=headers, allow_redirects=False,
                      timeout=600)
        if api and answer.status_code == 401 and again:
            self._sign_in_api()  # a token lives 15 minutes; a run at a million lasts longer
            return self.call(method, url, body, api, capture, again=False)
        return answer


# --- The floor: the page's own statements, bare -----------------------------------------------

class Replayer:
    def __init__(self, url: sa.engine.URL):
        self.dialect = url.get_backend_name()
        if self.dialect == "postgresql":
            import psycopg

            self.connection = psycopg.connect(
                host=url.host or "", port=url.port or 5432, user=url.username or "",
                password=url.password or "", dbname=url.database)
            # The same statements under the app's own settings: without them PostgreSQL may
            # plan a search in parallel, and the floor of a page exceeded the page.
            postgresql_plans(self.connection)
        else:
            self.connection = sqlite3.connect(url.database)

    def run(self, statements) -> tuple[float, str]:
        """Seconds the statements take, one after another, fetching every row; rolled back."""
        cursor = self.connection.cursor()
        error = ""
        started = time.perf_counter()
        for statement, parameters, many in statements:
            try:
                if many:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement, parameters)
                if cursor.description:
                    cursor.fetchall()
            except Exception as exc:  # e.g. a duplicate key the real request had just written
                error = type(exc).__name__
                self.connection.rollback()
        elapsed = time.perf_counter() - started
        self.connection.rollback()
        return elapsed, error

    def close(self) -> None:
        self.connection.close()


# --- What to measure ----------------------------------------------------------------------------

def _scalar(sql: str, **params):
    return db.session.execute(sa.text(sql), params).scalar()


def _ids(sql: str, **params) -> list[int]:
    return [r[0] for r in db.session.execute(sa.text(sql), params)]


def _user(username: str):
    return db.session.execute(sa.text(
        "SELECT u.id, u.unit_id FROM ab_user u WHERE u.username = :u"), {"u": username}).first()


@functools.lru_cache(maxsize=None)
def _long_log_report(unit_id: int | None) -> int | None:
    """The report with the longest log the account may open."""
    if unit_id is None:
        return _scalar("SELECT report_id FROM report_event GROUP BY report_id "
                       "ORDER BY count(*) DESC LIMIT 1")
    return _scalar(
        "SELECT e.report_id FROM report_event e JOIN report_unit l ON l.report_id = e.report_id "
        "WHERE l.unit_id = :unit GROUP BY e.report_id ORDER BY count(*) DESC LIMIT 1", unit=unit_id)


def _rule_exists(path: str) -> bool:
    return any(rule.rule.rstrip("/") == path.rstrip("/") for rule in current_app.url_map.iter_rules())


class Plan:
    """The pages of each account, with the reports each action will act on chosen by SQL."""

    def __init__(self, rounds: int):
        self.rounds = rounds
        self.pages: list[Page] = []
        self.notes: list[str] = []
        self._taken: set[int] = set()
        self.gtvt = _scalar("SELECT unit_id FROM ab_user WHERE username = 'gtvt.xuly'")
        self.field_id = _scalar("SELECT id FROM field WHERE active ORDER BY id LIMIT 1")
        self.source_id = _scalar("SELECT id FROM source WHERE active ORDER BY id LIMIT 1")

    def reports(self, status: str, unit_id: int | None, n: int) -> list[int]:
        """``n`` reports in ``status`` (assigned now to ``unit_id`` if given), not yet used."""
        sql = "SELECT id FROM report WHERE status = :status"
        if unit_id is not None:
            sql += " AND unit_id = :unit"
        sql += " ORDER BY id DESC LIMIT :n"
        found = [i for i in _ids(sql, status=status, unit=unit_id, n=n + len(self._taken))
                 if i not in self._taken][:n]
        self._taken.update(found)
        return found

    def add(self, page: Page) -> None:
        self.pages.append(page)

    def action(self, account: str, action: str, status: str, unit_id: int | None, body: dict,
               label: str) -> None:
        need = WARM_UP + self.rounds + 1
        ids = self.reports(status, unit_id, need)
        if len(ids) < WARM_UP + 2:
            self.notes.append(f"{account}: “{label}” bỏ qua — chỉ có {len(ids)} phản ánh "
                              f"ở trạng thái {status}.")
            return
        rounds = len(ids) - WARM_UP - 1
        note = "" if rounds >= self.rounds else f"chỉ {rounds} lượt (không đủ phản ánh)"
        self.add(Page(
            account, "action", label, "", "POST", api=True, rounds=rounds, note=note,
            requests_=lambda k, ids=ids: (f"/api/v1/report/{ids[k]}/actions/{action}", body)))


def build_plan(rounds: int, accounts: tuple[str, ...]) -> Plan:
    plan = Plan(rounds)
    for account in accounts:
        user = _user(account)
        if user is None:
            plan.notes.append(f"{account}: không có tài khoản (chạy perf generate với DEMO_PASSWORD).")
            continue
        _, unit_id = user
        sees_all = account in ("quantri", "trungtam", "theodoi")
        plan.add(Page(account, "fixed", "menu-only page /users/userinfo/", "/users/userinfo/"))
        plan.add(Page(account, "queue", "home page (alerts)", "/"))
        if account == "quantri":  # the administrator's lists are the viewer's; it gets the peers
            continue
        for queue in QUEUES:
            for tab in queue.tabs:
                url = f"/phan-anh/{queue.key}/?tab={tab.key}"
                plan.add(Page(account, "queue", f"{queue.title} · {tab.label} · page 1", url))
                plan.add(Page(account, "queue", f"{queue.title} · {tab.label} · deep page", url,
                              note="deep"))
        for label, words in SEARCHES if account in SEARCH_ACCOUNTS else ():
            plan.add(Page(account, "search", f"search “{words}” ({label})",
                          f"/phan-anh/tat-ca/?tab=tat-ca&tu_khoa={requests.utils.quote(words)}"))
        report_id = _long_log_report(None if sees_all else unit_id)
        if report_id:
            events = _scalar("SELECT count(*) FROM report_event WHERE report_id = :r", r=report_id)
            plan.add(Page(account, "report", f"report page, log of {events:,} events",
                          f"/phan-anh/{report_id}"))
            plan.add(Page(account, "api", f"API: a report's events ({events:,})",
                          f"/api/v1/report/{report_id}/events", api=True))
        plan.add(Page(account, "api", "API: report list, page 0",
                      "/api/v1/report/?q=(page:0,page_size:20)", api=True))
        plan.add(Page(account, "api", "API: report list, deep page",
                      "/api/v1/report/?q=(page:{deep},page_size:20)", api=True, note="deep-api"))
        _statistics(plan, account)
    _actions(plan, accounts)
    _peers(plan)
    first_tabs = {f"/phan-anh/{q.key}/?tab={q.tabs[0].key}" for q in QUEUES} | {"/"}
    plan.pages.sort(key=lambda page: _priority(page, first_tabs))
    return plan


def _priority(page: Page, first_tabs: set[str]) -> int:
    """Measured first: one page of each budget line per account; then the other tabs and the
    deep pages; the peers last (a FAB list of a million reports costs a minute a request: a time
    limit leaves out only pages without a budget line)."""
    deep = page.note in ("deep", "deep-api") or "deep page" in page.label
    if page.kind == "queue":
        return (0 if page.url in first_tabs else 2) + deep
    if page.kind == "search":
        return 0 if any(w in page.label for w in ("rare", "common")) else 2
    if page.kind == "peer":
        return 4 + deep
    return 1 if deep else 0


def _statistics(plan: Plan, account: str) -> None:
    year = dt.date.today().year - 1
    if _rule_exists("/api/v1/statistics/summary"):
        plan.add(Page(account, "statistics", f"statistics {year} by unit (API)",
                      f"/api/v1/statistics/summary?from={year}-01-01&to={year}-12-31&by=unit",
                      api=True))
    pages = sorted({rule.rule for rule in current_app.url_map.iter_rules()
                    if re.search(r"(thong-ke|tong-hop|bieu-do)", rule.rule)
                    and "GET" in rule.methods and not rule.arguments})
    for path in pages:
        plan.add(Page(account, "statistics", f"statistics page {path} ({year})",
                      f"{path}?tu_ngay=01/01/{year}&den_ngay=31/12/{year}"))
    if not pages and not _rule_exists("/api/v1/statistics/summary"):
        note = "statistics: no statistics route on this commit, not measured."
        if note not in plan.notes:
            plan.notes.append(note)


def _actions(plan: Plan, accounts: tuple[str, ...]) -> None:
    gtvt = plan.gtvt
    reason = {"reason": "Đo hiệu năng: trả lại để kiểm tra."}
    table = {
        "trungtam": [
            ("receive", "new", None, {"field_id": plan.field_id, "source_id": plan.source_id}),
            ("distribute", "received", None, {"unit_id": gtvt}),
            ("publish", "approved", None, {}),
            ("reject", "new", None, reason),
            ("comment", "published", None, {"content": "Đo hiệu năng: trao đổi."}),
        ],
        "gtvt.xuly": [
            ("accept", "assigned", gtvt, {}),
            ("submit", "in_progress", gtvt, {"content": "Đo hiệu năng: đã xử lý."}),
            ("return", "assigned", gtvt, reason),
        ],
        "gtvt.lanhdao": [
            ("approve", "pending_approval", gtvt, {}),
            ("return", "pending_approval", gtvt, reason),
        ],
    }
    for account in accounts:
        for action, status, unit_id, body in table.get(account, []):
            plan.action(account, action, status, unit_id, body,
                        f"action {action} ({status})")
    if _rule_exists("/api/v1/report/actions/<action>") and "trungtam" in accounts:
        batches = []
        for _ in range(min(plan.rounds, 10) + WARM_UP + 1):
            ids = plan.reports("received", None, 100)
            if len(ids) < 100:
                break
            batches.append(ids)
        if len(batches) > WARM_UP + 1:
            plan.add(Page("trungtam", "bulk", "bulk distribute of 100 reports", "", "POST",
                          api=True, rounds=len(batches) - WARM_UP - 1, requests_=lambda k: (
                              "/api/v1/report/actions/distribute",
                              {"ids": batches[k], "unit_id": gtvt})))
        else:
            plan.notes.append("bulk distribute: not enough reports waiting for distribution.")
    else:
        plan.notes.append("bulk distribute: no bulk route on this commit, not measured.")


def _peers(plan: Plan) -> None:
    total = _scalar("SELECT count(*) FROM report") or 0
    deep = max(total // 20 // 2, 1)
    for label, url in (
        ("FAB ModelView list of report, page 1", bench_app.PEER_MODELVIEW),
        ("FAB ModelView list of report, deep page",
         f"{bench_app.PEER_MODELVIEW}?page_BenchReportView={deep}"),
        ("Flask-Admin ModelView of report, page 1", bench_app.PEER_ADMIN),
        ("Flask-Admin ModelView of report, deep page", f"{bench_app.PEER_ADMIN}?page={deep}"),
    ):
        plan.add(Page("quantri", "peer", label, url))
    for label, page in (("page 0", 0), ("deep page", deep)):
        plan.add(Page("quantri", "peer", f"FAB ModelRestApi of report, {label}",
                      f"{bench_app.PEER_REST}?q=(page:{page},page_size:20)", api=True))


# --- Running ------------------------------------------------------------------------------------

def _deep_page_url(client: Client, page: Page) -> tuple[str | None, str]:
    """A page in the middle of the list: the last page number its pagination links to, halved."""
    if page.note == "deep-api":
        first = client.call("GET", "/api/v1/report/?q=(page:0,page_size:20)", None, True)
        count = first.json().get("count", 0) if first.ok else 0
        deep = max(count // 20 // 2, 1)
        return page.url.replace("{deep}", str(deep)), f"page {deep:,}"
    first = client.call("GET", page.url, None, False)
    numbers = [int(n) for n in re.findall(r"[?&;]trang=(\d+)", first.text)]
    if not numbers or max(numbers) < 3:
        return None, "one page only"
    deep = max(numbers) // 2
    return f"{page.url}&trang={deep}", f"page {deep:,}"


def measure(plan: Plan, server: Server, replayer: Replayer, capture_dir: str,
            password: str, progress: Callable[[str], None],
            max_minutes: float | None = None) -> list[Result]:
    clients: dict[str, Client] = {}
    results = []
    started_all = time.monotonic()
    for number, page in enumerate(plan.pages, start=1):
        if max_minutes and time.monotonic() - started_all > max_minutes * 60:
            left = len(plan.pages) - number + 1
            plan.notes.append(f"{left} pages not measured: the {max_minutes}-minute limit was reached "
                              "(the peers come last).")
            break
        progress(f"[{number}/{len(plan.pages)}] {page.account}: {page.label}")
        if page.account not in clients:
            clients[page.account] = Client(server.base, page.account, password)
        client = clients[page.account]
        result = Result(page, note=page.note if page.note not in ("deep", "deep-api") else "")
        url = page.url
        if page.note in ("deep", "deep-api"):
            url, result.note = _deep_page_url(client, page)
            if url is None:
                continue
        rounds = page.rounds or plan.rounds

        def request(k: int, capture: str | None = None) -> requests.Response:
            target, body = page.requests_(k) if page.requests_ else (url, None)
            return client.call(page.method, target, body, page.api, capture)

        started = time.perf_counter()
        first = request(0)
        first_seconds = time.perf_counter() - started
        warm_up = WARM_UP
        if first_seconds > SLOW_PAGE and rounds > SLOW_ROUNDS:
            # a page of seconds: its figures are clear in fewer rounds
            rounds, warm_up = ((VERY_SLOW_ROUNDS, 1) if first_seconds > VERY_SLOW_PAGE
                               else (SLOW_ROUNDS, WARM_UP))
            result.note = "; ".join(filter(None, [result.note, f"{rounds} rounds: slow page"]))
        if page.requests_ is None and first.status_code != 200:
            if first.status_code not in (302, 403, 404):  # not this role's page: nothing to say
                plan.notes.append(f"{page.account}: {page.label} answered {first.status_code}.")
            continue
        for k in range(1, warm_up):
            request(k)
        for k in range(warm_up, warm_up + rounds):
            started = time.perf_counter()
            answer = request(k)
            result.samples.append((time.perf_counter() - started) * 1000)
            result.status = answer.status_code
        name = f"page{number}"
        request(warm_up + rounds, capture=name)
        path = os.path.join(capture_dir, name + ".pickle")
        if os.path.exists(path):
            with open(path, "rb") as f:
                statements = pickle.load(f)
            result.statements = len(statements)
            errors = set()
            for _ in range(rounds):
                seconds, error = replayer.run(statements)
                result.floor.append(seconds * 1000)
                if error:
                    errors.add(error)
            if errors:
                result.note = "; ".join(filter(None, [result.note, "replay: " + ", ".join(sorted(errors))]))
        results.append(result)
    return results


# --- Mixed load: several people at once, 4 workers ----------------------------------------------

MIXED_ACCOUNTS = ("trungtam", "gtvt.xuly")  # the centre and a handler of the busiest unit
MIXED_PEOPLE = 8
MIXED_WORKERS = 4
MIXED_SECONDS = 60
MIXED_BUDGET = 150  # requests a second (DESIGN §11), with no error


@dataclass
class Mixed:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    samples: list[float] = field(default_factory=list)
    page_cache: str = ""  # the server's PAGE_CACHE
    hits: int = 0  # answers sent from the page cache
    # CPU seconds spent during the run by the app's workers, the clients (this process) and
    # the rest of the machine (the database, mostly): where the throughput goes.
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds so far: the whole machine's busy time, the server's processes', this one's."""
    import psutil

    def used(times) -> float:
        return times.user + times.system

    machine = psutil.cpu_times()
    server = psutil.Process(server_pid)
    app = sum(used(p.cpu_times()) for p in [server, *server.children(recursive=True)])
    busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
    return {"machine": busy, "app": app, "clients": used(psutil.Process().cpu_times())}


def _in_mix(page: Page, account: str) -> bool:
    """The pages a person of the mixed load opens: their queues, searches, report pages and
    REST lists (page 1)."""
    return (page.account == account and page.method == "GET" and page.requests_ is None
            and page.note not in ("deep", "deep-api")
            and page.kind in ("fixed", "queue", "search", "report", "api"))


def mixed_load(plan: Plan, database_url: str, password: str,
               seconds: float = MIXED_SECONDS, page_cache: str | None = None) -> Mixed:
    """``MIXED_PEOPLE`` people, half the centre and half a handler, each opening their own
    measured pages (queues, searches, report pages, the REST list) one after another for
    ``seconds``, against gunicorn with ``MIXED_WORKERS`` workers: throughput, p95 and errors
    (an answer of 500 or more, or none). ``page_cache``: the server's PAGE_CACHE, if not the
    configured one."""
    capture_dir = tempfile.mkdtemp(prefix="perf-mixed-")
    server = Server(database_url, capture_dir, workers=MIXED_WORKERS, page_cache=page_cache)
    result = Mixed(page_cache=page_cache or current_app.config.get("PAGE_CACHE") or "off")
    lock = threading.Lock()
    try:
        clients = [Client(server.base, MIXED_ACCOUNTS[i % len(MIXED_ACCOUNTS)], password)
                   for i in range(MIXED_PEOPLE)]
        pages = {account: _own_pages(client, [p for p in plan.pages if _in_mix(p, account)])
                 for account, client in zip(MIXED_ACCOUNTS, clients)}
        cpu_before = _cpu_seconds(server.process.pid)
        started = time.monotonic()
        stop_at = started + seconds

        def person(i: int, client: Client) -> None:
            own = pages[MIXED_ACCOUNTS[i % len(MIXED_ACCOUNTS)]]
            k = i
            while own and time.monotonic() < stop_at:
                page = own[k % len(own)]
                k += 1
                began = time.perf_counter()
                try:
                    answer = client.call("GET", page.url, None, page.api)
                    failed = answer.status_code >= 500
                    hit = answer.headers.get(CACHE_HEADER) == "hit"
                except requests.RequestException:
                    failed, hit = True, False
                with lock:
                    result.requests += 1
                    result.errors += failed
                    result.hits += hit
                    result.samples.append((time.perf_counter() - began) * 1000)

        threads = [threading.Thread(target=person, args=(i, c)) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result.seconds = time.monotonic() - started
        cpu = {k: v - cpu_before[k] for k, v in _cpu_seconds(server.process.pid).items()}
        result.cpu = {"app": cpu["app"], "clients": cpu["clients"],
                      "rest": max(cpu["machine"] - cpu["app"] - cpu["clients"], 0.0)}
    finally:
        server.stop()
        shutil.rmtree(capture_dir, ignore_errors=True)
    return result


def _own_pages(client: Client, pages: list[Page]) -> list[Page]:
    """Those of ``pages`` that are the person's own: they answer 200 (another role's queue
    answers 403 in a few ms, and is nobody's work of the mix)."""
    return [p for p in pages if client.call("GET", p.url, None, p.api).status_code == 200]


def mix_ceiling(results: list[Result]) -> tuple[float, float] | None:
    """The bare SQL of an average request of the mix (each person's pages taken equally), and
    the requests a second the machine's cores would serve if the app itself cost nothing."""
    means = []
    for account in MIXED_ACCOUNTS:
        floors = [_percentile(r.floor, 50) for r in results if _in_mix(r.page, account)]
        floors = [f for f in floors if f]
        if floors:
            means.append(statistics.fmean(floors))
    if not means:
        return None
    mean = statistics.fmean(means)
    return mean, (os.cpu_count() or 1) * 1000 / mean


def render_mixed(mixed: Mixed | None, results: list[Result], factor: float = 1.0,
                 embedded: bool = False, uncached: Mixed | None = None) -> list[str]:
    """``factor``: SQLite's allowance (DESIGN §11: within 1.5× of the figures), dividing the
    throughput asked for. ``uncached``: the same load with the page cache off, for comparison."""
    if mixed is None:
        return []
    budget = MIXED_BUDGET / factor
    ok = mixed.per_second >= budget and mixed.errors == 0
    ceiling = mix_ceiling(results)

    def row(run: Mixed, judged: str) -> str:
        kept = f"{100 * run.hits / run.requests:,.0f} %" if run.requests else "—"
        return (f"| {run.requests:,} | {run.per_second:,.1f} | {_ms(_percentile(run.samples, 50))} "
                f"| {_ms(_percentile(run.samples, 95))} | {run.errors:,} | {run.page_cache or '—'}"
                f" | {kept} | {judged} |")

    return [
        "", f"Mixed load: {MIXED_PEOPLE} people at once ({', '.join(MIXED_ACCOUNTS)}, each "
        f"opening their own pages of the table above one after another) against gunicorn with "
        f"{MIXED_WORKERS} sync workers for {mixed.seconds:,.0f} s; the clients run on the same "
        "machine. The page cache as configured (app/ops/page_cache.py: a person's page sent "
        "again while no data changes, within the minute); the pages of the table above were "
        "measured with it off.", "",
        "| requests | requests/s | p50 ms | p95 ms | errors | page cache | sent from it "
        "| budget | pass |",
        "|---:|---:|---:|---:|---:|---|---:|---|---|",
        row(mixed, f"≥ {budget:,.0f} requests/s, 0 errors | {'pass' if ok else '**FAIL**'}"),
    ] + ([] if uncached is None else [row(uncached, "for comparison | —")]) + (
        [] if ceiling is None else [
        "", f"The bare SQL of the mix's pages (their floors above, each person's pages taken "
        f"equally) is {ceiling[0]:,.1f} ms a request: the database alone would serve at most "
        f"{ceiling[1]:,.0f} requests/s on this machine's {os.cpu_count()} cores if the app "
        "cost nothing.",
    ]) + _cpu_lines(mixed, embedded) + (
        [] if uncached is None else _cpu_lines(uncached, embedded, "With the page cache off, "))


def _cpu_lines(mixed: Mixed, embedded: bool, run: str = "") -> list[str]:
    """The CPU an average request of the mix cost, and the throughput the cores allow at it
    (``embedded``: SQLite, whose work is the app's workers' own)."""
    if not (mixed.cpu and mixed.requests):
        return []
    per_request = {k: 1000 * v / mixed.requests for k, v in mixed.cpu.items()}
    total = sum(per_request.values())
    cores = os.cpu_count() or 1
    workers = "the app's workers (SQLite's work included)" if embedded else "the app's workers"
    rest = "the rest of the machine" if embedded else "the database and the rest of the machine"
    return [
        "", f"{run}CPU an average request of the mix cost (measured during the run): {workers} "
        f"{per_request['app']:,.1f} ms, {rest} "
        f"{per_request['rest']:,.1f} ms, the clients {per_request['clients']:,.1f} ms; "
        f"{total:,.1f} ms in all, so the {cores} cores serve at most "
        f"{cores * 1000 / total:,.0f} requests/s at that cost." if total else "",
    ]


# --- The report ---------------------------------------------------------------------------------

def _machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
            memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    return f"{model or platform.processor()}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _database() -> tuple[str, str]:
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        version = _scalar("SHOW server_version")
        size = _scalar("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return dialect, f"PostgreSQL {version} ({size})"
    path = db.engine.url.database or ""
    size = os.path.getsize(path) / 1024 / 1024 if path and os.path.exists(path) else 0
    return dialect, f"SQLite {sqlite3.sqlite_version} ({size:,.0f} MB)"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def render(results: list[Result], plan: Plan, dialect: str, database: str, load: tuple[str, str],
           seconds: float, mixed: Mixed | None = None, uncached: Mixed | None = None) -> str:
    factor = SQLITE_FACTOR if dialect == "sqlite" else 1.0
    counts = {t: _scalar(f"SELECT count(*) FROM {t}") for t in ("report", "report_event", "unit", "ab_user")}
    lines = [
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `flask --app app perf bench` "
        f"in {seconds / 60:,.0f} min — nothing here is typed by hand.",
        "",
        f"- Machine: {_machine()}; load average {load[0]} at the start, {load[1]} at the end "
        "(the machine is shared).",
        f"- Database: {database}; data: {counts['report']:,} reports, {counts['report_event']:,} "
        f"log events, {counts['unit']:,} units, {counts['ab_user']:,} users.",
        f"- Commit: {_commit()}; gunicorn, 1 sync worker; requests one after another; "
        f"{WARM_UP} warm-up requests, then p50/p95 over {plan.rounds} rounds (fewer where noted).",
        "- Floor: the page's own SQL statements, captured in the app process and replayed bare "
        f"through {'psycopg' if dialect == 'postgresql' else 'sqlite3'} (rolled back); "
        "×floor = app p50 ÷ floor p50.",
        f"- Budget: DESIGN §11 p95{' × 1.5 (SQLite)' if factor != 1 else ''}; "
        "peers and bulk have no budget line.",
        "",
        "| account | page | budget ms | p50 ms | p95 ms | floor p50 ms | ×floor | queries | status | pass |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    passed = failed = 0
    for r in results:
        budget = BUDGETS.get(r.page.kind, (None, None))[1]
        budget = None if budget is None else budget * factor
        floor = _percentile(r.floor, 50)
        ratio = f"{r.p50 / floor:,.1f}" if floor and r.p50 else "—"
        if budget is None:
            verdict = "—"
        elif r.p95 is not None and r.p95 <= budget and r.status < 400:
            verdict, passed = "pass", passed + 1
        else:
            verdict, failed = "**FAIL**", failed + 1
        label = r.page.label + (f" ({r.note})" if r.note else "")
        lines.append(
            f"| {r.page.account} | {label} | {'—' if budget is None else f'{budget:,.0f}'} | "
            f"{_ms(r.p50)} | {_ms(r.p95)} | {_ms(floor)} | {ratio} | {r.statements} | "
            f"{r.status} | {verdict} |")
    lines += ["", f"Budget lines: {passed} pass, {failed} fail."]
    lines += render_mixed(mixed, results, factor, embedded=dialect == "sqlite", uncached=uncached)
    if plan.notes:
        lines += ["", "Not measured:", ""] + [f"- {n}" for n in plan.notes]
    return "\n".join(lines)


def write_report(block: str, dialect: str, path: str = REPORT_FILE) -> None:
    begin = f"<!-- perf bench {dialect}: begin (generated, do not edit) -->"
    end = f"<!-- perf bench {dialect}: end -->"
    title = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(dialect, dialect)
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else (
        "# Performance\n\nThe benchmark of DESIGN §11 (`flask --app app perf bench`, see the README). "
        "The tables between the markers are written by the benchmark; the rest is prose.\n")
    section = f"{begin}\n{block}\n{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + f"\n\n## Benchmark on {title}\n\n{section}\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_report_locked(block: str, dialect: str) -> None:
    """Two benchmarks (PostgreSQL and SQLite) may finish together: one writes at a time."""
    with open(os.path.join(tempfile.gettempdir(), "phananh-performance.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        write_report(block, dialect)


def run(rounds: int = 20, accounts: tuple[str, ...] = BENCH_ACCOUNTS, write: bool = True,
        progress: Callable[[str], None] = lambda s: None,
        max_minutes: float | None = None,
        mixed_seconds: float = MIXED_SECONDS) -> tuple[str, list[Result]]:
    password = current_app.config.get("DEMO_PASSWORD")
    if not password:
        raise BenchError("Hãy đặt DEMO_PASSWORD (mật khẩu các tài khoản minh họa).")
    started = time.monotonic()
    load_start = "{:.1f}".format(os.getloadavg()[0])
    url = db.engine.url
    plan = build_plan(rounds, accounts)
    dialect, database = _database()
    db.session.close()
    capture_dir = tempfile.mkdtemp(prefix="perf-capture-")
    # Every page built: the page cache would send most rounds of a page as kept.
    server = Server(url.render_as_string(hide_password=False), capture_dir, page_cache="off")
    replayer = Replayer(url)
    try:
        results = measure(plan, server, replayer, capture_dir, password, progress, max_minutes)
    finally:
        server.stop()
        replayer.close()
        shutil.rmtree(capture_dir, ignore_errors=True)
    mixed = uncached = None
    if mixed_seconds:
        database_url = url.render_as_string(hide_password=False)
        progress(f"mixed load: {MIXED_PEOPLE} people, {MIXED_WORKERS} workers, {mixed_seconds:.0f} s")
        mixed = mixed_load(plan, database_url, password, mixed_seconds)
        if mixed.page_cache != "off":
            progress("mixed load again, the page cache off")
            uncached = mixed_load(plan, database_url, password, mixed_seconds, page_cache="off")
    load_end = "{:.1f}".format(os.getloadavg()[0])
    block = render(results, plan, dialect, database, (load_start, load_end),
                   time.monotonic() - started, mixed, uncached)
    if write:
        write_report_locked(block, dialect)
    return block, results


def summary(results: list[Result]) -> str:
    return "\n".join(
        f"{r.page.account:13} {r.page.label[:60]:60} p50 {_ms(r.p50):>9} p95 {_ms(r.p95):>9} "
        f"floor {_ms(_percentile(r.floor, 50)):>8}"
        for r in results)

