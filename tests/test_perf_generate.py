"""`flask perf generate`: a realistic data set the app reads as if people had made it (issue 9).

Generated into databases of their own (``perf_helpers``): 300 reports, seed 7, history ending
20/11/2026, twice, to show the same seed gives the same data.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from conftest import drop_database
from perf_helpers import engine_for, generated_database

from app.domain import calendar
from app.domain.text import fold
from app.models import Report

ARGS = ("--reports", "300", "--seed", "7", "--until", "2026-11-20")
UNTIL = dt.datetime(2026, 11, 20, 10, 0)


@pytest.fixture(scope="module")
def generated():
    tmp = tempfile.mkdtemp(prefix="phananh-perf-")
    urls = [generated_database(tmp, name, *ARGS) for name in ("perf_a", "perf_b")]
    engines = [engine_for(url) for url in urls]
    yield engines
    for engine, url in zip(engines, urls):
        engine.dispose()
        drop_database(url)
    shutil.rmtree(tmp, ignore_errors=True)


def scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def rows(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def test_the_size_and_the_people(generated):
    engine = generated[0]
    assert scalar(engine, "SELECT count(*) FROM report") == 300
    assert scalar(engine, "SELECT count(*) FROM unit") == 200
    assert 900 <= scalar(engine, "SELECT count(*) FROM ab_user") <= 1100
    # The demo accounts exist, so the benchmark can sign in as each role.
    demo = {r[0] for r in rows(engine, "SELECT username FROM ab_user WHERE username IN "
                               "('quantri', 'trungtam', 'gtvt.xuly', 'gtvt.lanhdao', 'theodoi')")}
    assert demo == {"quantri", "trungtam", "gtvt.xuly", "gtvt.lanhdao", "theodoi"}
    # About ten log lines a report on average, with a long tail: one log of 500+ lines.
    events = scalar(engine, "SELECT count(*) FROM report_event")
    assert 2400 <= events <= 4500
    longest = scalar(engine, "SELECT max(n) FROM (SELECT count(*) AS n FROM report_event "
                             "GROUP BY report_id) AS per_report")
    assert longest >= 500
    # The work is skewed: the busiest unit holds far more than an even share (300 / 199).
    busiest = scalar(engine, "SELECT max(n) FROM (SELECT count(*) AS n FROM report_unit "
                             "WHERE kind = 'handling' GROUP BY unit_id) AS per_unit")
    assert busiest >= 20


def test_the_states_spread_like_a_working_system(generated):
    engine = generated[0]
    counts = dict(rows(engine, "SELECT status, count(*) FROM report GROUP BY status"))
    assert set(counts) == {"new", "received", "assigned", "in_progress", "pending_approval",
                           "approved", "published", "rejected"}
    assert counts["published"] > 0.7 * 300
    assert 0 < counts["rejected"] < 0.1 * 300
    # Some reports at a unit are past their due date at the end of the history.
    overdue = scalar(engine, "SELECT count(*) FROM report WHERE due_at < :until AND status IN "
                             "('assigned', 'in_progress', 'pending_approval')", until=UNTIL)
    assert overdue >= 1
    assert 6 <= scalar(engine, "SELECT count(*) FROM report WHERE confidential") <= 30
    first, last = rows(engine, "SELECT min(received_at), max(received_at) FROM report")[0]
    first, last = (v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v) for v in (first, last))
    assert UNTIL - dt.timedelta(days=31) <= first and last <= UNTIL


def test_every_report_is_where_its_log_says(generated):
    engine = generated[0]
    # The status is the last event's to_status (newest first: time, then id).
    assert scalar(engine, """
        SELECT count(*) FROM report r LEFT JOIN (
          SELECT report_id, to_status, row_number() OVER (
            PARTITION BY report_id ORDER BY created_at DESC, id DESC) AS rn FROM report_event
        ) e ON e.report_id = r.id AND e.rn = 1
        WHERE e.to_status IS NULL OR e.to_status <> r.status""") == 0
    # Each log begins with the intake, and the version counts the changes of state.
    assert scalar(engine, """
        SELECT count(*) FROM report r WHERE (SELECT action FROM report_event e
          WHERE e.report_id = r.id ORDER BY created_at, id LIMIT 1) <> 'create'""") == 0
    assert scalar(engine, """
        SELECT count(*) FROM report r WHERE r.version <> 1 + (SELECT count(*) FROM report_event e
          WHERE e.report_id = r.id AND e.action <> 'create' AND e.from_status <> e.to_status)""") == 0
    # A report being processed or approved was accepted by a handler of its unit.
    assert scalar(engine, """
        SELECT count(*) FROM report r WHERE r.status IN ('in_progress', 'pending_approval')
          AND NOT EXISTS (SELECT 1 FROM report_event e WHERE e.report_id = r.id
                          AND e.action = 'accept' AND e.unit_id = r.unit_id)""") == 0
    # Published reports carry their public result; open ones at the centre have no unit.
    assert scalar(engine, "SELECT count(*) FROM report WHERE status = 'published' AND "
                          "(public_result IS NULL OR published_at IS NULL OR unit_id IS NULL)") == 0
    assert scalar(engine, "SELECT count(*) FROM report WHERE status IN ('new', 'received', "
                          "'rejected') AND unit_id IS NOT NULL") == 0


def test_the_unit_links_match_the_log(generated):
    engine = generated[0]
    # Every distribution left a handling link (the units' read scope), and only those.
    assert scalar(engine, """
        SELECT count(*) FROM report_event e WHERE e.action = 'distribute' AND NOT EXISTS (
          SELECT 1 FROM report_unit l WHERE l.report_id = e.report_id
            AND l.unit_id = e.target_unit_id AND l.kind = 'handling')""") == 0
    assert scalar(engine, """
        SELECT count(*) FROM report_unit l WHERE l.kind = 'handling' AND NOT EXISTS (
          SELECT 1 FROM report_event e WHERE e.report_id = l.report_id
            AND e.action = 'distribute' AND e.target_unit_id = l.unit_id)""") == 0
    assert scalar(engine, """
        SELECT count(*) FROM report r WHERE r.unit_id IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM report_unit l WHERE l.report_id = r.id AND l.unit_id = r.unit_id
            AND l.kind = 'handling')""") == 0
    # Follow-ups: marked done exactly when the follow-up unit wrote "Đã thực hiện theo dõi".
    follows = rows(engine, """
        SELECT l.done_at IS NOT NULL, (SELECT count(*) FROM report_event e
          WHERE e.report_id = l.report_id AND e.action = 'follow_done' AND e.unit_id = l.unit_id)
        FROM report_unit l WHERE l.kind = 'follow'""")
    assert follows and all(bool(done) == (n == 1) for done, n in follows)
    assert any(not done for done, _ in follows)


def test_search_text_is_the_apps_folding_and_due_dates_its_calendar(generated):
    engine = generated[0]
    fields = ("title", "content", "location", "reporter_name", "reporter_phone", "confidential")
    units: dict[int, list] = {}
    for report_id, unit_id in rows(engine, "SELECT report_id, unit_id FROM report_unit"):
        units.setdefault(report_id, []).append(SimpleNamespace(unit_id=unit_id))
    with_ids = rows(engine, f"SELECT {', '.join(fields)}, search_text, id FROM report")
    for report in with_ids:
        # The model's own rule on the report's fields and links (what the app writes).
        expected = SimpleNamespace(**dict(zip(fields, report)), unit_links=units.get(report[-1], []))
        Report.refresh_search_text(expected)
        assert report[-2] == expected.search_text
    # Each unit of a report's scope is a marked word of its folded form.
    first = next(r for r in with_ids if len({link.unit_id for link in units.get(r[-1], [])}) == 2)
    marks = [w for w in first[-2].split() if w.startswith("zu")]
    assert marks == [f"zu{u}" for u in sorted({link.unit_id for link in units[first[-1]]})]
    reports = [r[:-1] for r in with_ids]
    assert all("đ" not in r[-1] and "Đ" not in r[-1] for r in reports)
    assert any("đ" in r[1].lower() for r in reports)  # the vocabulary has it
    assert any("duong" in r[-1] for r in reports)
    assert fold("Đường tránh") in " ".join(r[-1] for r in reports)

    def as_datetime(v):
        return v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)

    at_units = rows(engine, """
        SELECT r.distributed_at, r.due_at, r.return_due_at, f.handling_days FROM report r
        JOIN field f ON f.id = r.field_id WHERE r.status IN ('assigned', 'in_progress')""")
    assert at_units
    for distributed, due, return_due, days in at_units:
        distributed = as_datetime(distributed)
        assert as_datetime(due) == calendar.window_end(distributed, days)
        assert as_datetime(return_due) == calendar.window_end(distributed, 1)


def test_the_same_seed_gives_the_same_data(generated):
    report_sql = ("SELECT id, title, content, reporter_name, status, unit_id, received_at, due_at, "
                  "search_text, version FROM report ORDER BY id")
    event_sql = ("SELECT id, report_id, created_at, actor_name, action, content, to_status "
                 "FROM report_event ORDER BY id")
    first, second = generated
    assert rows(first, report_sql) == rows(second, report_sql)
    assert rows(first, event_sql) == rows(second, event_sql)


def test_citizens_rate_some_published_results(generated):
    engine = generated[0]

    def moment(v):
        return v if v is None or isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)

    ratings = rows(engine, """
        SELECT f.rating, f.published_at, f.created_at, f.answered_at, f.answer, f.unit_id,
               r.status, r.published_at, r.unit_id FROM feedback f JOIN report r ON r.id = f.report_id""")
    # About one published result in twenty is rated (about 280 published of 300).
    assert 4 <= len(ratings) <= 40
    for rating, published, rated, answered, answer, unit, status, report_published, report_unit in ratings:
        assert rating in {"satisfied", "acceptable", "not_satisfied"}
        # The publication rated is the report's, of the unit that handled it.
        assert status == "published" and moment(published) == moment(report_published)
        assert unit == report_unit
        assert moment(published) < moment(rated) <= UNTIL
        assert (answered is None) == (answer is None)
        assert answered is None or moment(rated) < moment(answered) <= UNTIL
    assert any(r[3] is None for r in ratings) and any(r[3] is not None for r in ratings)
