"""Performance guards (issue 9, DESIGN §11) — counts and plans, never timings:

- every page runs the same number of SQL statements with 2 reports and with 200, with lists of
  20 and of 100 rows a page (no query per row, per unit, per event);
- on PostgreSQL, with tens of thousands of generated reports, no query of the queues, the search
  or the report page scans ``report`` or ``report_event`` whole.

Each runs ``tests/perf_probe.py`` in a subprocess over a generated database of its own.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
import sqlalchemy as sa
from conftest import DEMO_PASSWORD, drop_database, fresh_database
from perf_helpers import ROOT, engine_for, flask_command, generated_database

from app.services.queues import QUEUES

UNTIL = ("--until", "2026-11-20")
ACCOUNTS = ("trungtam", "gtvt.xuly", "gtvt.lanhdao", "theodoi", "quantri")
URLS = ["/", "/users/userinfo/", "/api/v1/report/?q=(page:0,page_size:N)",
        *[f"/phan-anh/{q.key}/?tab={t.key}" for q in QUEUES for t in q.tabs],
        "/phan-anh/tat-ca/?tab=tat-ca&tu_khoa=o+ga+duong",
        "/phan-anh/<report>", "/api/v1/report/<report>/events"]
PAGES = [f"{account} {url}" for account in ACCOUNTS for url in URLS]
on_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="the query plans are PostgreSQL's")


def probe(url: str, page_sizes: str, mode: str) -> dict:
    # The page cache off: what is counted and explained is the building of each page.
    env = {**os.environ, "DATABASE_URL": url, "DEMO_PASSWORD": DEMO_PASSWORD, "PYTHONPATH": ROOT,
           "PAGE_CACHE": "off"}
    done = subprocess.run([sys.executable, os.path.join("tests", "perf_probe.py"), page_sizes, mode],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _rate_two_published_results(url: str) -> None:
    """The demo has no citizens' ratings (and two generated reports rarely one): one rating
    answered and one waiting, so both tabs of "Phản ánh có tương tác" list a row."""
    engine = engine_for(url)
    with engine.begin() as conn:
        published = conn.execute(sa.text(
            "SELECT id, published_at, unit_id FROM report WHERE status = 'published' "
            "ORDER BY id LIMIT 2")).all()
        assert len(published) == 2
        for (report_id, published_at, unit_id), answered in zip(published, (True, False)):
            conn.execute(sa.text(
                "INSERT INTO feedback (report_id, published_at, unit_id, rating, created_at, "
                "answered_at, answer) VALUES (:r, :p, :u, 'not_satisfied', :p, :a, :answer)"),
                {"r": report_id, "p": published_at, "u": unit_id,
                 "a": published_at if answered else None, "answer": "reply" if answered else None})
    engine.dispose()


@pytest.fixture(scope="module")
def statement_counts():
    """Statements per page and page size, with 2 generated reports, then with 200. The demo
    reports come first: every queue of every demo account shows at least one row (a list of no
    rows skips the queries that load the rows' units and fields)."""
    tmp = tempfile.mkdtemp(prefix="phananh-guard-")
    url = fresh_database(tmp, "perf_counts")
    flask_command(url, "db", "upgrade")
    flask_command(url, "demo")
    flask_command(url, "perf", "generate", "--reports", "2", "--seed", "3", *UNTIL)
    _rate_two_published_results(url)
    small = probe(url, "20,100", "count")
    flask_command(url, "perf", "generate", "--reports", "198", "--seed", "4", *UNTIL)
    large = probe(url, "20,100", "count")
    yield small, large
    drop_database(url)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("page", PAGES)
def test_a_page_runs_as_many_queries_for_2_as_for_200_reports_and_any_page_size(statement_counts, page):
    small, large = statement_counts
    if page not in large:
        pytest.skip("not a page of this account (not 200 OK)")
    counts = {
        "2 reports, 20 a page": small.get(page, {}).get("20"),
        "2 reports, 100 a page": small.get(page, {}).get("100"),
        "200 reports, 20 a page": large[page]["20"],
        "200 reports, 100 a page": large[page]["100"],
    }
    present = {k: v for k, v in counts.items() if v is not None}
    assert len(set(present.values())) == 1, counts


@pytest.fixture(scope="module")
def sequential_scans():
    tmp = tempfile.mkdtemp(prefix="phananh-guard-")
    url = generated_database(tmp, "perf_plans", "--reports", "30000", "--events-per-report", "8",
                             "--seed", "5", *UNTIL)
    yield probe(url, "20", "explain")
    drop_database(url)
    shutil.rmtree(tmp, ignore_errors=True)


@on_postgresql
@pytest.mark.parametrize("page", [p for p in PAGES if "/phan-anh/" in p or "/api/" in p])
def test_no_page_query_scans_the_reports_or_the_log_whole(sequential_scans, page):
    if page not in sequential_scans:
        pytest.skip("not a page of this account (not 200 OK)")
    assert sequential_scans[page]["20"] == []


@on_postgresql
def test_every_connection_plans_each_statement_for_its_values_without_parallel_workers(app):
    """psycopg prepares repeated statements; a generic plan made the badges' "arrived since the
    last visit" 15 times slower at a million reports. A parallel plan starts worker processes
    for a statement of milliseconds: the mixed load served 13–17 % fewer requests a second with
    them (app/extensions.py)."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        for _ in range(2):  # a fresh connection and one back from the pool
            with db.engine.connect() as connection:
                assert connection.execute(text("SHOW plan_cache_mode")).scalar() == \
                    "force_custom_plan"
                assert connection.execute(
                    text("SHOW max_parallel_workers_per_gather")).scalar() == "0"


@on_postgresql
def test_the_benchmarks_floor_is_planned_as_the_app_plans(app):
    """The floor replays a page's statements bare; under other settings PostgreSQL planned a
    unit's search in parallel and the floor exceeded the page itself (app/perf/bench.py)."""
    from app.extensions import db
    from app.perf.bench import Replayer

    with app.app_context():
        replayer = Replayer(db.engine.url)
    try:
        cursor = replayer.connection.cursor()
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"
    finally:
        replayer.close()


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                    reason="SQLite's plan (PostgreSQL's are checked on generated data above)")
@pytest.mark.parametrize("tab", ["cho", "da"])
def test_a_leaders_approval_queue_is_read_in_its_order_off_an_index_on_sqlite(app, tab):
    """"Phê duyệt · Đã phê duyệt" read and sorted all of the unit's approved and published
    reports for one page (87 ms of SQL at 200,000 reports); an index in the list's order
    (migration 0019) gives the page's 20 rows without a sort."""
    from conftest import login

    from app.extensions import db

    client = login(app, "gtvt.lanhdao")
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "ORDER BY report.received_at DESC" in statement and "LIMIT" in statement:
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(f"/phan-anh/phe-duyet/?tab={tab}").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 1
    with engine.connect() as connection:
        plan = [row[-1] for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statements[0][0], statements[0][1])]
    assert not [step for step in plan if "TEMP B-TREE" in step], plan
