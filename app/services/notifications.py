"""Notifications (DESIGN §9): who is told of an event, in the app and by e-mail.

``notify_event`` is registered with ``@on_event``: it runs inside the workflow's transaction,
after the event is added and before the commit, so the notifications and the outbox mails of an
action commit or roll back with it. Who is told comes from ``app.domain.notifications.NOTIFY``;
nobody is told of a report they may not see, nor of their own action. Mails go through the
outbox (``OutboxMail``) and the worker of ``app.services.mailer``; nothing here talks to a mail
server, so the application keeps working when the mail server is down.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, bindparam, func, insert, select, update

from ..domain.notifications import (
    DEFAULT_DELIVERY, DIGEST_PREFERENCE, KIND_LABELS, Audience, Delivery, Kind, notifications_for,
)
from ..domain.workflow import ROLES_SEEING_ALL, Action, Role, Status
from ..extensions import db
from ..formatting import local_datetime
from ..models import (
    AppUser, Notification, NotificationPreference, OutboxMail, Report, ReportEvent, ReportUnitKind,
    Unit,
)
from ..models.base import utcnow
from ..security.permissions import DUTIES, people_holding
from .scope import reporter_of, sees_all
from .workflow import on_event

SUBJECT_PREFIX = "[Phản ánh hiện trường] "
BELL_CAP = 99  # the bell shows "99+" beyond this: the count reads at most 100 index entries


# --- Who -------------------------------------------------------------------------------------

def people_acting_as(role: Role, unit_id: int | None = None) -> list[AppUser]:
    """Active accounts whose permissions make them ``role``'s audience (at ``unit_id`` when
    given): the centre, a unit's handlers or leaders (app/security/permissions.py)."""
    return people_holding(DUTIES[role], unit_id)


def _last_event(report_id: int, action: Action) -> ReportEvent | None:
    return db.session.execute(
        select(ReportEvent).where(ReportEvent.report_id == report_id,
                                  ReportEvent.action == action.value)
        .order_by(ReportEvent.id.desc()).limit(1)
    ).scalar_one_or_none()


def _with(role: Role, unit_id: int | None = None) -> list[tuple[AppUser, Role]]:
    return [(person, role) for person in people_acting_as(role, unit_id)]


def _audience(audience: Audience, report: Report, event: ReportEvent) -> list[tuple[AppUser, Role]]:
    """The people of ``audience`` for this event, each with the role they are told as."""
    if audience == Audience.CENTRE:
        return _with(Role.CENTRE)
    if audience == Audience.UNIT_HANDLERS:
        return _with(Role.HANDLER, report.unit_id)
    if audience == Audience.UNIT_LEADERS:
        return _with(Role.LEADER, report.unit_id)
    if audience == Audience.FOLLOW_HANDLERS:
        units = [link.unit_id for link in report.unit_links
                 if link.kind == ReportUnitKind.FOLLOW and link.done_at is None
                 and link.unit_id != report.unit_id]
        return [p for unit_id in units for p in _with(Role.HANDLER, unit_id)]
    if audience == Audience.SUBMITTER:
        submitted = _last_event(report.id, Action.SUBMIT)
        handlers = _with(Role.HANDLER, report.unit_id)
        mine = [p for p in handlers if submitted is not None and p[0].id == submitted.actor_id]
        return mine or handlers  # the submitter has moved on: the unit's handlers
    if audience == Audience.PREVIOUS_UNIT:
        distributed = _last_event(report.id, Action.DISTRIBUTE)
        unit_id = distributed.target_unit_id if distributed else None
        if unit_id is None:
            return []
        return _with(Role.HANDLER, unit_id) + _with(Role.LEADER, unit_id)
    raise KeyError(audience)


