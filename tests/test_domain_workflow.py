"""The workflow table itself (DESIGN §3)."""
from app.domain.workflow import (
    STATUS_LABELS, TRANSITIONS, Action, Actor, Role, Status, actions_of_role, available_actions,
    find_transition,
)


def test_every_state_has_its_vietnamese_label():
    assert set(STATUS_LABELS) == set(Status)
    assert STATUS_LABELS[Status.PENDING_APPROVAL] == "Chờ duyệt"


def test_return_always_goes_one_step_back_and_needs_a_reason():
    order = [Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING_APPROVAL,
             Status.APPROVED]
    for t in TRANSITIONS:
        if t.action == Action.RETURN:
            assert "reason" in t.needs
            for source in t.sources:
                if source == Status.ASSIGNED or source == Status.IN_PROGRESS:
                    assert t.target == Status.RECEIVED  # a unit hands the report back to the centre
                else:
                    assert order.index(t.target) == order.index(source) - 1


def test_the_handler_processes_and_the_leader_approves():
    handler = frozenset({Actor.HANDLER, Actor.PARTICIPANT})
    leader = frozenset({Actor.LEADER, Actor.PARTICIPANT})
    assert find_transition(Action.SUBMIT, Status.IN_PROGRESS, handler).target == Status.PENDING_APPROVAL
    assert find_transition(Action.APPROVE, Status.PENDING_APPROVAL, handler) is None
    assert find_transition(Action.APPROVE, Status.PENDING_APPROVAL, leader).target == Status.APPROVED
    offered = {t.action for t in available_actions(Status.PENDING_APPROVAL, handler)}
    assert Action.APPROVE not in offered


def test_roles_and_their_actions():
    assert actions_of_role(Role.VIEWER) == frozenset()
    assert actions_of_role(Role.ADMIN) == frozenset()
    assert {Action.RECEIVE, Action.DISTRIBUTE, Action.PUBLISH} <= actions_of_role(Role.CENTRE)
    assert Action.APPROVE not in actions_of_role(Role.HANDLER)
    assert Action.SUBMIT not in actions_of_role(Role.LEADER)


def test_rejected_is_terminal():
    everyone = frozenset(Actor)
    offered = {t.action for t in available_actions(Status.REJECTED, everyone)}
    assert offered <= {Action.COMMENT, Action.FOLLOW_DONE}
