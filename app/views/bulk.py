"""Bulk actions from the queues: "Thao tác với các phản ánh đã chọn".

The queue page (reports/_bulk.html) posts the chosen action and the checked ids here. Then:

    1. the action's inputs, given once (skipped when the action needs none);
    2. the confirmation: what will happen to which report, each report's version kept in the
       form, nothing changed yet;
    3. the answer: how many were done, and for each one that was not, its title and why.

Every step is a POST with the CSRF token; the ids are read from the request and each report
goes through the workflow service (app.services.bulk → apply_action) like a single action, so
scope, permission, state and version are checked per report, never bypassed.
"""
from __future__ import annotations

from flask import g, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload

from ..domain import calendar
from ..domain.workflow import ACTION_LABELS, STATUS_LABELS, Action, transitions_for
from ..extensions import db
from ..formatting import local_date
from ..models import Field, Report, Source, Unit
from ..models.base import utcnow
from ..services import bulk
from ..services import calendar as calendar_service
from ..services.workflow import ActionRequest, WorkflowError
from .reports import _catalogue, _parse_int, _unit_groups

URL = "/phan-anh/thao-tac/"
# What each step asks for: the inputs the table lets the person give once for the selection.
# "Phê duyệt" and "Đăng tải kết quả" take each report's own result; so no text is asked.
INPUTS = {
    Action.RECEIVE: ("field_id", "source_id"),
    Action.REJECT: ("reason",),
    Action.DISTRIBUTE: ("unit_id", "follow_unit_ids", "content"),
}
BUTTONS = {
    Action.RECEIVE: "Tiếp nhận", Action.REJECT: "Không tiếp nhận", Action.DISTRIBUTE: "Phân phối",
    Action.ACCEPT: "Thực hiện tiếp nhận", Action.APPROVE: "Phê duyệt",
    Action.PUBLISH: "Đăng tải", Action.FOLLOW_DONE: "Đã thực hiện theo dõi",
}


# --- The queue page's part (a Jinja global used by reports/_bulk.html) ---------------------

def bulk_selection(items) -> dict | None:
    """What the queue page needs for its checkboxes: per report of the page, the bulk actions
    the table allows the signed-in person now; None for a person who may do none (no checkbox
    column at all, e.g. the viewer)."""
    user = getattr(g, "user", None)
    if user is None or not user.is_authenticated:
        return None
    possible = [a for a in bulk.BULK_ACTIONS if bulk.may_ever(user, a)]
    if not possible:
        return None
    reports = [item["report"] for item in items]
    if reports:
        # The follow-up links decide who a follower is: one query for the page, not one per row
        # (the reports are loaded already: only their ids are read again).
        db.session.execute(
            select(Report).where(Report.id.in_([r.id for r in reports]))
            .options(load_only(Report.id), selectinload(Report.unit_links))
        ).scalars().all()
    choices = bulk.bulk_choices(user, reports)
    offered = {code for codes in choices.values() for code in codes}
    return {
        "choices": {rid: " ".join(codes) for rid, codes in choices.items()},
        "actions": [(a.value, ACTION_LABELS[a]) for a in possible if a.value in offered],
        "url": URL,
        "back": request.full_path.rstrip("?"),
    }


# --- The steps --------------------------------------------------------------------------------

def _back(raw: str | None) -> str:
    """Where "Quay lại danh sách" goes: a queue page of this site, never another host."""
    raw = raw or ""
    return raw if raw.startswith("/phan-anh/") and "//" not in raw and "\\" not in raw else "/"


def _given(action: Action, form) -> dict:
    """The inputs typed once for the whole selection, as the form sends them."""
    names = INPUTS.get(action, ())
    given = {
        "field_id": _parse_int(form.get("field_id")) if "field_id" in names else None,
        "source_id": _parse_int(form.get("source_id")) if "source_id" in names else None,
        "unit_id": _parse_int(form.get("unit_id")) if "unit_id" in names else None,
        "follow_unit_ids": [i for i in (_parse_int(v) for v in form.getlist("follow_unit_ids"))
                            if i is not None] if "follow_unit_ids" in names else [],
        "reason": (form.get("reason") or "").strip() or None if "reason" in names else None,
        "content": (form.get("content") or "").strip() or None if "content" in names else None,
    }
    return given


def _missing(action: Action, given: dict) -> list[str]:
    """Inputs the action needs that were not given (for "Tiếp nhận", field and source may be
    left to each report's own)."""
    needs = set().union(*(t.needs for t in transitions_for(action))) - {"field_id", "source_id"}
    labels = {"unit_id": "Đơn vị xử lý", "reason": "Lý do", "content": "Nội dung"}
    return [labels.get(n, n) for n in sorted(needs) if not given.get(n)]


def _name(model, ident) -> str | None:
    if not ident:
        return None
    row = db.session.get(model, ident)
    return row.name if row is not None and row.active else None


