"""Helpers of the report API and workflow tests: JWT clients per demo account, and reports
brought to any state through the workflow service along paths found in the workflow table.
"""
from __future__ import annotations

import itertools
from collections import deque

import pytest
from conftest import api_client
from sqlalchemy import func, select

from app.domain.workflow import (
    ROLE_ACTORS, ROLES_SEEING_ALL, TRANSITIONS, Action, Actor, Role, Status, actions_of_role,
    find_transition, transitions_for,
)

GTVT = "Sở Giao thông vận tải"
TTTT = "Sở Thông tin và Truyền thông"
XD = "Sở Xây dựng"
ROAD_FIELD = "Giao thông"
APP_SOURCE = "Ứng dụng Hue-S"

# Demo accounts (DESIGN §7): username → (role, unit name or None).
ACCOUNTS = {
    "trungtam": (Role.CENTRE, "Trung tâm Giám sát, điều hành đô thị thông minh"),
    "gtvt.xuly": (Role.HANDLER, GTVT),
    "gtvt.lanhdao": (Role.LEADER, GTVT),
    "tttt.xuly": (Role.HANDLER, TTTT),
    "tttt.lanhdao": (Role.LEADER, TTTT),
    "xd.xuly": (Role.HANDLER, XD),
    "theodoi": (Role.VIEWER, None),
    "quantri": (Role.ADMIN, "Trung tâm Giám sát, điều hành đô thị thông minh"),
}
# Who acts as an actor kind for a unit (the demo has a handler and a leader per unit it needs).
UNIT_ACCOUNTS = {
    GTVT: {Actor.HANDLER: "gtvt.xuly", Actor.LEADER: "gtvt.lanhdao"},
    TTTT: {Actor.HANDLER: "tttt.xuly", Actor.LEADER: "tttt.lanhdao"},
    XD: {Actor.HANDLER: "xd.xuly"},
}

_titles = itertools.count(1)


class Api:
    """One signed-in JWT client per demo account, for the whole test session."""

    def __init__(self, app):
        self.app = app
        self._clients = {}

    def client(self, username):
        if username not in self._clients:
            self._clients[username] = api_client(self.app, username)
        return self._clients[username]

    def get(self, username, url, **kwargs):
        client, headers = self.client(username)
        return client.get(url, headers=headers, **kwargs)

    def post(self, username, url, **kwargs):
        client, headers = self.client(username)
        return client.post(url, headers=headers, **kwargs)

    def act(self, username, report_id, action, **body):
        return self.post(username, f"/api/v1/report/{report_id}/actions/{action}", json=body)


@pytest.fixture(scope="session")
def api(app):
    return Api(app)


# --- Catalogue look-ups ------------------------------------------------------------------------

def ids(app):
    """Ids of the units, fields and sources the tests use."""
    from app.extensions import db
    from app.models import Field, Source, Unit

    with app.app_context():
        units = {u.name: u.id for u in db.session.execute(select(Unit)).scalars()}
        fields = {f.name: f.id for f in db.session.execute(select(Field)).scalars()}
        sources = {s.name: s.id for s in db.session.execute(select(Source)).scalars()}
    return units, fields, sources


def user(username):
    from app.extensions import appbuilder

    return appbuilder.sm.find_user(username=username)


def snapshot(app, report_id) -> tuple:
    """What a refused call must not change: status, version, unit, events, files."""
    from app.extensions import db
    from app.models import Attachment, Report, ReportEvent, ReportUnit

    with app.app_context():
        report = db.session.get(Report, report_id)
        events = db.session.execute(
            select(func.count()).select_from(ReportEvent).where(ReportEvent.report_id == report_id)
        ).scalar_one()
        files = db.session.execute(
            select(func.count()).select_from(Attachment).where(Attachment.report_id == report_id)
        ).scalar_one()
        links = tuple(sorted(db.session.execute(
            select(ReportUnit.unit_id, ReportUnit.kind, ReportUnit.done_at)
            .where(ReportUnit.report_id == report_id)
        ).all(), key=repr))
        return (report.status, report.version, report.unit_id, report.result,
                report.public_result, events, files, links)


# --- Reports in any state, along the table ---------------------------------------------------

def path_to(target: Status) -> list:
    """The shortest list of state-changing transitions from "new" to ``target`` (BFS over the
    workflow table)."""
    seen = {Status.NEW: []}
    queue = deque([Status.NEW])
    while queue:
        status = queue.popleft()
        if status == target:
            return seen[status]
        for t in TRANSITIONS:
            if t.target is not None and t.applies_to(status) and t.target not in seen:
                seen[t.target] = seen[status] + [t]
                queue.append(t.target)
    raise AssertionError(f"no path to {target}")


