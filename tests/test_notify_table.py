"""Who is told what (DESIGN §9): one table next to the transition table, complete, and applied by
the workflow's hook in the action's own transaction, within each person's scope."""
from __future__ import annotations

import pytest
from report_helpers import ACCOUNTS, GTVT, TTTT, XD, ids, make_report, then, user
from sqlalchemy import select

from app.domain.notifications import NOTIFY, notifications_for
from app.domain.workflow import TRANSITIONS, Action, Role, Status


def test_every_transition_has_a_decision_in_the_table():
    """A new row of the transition table without an entry here fails this test: the action
    cannot forget its notification (an empty entry is a decision: nobody is told)."""
    for t in TRANSITIONS:
        assert (t.action, t.actor) in NOTIFY, f"no notification decided for {t.action} by {t.actor}"
        for status in (t.sources or Status):
            notifications_for(t.action, status)  # found from the event's own facts
    decided = {(t.action, t.actor) for t in TRANSITIONS} | {(Action.CREATE, None),
                                                              (Action.CREATE, "centre")}
    assert set(NOTIFY) == decided


def test_the_table_says_what_design_section_9_says():
    def told(action, status, by_person=True):
        return {(n.kind.value, n.audience.value)
                for n in notifications_for(action, status, by_person)}

    assert told(Action.DISTRIBUTE, Status.RECEIVED) == {
        ("assigned", "unit_handlers"), ("follow", "follow_handlers")}
    assert told(Action.SUBMIT, Status.IN_PROGRESS) == {("submitted", "unit_leaders")}
    assert told(Action.RETURN, Status.PENDING_APPROVAL) == {("returned_to_handler", "submitter")}
    assert told(Action.APPROVE, Status.PENDING_APPROVAL) == {("approved", "centre")}
    assert told(Action.RETURN, Status.ASSIGNED) == {("returned_by_unit", "centre")}
    assert told(Action.RETURN, Status.IN_PROGRESS) == {("returned_by_unit", "centre")}
    assert told(Action.PUBLISH, Status.APPROVED) == set()
    assert told(Action.REOPEN, Status.PUBLISHED) == {("reopened", "previous_unit")}
    assert told(Action.CREATE, None, by_person=False) == {("new_report", "centre")}
    assert told(Action.CREATE, None, by_person=True) == set()


# --- Applied by the workflow --------------------------------------------------------------------

def told_of(app, report_id) -> list[tuple[str, str]]:
    """(username, kind) of every notification about the report to a demo account, in order
    (other tests add accounts of their own, e.g. a second centre operator)."""
    from app.extensions import db
    from app.models import AppUser, Notification

    with app.app_context():
        return [tuple(r) for r in db.session.execute(
            select(AppUser.username, Notification.kind).join(AppUser, AppUser.id == Notification.user_id)
            .where(Notification.report_id == report_id, AppUser.username.in_(ACCOUNTS))
            .order_by(Notification.id)
        ).all()]


def test_distribution_tells_the_handlers_of_the_unit_and_of_the_follow_up_units(app):
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT, follow=(TTTT,))
    assert told_of(app, report_id) == [("gtvt.xuly", "assigned"), ("tttt.xuly", "follow")]


def test_the_whole_chain(app):
    report_id = make_report(app, Status.PENDING_APPROVAL, unit=GTVT)
    assert told_of(app, report_id) == [("gtvt.xuly", "assigned"), ("gtvt.lanhdao", "submitted")]
    then(app, report_id, Action.RETURN, Status.PENDING_APPROVAL)  # the leader returns it
    assert told_of(app, report_id)[-1] == ("gtvt.xuly", "returned_to_handler")
    then(app, report_id, Action.SUBMIT, Status.IN_PROGRESS)
    then(app, report_id, Action.APPROVE, Status.PENDING_APPROVAL)
    # Every centre operator is told (other tests may have added operators besides trungtam).
    approved = {who for who, kind in told_of(app, report_id) if kind == "approved"}
    assert "trungtam" in approved and not approved & {"gtvt.xuly", "gtvt.lanhdao", "theodoi"}
    then(app, report_id, Action.RETURN, Status.APPROVED)  # the centre returns the approved result
    assert told_of(app, report_id)[-1] == ("gtvt.lanhdao", "returned_to_leader")
    then(app, report_id, Action.APPROVE, Status.PENDING_APPROVAL)
    before = len(told_of(app, report_id))
    then(app, report_id, Action.PUBLISH, Status.APPROVED)
    assert len(told_of(app, report_id)) == before  # publish: nobody inside
    then(app, report_id, Action.REOPEN, Status.PUBLISHED)
    assert told_of(app, report_id)[-2:] == [("gtvt.xuly", "reopened"), ("gtvt.lanhdao", "reopened")]


def test_a_units_return_tells_the_centre(app):
    report_id = make_report(app, Status.ASSIGNED, unit=XD)
    then(app, report_id, Action.RETURN, Status.ASSIGNED, unit=XD)
    assert told_of(app, report_id) == [("xd.xuly", "assigned"), ("trungtam", "returned_by_unit")]


def test_a_report_from_the_public_channel_tells_the_centre_one_from_the_centre_nobody(app):
    from app.extensions import db
    from app.models import Source
    from app.services.workflow import NewReport, create_report

    with app.app_context():
        source = db.session.execute(select(Source.id).where(Source.name == "Ứng dụng Hue-S")).scalar_one()
        public = create_report(None, NewReport(title="Rác thải ven sông", content="Nhiều rác.",
                                               source_id=source)).id
    assert told_of(app, public) == [("trungtam", "new_report")]
    assert told_of(app, make_report(app, Status.NEW)) == []