def _plan(user, action: Action, ids: list[int], given: dict) -> list[dict]:
    """The confirmation's rows: each selected report as the person may see it and what the
    action will do to it; a report outside the person's scope shows only its id."""
    reports = bulk.visible_selection(user, ids)
    choices = bulk.bulk_choices(user, list(reports.values()))
    now = utcnow()
    exceptions = calendar_service.exceptions() if action == Action.DISTRIBUTE else None
    transition = transitions_for(action)[0]
    rows = []
    for report_id in ids:
        report = reports.get(report_id)
        if report is None:
            rows.append({"id": report_id, "report": None, "ok": False,
                         "what": bulk.OUT_OF_SCOPE})
            continue
        ok = action.value in choices.get(report_id, [])
        what = []
        if not ok:
            what.append(f"Không thực hiện được: phản ánh đang ở trạng thái “{report.status_label}”"
                        " hoặc không thuộc phần việc của bạn.")
        else:
            if transition.target is not None:
                what.append(f"{report.status_label} → {STATUS_LABELS[transition.target]}")
            if action == Action.RECEIVE:
                field = _name(Field, given["field_id"]) or (report.field.name if report.field else None)
                source = _name(Source, given["source_id"]) or (report.source.name if report.source else None)
                what.append(f"Lĩnh vực: {field or '(chưa có — cần chọn)'}; Nguồn: {source or '(chưa có — cần chọn)'}")
            elif action == Action.DISTRIBUTE:
                days = report.field.handling_days if report.field else calendar.DEFAULT_HANDLING_DAYS
                due = calendar.window_end(now, days, exceptions)
                what.append(f"Hạn xử lý: {local_date(due)} ({days} ngày làm việc)")
            elif action in (Action.APPROVE, Action.PUBLISH):
                result = report.result or ""
                label = "Kết quả đăng tải" if action == Action.PUBLISH else "Kết quả xử lý"
                what.append(f"{label}: {result[:300]}{'…' if len(result) > 300 else ''}"
                            if result else f"{label}: (chưa có kết quả)")
        rows.append({"id": report_id, "report": report, "ok": ok, "what": what,
                     "version": report.version})
    return rows


class BulkActionView(BaseView):
    """The steps of a bulk action (no menu entry: reached from the queues)."""

    route_base = "/phan-anh/thao-tac"
    class_permission_name = "Report"
    method_permission_name = {"steps": "show"}  # each report's own can_<action> is checked later
    default_view = "steps"

    def _render(self, status=200, **context):
        return self.render_template("reports/bulk.html", **context), status

    @expose("/", methods=["POST"])
    @has_access
    def steps(self):
        user = g.user
        form = request.form
        back = _back(form.get("quay_lai"))
        step = form.get("buoc") or "chon"
        try:
            action = bulk.parse_action(form.get("action") or "")
            ids = bulk.parse_ids(form.getlist("ids"))
        except WorkflowError as exc:
            return self._render(400, stage="loi", error=exc.message, back=back)
        given = _given(action, form)
        context = dict(action=action, label=ACTION_LABELS[action], button=BUTTONS[action],
                       ids=ids, given=given, back=back, inputs=INPUTS.get(action, ()))

        if step == "chon" and action in INPUTS:
            return self._inputs(user, context)
        missing = _missing(action, given)
        if missing:
            return self._inputs(user, context, error="Vui lòng nhập: " + ", ".join(missing) + ".",
                                status=400)
        if step in ("chon", "xem-lai"):
            return self._confirmation(user, context)
        if step != "thuc-hien":
            return self._render(400, stage="loi", error="Bước không hợp lệ.", back=back)

        versions = {}
        for report_id in ids:
            version = _parse_int(form.get(f"version_{report_id}"))
            if version is not None:
                versions[report_id] = version
        template = ActionRequest(action=action.value, **given)
        outcomes = bulk.apply_to_each(user, action, ids, template, versions=versions)
        done = [o for o in outcomes if o.done]
        return self._render(stage="ket-qua", outcomes=outcomes, done=done,
                            refused=[o for o in outcomes if not o.done], **context)

    def _inputs(self, user, context, *, error=None, status=200):
        inputs = context["inputs"]
        reports = bulk.visible_selection(user, context["ids"])
        return self._render(
            status, stage="nhap", error=error,
            titles=[reports[i].title for i in context["ids"] if i in reports],
            fields=_catalogue(Field) if "field_id" in inputs else [],
            sources=_catalogue(Source) if "source_id" in inputs else [],
            unit_groups=_unit_groups() if "unit_id" in inputs else [], **context)

    def _confirmation(self, user, context):
        given = context["given"]
        summary = []
        if given.get("unit_id"):
            summary.append(("Đơn vị xử lý", _name(Unit, given["unit_id"]) or "(không hợp lệ)"))
        if given.get("follow_unit_ids"):
            names = [_name(Unit, i) or "(không hợp lệ)" for i in given["follow_unit_ids"]]
            summary.append(("Đơn vị theo dõi", "; ".join(names)))
        if given.get("content"):
            summary.append(("Nội dung phân phối", given["content"]))
        if given.get("reason"):
            summary.append(("Lý do", given["reason"]))
        if context["action"] == Action.RECEIVE:
            summary.append(("Lĩnh vực", _name(Field, given["field_id"])
                            or "giữ lĩnh vực của từng phản ánh"))
            summary.append(("Nguồn", _name(Source, given["source_id"])
                            or "giữ nguồn của từng phản ánh"))
        rows = _plan(user, context["action"], context["ids"], given)
        return self._render(stage="xac-nhan", rows=rows, summary=summary,
                            will_do=sum(1 for r in rows if r["ok"]), **context)


def register_bulk_views(appbuilder) -> None:
    from flask import current_app

    appbuilder.add_view_no_menu(BulkActionView)
    current_app.add_template_global(bulk_selection, "bulk_selection")