def inputs_for(transition, app_ids, unit_name, follow=()) -> dict:
    """Values for every input the transition needs (and the follow-ups of a distribution)."""
    units, fields, sources = app_ids
    values = {
        "field_id": fields[ROAD_FIELD], "source_id": sources[APP_SOURCE],
        "unit_id": units[unit_name], "reason": "Lý do thử nghiệm",
        "content": "Nội dung thử nghiệm",
    }
    given = {name: values[name] for name in transition.needs if name in values}
    if transition.action == Action.DISTRIBUTE:
        given["unit_id"] = units[unit_name]
        if follow:
            given["follow_unit_ids"] = [units[name] for name in follow]
    return given


def account_for(transition, unit_name) -> str:
    if transition.actor == Actor.CENTRE:
        return "trungtam"
    return UNIT_ACCOUNTS[unit_name][transition.actor]


def make_report(app, target: Status = Status.NEW, *, unit=GTVT, follow=(), title=None,
                confidential=False, **fields) -> int:
    """A new report (by the centre) brought to ``target`` through the service; the unit is the
    one it is distributed to, ``follow`` the follow-up units."""
    from app.services.workflow import ActionRequest, NewReport, apply_action, create_report

    app_ids = ids(app)
    with app.app_context():
        data = dict(
            title=title or f"Phản ánh thử nghiệm {next(_titles)}",
            content="Nội dung phản ánh thử nghiệm.",
            reporter_name="Người Phản Ánh", reporter_phone="0912345678",
            reporter_email="nguoi.phan.anh@example.vn", reporter_address="1 Lê Lợi",
            confidential=confidential,
        )
        data.update(fields)
        report = create_report(user("trungtam"), NewReport(**data))
        report_id = report.id
        for transition in path_to(target):
            apply_action(
                user(account_for(transition, unit)), report_id,
                ActionRequest(action=transition.action.value,
                              **inputs_for(transition, app_ids, unit, follow)),
            )
    return report_id


def then(app, report_id, action: Action, source: Status, *, unit=GTVT, follow=()) -> None:
    """Apply the table's row for ``action`` from ``source`` (e.g. a unit's return)."""
    from app.services.workflow import ActionRequest, apply_action

    rows = [t for t in transitions_for(action) if t.applies_to(source)]
    assert len(rows) == 1, rows
    transition = rows[0]
    with app.app_context():
        apply_action(
            user(account_for(transition, unit)), report_id,
            ActionRequest(action=action.value, **inputs_for(transition, ids(app), unit, follow)),
        )


# --- What the table says a person may do ------------------------------------------------------

def facts(app, report_id) -> dict:
    """The report as the expectations need it: state, assigned unit, units in scope, open
    follow-ups."""
    from app.extensions import db
    from app.models import Report, ReportUnit, ReportUnitKind

    with app.app_context():
        report = db.session.get(Report, report_id)
        links = db.session.execute(
            select(ReportUnit).where(ReportUnit.report_id == report_id)
        ).scalars().all()
        return {
            "status": Status(report.status),
            "unit_id": report.unit_id,
            "linked": {link.unit_id for link in links},
            "open_follow": {link.unit_id for link in links
                            if link.kind == ReportUnitKind.FOLLOW and link.done_at is None},
        }


def expected_code(username, report_facts, action: Action, unit_ids) -> int:
    """The answer the table gives: 404 outside the scope, 403 for a role that may never do the
    action, 409 for a state the action does not apply to, 403 for a person who is not the
    table's actor for this report, else 200."""
    role, unit_name = ACCOUNTS[username]
    unit_id = unit_ids.get(unit_name)
    if role not in ROLES_SEEING_ALL and unit_id not in report_facts["linked"]:
        return 404
    if action not in actions_of_role(role):
        return 403
    status = report_facts["status"]
    if not any(t.applies_to(status) for t in transitions_for(action)):
        return 409
    kinds = set()
    for kind in ROLE_ACTORS[role]:
        if kind in (Actor.CENTRE, Actor.PARTICIPANT):
            kinds.add(kind)
        elif kind in (Actor.HANDLER, Actor.LEADER) and report_facts["unit_id"] == unit_id:
            kinds.add(kind)
        elif kind == Actor.FOLLOWER and unit_id in report_facts["open_follow"]:
            kinds.add(kind)
    return 200 if find_transition(action, status, frozenset(kinds)) else 403
