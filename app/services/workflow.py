"""Applying a workflow action to a report, for a person: the one function every path calls.

``apply_action`` asks the one authorization point (``raise_for_access`` of the security
manager: permission, scope, state and the person's relation to the report) and checks the
inputs against the table in ``app.domain.workflow``; it changes the report, writes the
exchange-log event and commits, all in one transaction. Two people acting on the same report at once: the report's version column
makes exactly one of them win; the other gets ``ConflictError`` and nothing changes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.orm.exc import StaleDataError

from ..domain import calendar
from ..domain.workflow import Action, Status, Transition, missing_inputs
from ..extensions import appbuilder, db
from ..models import (
    AttachmentStage, Field, Report, ReportEvent, ReportUnit, ReportUnitKind, Source, Unit,
)
from ..models.base import utcnow
from ..models.report import OPEN_AT_UNIT_SQL
from . import attachments as attachment_store
from . import calendar as calendar_service
from .scope import get_visible_report

CONFLICT_MESSAGE = "Phản ánh đã được cập nhật bởi người khác, vui lòng tải lại."
NOT_FOUND_MESSAGE = "Không tìm thấy phản ánh hoặc bạn không có quyền xem phản ánh này."

INPUT_LABELS = {
    "reason": "Lý do",
    "content": "Nội dung",
    "unit_id": "Đơn vị xử lý",
    "field_id": "Lĩnh vực",
    "source_id": "Nguồn",
    "follow_unit_ids": "Đơn vị theo dõi",
    "title": "Tiêu đề",
}


class WorkflowError(Exception):
    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(WorkflowError):
    status_code = 400


class NotAllowed(WorkflowError):
    status_code = 403


class NotFound(WorkflowError):
    status_code = 404


class ConflictError(WorkflowError):
    status_code = 409


@dataclass
class ActionRequest:
    """What a person asks for: the action and its inputs, as a form or a JSON body gives them."""

    action: str
    reason: str | None = None
    content: str | None = None
    unit_id: int | None = None
    follow_unit_ids: list[int] = field(default_factory=list)
    field_id: int | None = None
    source_id: int | None = None
    title: str | None = None
    # The version the person saw; a different current version means someone else acted first.
    version: int | None = None
    files: list = field(default_factory=list)  # werkzeug FileStorage or attachments.CheckedFile

    def given(self) -> dict:
        return {
            "reason": self.reason, "content": self.content, "unit_id": self.unit_id,
            "follow_unit_ids": self.follow_unit_ids or None, "field_id": self.field_id,
            "source_id": self.source_id, "title": self.title, "files": self.files or None,
        }


# --- Who the person is towards this report --------------------------------------------------

def _open_follow_up(report: Report, unit_id: int | None) -> ReportUnit | None:
    if unit_id is None:
        return None
    for link in report.unit_links:
        if link.kind == ReportUnitKind.FOLLOW and link.unit_id == unit_id and link.done_at is None:
            return link
    return None


def actions_available(user, report: Report) -> list[Transition]:
    """What this person may do to this report now: the web form's "Thao tác" choices, decided
    by the one authorization point (app/security/manager.py)."""
    return appbuilder.sm.report_actions(user, report)


# --- Applying an action ---------------------------------------------------------------------

def _parse_action(name: str) -> Action:
    try:
        action = Action(name)
    except ValueError:
        raise InvalidInput(f"Thao tác “{name}” không tồn tại.") from None
    if action == Action.CREATE:
        raise InvalidInput("Phản ánh mới được tạo qua chức năng tiếp nhận, không qua thao tác.")
    return action


def _load_active(model, ident, label: str):
    if ident in (None, ""):
        return None
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        raise InvalidInput(f"{label} không hợp lệ.") from None
    row = db.session.get(model, ident)
    if row is None or not row.active:
        raise InvalidInput(f"{label} không tồn tại hoặc đã ngừng sử dụng.")
    return row


def _validate(transition: Transition, request: ActionRequest) -> None:
    missing = missing_inputs(transition, request.given())
    if missing:
        names = ", ".join(INPUT_LABELS.get(m, m) for m in missing)
        raise InvalidInput(f"Vui lòng nhập: {names}.")
    if request.files and "files" not in transition.needs | transition.accepts:
        raise InvalidInput("Thao tác này không nhận tệp đính kèm.")


@dataclass
class _Change:
    """What an action does beyond the state: filled by the effect, written by apply_action."""

    content: str | None = None
    target_unit: Unit | None = None
    late: bool = False
    attachment_stage: str | None = None


def _effect_receive(report, user, request, now, change):
    report.field = _load_active(Field, request.field_id, "Lĩnh vực")
    report.source = _load_active(Source, request.source_id, "Nguồn")
    if request.title and request.title.strip():
        report.title = request.title.strip()
    if request.content and request.content.strip():
        report.content = request.content.strip()
    if report.received_by_id is None:
        report.received_by_id = user.id
    change.content = report.content


def _effect_distribute(report, user, request, now, change):
    unit = _load_active(Unit, request.unit_id, "Đơn vị xử lý")
    follow_units = []
    for ident in dict.fromkeys(request.follow_unit_ids or []):
        follow = _load_active(Unit, ident, "Đơn vị theo dõi")
        if follow.id != unit.id:
            follow_units.append(follow)
    handling_days = report.field.handling_days if report.field else calendar.DEFAULT_HANDLING_DAYS
    exceptions = calendar_service.exceptions()
    report.unit = unit
    report.distributed_at = now
    report.due_at = calendar.window_end(now, handling_days, exceptions)
    report.return_due_at = calendar.window_end(now, calendar.RETURN_WINDOW_DAYS, exceptions)
    report.late_return = False
    existing = {(link.unit_id, link.kind) for link in report.unit_links}
    for target, kind in [(unit, ReportUnitKind.HANDLING)] + [(u, ReportUnitKind.FOLLOW) for u in follow_units]:
        if (target.id, kind) not in existing:
            report.unit_links.append(ReportUnit(unit=target, kind=kind, created_at=now,
                                                received_at=report.received_at))
        elif kind == ReportUnitKind.FOLLOW:
            for link in report.unit_links:  # followed again: the follow-up is open again
                if link.unit_id == target.id and link.kind == kind:
                    link.done_at = link.done_by_id = None
    change.target_unit = unit
    change.content = (request.content or "").strip() or report.content


def _effect_return(report, user, request, now, change):
    change.content = request.reason.strip()
    if Status(report.status) in (Status.ASSIGNED, Status.IN_PROGRESS):
        # Back to the centre: a unit may hand back within the return window; later is flagged.
        change.late = bool(report.return_due_at and now > report.return_due_at)
        report.late_return = report.late_return or change.late
        report.unit_id = None
        report.due_at = None


def _effect_reason(report, user, request, now, change):
    change.content = request.reason.strip()


def _effect_reopen(report, user, request, now, change):
    change.content = request.reason.strip()
    report.unit_id = None
    report.due_at = None
    report.published_at = None


def _effect_submit(report, user, request, now, change):
    report.result = request.content.strip()
    change.content = report.result
    change.attachment_stage = AttachmentStage.PROCESSING


def _effect_approve(report, user, request, now, change):
    if request.content and request.content.strip():
        report.result = request.content.strip()
    change.content = report.result
    change.attachment_stage = AttachmentStage.APPROVAL


def _effect_publish(report, user, request, now, change):
    text = (request.content or "").strip() or report.result or ""
    if not text:
        raise InvalidInput("Vui lòng nhập nội dung kết quả đăng tải.")
    report.public_result = text
    report.published_at = now
    change.content = text


def _effect_comment(report, user, request, now, change):
    change.content = request.content.strip()
    change.attachment_stage = AttachmentStage.EXCHANGE


def _effect_follow_done(report, user, request, now, change):
    link = _open_follow_up(report, user.unit_id)
    link.done_at = now
    link.done_by_id = user.id
    change.content = (request.content or "").strip() or None


def _effect_note(report, user, request, now, change):
    change.content = (request.content or "").strip() or None


_EFFECTS = {
    Action.RECEIVE: _effect_receive,
    Action.REJECT: _effect_reason,
    Action.DISTRIBUTE: _effect_distribute,
    Action.ACCEPT: _effect_note,
    Action.RETURN: _effect_return,
    Action.SUBMIT: _effect_submit,
    Action.APPROVE: _effect_approve,
    Action.PUBLISH: _effect_publish,
    Action.REOPEN: _effect_reopen,
    Action.REPLY: _effect_note,
    Action.COMMENT: _effect_comment,
    Action.FOLLOW_DONE: _effect_follow_done,
}


def _checked_files(files: Iterable) -> list[attachment_store.CheckedFile]:
    checked = []
    for f in files or []:
        if isinstance(f, attachment_store.CheckedFile):
            checked.append(f)
        elif getattr(f, "filename", None):
            try:
                checked.append(attachment_store.read_upload(f))
            except attachment_store.AttachmentError as exc:
                raise InvalidInput(str(exc)) from None
    return checked


def _event(report: Report, user, action: Action, *, from_status, to_status, change: _Change, now):
    unit = getattr(user, "unit", None) if user is not None else None
    return ReportEvent(
        report=report, created_at=now, actor_id=getattr(user, "id", None),
        actor_name=_full_name(user), unit_id=unit.id if unit else None,
        unit_name=unit.name if unit else None, action=action.value, content=change.content,
        from_status=from_status, to_status=to_status,
        target_unit_id=change.target_unit.id if change.target_unit else None,
        target_unit_name=change.target_unit.name if change.target_unit else None,
        late=change.late,
    )


# Same-transaction consequences of an event (counters, notifications, statistics…): each hook
# runs after the event is added and before the commit, so it commits or rolls back with the
# action. Modules register theirs with ``@on_event`` when they are imported (``create_app``).
EventHook = Callable[[Report, ReportEvent, object], None]
EVENT_HOOKS: list[EventHook] = []


def on_event(hook: EventHook) -> EventHook:
    EVENT_HOOKS.append(hook)
    return hook


def _run_event_hooks(report: Report, event: ReportEvent, user) -> None:
    for hook in EVENT_HOOKS:
        hook(report, event, user)


def _full_name(user) -> str | None:
    if user is None:
        return None
    return " ".join(p for p in (user.first_name, user.last_name) if p).strip() or user.username


def apply_action(user, report_id, request: ActionRequest) -> Report:
    """Do ``request.action`` on the report as ``user``; raise a WorkflowError if refused."""
    action = _parse_action(request.action)
    report = get_visible_report(user, report_id)
    if report is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    transition = appbuilder.sm.raise_for_access(user, action, report, request.version)
    _validate(transition, request)
    files = _checked_files(request.files)

    now = utcnow()
    from_status = report.status
    change = _Change()
    stored = []
    try:
        # One UPDATE per action (the effects' look-ups must not flush half a change): the
        # version then grows by exactly one.
        with db.session.no_autoflush:
            _EFFECTS[action](report, user, request, now, change)
        if transition.target is not None:
            report.status = transition.target.value
        event = _event(report, user, action, from_status=from_status,
                       to_status=report.status, change=change, now=now)
        db.session.add(event)
        for checked in files:
            attachment = attachment_store.store(
                checked, report_id=report.id,
                stage=change.attachment_stage or AttachmentStage.EXCHANGE, user_id=user.id,
            )
            attachment.event = event
            stored.append(attachment)
            db.session.add(attachment)
        _run_event_hooks(report, event, user)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        attachment_store.discard(stored)
        raise ConflictError(CONFLICT_MESSAGE) from None
    except Exception:
        db.session.rollback()
        attachment_store.discard(stored)
        raise
    return report


# --- Intake: a new report --------------------------------------------------------------------

@dataclass
class NewReport:
    title: str
    content: str
    reporter_name: str | None = None
    reporter_address: str | None = None
    reporter_phone: str | None = None
    reporter_email: str | None = None
    confidential: bool = False
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    source_id: int | None = None
    field_id: int | None = None
    received_at: dt.datetime | None = None  # naive UTC; for reports taken earlier by phone
    files: list = field(default_factory=list)


def create_report(user, data: NewReport) -> Report:
    """Intake of a new report (state "Chờ tiếp nhận"); ``user`` is the centre operator or None
    for a public channel. Inputs are expected validated by the form/schema; this checks the
    rules that need the database."""
    if user is not None:
        appbuilder.sm.raise_for_access(user, Action.CREATE)
    if not (data.title or "").strip() or not (data.content or "").strip():
        raise InvalidInput("Vui lòng nhập: Tiêu đề, Nội dung phản ánh.")
    source = _load_active(Source, data.source_id, "Nguồn")
    field_ = _load_active(Field, data.field_id, "Lĩnh vực")
    files = _checked_files(data.files)
    now = utcnow()
    received_at = data.received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        raise InvalidInput("Thời gian tiếp nhận không được ở tương lai.")
    report = Report(
        title=data.title.strip(), content=data.content.strip(),
        reporter_name=data.reporter_name, reporter_address=data.reporter_address,
        reporter_phone=data.reporter_phone, reporter_email=data.reporter_email,
        confidential=bool(data.confidential), location=data.location,
        latitude=data.latitude, longitude=data.longitude, source=source, field=field_,
        status=Status.NEW.value, received_at=received_at,
        received_by_id=getattr(user, "id", None),
    )
    db.session.add(report)
    stored = []
    try:
        db.session.flush()
        change = _Change(content=report.content, attachment_stage=AttachmentStage.CITIZEN)
        event = _event(report, user, Action.CREATE, from_status=None, to_status=report.status,
                       change=change, now=received_at)
        db.session.add(event)
        for checked in files:
            attachment = attachment_store.store(
                checked, report_id=report.id, stage=AttachmentStage.CITIZEN,
                user_id=getattr(user, "id", None),
            )
            attachment.event = event
            stored.append(attachment)
            db.session.add(attachment)
        _run_event_hooks(report, event, user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        attachment_store.discard(stored)
        raise
    return report


def overdue_clause(now: dt.datetime | None = None):
    """SQL condition: handled by a unit, not yet approved, past its due date. The state test is
    written as the partial indexes' own condition: SQLite uses a partial index only for a
    query that states its condition literally."""
    now = now or utcnow()
    return (Report.due_at.is_not(None)) & (Report.due_at < now) & text("report." + OPEN_AT_UNIT_SQL)


def is_overdue(report: Report, now: dt.datetime | None = None) -> bool:
    from ..domain.workflow import OPEN_AT_UNIT

    now = now or utcnow()
    return bool(report.due_at and report.due_at < now and Status(report.status) in OPEN_AT_UNIT)


LOG_SHOWN = 100  # lines of the log a report page shows at first


def recent_events(report: Report, limit: int | None) -> tuple[list[ReportEvent], int]:
    """The newest ``limit`` lines of the exchange log (None: all), newest first, and how many
    lines the log has (one query)."""
    query = (select(ReportEvent, func.count().over())
             .where(ReportEvent.report_id == report.id)
             .order_by(ReportEvent.created_at.desc(), ReportEvent.id.desc()))
    if limit is not None:
        query = query.limit(limit)
    rows = db.session.execute(query).all()
    return [event for event, _ in rows], (rows[0][1] if rows else 0)


def events_of(report: Report, columns: tuple[str, ...]) -> list:
    """The whole exchange log, newest first (as the letter shows it), as plain rows of the
    ``ReportEvent`` columns named in ``columns``: a log of 3,000 lines made into ORM objects
    cost more than the rest of the API's request."""
    table = ReportEvent.__table__
    return db.session.execute(
        select(*(table.c[name] for name in columns)).where(table.c.report_id == report.id)
        .order_by(table.c.created_at.desc(), table.c.id.desc())
    ).all()
