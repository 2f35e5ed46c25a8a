"""Bulk workflow actions: one action applied to many selected reports, each on its own.

Every report goes through ``apply_action`` — the same call, with the same checks (scope,
permission, state, version) as the single action on the report page — in its own transaction,
writing its own log event; a refusal of one stops no other. What this module adds is only what
a selection needs: the list of ids checked like any other input (at most ``MAX_IDS``), each
report's own version (seen on the confirmation page), each report's own field and source when
"Tiếp nhận" keeps them, and a reason a person understands for each refusal, worked out from the
service's error and the report as it is now.

The bulk path reads the calendar's exceptions, the person and the catalogues once per call, not
once per report (the checks themselves run for every report, unchanged).
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from ..domain.workflow import STATUS_LABELS, Action, Status, transitions_for
from ..extensions import db
from ..formatting import local_datetime
from ..models import Field, Report, ReportEvent, Source, Unit
from ..security.permissions import REPORT_VIEW, holds
from . import calendar as calendar_service
from .scope import scope_clause
from .workflow import (
    ActionRequest, ConflictError, InvalidInput, NotAllowed, NotFound, WorkflowError,
    actions_available, apply_action,
)

log = logging.getLogger(__name__)

# The actions offered on a selection (DESIGN §3; those needing a text of each report's own —
# processing, returns, reopening, comments — stay on the report page).
BULK_ACTIONS: tuple[Action, ...] = (
    Action.RECEIVE, Action.REJECT, Action.DISTRIBUTE, Action.ACCEPT, Action.APPROVE,
    Action.PUBLISH, Action.FOLLOW_DONE,
)
MAX_IDS = 200

# "đã được người khác <verb>": what a state-changing event did, in the words of the log.
DONE_VERBS = {
    Action.RECEIVE.value: "tiếp nhận",
    Action.REJECT.value: "chuyển sang “Không tiếp nhận”",
    Action.DISTRIBUTE.value: "phân phối",
    Action.ACCEPT.value: "thực hiện tiếp nhận",
    Action.RETURN.value: "trả lại",
    Action.SUBMIT.value: "xử lý",
    Action.APPROVE.value: "phê duyệt",
    Action.PUBLISH.value: "đăng tải kết quả",
    Action.REOPEN.value: "mở lại",
}
OUT_OF_SCOPE = "Không tìm thấy phản ánh hoặc phản ánh không thuộc phạm vi bạn được xem."
OTHER_UNIT = "Phản ánh không thuộc đơn vị của bạn."
NO_OPEN_FOLLOW_UP = ("Đơn vị của bạn không có yêu cầu theo dõi đang mở cho phản ánh này "
                     "(đã thực hiện theo dõi, hoặc không được gửi theo dõi).")
NOT_SAVED = "Chưa lưu được thay đổi của phản ánh này, vui lòng thử lại."


@dataclass
class Outcome:
    """The answer for one selected id: ``status`` as the single action would answer (200, 400,
    403, 404, 409), ``message`` in Vietnamese; ``title`` only for a report the person may see."""

    id: int
    status: int
    message: str
    title: str | None = None
    status_label: str | None = None  # the report's state after the call

    @property
    def done(self) -> bool:
        return self.status == 200


def parse_action(name: str) -> Action:
    try:
        action = Action(name)
    except ValueError:
        action = None
    if action not in BULK_ACTIONS:
        offered = ", ".join(a.value for a in BULK_ACTIONS)
        raise InvalidInput(f"Thao tác “{name}” không áp dụng cho nhiều phản ánh (chỉ: {offered}).")
    return action


def parse_ids(raw) -> list[int]:
    """The selection as a list of distinct ids, in the order given: a non-empty list of at most
    ``MAX_IDS`` positive integers (strings of digits accepted, as forms send them)."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("Vui lòng chọn ít nhất một phản ánh (danh sách “ids” không được rỗng).")
    ids: list[int] = []
    for item in raw:
        if isinstance(item, bool):
            item = None
        elif isinstance(item, str) and item.strip().isdigit() and len(item.strip()) <= 18:
            item = int(item.strip())
        if not isinstance(item, int) or not 0 < item < 2**63:
            raise InvalidInput("Danh sách “ids” chỉ gồm mã phản ánh (số nguyên dương).")
        ids.append(item)
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_IDS:
        raise InvalidInput(f"Mỗi lần chỉ thao tác được tối đa {MAX_IDS} phản ánh "
                           f"(đã chọn {len(ids)}).")
    return ids


