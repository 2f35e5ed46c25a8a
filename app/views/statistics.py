"""The statistics screens of the letter's menu (DESIGN §8) and the queue exports.

    /thong-ke/tong-hop/        "Tổng hợp": one row per unit, total row; ?ky=… presets
    /thong-ke/                 "Thống kê": by field, source, month or status, "so với cùng kỳ"
    /thong-ke/bieu-do/         "Biểu đồ phản ánh": Chart.js, served by the app
    …/xuat?dinh_dang=xlsx|csv  the same table as a file (official form)
    /phan-anh/xuat/<queue>     a queue's tab as a file, with its filters (streamed)

Thin views: the figures come from app.services.statistics, the files from app.services.exports.
"""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, g, request, stream_with_context
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from ..extensions import appbuilder
from ..formatting import local_date
from ..models import Field, Source
from ..services import exports, statistics
from ..services import queues as queue_service
from ..services.report_export import queue_export
from .reports import QUEUE_VIEW_NAMES, _catalogue, _parse_date, _parse_int, parse_filters

STATISTICS_GROUPINGS = ("field", "source", "month", "status")
SORT_DIRECTIONS = ("tang", "giam")


def parse_period(args, now: dt.datetime | None = None) -> tuple[str, statistics.Period, list]:
    """The preset (``ky``) or the custom dates (``tu_ngay``, ``den_ngay``): this month by
    default."""
    errors: list[str] = []
    preset = args.get("ky") or ""
    first = _parse_date(args.get("tu_ngay"), "Từ ngày", errors)
    last = _parse_date(args.get("den_ngay"), "Đến ngày", errors)
    today = statistics.today_local(now)
    if preset not in statistics.PRESETS:
        preset = "tuy-chon" if (first or last) else "thang-nay"
    if preset != "tuy-chon":
        return preset, statistics.preset_period(preset, today), errors
    month = statistics.preset_period("thang-nay", today)
    first, last = first or month.first, last or month.last
    if first > last:
        errors.append("“Từ ngày” phải trước hoặc bằng “Đến ngày”.")
        first, last = month.first, month.last
    if (last - first).days > 3700:
        errors.append("Khoảng thời gian thống kê tối đa 10 năm.")
        first, last = month.first, month.last
    return preset, statistics.Period(first, last), errors


def parse_criteria(args) -> statistics.Criteria:
    return statistics.Criteria(
        source_id=_parse_int(args.get("nguon")), field_id=_parse_int(args.get("linh_vuc")),
        keyword=(args.get("tu_khoa") or "").strip()[:200] or None,
    )


def sort_rows(table: statistics.Table, key: str | None, direction: str) -> None:
    reverse = direction == "giam"
    if key == "label":
        table.rows.sort(key=lambda row: row.label.casefold(), reverse=reverse)
        return
    if key not in statistics.COLUMNS and key != "same_period":
        return

    def value(row):
        v = row.same_period if key == "same_period" else row.figures[key]
        return (v is not None, v if v is not None else 0, row.label.casefold())

    table.rows.sort(key=value, reverse=reverse)


def statistics_file(table: statistics.Table, fmt: str, user) -> Response:
    body, mimetype, name = exports.statistics_download(table, fmt, user)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


class _StatisticsView(BaseView):
    default_view = "list"
    template = "statistics/table.html"
    method_permission_name = {"list": "list", "export": "list"}

    def _table(self, by: str, compare: bool):
        preset, period, errors = parse_period(request.args)
        criteria = parse_criteria(request.args)
        table = statistics.summary(g.user, period, by, criteria, compare=compare)
        sort_rows(table, request.args.get("sap_xep"),
                  request.args.get("chieu") if request.args.get("chieu") in SORT_DIRECTIONS
                  else "tang")
        return preset, table, criteria, errors

    def _page(self, by: str, title: str, compare: bool, groupings=()):
        preset, table, criteria, errors = self._table(by, compare)
        for message in errors:
            flash(message, "warning")
        args = {k: v for k, v in request.args.items()
                if k in ("ky", "tu_ngay", "den_ngay", "nguon", "linh_vuc", "tu_khoa", "theo") and v}
        queue_args = {"tab": "tat-ca", "tu_ngay": local_date(table.period.first),
                      "den_ngay": local_date(table.period.last)}
        queue_args.update({k: v for k, v in (("nguon", criteria.source_id),
                                             ("linh_vuc", criteria.field_id),
                                             ("tu_khoa", criteria.keyword)) if v})
        return self.render_template(
            self.template, title=title, table=table, columns=statistics.COLUMNS,
            groupings={k: statistics.GROUPINGS[k] for k in groupings}, preset=preset,
            presets=statistics.PRESETS, args=args, criteria=criteria,
            sources=_catalogue(Source), fields=_catalogue(Field),
            sort=request.args.get("sap_xep"), direction=request.args.get("chieu") or "tang",
            queue_endpoint=f"{QUEUE_VIEW_NAMES['tat-ca']}.list", queue_args=queue_args,
            change_percent=statistics.change_percent,
        )


