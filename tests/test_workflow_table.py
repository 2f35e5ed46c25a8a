"""Every role × every action × every state × own/other unit, through the REST API, against the
answer the workflow table gives (app.domain.workflow): 200, or 403/404/409 and nothing changed.

The expected answers are derived from the table (see report_helpers.expected_code); the
reports are brought to each state along paths found in the table.
"""
from __future__ import annotations

import pytest
from report_helpers import (  # noqa: F401  (api is a fixture)
    ACCOUNTS, GTVT, TTTT, XD, Action, Status, api, expected_code, facts, ids, make_report,
    snapshot, then,
)
from app.domain.workflow import (
    ACTION_LABELS, Role, STATUS_LABELS, WORKFLOW_ACTIONS, actions_of_role, transitions_for,
)

# The reports the matrix is played on: every state (handled by Sở Giao thông vận tải, followed
# by Sở Thông tin và Truyền thông once distributed), and the states reached again after a unit
# or the centre sent a report back (the unit keeps read access, but may no longer act).
VARIANTS = {
    **{status.value: (lambda app, s=status: make_report(app, s, unit=GTVT, follow=(TTTT,)))
       for status in Status},
    "received, returned by its unit": lambda app: _returned(app),
    "assigned elsewhere after its unit returned it": lambda app: _redistributed(app),
    "received again after publication": lambda app: _reopened(app),
    "in progress, follow-up done": lambda app: _follow_done(app),
}


def _returned(app):
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT, follow=(TTTT,))
    then(app, report_id, Action.RETURN, Status.ASSIGNED, unit=GTVT)
    return report_id


def _redistributed(app):
    report_id = _returned(app)
    then(app, report_id, Action.DISTRIBUTE, Status.RECEIVED, unit=XD)
    return report_id


def _reopened(app):
    report_id = make_report(app, Status.PUBLISHED, unit=GTVT, follow=(TTTT,))
    then(app, report_id, Action.REOPEN, Status.PUBLISHED, unit=GTVT)
    return report_id


def _follow_done(app):
    from report_helpers import user

    from app.services.workflow import ActionRequest, apply_action

    report_id = make_report(app, Status.IN_PROGRESS, unit=GTVT, follow=(TTTT,))
    with app.app_context():
        apply_action(user("tttt.xuly"), report_id, ActionRequest(action="follow_done"))
    return report_id


def full_body(action: Action, unit_ids, field_ids, source_ids) -> dict:
    """Every input any row of the action needs: a refusal is never about a missing input."""
    values = {
        "reason": "Lý do thử nghiệm", "content": "Nội dung thử nghiệm",
        "unit_id": unit_ids[GTVT], "field_id": field_ids["Giao thông"],
        "source_id": source_ids["Ứng dụng Hue-S"],
    }
    body = {}
    for transition in transitions_for(action):
        for name in transition.needs:
            body[name] = values[name]
    return body


@pytest.fixture(scope="module")
def variant_reports(app):
    return {name: build(app) for name, build in VARIANTS.items()}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_role_and_action_gets_the_tables_answer(app, api, variant_reports, variant):
    unit_ids, field_ids, source_ids = ids(app)
    report_id = variant_reports[variant]
    report_facts = facts(app, report_id)
    before = snapshot(app, report_id)
    wrong = []
    allowed = []
    for username in ACCOUNTS:
        for action in WORKFLOW_ACTIONS:
            expected = expected_code(username, report_facts, action, unit_ids)
            if expected == 200:
                allowed.append((username, action))
                continue
            response = api.act(username, report_id, action.value,
                               **full_body(action, unit_ids, field_ids, source_ids))
            message = (response.json or {}).get("message", "")
            if response.status_code != expected or not message:
                wrong.append((username, action.value, expected, response.status_code, message))
            after = snapshot(app, report_id)
            assert after == before, f"{username} {action.value} refused but changed the report"
    assert not wrong, "\n".join(map(str, wrong))

    # Each allowed call, on a fresh report in the same situation, does what the table says.
    for username, action in allowed:
        fresh = VARIANTS[variant](app)
        fresh_before = snapshot(app, fresh)
        response = api.act(username, fresh, action.value,
                           **full_body(action, unit_ids, field_ids, source_ids))
        assert response.status_code == 200, (username, action.value, response.json)
        rows = [t for t in transitions_for(action)
                if t.applies_to(report_facts["status"])]
        target = next(t.target for t in rows)
        status = response.json["result"]["status"]
        assert status == (target.value if target else fresh_before[0]), (username, action.value)
        events = api.get(username, f"/api/v1/report/{fresh}/events").json["result"]
        assert events[0]["action"] == action.value
        assert len(events) == fresh_before[5] + 1
        if target is not None:
            assert response.json["result"]["version"] == fresh_before[1] + 1


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_available_actions_are_exactly_the_allowed_ones(app, api, variant_reports, variant):
    unit_ids, _, _ = ids(app)
    report_id = variant_reports[variant]
    report_facts = facts(app, report_id)
    for username in ACCOUNTS:
        response = api.get(username, f"/api/v1/report/{report_id}")
        allowed = {a.value for a in WORKFLOW_ACTIONS
                   if expected_code(username, report_facts, a, unit_ids) == 200}
        if response.status_code == 404:
            assert all(expected_code(username, report_facts, a, unit_ids) == 404
                       for a in WORKFLOW_ACTIONS)
            continue
        assert response.status_code == 200
        assert set(response.json["result"]["available_actions"]) == allowed, username


def test_roles_hold_the_workflow_permissions_the_table_gives(app_ctx):
    """FAB's can_<action> on Report, per role, is exactly the table's actions of the role."""
    from app.extensions import appbuilder
    from app.security.roles import workflow_permission

    sm = appbuilder.sm
    workflow = {workflow_permission(a): a for a in WORKFLOW_ACTIONS}
    for role in Role:
        db_role = sm.find_role(role.value)
        held = {pv.permission.name for pv in db_role.permissions
                if pv.view_menu.name == "Report" and pv.permission.name in workflow}
        assert {workflow[p] for p in held} == set(actions_of_role(role)), role


def test_unknown_actions_and_intake_are_not_actions(app, api):
    report_id = make_report(app, Status.NEW)
    before = snapshot(app, report_id)
    for name in ("fly", "create", "CREATE", ""):
        response = api.act("trungtam", report_id, name) if name else api.post(
            "trungtam", f"/api/v1/report/{report_id}/actions/")
        assert response.status_code in (400, 404, 405)
        if name:
            assert response.status_code == 400 and response.json["message"]
    assert snapshot(app, report_id) == before


def test_the_table_is_labelled_in_vietnamese():
    assert all(ACTION_LABELS.get(a) for a in WORKFLOW_ACTIONS)
    assert all(STATUS_LABELS.get(s) for s in Status)


def test_a_report_outside_the_scope_answers_404_for_every_action_even_unknown_roles(app, api):
    """xd.xuly is never linked to this report: whatever the action, the answer is 404, the same
    as for a report that does not exist (no existence leak)."""
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT)
    missing = 10**9
    for action in WORKFLOW_ACTIONS:
        body = {"reason": "x", "content": "x"}
        a = api.act("xd.xuly", report_id, action.value, **body)
        b = api.act("xd.xuly", missing, action.value, **body)
        assert a.status_code == b.status_code == 404
        assert a.json == b.json
