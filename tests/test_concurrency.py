"""Two people acting on one report at the same moment: exactly one wins, the other is told the
report changed (409, "Phản ánh đã được cập nhật bởi người khác, vui lòng tải lại."), and one
event is written. Real threads, real database: SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set (the whole suite then runs on it).
"""
from __future__ import annotations

import threading

import pytest
from conftest import api_client
from report_helpers import GTVT, TTTT, Status, make_report, snapshot, user  # noqa: F401

from app.services.workflow import CONFLICT_MESSAGE

ROUNDS = 4


def _race(app, calls):
    """Run the calls (client, headers, url, body) at once; return their responses in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(i, client, headers, url, body):
        try:
            barrier.wait(timeout=30)
            results[i] = client.post(url, json=body, headers=headers)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


@pytest.fixture(scope="module")
def clients(app):
    # Each thread has its own test client (its own request and database session).
    return {name: [api_client(app, name) for _ in range(2)]
            for name in ("trungtam", "gtvt.xuly", "gtvt.lanhdao")}


def _check_one_winner(app, report_id, before, responses):
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [(r.status_code, r.json) for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json["message"] == CONFLICT_MESSAGE
    after = snapshot(app, report_id)
    assert after[1] == before[1] + 1  # the version moved once
    assert after[5] == before[5] + 1  # one event


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_same_action_twice_at_once(app, clients, round_):
    """Two handlers of the unit both press "Thực hiện tiếp nhận" on the report they saw."""
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT)
    before = snapshot(app, report_id)
    url = f"/api/v1/report/{report_id}/actions/accept"
    calls = [(c, h, url, {"version": before[1]}) for c, h in clients["gtvt.xuly"]]
    responses = _race(app, calls)
    _check_one_winner(app, report_id, before, responses)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_different_actions_at_once(app, clients, round_):
    """The handler returns the report while (s)he also submits it from another window."""
    report_id = make_report(app, Status.IN_PROGRESS, unit=GTVT)
    before = snapshot(app, report_id)
    base = f"/api/v1/report/{report_id}/actions/"
    (c1, h1), (c2, h2) = clients["gtvt.xuly"]
    responses = _race(app, [
        (c1, h1, base + "return", {"reason": "Không thuộc thẩm quyền", "version": before[1]}),
        (c2, h2, base + "submit", {"content": "Đã xử lý xong", "version": before[1]}),
    ])
    _check_one_winner(app, report_id, before, responses)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_centre_and_the_unit_at_once(app, clients, round_):
    """The centre returns an approved result while the unit's leader ... cannot act on it: the
    centre publishes in one window and returns it in another."""
    report_id = make_report(app, Status.APPROVED, unit=GTVT)
    before = snapshot(app, report_id)
    base = f"/api/v1/report/{report_id}/actions/"
    (c1, h1), (c2, h2) = clients["trungtam"]
    responses = _race(app, [
        (c1, h1, base + "publish", {"content": "Đã khắc phục", "version": before[1]}),
        (c2, h2, base + "return", {"reason": "Kết quả chưa đạt", "version": before[1]}),
    ])
    _check_one_winner(app, report_id, before, responses)


def test_a_stale_write_is_refused_by_the_version_column(app):
    """Deterministic interleaving of two sessions: A reads, B acts and commits, A then writes
    with what it read. A's UPDATE finds no row of its version: 409, nothing of A is kept."""
    from app.extensions import db
    from app.models import Report
    from app.services.workflow import ActionRequest, ConflictError, apply_action

    report_id = make_report(app, Status.IN_PROGRESS, unit=GTVT)
    before = snapshot(app, report_id)
    with app.app_context():  # session A
        seen = db.session.get(Report, report_id)  # A has read the report (in progress)
        assert seen.status == Status.IN_PROGRESS.value
        with app.app_context():  # session B, in the same thread: acts first
            apply_action(user("gtvt.xuly"), report_id,
                         ActionRequest(action="submit", content="Kết quả của B"))
        with pytest.raises(ConflictError) as caught:
            apply_action(user("gtvt.xuly"), report_id,
                         ActionRequest(action="return", reason="Lý do của A"))
        assert caught.value.message == CONFLICT_MESSAGE
        assert caught.value.status_code == 409
        del seen
    after = snapshot(app, report_id)
    assert after[0] == Status.PENDING_APPROVAL.value and after[3] == "Kết quả của B"
    assert after[1] == before[1] + 1 and after[5] == before[5] + 1


def test_comments_at_once_are_both_kept(app, clients):
    """Comments change no state: two at once are both written."""
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT)
    before = snapshot(app, report_id)
    url = f"/api/v1/report/{report_id}/actions/comment"
    (c1, h1), (c2, h2) = clients["gtvt.xuly"]
    responses = _race(app, [(c1, h1, url, {"content": "Một"}), (c2, h2, url, {"content": "Hai"})])
    assert [r.status_code for r in responses] == [200, 200]
    assert snapshot(app, report_id)[5] == before[5] + 2
