"""REST API of reports (DESIGN §7): /api/v1/report/…

- ``GET  /api/v1/report/``                      list: FAB's ``q`` (rison) filters, ordering and
  paging, plus ``keyword`` (accent-insensitive); always limited to the user's scope;
- ``POST /api/v1/report/``                      intake by the centre (JSON, or multipart with
  the citizen's files in ``file``) → 201;
- ``GET  /api/v1/report/<id>``                  read (404 outside the user's scope);
- ``POST /api/v1/report/<id>/actions/<action>`` a workflow action (JSON body, or multipart
  with files in ``file`` for the actions that take files) → 200 with the report;
- ``GET  /api/v1/report/<id>/events``           the exchange log, newest first;
- ``GET  /api/v1/report/<id>/attachments``      the report's files;
- ``POST /api/v1/report/<id>/attachments``      files (multipart ``file``, several allowed) with
  an optional ``content``: written as one "Trao đổi" (comment) event, so only someone who may
  comment on the report may upload (the viewer and administrators may not) → 201;
- ``GET  /api/v1/report/<id>/attachments/<attachment_id>`` download.

There is no PUT or DELETE: a report changes only through the workflow actions
(app.services.workflow), which check scope, role, state and inputs against the table.
Errors answer ``{"message": "<Vietnamese>"}`` with the service's status code.

Permissions (on the view name "Report", synced by app.security.roles): reading needs
``can_get`` (``can_download`` for a file), intake ``can_create``, uploading ``can_comment``;
each action is decided by the security manager's ``raise_for_access`` (its ``can_<action>``,
the scope, the state and the person's relation to the report).
Reads accept the browser session as well as a JWT; every write needs a JWT (the API is exempt
from CSRF, so a session cookie must not be able to write).
"""
from __future__ import annotations

import datetime as dt
import os
import re

from flask import request, send_file
from flask_appbuilder import ModelRestApi
from flask_appbuilder.api import expose, safe
from flask_appbuilder.api.schemas import get_item_schema, get_list_schema
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.models.sqla.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect
from sqlalchemy import asc, desc, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from ..domain.calendar import LOCAL_TZ, UTC
from ..domain.workflow import STATUS_LABELS, Action
from ..extensions import appbuilder, db
from ..formatting import iso_local
from ..models import Attachment, Report, ReportEvent, ReportUnit, ReportUnitKind
from ..models.base import utcnow
from ..models.report import ATTACHMENT_STAGE_LABELS, action_label
from ..ops import page_cache
from ..services import queues as queue_service
from ..services.scope import get_visible_report, reporter_of, scope_clause, scope_unit
from ..services.search import keyword_clause
from .base import RequestFiltersMixin, rison
from ..services.workflow import (
    NOT_FOUND_MESSAGE, ActionRequest, InvalidInput, NewReport, WorkflowError,
    actions_available, apply_action, create_report, events_of, is_overdue,
)

TOO_LARGE_MESSAGE = "Yêu cầu vượt quá dung lượng cho phép."
MAX_TEXT = 20000  # characters of a content/reason/result text


def _current_user():
    return appbuilder.sm.current_user


class ReportScopeFilter(BaseFilter):
    """FAB base filter: the rows the signed-in user may see (app.services.scope).

    The API's own list and read build their queries with ``scope_clause`` directly; this filter
    keeps every path inherited from FAB (``datamodel.get``/``query`` with ``_base_filters``)
    within the same scope, should one be routed later.
    """

    name = "Trong phạm vi được xem"
    arg_name = "scope"

    def apply(self, query, value):
        return query.filter(scope_clause(_current_user()))


# --- JSON ------------------------------------------------------------------------------------

def _person_name(user) -> str | None:
    if user is None:
        return None
    return " ".join(p for p in (user.first_name, user.last_name) if p).strip() or user.username


