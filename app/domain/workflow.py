"""The report workflow of the letter as one table (DESIGN §3).

The table ``TRANSITIONS`` is the single statement of the process: which action moves a report
from which states to which state, who may do it, and what it needs. The web UI's action form,
the REST API, the permissions synced into the roles and the tests all derive from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    PUBLISHED = "published"
    REJECTED = "rejected"


STATUS_LABELS: dict[Status, str] = {
    Status.NEW: "Chờ tiếp nhận",
    Status.RECEIVED: "Chờ phân phối",
    Status.ASSIGNED: "Chờ xử lý",
    Status.IN_PROGRESS: "Đang xử lý",
    Status.PENDING_APPROVAL: "Chờ duyệt",
    Status.APPROVED: "Chờ đăng tải",
    Status.PUBLISHED: "Đã đăng tải",
    Status.REJECTED: "Không tiếp nhận",
}

# A report in these states is still being handled by its unit: past its due date it is overdue.
OPEN_AT_UNIT = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING_APPROVAL})
# Of those, the states in which the unit's handler still has to act ("Chờ xử lý").
AT_HANDLER = frozenset({Status.ASSIGNED, Status.IN_PROGRESS})
TERMINAL = frozenset({Status.REJECTED})


class Action(StrEnum):
    CREATE = "create"
    RECEIVE = "receive"
    REJECT = "reject"
    DISTRIBUTE = "distribute"
    ACCEPT = "accept"
    RETURN = "return"
    SUBMIT = "submit"
    APPROVE = "approve"
    PUBLISH = "publish"
    REOPEN = "reopen"
    COMMENT = "comment"
    FOLLOW_DONE = "follow_done"
    REPLY = "reply"  # the centre answers a citizen's feedback: a log line the citizen reads
    FEEDBACK = "feedback"  # a citizen rates a published result (portal; not a transition)


ACTION_LABELS: dict[Action, str] = {
    Action.CREATE: "Tiếp nhận phản ánh mới",
    Action.RECEIVE: "Tiếp nhận",
    Action.REJECT: "Không tiếp nhận",
    Action.DISTRIBUTE: "Phân phối",
    Action.ACCEPT: "Thực hiện tiếp nhận",
    Action.RETURN: "Trả bước trước",
    Action.SUBMIT: "Xử lý",
    Action.APPROVE: "Phê duyệt",
    Action.PUBLISH: "Đăng tải kết quả",
    Action.REOPEN: "Mở lại",
    Action.COMMENT: "Trao đổi",
    Action.FOLLOW_DONE: "Đã thực hiện theo dõi",
    Action.REPLY: "Trả lời người dân",
    Action.FEEDBACK: "Người dân đánh giá kết quả",
}


class Actor(StrEnum):
    """How a person stands towards one report; the service works this out from role and unit."""

    CENTRE = "centre"  # an operator of the operations centre
    HANDLER = "handler"  # a handler of the unit the report is assigned to now
    LEADER = "leader"  # the leader of the unit the report is assigned to now
    FOLLOWER = "follower"  # a handler or leader of a follow-up unit whose follow-up is open
    PARTICIPANT = "participant"  # anyone who may see the report and may write (not the viewer)


class Role(StrEnum):
    """The built-in roles of DESIGN §1. The value is the role's initial Vietnamese name, a
    label an administrator may change; the role is found by its stable ``code``."""

    ADMIN = "Quản trị hệ thống"
    CENTRE = "Trung tâm Giám sát, điều hành ĐTTM"
    HANDLER = "Cán bộ xử lý"
    LEADER = "Lãnh đạo phê duyệt"
    VIEWER = "Theo dõi"

    @property
    def code(self) -> str:
        return ROLE_CODES[self]


ROLE_CODES: dict[Role, str] = {
    Role.ADMIN: "admin", Role.CENTRE: "centre", Role.HANDLER: "handler", Role.LEADER: "leader",
    Role.VIEWER: "viewer",
}


# Which actor kinds a role can ever be; whether it is one for a given report depends on the unit.
ROLE_ACTORS: dict[Role, frozenset[Actor]] = {
    Role.ADMIN: frozenset(),
    Role.CENTRE: frozenset({Actor.CENTRE, Actor.PARTICIPANT}),
    Role.HANDLER: frozenset({Actor.HANDLER, Actor.FOLLOWER, Actor.PARTICIPANT}),
    Role.LEADER: frozenset({Actor.LEADER, Actor.FOLLOWER, Actor.PARTICIPANT}),
    Role.VIEWER: frozenset(),
}

# Roles that see every report; the others see only reports ever distributed to their unit.
ROLES_SEEING_ALL = frozenset({Role.ADMIN, Role.CENTRE, Role.VIEWER})
ANONYMOUS_REPORTER = "Ẩn danh"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status] | None  # None: any state
    target: Status | None  # None: the state does not change
    actor: Actor
    needs: frozenset[str] = frozenset()  # inputs that must be given
    accepts: frozenset[str] = frozenset()  # inputs that may be given

    def applies_to(self, status: Status) -> bool:
        return self.sources is None or status in self.sources


def _t(action, sources, target, actor, needs=(), accepts=()):
    return Transition(
        action,
        None if sources is None else frozenset(sources),
        target,
        actor,
        frozenset(needs),
        frozenset(accepts),
    )


S, A = Status, Action
TRANSITIONS: tuple[Transition, ...] = (
    _t(A.RECEIVE, {S.NEW}, S.RECEIVED, Actor.CENTRE,
       needs={"field_id", "source_id"}, accepts={"title", "content"}),
    _t(A.REJECT, {S.NEW, S.RECEIVED}, S.REJECTED, Actor.CENTRE, needs={"reason"}),
    _t(A.DISTRIBUTE, {S.RECEIVED}, S.ASSIGNED, Actor.CENTRE,
       needs={"unit_id"}, accepts={"follow_unit_ids", "content"}),
    _t(A.ACCEPT, {S.ASSIGNED}, S.IN_PROGRESS, Actor.HANDLER, accepts={"content"}),
    _t(A.RETURN, {S.ASSIGNED, S.IN_PROGRESS}, S.RECEIVED, Actor.HANDLER, needs={"reason"}),
    _t(A.SUBMIT, {S.IN_PROGRESS}, S.PENDING_APPROVAL, Actor.HANDLER,
       needs={"content"}, accepts={"files"}),
    _t(A.RETURN, {S.PENDING_APPROVAL}, S.IN_PROGRESS, Actor.LEADER, needs={"reason"}),
    _t(A.APPROVE, {S.PENDING_APPROVAL}, S.APPROVED, Actor.LEADER, accepts={"content", "files"}),
    _t(A.RETURN, {S.APPROVED}, S.PENDING_APPROVAL, Actor.CENTRE, needs={"reason"}),
    _t(A.PUBLISH, {S.APPROVED}, S.PUBLISHED, Actor.CENTRE, accepts={"content"}),
    _t(A.REOPEN, {S.PUBLISHED}, S.RECEIVED, Actor.CENTRE, needs={"reason"}),
    _t(A.REPLY, {S.PUBLISHED}, None, Actor.CENTRE, needs={"content"}),
    _t(A.COMMENT, None, None, Actor.PARTICIPANT, needs={"content"}, accepts={"files"}),
    _t(A.FOLLOW_DONE, None, None, Actor.FOLLOWER, accepts={"content"}),
)
del S, A

# Actions done through the workflow (CREATE is intake, done by the centre through its own form).
WORKFLOW_ACTIONS: tuple[Action, ...] = tuple(dict.fromkeys(t.action for t in TRANSITIONS))


def transitions_for(action: Action) -> tuple[Transition, ...]:
    return tuple(t for t in TRANSITIONS if t.action == action)


def find_transition(
    action: Action, status: Status, actors: frozenset[Actor]
) -> Transition | None:
    """The row of the table that lets one of ``actors`` do ``action`` in ``status``, if any."""
    for t in TRANSITIONS:
        if t.action == action and t.actor in actors and t.applies_to(status):
            return t
    return None


def available_actions(status: Status, actors: frozenset[Actor]) -> list[Transition]:
    """What these actors may do now, in table order, one row per action."""
    seen: dict[Action, Transition] = {}
    for t in TRANSITIONS:
        if t.actor in actors and t.applies_to(status) and t.action not in seen:
            seen[t.action] = t
    return list(seen.values())


def actions_of_role(role: Role) -> frozenset[Action]:
    """Every action a role can ever take: the source of the roles' FAB permissions."""
    kinds = ROLE_ACTORS[role]
    return frozenset(t.action for t in TRANSITIONS if t.actor in kinds)


def missing_inputs(transition: Transition, given: dict) -> list[str]:
    """Inputs the transition needs that are absent or blank in ``given``."""
    missing = []
    for name in sorted(transition.needs):
        value = given.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(name)
    return missing