def may_see(person: AppUser, report: Report, role: Role | None = None) -> bool:
    """The scope rule of app.services.scope, on a report whose links are in the session;
    ``role``: the role the person was chosen by (spares reading their roles)."""
    if (role in ROLES_SEEING_ALL) if role is not None else sees_all(person):
        return True
    return person.unit_id is not None and any(
        link.unit_id == person.unit_id for link in report.unit_links)


# --- Preferences -----------------------------------------------------------------------------

def preferences_of(user_ids: list[int]) -> dict[tuple[int, str], str]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.kind,
               NotificationPreference.delivery)
        .where(NotificationPreference.user_id.in_(user_ids))
    ).all()
    return {(user_id, kind): delivery for user_id, kind, delivery in rows}


def delivery_for(preferences: dict, user_id: int, kind: str) -> Delivery:
    try:
        return Delivery(preferences.get((user_id, kind), DEFAULT_DELIVERY))
    except ValueError:
        return DEFAULT_DELIVERY


def digest_wanted(preferences: dict, user_id: int) -> bool:
    return preferences.get((user_id, DIGEST_PREFERENCE), "on") == "on"


def save_preferences(user, choices: dict[str, str]) -> None:
    """Store the person's choice per kind (``Delivery`` values) and for the digest (on/off)."""
    allowed = {k.value: {d.value for d in Delivery} for k in Kind}
    allowed[DIGEST_PREFERENCE] = {"on", "off"}
    current = {p.kind: p for p in db.session.execute(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    ).scalars()}
    for kind, value in choices.items():
        if kind not in allowed or value not in allowed[kind]:
            raise ValueError(f"Lựa chọn không hợp lệ: {kind} = {value}.")
        if kind in current:
            current[kind].delivery = value
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=value))
    db.session.commit()


# --- Titles and mails ------------------------------------------------------------------------

def _person(user) -> str:
    if user is None:
        return ""
    return " ".join(p for p in (user.first_name, user.last_name) if p).strip() or user.username


TITLES = {
    Kind.ASSIGNED: "Phản ánh “{title}” được phân phối cho {unit} xử lý",
    Kind.FOLLOW: "Phản ánh “{title}” được gửi đến {follow_unit} để theo dõi",
    Kind.SUBMITTED: "Kết quả xử lý phản ánh “{title}” chờ phê duyệt",
    Kind.RETURNED_TO_HANDLER: "Kết quả xử lý phản ánh “{title}” bị trả lại",
    Kind.RETURNED_TO_LEADER: "Trung tâm trả lại kết quả đã duyệt của phản ánh “{title}”",
    Kind.APPROVED: "Kết quả phản ánh “{title}” đã được duyệt, chờ đăng tải",
    Kind.RETURNED_BY_UNIT: "{actor_unit} trả lại phản ánh “{title}”",
    Kind.REOPENED: "Phản ánh “{title}” được mở lại",
    Kind.NEW_REPORT: "Phản ánh mới từ kênh công khai: “{title}”",
}


def base_url() -> str:
    return (current_app.config.get("APP_BASE_URL") or "http://127.0.0.1:8080").rstrip("/")


def _unit_names(unit_ids) -> dict[int, str]:
    """Names of units by id, each unit read at most once (the session holds rows weakly: a row
    got by id and dropped at once would be read again for the next person)."""
    units = {u: db.session.get(Unit, u) for u in set(unit_ids) if u}
    return {u: unit.name for u, unit in units.items() if unit is not None}


def _shorten(text: str | None, limit: int = 1500) -> str | None:
    if text and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


@dataclass
class Mail:
    subject: str
    text: str
    html: str


def render_mail(template: str, subject: str, **context) -> Mail:
    """A Vietnamese mail from ``templates/mail/<template>.txt`` and ``.html``."""
    context.update(subject=subject, app_name=current_app.config.get("APP_NAME", ""))
    # The mails use only their own context: without the pages' context processors (a bulk
    # action renders hundreds of mails in one request).
    jinja = current_app.jinja_env
    return Mail(SUBJECT_PREFIX + subject,
                jinja.get_template(f"mail/{template}.txt").render(context),
                jinja.get_template(f"mail/{template}.html").render(context))


