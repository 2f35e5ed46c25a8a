"""Public tracking codes (DESIGN §10): every report has one, old reports got one from the
migration, they are unique, they say nothing of the id or of one another, and the report API
carries them (§7)."""
from __future__ import annotations

import collections
import os
import sqlite3
import subprocess
import sys
import tempfile

import pytest
from report_helpers import api, make_report  # noqa: F401  (api: the fixture)
from sqlalchemy import func, select

from app.domain import tracking
from app.domain.workflow import Status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALPHABET = set("23456789ABCDEFGHJKMNPQRSTWXYZ")
LOOK_ALIKES = set("01ILOUV")


def _codes(app, ids):
    from app.extensions import db
    from app.models import Report

    with app.app_context():
        rows = dict(db.session.execute(select(Report.id, Report.tracking_code)
                                       .where(Report.id.in_(ids))).all())
    return [rows[i] for i in ids]


def test_every_report_has_a_unique_well_formed_code(app):
    from app.extensions import db
    from app.models import Report

    make_report(app, Status.NEW)
    with app.app_context():
        total, distinct_, missing = db.session.execute(select(
            func.count(), func.count(func.distinct(Report.tracking_code)),
            func.count().filter(Report.tracking_code.is_(None)))).one()
        codes = db.session.execute(select(Report.tracking_code)).scalars().all()
    assert total == distinct_ and missing == 0
    for code in codes:
        assert code.startswith("HUE-") and len(code) == 12
        assert set(code[4:]) <= ALPHABET and not set(code[4:]) & LOOK_ALIKES


def test_codes_of_consecutive_reports_share_nothing(app):
    ids = [make_report(app, Status.NEW) for _ in range(8)]
    assert ids == list(range(ids[0], ids[0] + 8))  # consecutive ids…
    codes = _codes(app, ids)
    assert len(set(codes)) == 8
    # …but codes with no common order or prefix: neither sorted like the ids nor alike.
    assert codes != sorted(codes)  # 1 chance in 40,320 for random codes
    for a, b in zip(codes, codes[1:]):
        same_place = sum(x == y for x, y in zip(a[4:], b[4:]))
        assert same_place <= 4, (a, b)
    for report_id, code in zip(ids, codes):
        assert str(report_id) not in code[4:]


def test_codes_are_drawn_uniformly_not_derived():
    """20,000 fresh codes: none repeated, and every character of the alphabet appears at every
    place about equally often (a derived or sequential code would not)."""
    codes = [tracking.new_code() for _ in range(20000)]
    assert len(set(codes)) == len(codes)
    expected = 20000 / len(ALPHABET)
    for place in range(4, 12):
        counts = collections.Counter(code[place] for code in codes)
        assert set(counts) == ALPHABET
        assert all(0.75 * expected < n < 1.25 * expected for n in counts.values()), counts


@pytest.mark.parametrize("typed, stored", [
    ("HUE-7K3Q9M2X", "HUE-7K3Q9M2X"), ("hue-7k3q9m2x", "HUE-7K3Q9M2X"),
    (" hue 7k3q 9m2x ", "HUE-7K3Q9M2X"), ("7K3Q9M2X", "HUE-7K3Q9M2X"),
    ("HUE-7K3Q9M", None), ("HUE-0K3Q9M2X", None), ("12", None), ("", None), (None, None),
])
def test_a_code_as_people_type_it(typed, stored):
    assert tracking.normalise(typed) == stored


def test_the_report_api_carries_the_tracking_code(app, api):
    report_id = make_report(app, Status.RECEIVED)
    code = _codes(app, [report_id])[0]
    answer = api.get("trungtam", f"/api/v1/report/{report_id}").json
    assert answer["result"]["tracking_code"] == code
    found = api.get("trungtam", "/api/v1/report/?q=(filters:!((col:tracking_code,opr:eq,"
                                f"value:'{code}')))").json
    assert found["ids"] == [report_id]


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                    reason="the migration's fill is the same Python code on both databases; "
                           "run on a scratch SQLite file")
def test_the_migration_gives_old_reports_codes():
    tmp = tempfile.mkdtemp(prefix="phananh-migration-")
    path = os.path.join(tmp, "old.db")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "FLASK_APP": "app"}
    env.pop("TEST_DATABASE_URL", None)

    def flask(*args):
        done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]

    flask("db", "upgrade", "0004")  # the schema before tracking codes
    with sqlite3.connect(path) as conn:
        for i in range(3):
            conn.execute("INSERT INTO report (title, content, status, confidential, received_at,"
                         " late_return, search_text, version, created_at, updated_at) VALUES"
                         " (?, 'nội dung', 'new', 0, '2019-01-05 01:00:00', 0, '', 1,"
                         " '2019-01-05 01:00:00', '2019-01-05 01:00:00')", (f"Phản ánh cũ {i}",))
    flask("db", "upgrade")
    with sqlite3.connect(path) as conn:
        codes = [row[0] for row in conn.execute("SELECT tracking_code FROM report ORDER BY id")]
    assert len(codes) == 3 and len(set(codes)) == 3
    assert all(tracking.normalise(code) == code for code in codes)
