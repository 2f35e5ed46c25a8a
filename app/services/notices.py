"""Notices (thông báo) from the centre to all units or to chosen units (DESIGN §9).

The people (handlers and leaders) of the target units see a notice under "Thông báo" while it is
shown (from / until) and are told of it as a notification (kind "notice") at its "shown from"
time, by e-mail too unless they chose otherwise. The centre, administrators and the viewer see
every notice; the centre sees, per target unit, who has read it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select, true
from sqlalchemy.exc import IntegrityError

from ..domain.notifications import Delivery, Kind
from ..domain.workflow import Role
from ..extensions import db
from ..formatting import local_datetime
from ..models import (
    AppUser, Notice, NoticeFile, NoticeRead, NoticeUnit, Notification, Unit,
)
from ..models.base import utcnow
from ..security.permissions import permissions_on
from . import attachments as file_store
from .notifications import (
    add_rows, base_url, delivery_for, mail_row, mark_notice_notifications_read,
    notification_row, people_acting_as, preferences_of, render_mail,
)
from .scope import sees_all, unit_in_scope

TITLE_MAX = 500
NOT_FOUND = "Không tìm thấy thông báo hoặc bạn không có quyền xem thông báo này."


class NoticeError(ValueError):
    status_code = 400

    def __init__(self, message: str, status_code: int = 400):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def may_write(user) -> bool:
    """Whoever the role editor lets add notices (the centre and administrators by default)."""
    return bool(permissions_on(user, "Notice") & {"can_add", "can_post"})


def _shown_now(now: dt.datetime):
    return and_(Notice.shown_from <= now,
                or_(Notice.shown_until.is_(None), Notice.shown_until >= now))


def visible_clause(user, now: dt.datetime | None = None):
    """Notices ``user`` may see: all for the centre, administrators and the viewer; for a unit's
    people, those to all units or to their unit, while shown."""
    if sees_all(user):
        return true()
    unit_id = unit_in_scope(user)
    if unit_id is None:
        return Notice.id.is_(None)
    targeted = or_(Notice.all_units.is_(True), exists().where(
        NoticeUnit.notice_id == Notice.id, NoticeUnit.unit_id == unit_id))
    return and_(targeted, _shown_now(now or utcnow()))


def read_ids(user, notice_ids: list[int]) -> set[int]:
    if not notice_ids:
        return set()
    return set(db.session.execute(
        select(NoticeRead.notice_id).where(NoticeRead.user_id == user.id,
                                           NoticeRead.notice_id.in_(notice_ids))
    ).scalars())


def notices_for(user, limit: int = 200) -> list[Notice]:
    """The notices the person sees, newest first."""
    return list(db.session.execute(
        select(Notice).where(visible_clause(user))
        .order_by(Notice.shown_from.desc(), Notice.id.desc()).limit(limit)
    ).scalars())


def get_notice(user, notice_id) -> Notice | None:
    try:
        notice_id = int(notice_id)
    except (TypeError, ValueError):
        return None
    return db.session.execute(
        select(Notice).where(Notice.id == notice_id, visible_clause(user))
    ).scalar_one_or_none()


def mark_read(user, notice: Notice) -> None:
    """The person opened the notice: recorded once, and its notification is read."""
    if not db.session.execute(select(NoticeRead.id).where(
            NoticeRead.notice_id == notice.id, NoticeRead.user_id == user.id)).first():
        db.session.add(NoticeRead(notice_id=notice.id, user_id=user.id, read_at=utcnow()))
    mark_notice_notifications_read(user, notice.id)
    try:
        db.session.commit()
    except IntegrityError:  # opened twice at once: the other request recorded it
        db.session.rollback()


def _target_people(notice: Notice, unit_ids: list[int]) -> list[AppUser]:
    people = people_acting_as(Role.HANDLER) + people_acting_as(Role.LEADER)
    targets = None if notice.all_units else set(unit_ids)
    seen, result = set(), []
    for person in people:
        if person.unit_id is None or person.id in seen:
            continue
        if targets is None or person.unit_id in targets:
            seen.add(person.id)
            result.append(person)
    return result


def create_notice(user, *, title: str, content: str, unit_ids: list[int] | None = None,
                  shown_from: dt.datetime | None = None, shown_until: dt.datetime | None = None,
                  files: list | None = None) -> Notice:
    """Write a notice (the centre), tell the people of its target units, in one transaction."""
    if not may_write(user):
        raise NoticeError("Chỉ Trung tâm Giám sát, điều hành được gửi thông báo.", 403)
    title, content = (title or "").strip(), (content or "").strip()
    missing = [label for label, value in (("Tiêu đề", title), ("Nội dung", content)) if not value]
    if missing:
        raise NoticeError(f"Vui lòng nhập: {', '.join(missing)}.")
    if len(title) > TITLE_MAX:
        raise NoticeError(f"Tiêu đề dài quá {TITLE_MAX} ký tự.")
    now = utcnow()
    shown_from = shown_from or now
    if shown_until is not None and shown_until < shown_from:
        raise NoticeError("“Hiển thị đến” phải sau “Hiển thị từ”.")
    units = []
    for ident in dict.fromkeys(unit_ids or []):
        unit = db.session.get(Unit, ident) if isinstance(ident, int) else None
        if unit is None or not unit.active:
            raise NoticeError(f"Đơn vị “{ident}” không tồn tại hoặc đã ngừng sử dụng.")
        units.append(unit)
    checked = []
    for f in files or []:
        try:
            checked.append(f if isinstance(f, file_store.CheckedFile) else file_store.read_upload(f))
        except file_store.AttachmentError as exc:
            raise NoticeError(str(exc)) from None
    notice = Notice(title=title, content=content, all_units=not units, shown_from=shown_from,
                    shown_until=shown_until, created_at=now, created_by_id=user.id)
    notice.units = units
    stored = []
    try:
        for c in checked:
            row = NoticeFile(original_name=c.original_name, stored_name=file_store.write(c),
                             content_type=c.content_type, size=len(c.data))
            stored.append(row)
            notice.files.append(row)
        db.session.add(notice)
        db.session.flush()
        _tell(notice, [u.id for u in units])
        db.session.commit()
    except Exception:
        db.session.rollback()
        file_store.discard(stored)
        raise
    return notice


def _tell(notice: Notice, unit_ids: list[int]) -> None:
    people = [p for p in _target_people(notice, unit_ids) if p.id != notice.created_by_id]
    preferences = preferences_of([p.id for p in people])
    title = _heading(notice)
    mails = []
    for person in people:
        if delivery_for(preferences, person.id, Kind.NOTICE.value) == Delivery.EMAIL:
            mail = render_mail(
                "notice", title, person_name=" ".join(
                    p for p in (person.first_name, person.last_name) if p),
                notice=notice, shown_until=local_datetime(notice.shown_until),
                link=f"{base_url()}/thong-bao/{notice.id}",
                files=[f.original_name for f in notice.files],
            )
            mails.append(mail_row(person, Kind.NOTICE.value, mail, not_before=notice.shown_from))
    add_rows([_notification(person.id, notice) for person in people], mails)


def catch_up(user) -> int:
    """Notices shown now to the person's unit that reached the unit before the person did (a
    new account, a move to another unit): their notifications too, so that the badge and the
    bell count them. Called at sign-in; returns how many were added."""
    if sees_all(user) or unit_in_scope(user) is None:
        return 0
    told = select(Notification.notice_id).where(Notification.user_id == user.id,
                                                Notification.notice_id.is_not(None))
    read = select(NoticeRead.notice_id).where(NoticeRead.user_id == user.id)
    missing = db.session.execute(
        select(Notice).where(visible_clause(user), Notice.id.not_in(told), Notice.id.not_in(read))
        .order_by(Notice.id)).scalars().all()
    add_rows([_notification(user.id, notice) for notice in missing])
    if missing:
        db.session.commit()
    return len(missing)


def _heading(notice: Notice) -> str:
    """How a notice is named in the bell and in its mail."""
    return f"Thông báo: {notice.title}"


def _notification(person_id: int, notice: Notice) -> dict:
    return notification_row(person_id, Kind.NOTICE.value, _heading(notice), notice.shown_from,
                            notice_id=notice.id)


@dataclass
class Reader:
    name: str
    username: str
    read_at: dt.datetime | None


@dataclass
class UnitReads:
    unit: Unit
    readers: list[Reader]

    @property
    def read_count(self) -> int:
        return sum(1 for r in self.readers if r.read_at)


def read_report(notice: Notice) -> list[UnitReads]:
    """Per target unit, its people and when each read the notice (None: not yet)."""
    people = _target_people(notice, [u.id for u in notice.units])
    reads = dict(db.session.execute(
        select(NoticeRead.user_id, NoticeRead.read_at).where(NoticeRead.notice_id == notice.id)
    ).all())
    units = {u.id: u for u in notice.units}
    by_unit: dict[int, list[Reader]] = {u: [] for u in units}
    for person in people:
        by_unit.setdefault(person.unit_id, []).append(Reader(
            " ".join(p for p in (person.first_name, person.last_name) if p) or person.username,
            person.username, reads.get(person.id)))
    missing = [u for u in by_unit if u not in units]
    if missing:
        units.update({u.id: u for u in db.session.execute(
            select(Unit).where(Unit.id.in_(missing))).scalars()})
    return sorted((UnitReads(units[u], readers) for u, readers in by_unit.items()),
                  key=lambda r: r.unit.name)


def notice_json(notice: Notice, read: bool | None = None) -> dict:
    from ..formatting import iso_local

    return {
        "id": notice.id, "title": notice.title, "content": notice.content,
        "all_units": notice.all_units, "unit_ids": [u.id for u in notice.units],
        "shown_from": iso_local(notice.shown_from), "shown_until": iso_local(notice.shown_until),
        "created_at": iso_local(notice.created_at),
        "files": [{"id": f.id, "name": f.original_name, "size": f.size} for f in notice.files],
        "read": read,
    }