def mail_row(person: AppUser, kind: str, mail: Mail, *, not_before: dt.datetime | None = None,
             dedupe_key: str | None = None) -> dict | None:
    """The outbox row of a mail to ``person`` (none when the person has no e-mail address)."""
    if not (person.email or "").strip():
        return None
    return dict(user_id=person.id, recipient=person.email.strip(), kind=kind,
                subject=mail.subject[:500], body_text=mail.text, body_html=mail.html,
                next_attempt_at=not_before or utcnow(), dedupe_key=dedupe_key)


def notification_row(person_id: int, kind: str, title: str, created_at: dt.datetime, *,
                     report_id: int | None = None, notice_id: int | None = None) -> dict:
    return dict(user_id=person_id, kind=kind, title=title[:600], report_id=report_id,
                notice_id=notice_id, created_at=created_at)


def add_rows(notifications: list[dict], mails: list[dict | None] = ()) -> None:
    """Notifications and outbox mails, one executemany for each table. As ORM objects, SQLite
    inserted them one at a time to read back ids nothing here needs (a return told 26 people
    in 52 statements). A multi-row VALUES was compiled anew for every action, its rows' count
    being part of the statement: 4.7 ms for 26 notifications at PostgreSQL, 72 ms for 500,
    against 2.1 and 20 ms for psycopg's executemany (sent in one pipeline)."""
    mails = [row for row in mails if row is not None]
    for model, rows in ((Notification, notifications), (OutboxMail, mails)):
        if rows:
            db.session.execute(insert(model), rows)


def queue_mail(person: AppUser, kind: str, mail: Mail, **when) -> None:
    """An outbox row for ``person`` (none when the person has no e-mail address)."""
    add_rows([], [mail_row(person, kind, mail, **when)])


def _report_mail(person, role: Role, kind: Kind, title: str, report: Report,
                 event: ReportEvent, unit: str | None) -> Mail:
    reason = event.action == Action.RETURN.value or event.action == Action.REOPEN.value
    return render_mail(
        "report", title, person_name=_person(person), headline=title, report=report,
        unit=unit, deadline=local_datetime(report.due_at) if report.due_at else None,
        reporter=reporter_of(person, report,
                             True if role in ROLES_SEEING_ALL else None)["reporter_name"],
        actor=event.actor_name,
        actor_unit=event.unit_name, note_label="Lý do" if reason else "Nội dung",
        note=_shorten(event.content), link=f"{base_url()}/phan-anh/{report.id}",
        kind_label=KIND_LABELS[kind], status=report.status_label,
    )


# --- The hook ----------------------------------------------------------------------------------

@on_event
def notify_event(report: Report, event: ReportEvent, user) -> None:
    """Notifications and outbox mails of one workflow event, in its transaction."""
    action = Action(event.action)
    from_status = Status(event.from_status) if event.from_status else None
    rules = notifications_for(action, from_status, by_person=user is not None)
    if not rules:
        return
    db.session.flush()  # the report's new unit and links, as the queries below read them
    now = utcnow()
    told: set[int] = set()
    audience: list[tuple[AppUser, Role, Kind]] = []
    for rule in rules:
        for person, role in _audience(rule.audience, report, event):
            if person.id in told or (user is not None and person.id == user.id):
                continue
            if not may_see(person, report, role):
                continue
            told.add(person.id)
            audience.append((person, role, rule.kind))
    names = _unit_names([report.unit_id, *(person.unit_id for person, _, _ in audience)])
    unit = names.get(report.unit_id)
    preferences = preferences_of([person.id for person, _, _ in audience])
    notifications, mails = [], []
    for person, role, kind in audience:
        title = TITLES[kind].format(title=report.title, unit=unit or "",
                                    follow_unit=names.get(person.unit_id, ""),
                                    actor_unit=event.unit_name or "Đơn vị")
        notifications.append(notification_row(person.id, kind.value, title, now,
                                               report_id=report.id))
        if delivery_for(preferences, person.id, kind.value) == Delivery.EMAIL:
            mails.append(mail_row(person, kind.value, _report_mail(
                person, role, kind, title, report, event, unit or event.target_unit_name)))
    add_rows(notifications, mails)


