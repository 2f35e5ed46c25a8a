"""Who is told what (DESIGN §9), decided in one table next to the transition table.

``NOTIFY`` has one entry per row of ``app.domain.workflow.TRANSITIONS`` (keyed by action and
actor: the three "Trả bước trước" rows differ by who returns) and one per kind of intake. An entry
lists who is told and under which kind of notification; an empty entry is a decision too
("nobody inside"). tests/test_notify_table.py fails when a transition has no entry, so a new
action cannot forget its notification.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .workflow import TRANSITIONS, Action, Actor, Status


class Kind(StrEnum):
    """Kinds of notification; each person chooses per kind how to be told (``Delivery``)."""

    ASSIGNED = "assigned"
    FOLLOW = "follow"
    SUBMITTED = "submitted"
    RETURNED_TO_HANDLER = "returned_to_handler"
    RETURNED_TO_LEADER = "returned_to_leader"
    APPROVED = "approved"
    RETURNED_BY_UNIT = "returned_by_unit"
    REOPENED = "reopened"
    NEW_REPORT = "new_report"
    NOTICE = "notice"


KIND_LABELS: dict[Kind, str] = {
    Kind.ASSIGNED: "Phản ánh được phân phối cho đơn vị",
    Kind.FOLLOW: "Phản ánh gửi đơn vị để theo dõi",
    Kind.SUBMITTED: "Kết quả xử lý chờ phê duyệt",
    Kind.RETURNED_TO_HANDLER: "Kết quả xử lý bị lãnh đạo trả lại",
    Kind.RETURNED_TO_LEADER: "Kết quả đã duyệt bị Trung tâm trả lại",
    Kind.APPROVED: "Kết quả đã duyệt chờ đăng tải",
    Kind.RETURNED_BY_UNIT: "Phản ánh bị đơn vị trả lại Trung tâm",
    Kind.REOPENED: "Phản ánh được mở lại",
    Kind.NEW_REPORT: "Phản ánh mới từ kênh công khai",
    Kind.NOTICE: "Thông báo của Trung tâm",
}


class Audience(StrEnum):
    """Who, relative to the report, is told."""

    UNIT_HANDLERS = "unit_handlers"  # handlers of the unit the report is assigned to
    FOLLOW_HANDLERS = "follow_handlers"  # handlers of the follow-up units of this distribution
    UNIT_LEADERS = "unit_leaders"  # leaders of the unit the report is assigned to
    SUBMITTER = "submitter"  # the handler who submitted the result being returned
    CENTRE = "centre"  # every operator of the operations centre
    PREVIOUS_UNIT = "previous_unit"  # handlers and leaders of the unit that last handled it


@dataclass(frozen=True)
class Notify:
    kind: Kind
    audience: Audience


# Intake has no row in TRANSITIONS: a report from a public channel (no person) or taken in by
# an operator of the centre (who needs no telling).
PUBLIC_INTAKE = (Action.CREATE, None)
CENTRE_INTAKE = (Action.CREATE, Actor.CENTRE)

A = Action
NOTIFY: dict[tuple[Action, Actor | None], tuple[Notify, ...]] = {
    PUBLIC_INTAKE: (Notify(Kind.NEW_REPORT, Audience.CENTRE),),
    CENTRE_INTAKE: (),
    (A.RECEIVE, Actor.CENTRE): (),
    (A.REJECT, Actor.CENTRE): (),
    (A.DISTRIBUTE, Actor.CENTRE): (Notify(Kind.ASSIGNED, Audience.UNIT_HANDLERS),
                                   Notify(Kind.FOLLOW, Audience.FOLLOW_HANDLERS)),
    (A.ACCEPT, Actor.HANDLER): (),
    (A.RETURN, Actor.HANDLER): (Notify(Kind.RETURNED_BY_UNIT, Audience.CENTRE),),
    (A.SUBMIT, Actor.HANDLER): (Notify(Kind.SUBMITTED, Audience.UNIT_LEADERS),),
    (A.RETURN, Actor.LEADER): (Notify(Kind.RETURNED_TO_HANDLER, Audience.SUBMITTER),),
    (A.APPROVE, Actor.LEADER): (Notify(Kind.APPROVED, Audience.CENTRE),),
    (A.RETURN, Actor.CENTRE): (Notify(Kind.RETURNED_TO_LEADER, Audience.UNIT_LEADERS),),
    (A.PUBLISH, Actor.CENTRE): (),  # nobody inside: the public sees the result
    (A.REOPEN, Actor.CENTRE): (Notify(Kind.REOPENED, Audience.PREVIOUS_UNIT),),
    (A.REPLY, Actor.CENTRE): (),  # the centre's answer to a citizen: read on the public pages
    (A.COMMENT, Actor.PARTICIPANT): (),  # read in the exchange log
    (A.FOLLOW_DONE, Actor.FOLLOWER): (),
}
del A


def actor_of(action: Action, from_status: Status | None) -> Actor | None:
    """The actor kind of the transition that did ``action`` from ``from_status`` (the table has
    one row per action and state); None for intake."""
    if action == Action.CREATE:
        return None
    for t in TRANSITIONS:
        if t.action == action and (from_status is None or t.applies_to(from_status)):
            return t.actor
    raise KeyError((action, from_status))


def notifications_for(action: Action, from_status: Status | None,
                      by_person: bool = True) -> tuple[Notify, ...]:
    """Who is told of an event: the table's entry (KeyError for an action without one)."""
    if action == Action.CREATE:
        return NOTIFY[CENTRE_INTAKE if by_person else PUBLIC_INTAKE]
    return NOTIFY[(action, actor_of(action, from_status))]


class Delivery(StrEnum):
    """How a person wants to be told of one kind."""

    EMAIL = "email"  # in the app and by e-mail at once
    APP = "app"  # in the app only
    DIGEST = "digest"  # in the app, and by e-mail in the next daily digest


DELIVERY_LABELS: dict[Delivery, str] = {
    Delivery.EMAIL: "Trong ứng dụng và gửi e-mail ngay",
    Delivery.APP: "Chỉ trong ứng dụng",
    Delivery.DIGEST: "Trong ứng dụng và trong bản tin hằng ngày",
}
DEFAULT_DELIVERY = Delivery.EMAIL
# The daily digest itself: on (the default) or off.
DIGEST_PREFERENCE = "daily_digest"