def parse_versions(raw, ids: list[int]) -> dict[int, int]:
    """``{"<id>": version}`` as seen on the confirmation page (optional)."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise InvalidInput("“versions” phải là đối tượng {mã phản ánh: phiên bản}.")
    versions = {}
    for key, value in raw.items():
        try:
            report_id, version = int(key), int(value)
        except (TypeError, ValueError):
            raise InvalidInput("“versions” phải là đối tượng {mã phản ánh: phiên bản}.") from None
        if isinstance(value, bool) or report_id not in ids:
            raise InvalidInput("“versions” chỉ ghi phiên bản của các phản ánh trong “ids”.")
        versions[report_id] = version
    return versions


def visible_selection(user, ids: list[int]) -> dict[int, Report]:
    """The selected reports the person may see (one query): titles, own field and source."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Report).where(Report.id.in_(ids), scope_clause(user))
        .options(joinedload(Report.field), joinedload(Report.source))
    ).scalars()
    return {report.id: report for report in rows}


def apply_to_each(user, action: Action, ids: list[int], template: ActionRequest, *,
                  versions: dict[int, int] | None = None) -> list[Outcome]:
    """Apply ``template`` (the action and its inputs, given once) to every id, each report in
    its own transaction through ``apply_action``. For "Tiếp nhận", a field or source left
    empty keeps the report's own. Never raises for one report's refusal."""
    versions = versions or {}
    # Columns, not objects: each report is loaded afresh by apply_action in its own transaction.
    seen = {row.id: (row.title, row.field_id, row.source_id) for row in db.session.execute(
        select(Report.id, Report.title, Report.field_id, Report.source_id)
        .where(Report.id.in_(ids), scope_clause(user)))}
    target = next((t.target for t in transitions_for(action) if t.target is not None), None)
    outcomes = []
    with calendar_service.cached_exceptions(), _reference_rows_kept(user) as expire_the_rest:
        for report_id in ids:
            title, field_id, source_id = seen.get(report_id, (None, None, None))
            request = replace(template, action=action.value, version=versions.get(report_id))
            if action == Action.RECEIVE:
                request.field_id = template.field_id or field_id
                request.source_id = template.source_id or source_id
            report = None  # held until the expiry below: it keeps its unit and field loaded
            try:
                report = apply_action(user, report_id, request)
            except WorkflowError as exc:
                db.session.rollback()
                outcomes.append(refusal(user, report_id, request, exc, title))
            except SQLAlchemyError:
                # A database failure on one report (e.g. a deadlock) is that report's answer.
                log.exception("Thao tác hàng loạt %s: lỗi cơ sở dữ liệu ở phản ánh %s",
                              action.value, report_id)
                db.session.rollback()
                outcomes.append(Outcome(report_id, 409, NOT_SAVED, title))
            else:
                outcomes.append(Outcome(report_id, 200, "", title,
                                        STATUS_LABELS[target] if target else None))
            expire_the_rest()
            del report
        done = done_message(action, template)  # the target unit is loaded by now
    for outcome in outcomes:
        if outcome.done:
            outcome.message = done
    return outcomes


@contextmanager
def _reference_rows_kept(user):
    """Within the block, each commit keeps the person, their roles and the catalogues (units,
    fields, sources) loaded instead of reading them again for every report; everything else —
    the reports, and whatever the event hooks read — is expired before each report as a commit
    would, so every check still sees the database as it is."""
    session = db.session()
    kept = (type(user), Unit, Field, Source, *_security_models())
    held = {}  # the identity map holds rows weakly: these stay loaded for the whole call

    def expire_the_rest():
        for obj in list(session.identity_map.values()):
            if isinstance(obj, kept):
                held[id(obj)] = obj
            else:
                session.expire(obj)

    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        expire_the_rest()
        yield expire_the_rest
    finally:
        session.expire_on_commit = previous
        session.expire_all()