# --- Reading ---------------------------------------------------------------------------------

def _own(user_id, now=None):
    """The person's notifications (``user_id``, ``now``: values or bound parameters)."""
    return and_(Notification.user_id == user_id,
                Notification.created_at <= (utcnow() if now is None else now))


@dataclass
class Unread:
    total: int
    notices: int

    @property
    def bell(self) -> str:
        return f"{BELL_CAP}+" if self.total > BELL_CAP else str(self.total)


def _unread_counts_select():
    unread = (select(Notification.kind)
              .where(_own(bindparam("user_id"), bindparam("now")),
                     Notification.read_at.is_(None))
              .limit(BELL_CAP + 1).subquery())
    return (select(func.count(), func.count().filter(unread.c.kind == Kind.NOTICE.value))
            .select_from(unread))


# Built once: every page asks it, and building it cost as much as running it.
_UNREAD_COUNTS = _unread_counts_select()


def unread_counts(user) -> Unread:
    """The bell's and the "Thông báo" menu's unread counts: one query on the partial index of
    unread rows, reading at most BELL_CAP + 1 of them."""
    total, notices = db.session.execute(
        _UNREAD_COUNTS, {"user_id": user.id, "now": utcnow()}).one()
    return Unread(total, notices)


PAGE_SIZE = 20


def notifications_page(user, unread_only: bool, page: int = 1, page_size: int = PAGE_SIZE):
    """The person's own notifications, newest first, and how many there are."""
    where = [_own(user.id)]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    rows = db.session.execute(
        select(Notification).where(*where)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(page_size).offset(max(page - 1, 0) * page_size)
    ).scalars().all()
    total = db.session.execute(
        select(func.count()).select_from(Notification).where(*where)).scalar_one()
    return rows, total


def own_notification(user, notification_id) -> Notification | None:
    """The notification if it is the person's own (callers answer 404 otherwise)."""
    try:
        notification_id = int(notification_id)
    except (TypeError, ValueError):
        return None
    return db.session.execute(
        select(Notification).where(Notification.id == notification_id, _own(user.id))
    ).scalar_one_or_none()


def mark_read(user, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
    db.session.commit()


def mark_all_read(user) -> int:
    count = db.session.execute(
        update(Notification).where(_own(user.id), Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount
    db.session.commit()
    return count


def mark_notice_notifications_read(user, notice_id: int) -> None:
    db.session.execute(
        update(Notification).where(Notification.user_id == user.id,
                                   Notification.notice_id == notice_id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def notification_json(notification: Notification) -> dict:
    from ..formatting import iso_local

    return {
        "id": notification.id, "time": iso_local(notification.created_at),
        "kind": notification.kind, "kind_label": notification.kind_label,
        "title": notification.title, "report_id": notification.report_id,
        "notice_id": notification.notice_id, "read": notification.read_at is not None,
    }


def target_url(notification: Notification) -> str:
    if notification.report_id:
        return f"/phan-anh/{notification.report_id}"
    if notification.notice_id:
        return f"/thong-bao/{notification.notice_id}"
    return "/thong-bao/ca-nhan/"


__all__ = [
    "Mail", "Unread", "delivery_for", "digest_wanted", "may_see", "mark_all_read", "mark_read",
    "notification_json", "notifications_page", "notify_event", "own_notification",
    "people_acting_as", "preferences_of", "queue_mail", "render_mail", "save_preferences",
    "target_url", "unread_counts",
]
