"""Run in a subprocess over a generated database of its own (``DATABASE_URL``): opens every
page the guards watch as each demo account, with lists of ``argv[1]`` rows a page, and prints as
JSON, per page, either the number of SQL statements the page ran (``argv[2]`` = ``count``) or,
on PostgreSQL (``explain``), the page's queries whose plan scans ``report`` or ``report_event``
sequentially, with the plan line.

Used by tests/test_perf_guards.py.
"""
from __future__ import annotations

import functools
import json
import re
import sys

from conftest import csrf_token
from sqlalchemy import event, text

ACCOUNTS = ("trungtam", "gtvt.xuly", "gtvt.lanhdao", "theodoi", "quantri")


STATEMENTS: list[tuple[str, object]] = []  # of the request being watched
SEQ_SCAN = re.compile(r"Seq Scan on (report|report_event|report_unit)\b")


def main(page_sizes: list[int], mode: str) -> None:
    from app import create_app
    from app.services import queues

    from app.extensions import db

    app = create_app({"RATELIMIT_ENABLED": False, "TESTING": True})
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cur, statement, params, ctx, many:
                     STATEMENTS.append((statement, params)))
    pages: dict[str, dict] = {}
    list_page, default_size = queues.list_page, queues.PAGE_SIZE
    for page_size in page_sizes:
        queues.list_page = functools.partial(list_page, page_size=page_size)
        queues.PAGE_SIZE = page_size
        for key, value in _visit(app, page_size, mode).items():
            pages.setdefault(key, {})[str(page_size)] = value
    queues.list_page, queues.PAGE_SIZE = list_page, default_size
    json.dump(pages, sys.stdout)


def _visit(app, page_size: int, mode: str) -> dict:
    """Requests run outside any application context of ours: each gets its own ``g``."""
    from app.extensions import db
    from app.services import queues

    pages = {}
    for account in ACCOUNTS:
        with app.app_context():
            unit_id = db.session.execute(text("SELECT unit_id FROM ab_user WHERE username = :u"),
                                         {"u": account}).scalar()
            report_id = _longest_log(db, None if account in ("trungtam", "theodoi", "quantri")
                                     else unit_id)
        client = _login(app, account, app.config["DEMO_PASSWORD"])
        urls = ["/", "/users/userinfo/", f"/api/v1/report/?q=(page:0,page_size:{page_size})"]
        urls += [f"/phan-anh/{q.key}/?tab={t.key}" for q in queues.QUEUES for t in q.tabs]
        urls += ["/phan-anh/tat-ca/?tab=tat-ca&tu_khoa=o+ga+duong"]
        if report_id:
            urls += [f"/phan-anh/{report_id}", f"/api/v1/report/{report_id}/events"]
        for url in urls:
            client.get(url)  # warm-up: first visits write their NEW marks
            STATEMENTS.clear()
            answer = client.get(url)
            if answer.status_code != 200:
                continue
            key = re.sub(r"/phan-anh/\d+", "/phan-anh/<report>",
                         re.sub(r"/report/\d+/", "/report/<report>/", url))
            key = f"{account} " + key.replace(f"page_size:{page_size}", "page_size:N")
            if mode == "count":
                pages[key] = len(STATEMENTS)
            else:
                with app.app_context():
                    pages[key] = _sequential_scans(db, list(STATEMENTS))
    return pages


def _sequential_scans(db, statements) -> list[str]:
    found = []
    with db.engine.connect() as conn:
        for statement, params in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = [row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, params)]
            for line in plan:
                if SEQ_SCAN.search(line):
                    found.append(f"{line.strip()} ← {' '.join(statement.split())[:300]}")
    return found


def _longest_log(db, unit_id):
    if unit_id is None:
        sql = "SELECT report_id FROM report_event GROUP BY report_id ORDER BY count(*) DESC LIMIT 1"
    else:
        sql = ("SELECT e.report_id FROM report_event e JOIN report_unit l ON l.report_id = "
               "e.report_id WHERE l.unit_id = :unit GROUP BY e.report_id ORDER BY count(*) DESC "
               "LIMIT 1")
    return db.session.execute(text(sql), {"unit": unit_id}).scalar()


def _login(app, username, password):
    client = app.test_client()
    page = client.get("/login/")
    answer = client.post("/login/", data={"username": username, "password": password,
                                          "csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302, f"{username} could not sign in"
    return client


if __name__ == "__main__":
    main([int(size) for size in sys.argv[1].split(",")], sys.argv[2])