def _security_models() -> tuple:
    from ..extensions import appbuilder

    sm = appbuilder.sm
    return (sm.role_model, sm.permissionview_model, sm.permission_model, sm.viewmenu_model)


def done_message(action: Action, template: ActionRequest) -> str:
    if action == Action.FOLLOW_DONE:
        return "Đã ghi nhận đơn vị đã thực hiện theo dõi."
    unit = db.session.get(Unit, template.unit_id) if template.unit_id is not None else None
    if action == Action.DISTRIBUTE and unit is not None:
        return f"Đã phân phối cho {unit.name}."
    return f"Đã {DONE_VERBS[action.value]}."


def refusal(user, report_id: int, request: ActionRequest, exc: WorkflowError,
            title: str | None) -> Outcome:
    """The service's refusal in the words of the person's selection: who got there first,
    whose unit the report belongs to, what is missing."""
    report = None
    if not isinstance(exc, NotFound):
        report = db.session.execute(
            select(Report).where(Report.id == report_id, scope_clause(user))
        ).scalar_one_or_none()
    if report is None:
        return Outcome(report_id, 404, OUT_OF_SCOPE)
    action = Action(request.action)
    message = exc.message
    if isinstance(exc, ConflictError):
        message = _changed_by(user, report, action, request.version) or message
    elif isinstance(exc, NotAllowed) and may_ever(user, action):
        # The person's role may do this action: what stands in the way is the report's unit.
        if action == Action.FOLLOW_DONE:
            message = NO_OPEN_FOLLOW_UP
        elif report.unit_id != getattr(user, "unit_id", None):
            message = OTHER_UNIT
    return Outcome(report_id, exc.status_code, message, title or report.title, report.status_label)


def may_ever(user, action: Action) -> bool:
    """Does one of the person's roles or groups hold the FAB permission of this action on
    reports? (The permissions read once per request: not the roles' relationships.)"""
    return holds(user, f"can_{action.value}", REPORT_VIEW)


def _changed_by(user, report: Report, action: Action, version_seen) -> str | None:
    """"Phản ánh đã được người khác phân phối (Nguyễn Văn A, 29/11/2026 21:30)…" when the
    report changed after the person saw it, or when the last change of state is what took it
    out of the states the action applies to; None for a report that was simply never in them."""
    event = db.session.execute(
        select(ReportEvent)
        .where(ReportEvent.report_id == report.id, ReportEvent.to_status.is_not(None),
               ReportEvent.action.in_(list(DONE_VERBS)))
        .order_by(ReportEvent.created_at.desc(), ReportEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    if event is None:
        return None
    moved_on = version_seen is not None and int(version_seen) != report.version
    took_out = event.from_status is not None and any(
        t.applies_to(Status(event.from_status)) for t in transitions_for(action))
    if not (moved_on or took_out):
        return None
    verb = DONE_VERBS[event.action]
    when = local_datetime(event.created_at)
    now = f"hiện ở trạng thái “{report.status_label}”"
    if event.actor_id is not None and event.actor_id == getattr(user, "id", None):
        return f"Bạn đã {verb} phản ánh này lúc {when}; {now}."
    who = event.actor_name or "người khác"
    return f"Phản ánh đã được người khác {verb} ({who}, {when}); {now}."


def bulk_choices(user, reports: list[Report]) -> dict[int, list[str]]:
    """For each report of a page, the bulk actions the table allows this person now (the same
    ``actions_available`` as the report page's "Thao tác" select)."""
    wanted = set(BULK_ACTIONS)
    return {
        report.id: [t.action.value for t in actions_available(user, report) if t.action in wanted]
        for report in reports
    }