def report_json(user, report: Report, now: dt.datetime | None = None) -> dict:
    """A report as ``user`` may see it (reporter through ``reporter_of``: "Ẩn danh" for unit
    roles on a confidential report)."""
    now = now or utcnow()
    follow = [link for link in report.unit_links if link.kind == ReportUnitKind.FOLLOW]
    return {
        "id": report.id,
        "tracking_code": report.tracking_code,
        "status": report.status,
        "status_label": report.status_label,
        "title": report.title,
        "content": report.content,
        **reporter_of(user, report),
        "confidential": report.confidential,
        "location": report.location,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "source_id": report.source_id,
        "source_name": report.source.name if report.source else None,
        "field_id": report.field_id,
        "field_name": report.field.name if report.field else None,
        "unit_id": report.unit_id,
        "unit_name": report.unit.name if report.unit else None,
        "follow_units": [
            {"unit_id": link.unit_id, "unit_name": link.unit.name,
             "done": link.done_at is not None, "done_at": iso_local(link.done_at)}
            for link in sorted(follow, key=lambda link: link.id or 0)
        ],
        "received_at": iso_local(report.received_at),
        "receiver_name": _person_name(report.received_by),
        "distributed_at": iso_local(report.distributed_at),
        "deadline": iso_local(report.due_at),
        "return_deadline": iso_local(report.return_due_at),
        "overdue": is_overdue(report, now),
        "late_return": report.late_return,
        "result": report.result,
        "public_result": report.public_result,
        "published_at": iso_local(report.published_at),
        "version": report.version,
        "available_actions": [t.action.value for t in actions_available(user, report)],
        "created_at": iso_local(report.created_at),
        "updated_at": iso_local(report.updated_at),
    }


def attachment_json(attachment: Attachment) -> dict:
    return {
        "id": attachment.id,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "is_image": attachment.is_image,
        "stage": attachment.stage,
        "stage_label": ATTACHMENT_STAGE_LABELS.get(attachment.stage, attachment.stage),
        "event_id": attachment.event_id,
        "uploaded_at": iso_local(attachment.uploaded_at),
        "url": f"/api/v1/report/{attachment.report_id}/attachments/{attachment.id}",
    }


# The log's columns the API gives, in the order ``event_json`` unpacks them: rows read by
# position, not by name (a log of 3,000 lines: 0.7 ms against 8.5).
EVENT_COLUMNS = ("id", "created_at", "action", "actor_name", "unit_name", "content",
                 "from_status", "to_status", "target_unit_name", "late")


def event_json(row: tuple, attachments: list[Attachment]) -> dict:
    """A log line, the values of ``EVENT_COLUMNS`` in their order, as the API gives it."""
    (id_, created_at, action, actor_name, unit_name, content,
     from_status, to_status, target_unit_name, late) = row
    return {
        "id": id_,
        "time": iso_local(created_at),
        "action": action,
        "action_label": action_label(action),
        "actor_name": actor_name,
        "unit_name": unit_name,
        "content": content,
        "from_status": from_status,
        "from_status_label": STATUS_LABELS.get(from_status) if from_status else None,
        "to_status": to_status,
        "to_status_label": STATUS_LABELS.get(to_status) if to_status else None,
        "target_unit_name": target_unit_name,
        "late": late,
        # Most lines have none: an empty list comprehension per line was 2 µs of 3,009.
        "attachments": [attachment_json(a) for a in attachments] if attachments else [],
    }


def _eager_options():
    """Everything report_json touches, loaded with the page: the query count does not grow."""
    return (
        joinedload(Report.source),
        joinedload(Report.field),
        joinedload(Report.unit),
        joinedload(Report.received_by),
        selectinload(Report.unit_links).joinedload(ReportUnit.unit),
    )


def _page_ids(query, count: int, column, tiebreak, descending: bool, page: int,
              size: int) -> list[int]:
    """The ids of one page, ordered by ``column`` then ``tiebreak`` (the report's id: a total
    order). An OFFSET walks what it skips, so a page past the middle is read from the other
    end, backwards: at most half of the reports are ever walked, along an index of (column,
    id)."""
    start, end = page * size, max(min(page * size + size, count), page * size)
    backwards = count // 2 < start < count
    if backwards:
        descending = not descending
        start, end = count - end, count - start
    direction = desc if descending else asc
    ids = [row.id for row in query.order_by(direction(column), direction(tiebreak))
           .offset(start).limit(end - start)]
    return ids[::-1] if backwards else ids


# --- Request bodies --------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+().\-\s]{3,30}$")


def _body() -> tuple[dict, list]:
    """The request's fields (JSON object or form) and uploaded files."""
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data = {}
        for key in request.form:
            values = request.form.getlist(key)
            data[key] = values if key == "follow_unit_ids" else values[-1]
        return data, [f for f in request.files.getlist("file") if f and f.filename]
    if not request.get_data(cache=True):
        return {}, []
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("Nội dung yêu cầu phải là một đối tượng JSON.")
    return data, []


def _reject_unknown(data: dict, allowed) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InvalidInput(f"Trường không được hỗ trợ: {', '.join(unknown)}.")


