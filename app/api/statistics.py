"""REST API of the statistics and the report export (DESIGN §7):

- ``GET /api/v1/statistics/summary?from=YYYY-MM-DD&to=YYYY-MM-DD&by=unit|field|source|month``
  (also ``status``; optional ``source_id``, ``field_id``, ``keyword``) →
  ``{"result": [{"key", "label", <§8 column codes>}], "total": {…}}`` within the person's scope;
  ``&format=xlsx|csv`` gives the same table as a file (official form);
- ``GET /api/v1/report/export?format=xlsx|csv`` with the list filters ``status``, ``from``,
  ``to`` (received, local dates), ``unit_id`` (ever distributed to that unit to handle),
  ``field_id``, ``source_id``, ``keyword`` → the reports the person may see, streamed.

Reads accept the browser session as well as a JWT. Permissions: ``can_get`` on "Statistics"
and on "Report" (app/security/roles.py).
"""
from __future__ import annotations

import datetime as dt

from flask import Response, request, stream_with_context
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from ..domain.workflow import Status
from ..extensions import appbuilder
from ..services import exports, statistics
from ..services import queues as queue_service
from ..services.report_export import queue_export

FORMATS = ("xlsx", "csv")


class BadInput(ValueError):
    pass


def _date(name: str, label: str) -> dt.date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadInput(f"{label} “{raw}” không hợp lệ, vui lòng dùng dạng YYYY-MM-DD.") from None


def _integer(name: str, label: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadInput(f"{label} “{raw}” không hợp lệ.") from None


def _format() -> str | None:
    fmt = request.args.get("format")
    if fmt and fmt not in FORMATS:
        raise BadInput("Định dạng chỉ có thể là xlsx hoặc csv.")
    return fmt


def _period() -> statistics.Period:
    first, last = _date("from", "Từ ngày"), _date("to", "Đến ngày")
    month = statistics.preset_period("thang-nay", statistics.today_local())
    first, last = first or month.first, last or month.last
    if first > last:
        raise BadInput("“from” phải trước hoặc bằng “to”.")
    if (last - first).days > 3700:
        raise BadInput("Khoảng thời gian thống kê tối đa 10 năm.")
    return statistics.Period(first, last)


class StatisticsApi(BaseApi):
    resource_name = "statistics"
    class_permission_name = "Statistics"
    method_permission_name = {"summary": "get"}
    allow_browser_login = True

    @expose("/summary", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    @permission_name("get")
    def summary(self):
        """The figures of §8 for a period, grouped.
        ---
        get:
          description: >-
            Số liệu tổng hợp (DESIGN §8) trong phạm vi của người dùng: from, to (YYYY-MM-DD,
            mặc định tháng này), by (unit|field|source|month|status), format (xlsx|csv).
          responses:
            200:
              description: "{result, total}"
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
        """
        try:
            period = _period()
            by = request.args.get("by") or "unit"
            if by not in statistics.GROUPINGS:
                raise BadInput("Tham số by chỉ có thể là unit, field, source, month hoặc status.")
            criteria = statistics.Criteria(
                source_id=_integer("source_id", "Nguồn"),
                field_id=_integer("field_id", "Lĩnh vực"),
                keyword=(request.args.get("keyword") or "").strip()[:200] or None)
            fmt = _format()
        except BadInput as exc:
            return self.response_400(message=str(exc))
        user = appbuilder.sm.current_user
        table = statistics.summary(user, period, by, criteria)
        if fmt:
            body, mimetype, name = exports.statistics_download(table, fmt, user)
            return Response(body, mimetype=mimetype,
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
        return self.response(
            200, result=[row.as_dict() for row in table.rows],
            total=table.total.as_dict(), **{"from": period.first.isoformat(),
                                            "to": period.last.isoformat(), "by": by},
        )


class ReportExportApi(BaseApi):
    resource_name = "report"
    class_permission_name = "Report"
    method_permission_name = {"export": "get"}
    allow_browser_login = True

    @expose("/export", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    @permission_name("get")
    def export(self):
        """The reports the person may see, with the list filters, as a file (streamed).
        ---
        get:
          description: >-
            Xuất danh sách phản ánh (xlsx|csv) trong phạm vi của người dùng, lọc theo status,
            from, to, unit_id, field_id, source_id, keyword.
          responses:
            200:
              description: the file
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
        """
        try:
            fmt = _format() or "xlsx"
            status = request.args.get("status") or None
            if status and status not in {s.value for s in Status}:
                raise BadInput(f"Trạng thái “{status}” không tồn tại.")
            filters = queue_service.Filters(
                date_from=_date("from", "Từ ngày"), date_to=_date("to", "Đến ngày"),
                source_id=_integer("source_id", "Nguồn"),
                field_id=_integer("field_id", "Lĩnh vực"),
                unit_id=_integer("unit_id", "Đơn vị xử lý"),
                keyword=(request.args.get("keyword") or "").strip()[:200] or None,
                status=status,
            )
        except BadInput as exc:
            return self.response_400(message=str(exc))
        queue = queue_service.QUEUES_BY_KEY["tat-ca"]
        body, mimetype, name = queue_export(appbuilder.sm.current_user, queue,
                                            queue.tab("tat-ca"), filters, fmt)
        return Response(stream_with_context(body), mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