class SummaryView(_StatisticsView):
    """"Tổng hợp": the per-unit table."""

    route_base = "/thong-ke/tong-hop"
    class_permission_name = "StatisticsSummary"

    @expose("/")
    @has_access
    def list(self):
        return self._page("unit", "Tổng hợp", compare=False)

    @expose("/xuat")
    @has_access
    def export(self):
        _, table, _, _ = self._table("unit", compare=False)
        return statistics_file(table, request.args.get("dinh_dang", "xlsx"), g.user)


def _grouping(args) -> str:
    by = args.get("theo")
    return by if by in STATISTICS_GROUPINGS else "field"


class StatisticsView(_StatisticsView):
    """"Thống kê": by field, source, month or status, with the same period a year before."""

    route_base = "/thong-ke"
    class_permission_name = "Statistics"

    @expose("/")
    @has_access
    def list(self):
        return self._page(_grouping(request.args), "Thống kê", compare=True,
                          groupings=STATISTICS_GROUPINGS)

    @expose("/xuat")
    @has_access
    def export(self):
        by = _grouping(request.args)
        _, table, _, _ = self._table(by, compare=True)
        return statistics_file(table, request.args.get("dinh_dang", "xlsx"), g.user)


class ChartView(BaseView):
    """"Biểu đồ phản ánh": the figures drawn by Chart.js (app/static/vendor/chartjs)."""

    route_base = "/thong-ke/bieu-do"
    class_permission_name = "StatisticsChart"
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        args = request.args if request.args.get("ky") or request.args.get("tu_ngay") \
            else {**request.args, "ky": "nam-nay"}
        preset, period, errors = parse_period(args)
        for message in errors:
            flash(message, "warning")
        criteria = parse_criteria(request.args)
        data = statistics.charts(g.user, period, criteria)
        return self.render_template(
            "statistics/charts.html", title="Biểu đồ phản ánh", data=data, preset=preset,
            presets=statistics.PRESETS, period=period, criteria=criteria,
            args={k: v for k, v in args.items() if v}, sources=_catalogue(Source),
            fields=_catalogue(Field), small_limit=statistics.SMALL_UNIT_ITEMS,
        )


class QueueExportView(BaseView):
    """A queue's tab as .xlsx or .csv, with the page's filters, within the person's scope."""

    route_base = "/phan-anh/xuat"
    class_permission_name = "Report"
    method_permission_name = {"export": "show"}

    @expose("/<string:queue_key>")
    @has_access
    def export(self, queue_key: str):
        queue = queue_service.QUEUES_BY_KEY.get(queue_key)
        if queue is None or not appbuilder.sm.has_access("can_list", queue.permission):
            abort(404)
        filters, errors = parse_filters(request.args)
        if errors:
            abort(400, description=" ".join(errors))
        tab = queue.tab(request.args.get("tab"))
        fmt = request.args.get("dinh_dang", "xlsx")
        body, mimetype, name = queue_export(g.user, queue, tab, filters, fmt)
        return Response(stream_with_context(body), mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def register_statistics_views(appbuilder, category: str) -> None:
    """"Biểu đồ phản ánh", "Tổng hợp", "Thống kê" in the letter's menu, after the queues."""
    appbuilder.add_view(ChartView, "Biểu đồ phản ánh", icon="fa-bar-chart", category=category)
    appbuilder.add_view(SummaryView, "Tổng hợp", icon="fa-table", category=category)
    appbuilder.add_view(StatisticsView, "Thống kê", icon="fa-line-chart", category=category)
    appbuilder.add_view_no_menu(QueueExportView)