def _text(data, name, label, limit, *, keep_blank=False) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{label} phải là chuỗi ký tự.")
    if len(value) > limit:
        raise InvalidInput(f"{label} dài quá {limit} ký tự.")
    if not keep_blank and not value.strip():
        return None
    return value


def _integer(data, name, label) -> int | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{label} không hợp lệ.")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
        return int(value)
    raise InvalidInput(f"{label} không hợp lệ.")


def _integers(data, name, label) -> list[int]:
    value = data.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):  # a form may send "3,7" or the field several times
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise InvalidInput(f"{label} phải là danh sách mã đơn vị.")
    items = []
    for item in value:
        if isinstance(item, str) and "," in item:
            items.extend(p for p in item.split(",") if p.strip())
        else:
            items.append(item)
    return [_integer({"v": item}, "v", label) for item in items]


def _number(data, name, label, low, high) -> float | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{label} không hợp lệ.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{label} không hợp lệ.") from None
    if not (low <= number <= high):
        raise InvalidInput(f"{label} phải trong khoảng {low} đến {high}.")
    return number


def _boolean(data, name, label) -> bool:
    value = data.get(name)
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes", "có"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "off", "no", "không"):
        return False
    raise InvalidInput(f"{label} phải là true hoặc false.")


def parse_moment(value) -> dt.datetime | None:
    """ISO 8601 → naive UTC; a time without offset is Huế local time."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput("Thời gian tiếp nhận phải theo ISO 8601, ví dụ 2019-01-05T16:52:00+07:00.")
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            "Thời gian tiếp nhận phải theo ISO 8601, ví dụ 2019-01-05T16:52:00+07:00."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC).replace(tzinfo=None)


ACTION_FIELDS = ("unit_id", "follow_unit_ids", "reason", "content", "field_id", "source_id",
                 "title", "version")


def action_request(action: str, data: dict, files: list) -> ActionRequest:
    _reject_unknown(data, ACTION_FIELDS)
    return ActionRequest(
        action=action,
        reason=_text(data, "reason", "Lý do", MAX_TEXT),
        content=_text(data, "content", "Nội dung", MAX_TEXT),
        unit_id=_integer(data, "unit_id", "Đơn vị xử lý"),
        follow_unit_ids=_integers(data, "follow_unit_ids", "Đơn vị theo dõi"),
        field_id=_integer(data, "field_id", "Lĩnh vực"),
        source_id=_integer(data, "source_id", "Nguồn"),
        title=_text(data, "title", "Tiêu đề", 500),
        version=_integer(data, "version", "Phiên bản (version)"),
        files=files,
    )


NEW_REPORT_FIELDS = ("title", "content", "reporter_name", "reporter_address", "reporter_phone",
                     "reporter_email", "confidential", "location", "latitude", "longitude",
                     "source_id", "field_id", "received_at")


def new_report(data: dict, files: list) -> NewReport:
    _reject_unknown(data, NEW_REPORT_FIELDS)
    phone = _text(data, "reporter_phone", "Điện thoại", 30)
    if phone and not _PHONE.match(phone.strip()):
        raise InvalidInput("Điện thoại không hợp lệ.")
    email = _text(data, "reporter_email", "Email", 255)
    if email and not _EMAIL.match(email.strip()):
        raise InvalidInput("Email không hợp lệ.")
    return NewReport(
        title=_text(data, "title", "Tiêu đề", 500) or "",
        content=_text(data, "content", "Nội dung phản ánh", MAX_TEXT) or "",
        reporter_name=_text(data, "reporter_name", "Cá nhân / tổ chức", 255),
        reporter_address=_text(data, "reporter_address", "Địa chỉ", 500),
        reporter_phone=phone.strip() if phone else None,
        reporter_email=email.strip() if email else None,
        confidential=_boolean(data, "confidential", "Giữ bí mật người phản ánh"),
        location=_text(data, "location", "Địa điểm", 500),
        latitude=_number(data, "latitude", "Vĩ độ", -90, 90),
        longitude=_number(data, "longitude", "Kinh độ", -180, 180),
        source_id=_integer(data, "source_id", "Nguồn"),
        field_id=_integer(data, "field_id", "Lĩnh vực"),
        received_at=parse_moment(data.get("received_at")),
        files=files,
    )


# --- The API ---------------------------------------------------------------------------------

class ReportApi(RequestFiltersMixin, ModelRestApi):
    resource_name = "report"
    class_permission_name = "Report"
    datamodel = SQLAInterface(Report)
    allow_browser_login = False  # writes need a JWT; reads opt in per method
    include_route_methods = {
        "get_list", "get", "post", "action", "events", "attachments", "upload_attachments",
        "download_attachment",
    }
    method_permission_name = {
        "get_list": "get", "get": "get", "events": "get", "attachments": "get",
        "action": "get",  # the action's own can_<action> is checked in the method
        "post": "create",  # intake (can_create), as the web form
        "upload_attachments": "comment",
        "download_attachment": "download",
    }
    base_filters = [["id", ReportScopeFilter, lambda: None]]
    base_order = ("received_at", "desc")
    page_size = 20
    max_page_size = 100
    # FAB builds marshmallow schemas from these at start-up; the answers come from report_json.
    list_columns = show_columns = [
        "id", "tracking_code", "status", "title", "content", "location", "latitude", "longitude", "confidential",
        "received_at", "distributed_at", "due_at", "late_return", "result", "public_result",
        "published_at", "version",
    ]
    add_columns = edit_columns = ["title"]
    # Reporter fields are neither filters nor sort keys: a unit role must not probe who an
    # "Ẩn danh" reporter is.
    search_columns = [
        "id", "tracking_code", "status", "title", "content", "location", "source_id", "field_id", "unit_id",
        "received_at", "distributed_at", "due_at", "published_at", "confidential", "late_return",
    ]
    order_columns = [
        "id", "received_at", "status", "title", "distributed_at", "due_at", "published_at",
        "updated_at",
    ]

    # -- helpers --

    @staticmethod
    def _error(exc: WorkflowError):
        db.session.rollback()
        return ReportApi.response(exc.status_code, message=exc.message)

    @staticmethod
    def _load(user, pk) -> Report | None:
        return db.session.execute(
            select(Report).where(Report.id == pk, scope_clause(user)).options(*_eager_options())
        ).unique().scalar_one_or_none()

    @staticmethod
    def _columns(args) -> list[str] | None:
        columns = args.get("columns") or args.get("select_columns")
        if not columns:
            return None
        unknown = [c for c in columns if c not in REPORT_FIELDS]
        if unknown:
            raise InvalidInput(f"Cột không tồn tại: {', '.join(map(str, unknown))}.")
        return list(columns)

    def _report_response(self, user, pk, code=200):
        report = self._load(user, pk)
        if report is None:  # cannot happen right after a successful action; kept safe
            return self.response(404, message=NOT_FOUND_MESSAGE)
        return self.response(code, id=report.id, result=report_json(user, report))

    # -- list and read --

    @expose("/", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    @permission_name("get")
    @rison(get_list_schema)
    def get_list(self, **kwargs):
        """Reports in the user's scope: FAB ``q`` filters/order/paging and ``keyword``.
        ---
        get:
          description: >-
            Danh sách phản ánh trong phạm vi của người dùng. Tham số `q` (rison) theo FAB
            (filters, order_column, order_direction, page, page_size, columns); tham số
            `keyword` tìm không dấu trong tiêu đề, nội dung, địa điểm, người phản ánh.
          parameters:
          - in: query
            name: q
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/get_list_schema'
          - in: query
            name: keyword
            schema:
              type: string
          responses:
            200:
              description: "{ids, count, result}"
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
        """
        return page_cache.page(lambda: self._list(kwargs.get("rison", {})))

    def _list(self, args):
        user = _current_user()
        try:
            columns = self._columns(args)
            filters = self.request_filters(args)
            order_column, order_direction = self._handle_order_args(args)
        except InvalidInput as exc:
            return self._error(exc)
        except FABException as exc:
            return self.response_400(message=str(exc))
        refusal = self.page_refusal(args)
        if refusal:
            return self.response_400(message=refusal)
        page, page_size = self._handle_page_args(args)
        keyword = (request.args.get("keyword") or "").strip()
        unit_id = scope_unit(user)
        query = db.session.query(Report.id).filter(
            scope_clause(user), keyword_clause(keyword, unit_id=unit_id))
        whole_scope = not (filters.filters or keyword)
        if whole_scope:  # from the kept counts, not a COUNT(*) of the table
            count = queue_service.scope_total(user)
        else:
            count = self.datamodel.query_count(query, filters)
        if unit_id is not None and whole_scope and order_column == "received_at":
            # A unit's whole scope in the default order: along its links' index, each report
            # once (two links of one report, to handle and to follow, are side by side in it).
            query = (db.session.query(ReportUnit.report_id.label("id"), ReportUnit.received_at)
                     .filter(ReportUnit.unit_id == unit_id).distinct())
            column, tiebreak = ReportUnit.received_at, ReportUnit.report_id
        else:
            query = self.datamodel.apply_filters(query, filters)
            column, tiebreak = getattr(Report, order_column), Report.id
        ids = _page_ids(query, count, column, tiebreak, order_direction != "asc",
                        page or 0, page_size)
        by_id = {r.id: r for r in db.session.execute(
            select(Report).where(Report.id.in_(ids)).options(*_eager_options())
        ).unique().scalars()}
        reports = [by_id[i] for i in ids]
        now = utcnow()
        result = [report_json(user, report, now) for report in reports]
        if columns:
            result = [{key: row[key] for key in columns} for row in result]
        return self.response(200, ids=[r.id for r in reports], count=count, result=result)

    @expose("/<int:pk>", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    @permission_name("get")
    @rison(get_item_schema)
    def get(self, pk, **kwargs):
        """One report (404 outside the user's scope).
        ---
        get:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: "{id, result}"
            404:
              $ref: '#/components/responses/404'
        """
        return page_cache.page(lambda: self._one(pk, kwargs.get("rison", {})))

    def _one(self, pk, args):
        user = _current_user()
        report = self._load(user, pk)
        if report is None:
            return self.response(404, message=NOT_FOUND_MESSAGE)
        result = report_json(user, report)
        try:
            columns = self._columns(args)
        except InvalidInput as exc:
            return self._error(exc)
        if columns:
            result = {key: result[key] for key in columns}
        return self.response(200, id=report.id, result=result)

    # -- intake --

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def post(self):
        """Intake of a new report by the centre (state "Chờ tiếp nhận").
        ---
        post:
          description: >-
            JSON (hoặc multipart kèm tệp `file` của người phản ánh): title, content,
            reporter_name, reporter_address, reporter_phone, reporter_email, confidential,
            location, latitude, longitude, source_id, field_id, received_at (ISO 8601; không
            có múi giờ thì hiểu là giờ Huế).
          responses:
            201:
              description: "{id, result}"
            400:
              $ref: '#/components/responses/400'
            403:
              $ref: '#/components/responses/403'
        """
        user = _current_user()
        try:
            data, files = _body()
            report = create_report(user, new_report(data, files))
        except RequestEntityTooLarge:
            return self.response(413, message=TOO_LARGE_MESSAGE)
        except WorkflowError as exc:
            return self._error(exc)
        return self._report_response(user, report.id, code=201)

    # -- workflow actions --

    @expose("/<int:pk>/actions/<string:action>", methods=["POST"])
    @protect()
    @safe
    @permission_name("get")
    def action(self, pk, action):
        """Do a workflow action on a report.
        ---
        post:
          description: >-
            Thao tác theo quy trình: receive, reject, distribute, accept, return, submit,
            approve, publish, reopen, comment, follow_done. Thân JSON: unit_id,
            follow_unit_ids, reason, content, field_id, source_id, title, version (tùy thao
            tác); multipart với tệp `file` cho thao tác nhận tệp.
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          - in: path
            schema:
              type: string
            name: action
          responses:
            200:
              description: "{id, result}: the report after the action"
            400:
              $ref: '#/components/responses/400'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              description: not allowed in the current state, or changed by someone else
        """
        user = _current_user()
        try:
            data, files = _body()
            action_req = action_request(action, data, files)
            report = apply_action(user, pk, action_req)
        except RequestEntityTooLarge:
            return self.response(413, message=TOO_LARGE_MESSAGE)
        except WorkflowError as exc:
            return self._error(exc)
        return self._report_response(user, report.id)

    # -- the exchange log --

    @expose("/<int:pk>/events", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    @permission_name("get")
    def events(self, pk):
        """The exchange log (nhật ký trao đổi), newest first.
        ---
        get:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: "{result: [events]}"
            404:
              $ref: '#/components/responses/404'
        """
        return page_cache.page(lambda: self._events(pk))

    def _events(self, pk):
        user = _current_user()
        report = get_visible_report(user, pk)
        if report is None:
            return self.response(404, message=NOT_FOUND_MESSAGE)
        by_event: dict[int | None, list[Attachment]] = {}
        for attachment in self._attachments_of(report.id):
            by_event.setdefault(attachment.event_id, []).append(attachment)
        result = [event_json(row, by_event.get(row.id, []))
                  for row in events_of(report, EVENT_COLUMNS)]
        return self.response(200, id=report.id, result=result)

    # -- files --

    @staticmethod
    def _attachments_of(report_id: int) -> list[Attachment]:
        return list(db.session.execute(
            select(Attachment).where(Attachment.report_id == report_id).order_by(Attachment.id)
        ).scalars())

    @expose("/<int:pk>/attachments", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    @permission_name("get")
    def attachments(self, pk):
        """The report's files.
        ---
        get:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: "{result: [attachments]}"
            404:
              $ref: '#/components/responses/404'
        """
        user = _current_user()
        report = get_visible_report(user, pk)
        if report is None:
            return self.response(404, message=NOT_FOUND_MESSAGE)
        result = [attachment_json(a) for a in self._attachments_of(report.id)]
        return self.response(200, id=report.id, result=result)

    @expose("/<int:pk>/attachments", methods=["POST"])
    @protect()
    @safe
    @permission_name("comment")
    def upload_attachments(self, pk):
        """Upload files (multipart ``file``, several allowed; optional ``content``) as one
        "Trao đổi" event of the exchange log.
        ---
        post:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            201:
              description: "{id, event_id, result: [attachments]}"
            400:
              $ref: '#/components/responses/400'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        user = _current_user()
        try:
            if request.mimetype != "multipart/form-data":
                raise InvalidInput("Hãy gửi tệp dạng multipart/form-data, trường “file”.")
            files = [f for f in request.files.getlist("file") if f and f.filename]
            _reject_unknown(request.form, ("content",))
            if not files:
                raise InvalidInput("Vui lòng chọn tệp đính kèm (trường “file”).")
            content = _text(request.form, "content", "Nội dung", MAX_TEXT)
            if not content:
                names = ", ".join(os.path.basename(f.filename.replace("\\", "/")) for f in files)
                content = f"Đính kèm tệp: {names}"
            apply_action(user, pk, ActionRequest(action=Action.COMMENT.value, content=content,
                                                 files=files))
        except RequestEntityTooLarge:
            return self.response(413, message=TOO_LARGE_MESSAGE)
        except WorkflowError as exc:
            return self._error(exc)
        event = db.session.execute(
            select(ReportEvent)
            .where(ReportEvent.report_id == pk, ReportEvent.actor_id == user.id,
                   ReportEvent.action == Action.COMMENT.value)
            .order_by(ReportEvent.id.desc()).limit(1)
        ).scalar_one()
        stored = list(db.session.execute(
            select(Attachment).where(Attachment.event_id == event.id).order_by(Attachment.id)
        ).scalars())
        return self.response(201, id=pk, event_id=event.id,
                             result=[attachment_json(a) for a in stored])

    @expose("/<int:pk>/attachments/<int:attachment_id>", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    @permission_name("download")
    def download_attachment(self, pk, attachment_id):
        """Download one file (``?inline=1`` shows an image in the browser).
        ---
        get:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          - in: path
            schema:
              type: integer
            name: attachment_id
          responses:
            200:
              description: the file
            404:
              $ref: '#/components/responses/404'
        """
        from ..services.attachments import path_of

        user = _current_user()
        report = get_visible_report(user, pk)
        attachment = db.session.get(Attachment, attachment_id) if report is not None else None
        if attachment is None or attachment.report_id != report.id:
            return self.response(404, message="Không tìm thấy tệp đính kèm.")
        path = path_of(attachment)
        if not os.path.exists(path):
            return self.response(404, message="Tệp đính kèm không còn trên máy chủ.")
        inline = attachment.is_image and request.args.get("inline") == "1"
        response = send_file(
            path, mimetype=attachment.content_type, as_attachment=not inline,
            download_name=attachment.original_name, max_age=0,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["Cache-Control"] = "private, no-store"
        return response


REPORT_FIELDS = frozenset({
    "id", "tracking_code", "status", "status_label", "title", "content", "reporter_name",
    "reporter_address", "reporter_phone", "reporter_email", "confidential", "location",
    "latitude", "longitude",
    "source_id", "source_name", "field_id", "field_name", "unit_id", "unit_name", "follow_units",
    "received_at", "receiver_name", "distributed_at", "deadline", "return_deadline", "overdue",
    "late_return", "result", "public_result", "published_at", "version", "available_actions",
    "created_at", "updated_at",
})
