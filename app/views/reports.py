"""The letter's report screens: the queues of the left menu "Phản ánh, kiến nghị" with their
badges, the report page (tabs Thông tin phản ánh | Xử lý | Nhật ký trao đổi), attachments, and
the centre's intake form. Thin views: every rule lives in app.services (scope, workflow, queues).

URL map (all behind FAB's login and permissions, scope re-checked on every path):

    /phan-anh/tiep-nhan/ … /phan-anh/tat-ca/   the queues (QUEUES), ?tab=cho|da, filters, ?trang=
    /phan-anh/<id>                             the report page; POST = an action of "Thao tác"
    /phan-anh/<id>/tep/<attachment id>         a file of the report (images inline: thumbnails)
    /phan-anh/tiep-nhan-moi/                   the centre's intake form "Tiếp nhận phản ánh mới"
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from functools import lru_cache

from flask import (
    abort, flash, g, redirect, render_template, request, send_file, session, url_for,
)
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import (
    BooleanField, HiddenField, MultipleFileField, SelectField, SelectMultipleField, StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..domain.calendar import LOCAL_TZ, UTC
from ..domain.workflow import ACTION_LABELS, STATUS_LABELS, Action, Status
from ..extensions import db
from ..formatting import local_datetime
from ..models import (
    Attachment, AttachmentStage, Field, Report, ReportEvent, ReportUnit, ReportUnitKind, Source,
    Unit,
)
from ..models.base import utcnow
from ..models.catalogue import UNIT_KIND_LABELS, UnitKind
from ..models.report import ATTACHMENT_STAGE_LABELS
from ..ops import page_cache
from ..security.permissions import views_with
from ..services import attachments as attachment_store
from ..services import queues as queue_service
from ..services.scope import get_visible_report, reporter_of, sees_all, shows_reporter
from ..services.workflow import (
    LOG_SHOWN, ActionRequest, NewReport, WorkflowError, actions_available, apply_action,
    create_report, is_overdue, recent_events,
)
from ..validators import EmailAddress, VietnamesePhone

log = logging.getLogger(__name__)

# The menu category holding the queues (set by register_report_views from registry.py).
_menu_category = {"name": "Phản ánh, kiến nghị"}
THUMBNAIL_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def _user():
    return g.user


# --- Menu badges and the left menu (Jinja globals, computed once per request) --------------

def menu_access() -> set[str]:
    """Names of the menu entries the signed-in person may see, from the permissions read once
    per request (FAB's navbar would ask once per entry)."""
    if "_menu_access" not in g:
        from ..extensions import appbuilder

        names = list(dict.fromkeys(appbuilder.menu.get_flat_name_list()))
        user = getattr(g, "user", None)
        if user is not None and user.is_authenticated:
            g._menu_access = set(names) & views_with(user, "menu_access")
        else:  # the public role's entries
            g._menu_access = set(appbuilder.sm.get_user_menu_access(names))
    return g._menu_access


def _openable_queues() -> list[queue_service.Queue]:
    """The queues whose page the signed-in person may open (their menu entries are derived from
    their pages' can_list by app/security/roles.py)."""
    user = getattr(g, "user", None)
    if user is None or not user.is_authenticated:
        return []
    allowed = menu_access()
    return [q for q in queue_service.QUEUES if q.title in allowed]


def current_badges() -> dict[str, queue_service.Badge]:
    if "_queue_badges" not in g:
        g._queue_badges = queue_service.badges(_user(), _openable_queues())
    return g._queue_badges


def _badge_markup(badge: queue_service.Badge | None) -> Markup:
    if badge is None:
        return Markup("")
    # Plain strings: Markup.format costs more than the rest of a menu entry (15 a page).
    new = ' <span class="label label-danger badge-new-mark">NEW</span>' if badge.new else ""
    return Markup(f' <span class="queue-badge"><span class="queue-count">{escape(badge.text)}'
                  f'</span>{new}</span>')


def queue_badge(item) -> Markup:
    """The "(to act on / total)" badge and NEW mark of a menu entry that is a queue, or the
    badge another view declares (``menu_badge``: the unread notices of "Thông báo")."""
    view = getattr(item, "baseview", None)
    queue = getattr(view, "queue", None)
    if queue is None:
        return view.menu_badge() if getattr(view, "menu_badge", None) else Markup("")
    try:
        return _badge_markup(current_badges().get(queue.key))
    except Exception:  # a menu must render even when the page itself is an error page
        log.exception("Không tính được số phản ánh của hàng đợi %s", queue.key)
        db.session.rollback()
        return Markup("")


_BADGE_MARK = "\x00"


@lru_cache(maxsize=64)  # some role mixes, not one per person
def _top_menu_parts(visible: frozenset[str], script_root: str) -> tuple[list[str], list]:
    """The top menu's HTML for a set of visible entries, split where the badges go, and the
    entries whose badges go there. Its entries, links and labels change only with the code,
    and rendering them entry by entry cost some 2–3 ms of every page (more for an
    administrator's 40 entries)."""
    from ..extensions import appbuilder

    items: list = []

    def mark(item) -> Markup:
        items.append(item)
        return Markup(_BADGE_MARK)

    html = render_template("appbuilder/_menu_entries.html", menu=appbuilder.menu, badge=mark)
    return html.split(_BADGE_MARK), items


def top_menu() -> Markup:
    """FAB's top menu for the signed-in person, with this request's badges."""
    parts, items = _top_menu_parts(frozenset(menu_access()), request.script_root)
    html = [parts[0]]
    for item, part in zip(items, parts[1:]):
        html += [queue_badge(item), part]
    return Markup("".join(html))


def report_menu() -> list[dict]:
    """The entries of the left menu "Phản ánh, kiến nghị" this person may open, with badges."""
    from ..extensions import appbuilder

    category = appbuilder.menu.find(_menu_category["name"])
    user = getattr(g, "user", None)
    if category is None or user is None or not user.is_authenticated:
        return []
    children = [c for c in category.childs if c.name != "-"]
    allowed = menu_access()
    entries = []
    for item in children:
        if item.name not in allowed or not item.should_render():
            continue
        url = item.get_url()
        entries.append({
            "label": item.label or item.name, "url": url, "icon": item.icon,
            "badge": queue_badge(item),
            "active": bool(url) and request.path.rstrip("/") == url.rstrip("/"),
        })
    return entries


def may_take_in() -> bool:
    """May the signed-in person take a new report in (the authorization point decides)?"""
    from ..extensions import appbuilder

    return appbuilder.sm.may_take_in(_user())


def alert_panel(user) -> list[dict]:
    """The Cảnh báo panel: four counts of the person's scope, each linking to its queue."""
    counts = queue_service.alert_counts(user)
    openable = {q.key for q in _openable_queues()}
    unit_person = not sees_all(user)
    # Where each alert's reports are listed, in order of preference (the first one openable).
    targets = {
        "moi": [("xu-ly", {"tinh_trang": "moi"})] if unit_person else [("tiep-nhan", {})],
        "chua-xu-ly": [("xu-ly", {})] if unit_person else [],
        "qua-han": [("xu-ly", {"tinh_trang": "qua-han"})] if unit_person else [],
        "theo-doi": [("theo-doi", {})] if unit_person else [],
    }
    panel = []
    for key, label in queue_service.CONDITIONS.items():
        url = None
        for queue_key, args in targets[key] + [("tat-ca", {"tinh_trang": key, "tab": "tat-ca"})]:
            if queue_key in openable:
                url = url_for(f"{QUEUE_VIEW_NAMES[queue_key]}.list", **args)
                break
        panel.append({"key": key, "label": label, "count": counts[key], "url": url})
    return panel


# --- Queue pages ------------------------------------------------------------------------------

def _parse_date(raw: str | None, label: str, errors: list[str]) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    errors.append(f"{label} “{raw}” không hợp lệ, vui lòng nhập theo dạng dd/mm/yyyy.")
    return None


def _parse_int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


# The query arguments of a queue page kept in its links (tabs, paging, "Bỏ lọc").
FILTER_ARGS = ("tab", "tu_ngay", "den_ngay", "nguon", "linh_vuc", "tu_khoa", "trang_thai",
               "tinh_trang", "don_vi")


def parse_filters(args) -> tuple[queue_service.Filters, list[str]]:
    errors: list[str] = []
    filters = queue_service.Filters(
        date_from=_parse_date(args.get("tu_ngay"), "Từ ngày", errors),
        date_to=_parse_date(args.get("den_ngay"), "Đến ngày", errors),
        source_id=_parse_int(args.get("nguon")),
        field_id=_parse_int(args.get("linh_vuc")),
        keyword=(args.get("tu_khoa") or "").strip()[:200] or None,
        status=args.get("trang_thai") or None,
        condition=args.get("tinh_trang") if args.get("tinh_trang") in queue_service.CONDITIONS
        else None,
        unit_id=_parse_int(args.get("don_vi")),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append(f"“Từ ngày” ({filters.date_from:%d/%m/%Y}) sau “Đến ngày” "
                      f"({filters.date_to:%d/%m/%Y}): không có phản ánh nào trong khoảng này, "
                      "vui lòng chọn lại.")
    return filters, errors


def _catalogue(model):
    return db.session.execute(
        select(model.id, model.name).where(model.active.is_(True)).order_by(model.name)
    ).all()


class QueueView(BaseView):
    """One queue of the letter's left menu: tabs, filters, 20 rows a page."""

    queue: queue_service.Queue
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        url = request.full_path.rstrip("?")
        if session.get(QUEUE_URL_KEY) != url:  # where the report page's "Quay lại" goes
            session[QUEUE_URL_KEY] = url
        return page_cache.page(self._page)

    def _page(self):
        user = _user()
        queue = self.queue
        tab = queue.tab(request.args.get("tab"))
        filters, errors = parse_filters(request.args)
        for message in errors:
            flash(message, "warning")
        page = max(_parse_int(request.args.get("trang")) or 1, 1)
        badge = current_badges().get(queue.key)
        seen_before = badge.seen_at if badge else None
        # Opened now: recorded when it held something new (otherwise the last opening says the
        # same, and a page that writes nothing can be kept, app/ops/page_cache.py).
        opened_new = badge is None or badge.new
        if badge:
            badge.new = False  # the menu of this very page shows it seen
        counts = queue_service.tab_counts(user, queue, filters, tab)
        total = counts[tab.key]
        pages = queue_service.page_count(total)
        if page > pages and total.n:
            flash(f"Chỉ xem được {pages} trang đầu; vui lòng lọc thêm (ngày, nguồn, lĩnh vực, "
                  "từ khóa) để thu hẹp danh sách.", "info")
            page = pages
        rows = queue_service.list_page(user, queue, tab, filters, page,
                                       few=bool(filters.keyword) and not total.more)
        now = utcnow()
        back = queue_service.back_notes(
            [row.report.id for row in rows if row.report.status == Status.RECEIVED.value])
        items = [
            {
                "row": row,
                "report": row.report,
                "reporter": reporter_of(user, row.report),
                "overdue": is_overdue(row.report, now),
                "new": queue_service.is_new(row, tab, queue, seen_before),
                "back": back.get(row.report.id),
                "stt": (page - 1) * queue_service.PAGE_SIZE + i + 1,
            }
            for i, row in enumerate(rows)
        ]
        args = {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}
        page_html = self.render_template(
            "reports/queue.html", queue=queue, tab=tab, items=items, total=total, page=page,
            tab_counts=counts,
            pages=pages, args=args, filters=filters, badge=badge,
            columns=[(key, queue_service.COLUMNS[key]) for key in queue.columns],
            sources=_catalogue(Source), fields=_catalogue(Field),
            statuses=list(STATUS_LABELS.items()),
            condition_label=queue_service.CONDITIONS.get(filters.condition or ""),
            may_take_in=may_take_in(), page_size=queue_service.PAGE_SIZE,
            clear_condition_args={k: v for k, v in args.items() if k != "tinh_trang"},
        )
        if opened_new:  # after rendering: the commit would otherwise expire and reload the user
            queue_service.mark_seen(user, queue)
        return page_html


def _queue_view(queue: queue_service.Queue) -> type[QueueView]:
    return type(f"{queue.permission}View", (QueueView,), {
        "queue": queue,
        "route_base": f"/phan-anh/{queue.key}",
        "class_permission_name": queue.permission,
        "__doc__": f"Hàng đợi “{queue.title}”.",
    })


QUEUE_VIEWS = [_queue_view(q) for q in queue_service.QUEUES]
QUEUE_VIEW_NAMES = {view.queue.key: view.__name__ for view in QUEUE_VIEWS}


# --- The report page --------------------------------------------------------------------------

# How the one text box of the form is called for each action (UI wording, not rules).
CONTENT_LABELS = {
    Action.RECEIVE: "Nội dung phản ánh",
    Action.DISTRIBUTE: "Nội dung phân phối",
    Action.ACCEPT: "Ghi chú",
    Action.SUBMIT: "Nội dung xử lý",
    Action.APPROVE: "Nội dung xử lý",
    Action.PUBLISH: "Nội dung đăng tải",
    Action.COMMENT: "Nội dung trao đổi",
    Action.FOLLOW_DONE: "Nội dung phản hồi",
    Action.REPLY: "Nội dung trả lời (người phản ánh đọc được)",
}
# What cannot be undone is named on its button and confirmed before it is sent (forms.js).
BUTTON_LABELS = {Action.APPROVE: "Duyệt", Action.REJECT: "Không tiếp nhận",
                 Action.PUBLISH: "Đăng tải", Action.REOPEN: "Mở lại"}
DEFAULT_BUTTON = "Cập nhật"
CONFIRMATIONS = {
    Action.REJECT: "Phản ánh sẽ kết thúc ở trạng thái “Không tiếp nhận”: không thể tiếp nhận, "
                   "phân phối hay xử lý tiếp, chỉ còn trao đổi. Bạn chắc chắn không tiếp nhận "
                   "phản ánh này?",
    Action.PUBLISH: "Kết quả sẽ được đăng tải công khai cho người dân trên cổng thông tin. "
                    "Bạn chắc chắn đăng tải kết quả này?",
    Action.REOPEN: "Phản ánh sẽ trở lại “Chờ phân phối” để phân phối, xử lý lại; kết quả đã đăng "
                   "tải không còn là kết quả hiện tại (vẫn lưu trong nhật ký trao đổi). Bạn chắc "
                   "chắn mở lại phản ánh này?",
}
OWN_CHANGE_MESSAGE = ("Bạn đã cập nhật phản ánh này lúc {time}; trang dưới đây là phản ánh sau "
                      "lần cập nhật đó. Vui lòng xem lại trước khi thực hiện thao tác khác.")
FORM_INPUTS = ("title", "content", "reason", "unit_id", "follow_unit_ids", "field_id",
               "source_id", "files")


class ActionForm(FlaskForm):
    """The "Xử lý" tab's form; what each action needs is checked by the workflow service."""

    class Meta:
        locales = ("vi",)

    action = SelectField("Thao tác", validate_choice=False)
    title = StringField("Tiêu đề", validators=[Optional(), Length(max=500)])
    content = TextAreaField("Nội dung xử lý")
    reason = TextAreaField("Lý do")
    unit_id = SelectField("Đơn vị xử lý", validate_choice=False)
    follow_unit_ids = SelectMultipleField("Đơn vị theo dõi", validate_choice=False)
    field_id = SelectField("Lĩnh vực", validate_choice=False)
    source_id = SelectField("Nguồn", validate_choice=False)
    files = MultipleFileField("File đính kèm")
    version = HiddenField()


def _load_report(user, report_id) -> Report:
    report = get_visible_report(user, report_id)
    if report is None:
        abort(404)
    return report


def _prefills(report: Report) -> dict[str, str]:
    """Text the "Nội dung" box starts with for an action, as the letter shows for "Phê duyệt"."""
    return {
        Action.RECEIVE.value: report.content or "",
        Action.APPROVE.value: report.result or "",
        Action.PUBLISH.value: report.public_result or report.result or "",
    }


def _unit_groups():
    units = db.session.execute(
        select(Unit.id, Unit.name, Unit.kind)
        .where(Unit.active.is_(True), Unit.kind != UnitKind.CENTER.value)
        .order_by(Unit.kind, Unit.name)
    ).all()
    order = {kind: i for i, kind in enumerate(UNIT_KIND_LABELS)}  # departments first, as the letter
    groups: dict[str, list] = {}
    for unit_id, name, kind in sorted(units, key=lambda u: (order.get(u.kind, 99), u.name)):
        groups.setdefault(UNIT_KIND_LABELS.get(kind, kind), []).append((unit_id, name))
    return list(groups.items())


def report_page_context(user, report: Report, form: ActionForm | None = None, *,
                        error: str | None = None, files_lost: bool = False) -> dict:
    """What the report page shows; ``form`` carries what the person typed when an action
    failed."""
    report = db.session.execute(
        select(Report).where(Report.id == report.id)
        .options(joinedload(Report.source), joinedload(Report.field), joinedload(Report.unit),
                 joinedload(Report.received_by),
                 selectinload(Report.unit_links).joinedload(ReportUnit.unit))
    ).unique().scalar_one()
    transitions = actions_available(user, report)
    # A long log shows its newest lines; "Xem toàn bộ nhật ký" asks for all of them.
    events, log_total = recent_events(
        report, None if request.args.get("nhat_ky") == "tat-ca" else LOG_SHOWN)
    rows = db.session.execute(
        select(Attachment, ReportEvent.created_at)
        .outerjoin(ReportEvent, ReportEvent.id == Attachment.event_id)
        .where(Attachment.report_id == report.id).order_by(Attachment.id)
    ).all()
    files = [f for f, _ in rows]
    event_time = {f.event_id: at for f, at in rows if f.event_id is not None}
    files_by_event: dict[int, list[Attachment]] = {}
    for f in files:
        if f.event_id is not None:
            files_by_event.setdefault(f.event_id, []).append(f)

    inputs_of = {t.action.value: sorted(t.needs | t.accepts) for t in transitions}
    needs_of = {t.action.value: sorted(t.needs) for t in transitions}
    wanted = set().union(*(set(v) for v in inputs_of.values())) if inputs_of else set()
    # Text the person typed stays on the page, even if the action it was for is gone meanwhile.
    kept = set()
    if form is not None:
        kept = {name for name in ("title", "content", "reason")
                if (getattr(form, name).data or "").strip()}
        wanted |= kept
    if form is None:
        form = ActionForm(formdata=None)
        form.version.data = str(report.version)
        form.title.data = report.title
        if report.field_id:
            form.field_id.data = str(report.field_id)
        if report.source_id:
            form.source_id.data = str(report.source_id)
        default_unit = report.field.default_unit_id if report.field else None
        if default_unit:
            form.unit_id.data = str(default_unit)
    chosen = form.action.data or ""
    now_at_unit = report.unit_id is not None and report.distributed_at is not None
    shows_result = report.status in RESULT_STATES
    round_start = report.distributed_at if now_at_unit else None
    return dict(
        report=report, form=form, error=error, files_lost=files_lost,
        active_tab="xu-ly" if error else request.args.get("tab") or "thong-tin",
        reporter=reporter_of(user, report), reporter_hidden=not shows_reporter(user, report),
        confidential_note=report.confidential and shows_reporter(user, report),
        transitions=transitions, action_labels={k.value: v for k, v in ACTION_LABELS.items()},
        inputs_of=inputs_of, needs_of=needs_of, wanted=wanted, chosen=chosen, kept=kept,
        content_labels={k.value: v for k, v in CONTENT_LABELS.items()},
        button_labels={k.value: v for k, v in BUTTON_LABELS.items()},
        confirmations={k.value: v for k, v in CONFIRMATIONS.items()},
        default_button=DEFAULT_BUTTON, prefills=_prefills(report),
        unit_groups=_unit_groups() if "unit_id" in wanted or "follow_unit_ids" in wanted else [],
        fields=_catalogue(Field) if "field_id" in wanted else [],
        sources=_catalogue(Source) if "source_id" in wanted else [],
        selected_follow={str(v) for v in (form.follow_unit_ids.data or [])},
        events=events, log_total=log_total, files_by_event=files_by_event,
        citizen_files=[f for f in files if f.stage == AttachmentStage.CITIZEN],
        # The report as it is now (after a return or a reopen, the earlier round's window,
        # follow-ups and results are history: they stay in the log, not in these lines).
        now_at_unit=now_at_unit, shows_result=shows_result,
        shows_public_result=report.status == Status.PUBLISHED.value,
        result_files=[f for f in files
                      if shows_result
                      and f.stage in (AttachmentStage.PROCESSING, AttachmentStage.APPROVAL)
                      and (round_start is None or f.event_id is None
                           or event_time.get(f.event_id, round_start) >= round_start)],
        stage_labels=ATTACHMENT_STAGE_LABELS, thumbnail_types=THUMBNAIL_TYPES,
        follow_links=[link for link in report.unit_links
                      if round_start is not None and link.kind == ReportUnitKind.FOLLOW
                      and (link.done_at is None or link.done_at >= round_start)],
        overdue=is_overdue(report), back_url=_queue_back_url(),
        # "Nội dung trao đổi": the latest exchange with something to read (a "Thực hiện tiếp
        # nhận" without a note would show an empty line; the letter shows the distribution).
        latest_event=next((e for e in events if (e.content or "").strip() or e.target_unit_name
                           or files_by_event.get(e.id)), None),
    )


# States in which the report's "Kết quả xử lý" is the current round's result.
RESULT_STATES = frozenset(s.value for s in (Status.PENDING_APPROVAL, Status.APPROVED,
                                             Status.PUBLISHED))
QUEUE_URL_KEY = "report_queue_url"


def _queue_back_url() -> str:
    """"Quay lại danh sách": the queue page last opened, with its tab, filters and page."""
    url = session.get(QUEUE_URL_KEY)
    if url and url.startswith("/phan-anh/"):
        return url
    queues = _openable_queues()
    return url_for(f"{QUEUE_VIEW_NAMES[queues[0].key]}.list") if queues else "/"


def _action_request(form: ActionForm, inputs: set[str] | None) -> ActionRequest:
    """The form's values as an ActionRequest, keeping only what the chosen action takes (a
    hidden input of another action, filled before the person changed their mind, is ignored)."""

    def keep(name):
        return inputs is None or name in inputs

    files = [f for f in (request.files.getlist("files") or []) if f and f.filename]
    return ActionRequest(
        action=form.action.data or "",
        title=form.title.data if keep("title") else None,
        content=form.content.data if keep("content") else None,
        reason=form.reason.data if keep("reason") else None,
        unit_id=_parse_int(form.unit_id.data) if keep("unit_id") else None,
        follow_unit_ids=[i for i in (_parse_int(v) for v in form.follow_unit_ids.data or [])
                         if i is not None] if keep("follow_unit_ids") else [],
        field_id=_parse_int(form.field_id.data) if keep("field_id") else None,
        source_id=_parse_int(form.source_id.data) if keep("source_id") else None,
        version=_parse_int(form.version.data),
        files=files if keep("files") else [],
    )


def _queues_holding(user, status: str, unit_id: int | None) -> set[str]:
    """Keys of the person's queues (arrival = last change) whose waiting tab holds a report in
    ``status`` assigned to ``unit_id``."""
    mine = unit_id is not None and unit_id == getattr(user, "unit_id", None)
    return {q.key for q in _openable_queues()
            if not (q.follow or q.feedback) and q.arrival == "updated_at"
            and q.waiting.cond.matches(status, mine, True)}


def _own_action_is_no_arrival(user, report_id: int, held_before: set[str],
                              badges_before: dict[str, queue_service.Badge]) -> None:
    """A person's own action that leaves the report in the same waiting tab (the handler's
    "Thực hiện tiếp nhận": Chờ xử lý → Đang xử lý, both in "Xử lý") changes the report's row,
    which would mark the queue NEW for that very person. If the queue was not NEW for them
    before, its last opening moves to the report's change, so it stays not NEW."""
    status, unit_id, updated_at = db.session.execute(
        select(Report.status, Report.unit_id, Report.updated_at).where(Report.id == report_id)
    ).one()
    for key in held_before & _queues_holding(user, status, unit_id):
        badge = badges_before.get(key)
        if badge is not None and not badge.new and updated_at is not None:
            queue_service.mark_seen(user, queue_service.QUEUES_BY_KEY[key], at=updated_at)


def _conflict_message(user, report: Report, message: str) -> str:
    """The change that came first was the person's own (another tab, a resend with a new
    form): say so, rather than blame "another person"."""
    latest = db.session.execute(
        select(ReportEvent.actor_id, ReportEvent.created_at)
        .where(ReportEvent.report_id == report.id)
        .order_by(ReportEvent.created_at.desc(), ReportEvent.id.desc()).limit(1)
    ).first()
    if latest is not None and latest.actor_id == user.id:
        return OWN_CHANGE_MESSAGE.format(time=local_datetime(latest.created_at))
    return message


class ReportPageView(BaseView):
    """The report page of the letter ("Xem thông tin") and its files."""

    route_base = "/phan-anh"
    class_permission_name = "Report"
    default_view = "show"

    def _page(self, user, report, form=None, *, error=None, status=200, files_lost=False):
        context = report_page_context(user, report, form, error=error, files_lost=files_lost)
        return self.render_template("reports/report.html", **context), status

    @expose("/<int:report_id>", methods=["GET", "POST"])
    @has_access
    def show(self, report_id: int):
        user = _user()
        if request.method == "GET":
            return page_cache.page(lambda: self._page(user, _load_report(user, report_id)),
                                   vary=session.get(QUEUE_URL_KEY))
        report = _load_report(user, report_id)

        form = ActionForm()
        if not form.validate():
            message = " ".join(e for errors in form.errors.values() for e in errors)
            return self._page(user, report, form, error=message, status=400)
        if not form.action.data:
            return self._page(user, report, form, error="Vui lòng chọn thao tác.", status=400)
        chosen = next((t for t in actions_available(user, report)
                       if t.action.value == form.action.data), None)
        inputs = set(chosen.needs | chosen.accepts) if chosen else None
        action_request = _action_request(form, inputs)
        held_before = _queues_holding(user, report.status, report.unit_id)
        badges_before = current_badges() if held_before else {}
        try:
            apply_action(user, report.id, action_request)
        except WorkflowError as exc:
            db.session.rollback()
            report = _load_report(user, report_id)
            message = exc.message
            if exc.status_code == 409:
                # The report changed: show it as it is now, keep what the person typed, and let
                # them send again deliberately.
                form.version.data = str(report.version)
                message = _conflict_message(user, report, message)
            return self._page(user, report, form, error=message, status=exc.status_code,
                                files_lost=bool(action_request.files))
        if held_before:
            _own_action_is_no_arrival(user, report.id, held_before, badges_before)
        label = ACTION_LABELS.get(Action(action_request.action), action_request.action)
        flash(f"Đã thực hiện thao tác “{label}”.", "success")
        return redirect(url_for(".show", report_id=report.id, tab="nhat-ky"))

    @expose("/<int:report_id>/tep/<int:attachment_id>")
    @has_access
    def download(self, report_id: int, attachment_id: int):
        user = _user()
        report = _load_report(user, report_id)
        attachment = db.session.execute(
            select(Attachment).where(Attachment.id == attachment_id,
                                     Attachment.report_id == report.id)
        ).scalar_one_or_none()
        if attachment is None:
            abort(404)
        path = attachment_store.path_of(attachment)
        if not os.path.isfile(path):
            abort(404)
        # Pictures are shown (thumbnails); anything else is downloaded, never run in the page.
        inline = attachment.content_type in THUMBNAIL_TYPES
        response = send_file(path, mimetype=attachment.content_type, as_attachment=not inline,
                             download_name=attachment.original_name, max_age=0)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["Cache-Control"] = "private, no-store"
        return response


# --- Intake by the centre ---------------------------------------------------------------------

def _parse_local_datetime(raw: str) -> dt.datetime | None:
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"):
        try:
            local = dt.datetime.strptime(raw.strip(), fmt)
        except ValueError:
            continue
        return local.replace(tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
    return None


class IntakeForm(FlaskForm):
    reporter_name = StringField("Cá nhân / tổ chức", validators=[Optional(), Length(max=255)])
    reporter_address = StringField("Địa chỉ", validators=[Optional(), Length(max=500)])
    reporter_phone = StringField("Điện thoại", validators=[Optional(), VietnamesePhone()])
    reporter_email = StringField("Email", validators=[Optional(), Length(max=255), EmailAddress()])
    confidential = BooleanField("Người phản ánh đề nghị giữ bí mật thông tin cá nhân")
    title = StringField("Tiêu đề", validators=[
        DataRequired(message="Vui lòng nhập tiêu đề."), Length(max=500)])
    content = TextAreaField("Nội dung phản ánh", validators=[
        DataRequired(message="Vui lòng nhập nội dung phản ánh.")])
    location = StringField("Địa điểm", validators=[Optional(), Length(max=500)])
    source_id = SelectField("Nguồn", validate_choice=False)
    field_id = SelectField("Lĩnh vực", validate_choice=False)
    received_at = StringField("Thời gian tiếp nhận (dd/mm/yyyy HH:MM)")
    receive_now = BooleanField("Tiếp nhận ngay (chuyển sang “Chờ phân phối”)")
    files = MultipleFileField("File đính kèm (ảnh, tài liệu)")

    def validate_received_at(self, field):
        if field.data and field.data.strip() and _parse_local_datetime(field.data) is None:
            raise ValidationError("Thời gian tiếp nhận không hợp lệ (dạng dd/mm/yyyy HH:MM).")

    def validate_source_id(self, field):
        if not _parse_int(field.data):
            raise ValidationError("Vui lòng chọn nguồn.")

    def validate_field_id(self, field):
        if self.receive_now.data and not _parse_int(field.data):
            raise ValidationError("Vui lòng chọn lĩnh vực để tiếp nhận ngay.")


PHONE_SOURCE_NAME = "Tổng đài"


class IntakeView(BaseView):
    """"Tiếp nhận phản ánh mới": a report received by phone or at the desk."""

    route_base = "/phan-anh/tiep-nhan-moi"
    class_permission_name = "Report"
    method_permission_name = {"add": "create"}  # can_create: intake, as the API's POST
    default_view = "add"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def add(self):
        user = _user()
        form = IntakeForm()
        sources, fields = _catalogue(Source), _catalogue(Field)
        if request.method == "GET":
            phone = next((s for s in sources if s.name == PHONE_SOURCE_NAME), None)
            if phone:
                form.source_id.data = str(phone.id)
            form.received_at.data = local_datetime(utcnow())
            form.receive_now.data = True
        elif form.validate():
            data = NewReport(
                title=form.title.data, content=form.content.data,
                reporter_name=(form.reporter_name.data or "").strip() or None,
                reporter_address=(form.reporter_address.data or "").strip() or None,
                reporter_phone=(form.reporter_phone.data or "").strip() or None,
                reporter_email=(form.reporter_email.data or "").strip() or None,
                confidential=bool(form.confidential.data),
                location=(form.location.data or "").strip() or None,
                source_id=_parse_int(form.source_id.data), field_id=_parse_int(form.field_id.data),
                received_at=_parse_local_datetime(form.received_at.data or "") or None,
                files=[f for f in request.files.getlist("files") if f and f.filename],
            )
            try:
                report = create_report(user, data)
            except WorkflowError as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
                return self.render_template("reports/intake.html", form=form, sources=sources,
                                            fields=fields, files_lost=bool(data.files)), 400
            if form.receive_now.data:
                try:
                    apply_action(user, report.id, ActionRequest(
                        action=Action.RECEIVE.value, field_id=data.field_id,
                        source_id=data.source_id))
                    flash(f"Đã tiếp nhận phản ánh mới: “{report.title}” (Chờ phân phối).",
                          "success")
                except WorkflowError as exc:
                    db.session.rollback()
                    flash(f"Đã lưu phản ánh mới “{report.title}” (Chờ tiếp nhận); chưa chuyển "
                          f"sang “Chờ phân phối”: {exc.message}", "warning")
            else:
                flash(f"Đã lưu phản ánh mới: “{report.title}” (Chờ tiếp nhận).", "success")
            return redirect(url_for("ReportPageView.show", report_id=report.id))
        status = 400 if request.method == "POST" else 200
        chosen_files = any(f and f.filename for f in request.files.getlist("files"))
        return self.render_template("reports/intake.html", form=form, sources=sources,
                                    fields=fields, files_lost=chosen_files), status


# --- Registration -----------------------------------------------------------------------------

def register_report_views(appbuilder, category: str) -> None:
    """The queues (first in ``category``, the letter's "Phản ánh, kiến nghị"), the report page,
    the intake form, and the Jinja helpers the menus use."""
    _menu_category["name"] = category
    for i, view in enumerate(QUEUE_VIEWS):
        extra = {"category_icon": "fa-bullhorn"} if i == 0 else {}
        appbuilder.add_view(view, view.queue.title, icon=view.queue.icon, category=category,
                            **extra)
    appbuilder.add_view_no_menu(ReportPageView)
    appbuilder.add_view_no_menu(IntakeView)
    from flask import current_app

    app = current_app
    app.add_template_global(top_menu, "top_menu")
    app.add_template_global(menu_access, "menu_access")
    app.add_template_global(report_menu, "report_menu")
    app.add_template_global(may_take_in, "may_take_in_reports")
