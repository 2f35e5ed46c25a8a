"""The counts behind the menu badges and the Cảnh báo panel are kept in the transaction of each
change: after any sequence of actions they equal a recount of the lists, for every person."""
from __future__ import annotations

from report_helpers import GTVT, TTTT, XD, make_report, then, user
from sqlalchemy import func, select

from app.domain.workflow import Action, Status

PEOPLE = ("trungtam", "gtvt.xuly", "gtvt.lanhdao", "tttt.xuly", "tttt.lanhdao", "xd.xuly",
          "theodoi")


def _recount(person):
    """Each queue's tabs counted by COUNT(*) over the lists themselves (not the kept counts)."""
    from app.extensions import db
    from app.services import queues

    recount = {}
    for queue in queues.QUEUES:
        tabs = []
        for tab in queue.tabs[:2]:
            tabs.append(db.session.execute(
                queues._list_select(person, queue, tab, queues.Filters(), func.count(
                    queues.Report.id))
            ).scalar_one())
        recount[queue.key] = tuple(tabs)
    return recount


def _alert_recount(person):
    from app.extensions import db
    from app.models import Report
    from app.services import queues
    from app.services.scope import scope_clause

    numbers = {}
    for key in ("moi", "chua-xu-ly", "qua-han"):
        numbers[key] = db.session.execute(
            select(func.count()).select_from(Report)
            .where(scope_clause(person), queues.condition_clause(person, key))
        ).scalar_one()
    numbers["theo-doi"] = db.session.execute(
        select(func.count(func.distinct(Report.id))).select_from(Report)
        .where(scope_clause(person), queues.condition_clause(person, "theo-doi"))
    ).scalar_one()
    return numbers


def _check_all(app):
    from app.services import queues

    with app.app_context():
        for username in PEOPLE:
            person = user(username)
            badges = queues.badges(person, list(queues.QUEUES))
            kept = {key: (b.waiting, b.done) for key, b in badges.items()}
            assert kept == _recount(person), username
            assert queues.alert_counts(person) == _alert_recount(person), username


def _stored_counts(app):
    from app.extensions import db
    from app.models.counter import ReportCount

    with app.app_context():
        return {(c.unit_id, c.bucket): c.n for c in db.session.execute(
            select(ReportCount).where(ReportCount.n != 0)).scalars()}


def test_counts_equal_recounts_after_a_sequence_of_actions(app):
    _check_all(app)
    first = make_report(app, Status.ASSIGNED, unit=GTVT, follow=(TTTT, XD))
    _check_all(app)
    then(app, first, Action.ACCEPT, Status.ASSIGNED)
    then(app, first, Action.SUBMIT, Status.IN_PROGRESS)
    _check_all(app)
    then(app, first, Action.APPROVE, Status.PENDING_APPROVAL)
    with app.app_context():
        from app.services.workflow import ActionRequest, apply_action

        apply_action(user("tttt.xuly"), first, ActionRequest(action="follow_done"))
    _check_all(app)
    then(app, first, Action.PUBLISH, Status.APPROVED)
    then(app, first, Action.REOPEN, Status.PUBLISHED)
    _check_all(app)
    # Returned by one unit, handed to another, the first one keeps it in "Đã xử lý".
    second = make_report(app, Status.ASSIGNED, unit=XD)
    then(app, second, Action.RETURN, Status.ASSIGNED, unit=XD)
    then(app, second, Action.DISTRIBUTE, Status.RECEIVED, unit=GTVT, follow=(XD,))
    _check_all(app)
    third = make_report(app, Status.NEW)
    then(app, third, Action.REJECT, Status.NEW)
    make_report(app, Status.RECEIVED, confidential=True)
    _check_all(app)


def test_a_refused_action_changes_no_count(app):
    from app.services.workflow import ActionRequest, WorkflowError, apply_action

    report_id = make_report(app, Status.ASSIGNED, unit=GTVT)
    before = _stored_counts(app)
    with app.app_context():
        try:  # TTTT's handler may not accept a report assigned to GTVT
            apply_action(user("tttt.xuly"), report_id, ActionRequest(action="accept"))
        except WorkflowError:
            pass
        from app.extensions import db

        db.session.rollback()
    assert _stored_counts(app) == before
    _check_all(app)


def test_rebuild_gives_the_kept_counts(app):
    from app.extensions import db
    from app.services.derived import rebuild_all

    make_report(app, Status.IN_PROGRESS, unit=TTTT, follow=(GTVT,))
    kept = _stored_counts(app)
    with app.app_context():
        rebuild_all()
        db.session.commit()
    assert _stored_counts(app) == kept


def test_a_follow_up_done_while_the_handler_acts_is_counted_once(app):
    """The follow-up unit marks it done while the handling unit submits: two transactions on
    one report at once, both kept; the counts still equal the recount."""
    from conftest import api_client
    from test_concurrency import _race

    for _ in range(3):
        report_id = make_report(app, Status.IN_PROGRESS, unit=GTVT, follow=(TTTT,))
        base = f"/api/v1/report/{report_id}/actions/"
        responses = _race(app, [
            (*api_client(app, "gtvt.xuly"), base + "submit", {"content": "Đã xử lý xong"}),
            (*api_client(app, "tttt.xuly"), base + "follow_done", {}),
        ])
        assert [r.status_code for r in responses] == [200, 200]
        _check_all(app)