def test_nobody_is_told_of_a_report_they_may_not_see(app):
    """Recipients come by unit, and each is checked against the scope rule: people of other
    units are neither in scope nor told."""
    from app.extensions import db
    from app.services.notifications import may_see
    from app.models import Report

    report_id = make_report(app, Status.ASSIGNED, unit=GTVT)
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert may_see(user("gtvt.xuly"), report) and may_see(user("trungtam"), report)
        assert not may_see(user("tttt.xuly"), report) and not may_see(user("xd.xuly"), report)
    everyone = {name for name, _ in told_of(app, report_id)}
    assert everyone == {"gtvt.xuly"}


def _kinds_told(app, report_id, username) -> list[str]:
    from app.extensions import db
    from app.models import AppUser, Notification

    with app.app_context():
        return list(db.session.execute(
            select(Notification.kind).join(AppUser, AppUser.id == Notification.user_id)
            .where(Notification.report_id == report_id, AppUser.username == username)
            .order_by(Notification.id)).scalars())


def test_recipients_follow_permissions_not_role_names(app):
    """A role built in the role editor is told what its permissions make it; renaming the
    built-in handler role changes nobody's notifications."""
    from app.extensions import appbuilder, db
    from app.models import Unit
    from app.security.roles import role_by_code

    sm = appbuilder.sm
    with app.app_context():
        unit = db.session.execute(select(Unit).where(Unit.name == GTVT)).scalar_one()
        for username, role_name, permissions in (
                ("gtvt.tohienxuly", "Tổ xử lý hiện trường",
                 ("can_get", "can_show", "can_handle", "can_accept")),
                ("gtvt.chixem2", "Chỉ xem của Sở", ("can_get", "can_show"))):
            role = sm.add_role(role_name)
            role.permissions = [sm.find_permission_view_menu(p, "Report") for p in permissions]
            person = sm.add_user(username, "Người", "Tùy chỉnh", f"{username}@example.vn", role,
                                 password="Tuychinh2019pass")
            person.unit_id = unit.id
        handler = role_by_code("handler")
        handler.name = "Chuyên viên xử lý của đơn vị"
        db.session.commit()
    try:
        report_id = make_report(app, Status.PENDING_APPROVAL, unit=GTVT)
    finally:
        with app.app_context():
            role_by_code("handler").name = Role.HANDLER.value
            db.session.commit()
        with app.app_context():  # out of the other modules' mailboxes
            for username in ("gtvt.tohienxuly", "gtvt.chixem2"):
                sm.find_user(username=username).active = False
            db.session.commit()
    assert _kinds_told(app, report_id, "gtvt.tohienxuly") == ["assigned"]
    assert _kinds_told(app, report_id, "gtvt.xuly") == ["assigned"]
    assert _kinds_told(app, report_id, "gtvt.lanhdao") == ["submitted"]
    assert _kinds_told(app, report_id, "gtvt.chixem2") == []


def test_the_centre_is_whoever_holds_both_its_permissions_through_any_roles(app):
    """"The centre" (told of approvals, returns...) holds "Xem mọi phản ánh" and "Phân phối",
    here through two separate roles; holding one of them is not enough (the viewer), and a
    duty no role holds has nobody."""
    from app.extensions import appbuilder, db
    from app.security.permissions import DUTIES, people_holding

    sm = appbuilder.sm
    with app.app_context():
        sees = sm.add_role("Xem toàn tỉnh (thử)")
        sees.permissions = [sm.find_permission_view_menu(p, "Report")
                            for p in ("can_get", "can_see_all")]
        distributes = sm.add_role("Phân phối (thử)")
        distributes.permissions = [sm.find_permission_view_menu("can_distribute", "Report")]
        person = sm.add_user("tt.haivaitro", "Người", "Hai vai trò", "tt.haivaitro@example.vn",
                             [sees, distributes], password="Haivaitro2019pass")
        db.session.commit()
        try:
            centre = {p.username for p in people_holding(DUTIES[Role.CENTRE])}
            nobody = people_holding(("can_see_all", "can_no_such_permission"))
        finally:
            person.active = False  # out of the other modules' mailboxes
            db.session.commit()
    assert "tt.haivaitro" in centre and "trungtam" in centre
    assert "theodoi" not in centre  # sees everything, distributes nothing
    assert nobody == []


def test_the_notifications_roll_back_with_a_refused_action(app):
    """Same transaction: an action that fails after the hook leaves no notification behind."""
    from app.extensions import db
    from app.models import Notification
    from app.services import workflow

    report_id = make_report(app, Status.RECEIVED)

    def broken(report, event, user):
        raise RuntimeError("a later hook fails")

    workflow.EVENT_HOOKS.append(broken)
    try:
        units, _, _ = ids(app)
        with app.app_context(), pytest.raises(RuntimeError):
            workflow.apply_action(user("trungtam"), report_id, workflow.ActionRequest(
                action="distribute", unit_id=units[GTVT]))
    finally:
        workflow.EVENT_HOOKS.remove(broken)
    with app.app_context():
        assert db.session.execute(select(Notification).where(
            Notification.report_id == report_id)).first() is None
