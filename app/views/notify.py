"""Notification and notice screens (DESIGN §9). Thin: every rule lives in app.services.notifications
and app.services.notices.

    /thong-bao/ca-nhan/?tab=chua-doc|tat-ca    the person's notifications (the bell's page)
    /thong-bao/ca-nhan/<id>                    open one: marked read, then its report or notice
    POST /thong-bao/ca-nhan/<id>/da-doc        mark read;  POST /thong-bao/ca-nhan/da-doc-tat-ca
    POST /thong-bao/ca-nhan/cach-nhan          the preferences of "Thông tin tài khoản"
    /thong-bao/                                notices ("Thông báo" of the left menu)
    /thong-bao/<id>, /thong-bao/<id>/tep/<f>   a notice (read by opening it) and its files
    /thong-bao/moi                             the centre writes a notice
"""
from __future__ import annotations

import datetime as dt
import math
import os

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import MultipleFileField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..domain.calendar import LOCAL_TZ, UTC
from ..domain.notifications import (
    DELIVERY_LABELS, DIGEST_PREFERENCE, KIND_LABELS, Delivery, Kind,
)
from ..extensions import db
from ..models import NoticeFile, Unit
from ..services import attachments as file_store
from ..services import notices as notice_service
from ..services import notifications as service

TABS = (("chua-doc", "Chưa đọc"), ("tat-ca", "Tất cả"))


class CsrfForm(FlaskForm):
    """A form carrying only its CSRF token (the buttons of the lists)."""


def unread() -> service.Unread:
    """The signed-in person's unread counts, once per request (the bell, the menu badge)."""
    if "_unread" not in g:
        user = getattr(g, "user", None)
        g._unread = (service.unread_counts(user) if user is not None and user.is_authenticated
                     else service.Unread(0, 0))
    return g._unread


def notice_badge() -> Markup:
    count = unread().notices
    if not count:
        return Markup("")
    return Markup(' <span class="queue-badge"><span class="label label-danger notice-unread">'
                  '{}</span></span>').format(count)


class NotificationView(BaseView):
    route_base = "/thong-bao/ca-nhan"
    class_permission_name = "Notification"
    method_permission_name = {"index": "list", "open": "list", "read": "list",
                              "read_all": "list", "preferences": "list"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        tab = request.args.get("tab", "chua-doc")
        tab = tab if tab in dict(TABS) else "chua-doc"
        try:
            page = max(int(request.args.get("trang", 1)), 1)
        except ValueError:
            page = 1
        rows, total = service.notifications_page(g.user, tab == "chua-doc", page)
        return self.render_template(
            "notify/notifications.html", rows=rows, total=total, tab=tab, tabs=TABS, page=page,
            pages=max(math.ceil(total / service.PAGE_SIZE), 1), form=CsrfForm(),
            target_url=service.target_url)

    @expose("/<int:notification_id>")
    @has_access
    def open(self, notification_id: int):
        notification = service.own_notification(g.user, notification_id)
        if notification is None:
            abort(404)
        service.mark_read(g.user, notification)
        return redirect(service.target_url(notification))

    @expose("/<int:notification_id>/da-doc", methods=["POST"])
    @has_access
    def read(self, notification_id: int):
        notification = service.own_notification(g.user, notification_id)
        if notification is None:
            abort(404)
        if not CsrfForm().validate():
            abort(400)
        service.mark_read(g.user, notification)
        return redirect(url_for(".index", tab=request.args.get("tab", "chua-doc")))

    @expose("/da-doc-tat-ca", methods=["POST"])
    @has_access
    def read_all(self):
        if not CsrfForm().validate():
            abort(400)
        count = service.mark_all_read(g.user)
        flash(f"Đã đánh dấu {count} thông báo là đã đọc.", "success")
        return redirect(url_for(".index", tab="tat-ca"))

    @expose("/cach-nhan", methods=["POST"])
    @has_access
    def preferences(self):
        if not CsrfForm().validate():
            abort(400)
        choices = {k.value: request.form.get(f"pref-{k.value}", Delivery.EMAIL.value) for k in Kind}
        choices[DIGEST_PREFERENCE] = "on" if request.form.get(f"pref-{DIGEST_PREFERENCE}") else "off"
        try:
            service.save_preferences(g.user, choices)
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("UserView.userinfo")), 400
        flash("Đã lưu cách nhận thông báo.", "success")
        return redirect(url_for("UserView.userinfo"))


def preference_rows(user) -> dict:
    """The "Cách nhận thông báo" form of "Thông tin tài khoản"."""
    prefs = service.preferences_of([user.id])
    return {
        "kinds": [(k.value, KIND_LABELS[k], service.delivery_for(prefs, user.id, k.value).value)
                  for k in Kind],
        "choices": [(d.value, DELIVERY_LABELS[d]) for d in Delivery],
        "digest": service.digest_wanted(prefs, user.id),
        "digest_key": DIGEST_PREFERENCE,
        "form": CsrfForm(),
    }


# --- Notices -------------------------------------------------------------------------------------

def _parse_local(raw: str | None, label: str) -> dt.datetime | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            local = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return local.replace(tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
    raise notice_service.NoticeError(f"{label} “{raw}” không hợp lệ (dạng dd/mm/yyyy HH:MM).")


class NoticeForm(FlaskForm):
    title = StringField("Tiêu đề", validators=[DataRequired(message="Vui lòng nhập tiêu đề."),
                                               Length(max=notice_service.TITLE_MAX)])
    content = TextAreaField("Nội dung", validators=[DataRequired(message="Vui lòng nhập nội dung.")])
    unit_ids = SelectMultipleField("Gửi đến đơn vị (để trống: tất cả đơn vị)", coerce=int,
                                   validate_choice=False)
    shown_from = StringField("Hiển thị từ (dd/mm/yyyy HH:MM; để trống: ngay bây giờ)")
    shown_until = StringField("Hiển thị đến (dd/mm/yyyy HH:MM; để trống: không hạn)")
    files = MultipleFileField("File đính kèm")


class NoticeView(BaseView):
    route_base = "/thong-bao"
    class_permission_name = "Notice"
    method_permission_name = {"list": "list", "show": "show", "download": "show", "add": "add"}
    default_view = "list"
    menu_badge = staticmethod(notice_badge)

    @expose("/")
    @has_access
    def list(self):
        notices = notice_service.notices_for(g.user)
        read = notice_service.read_ids(g.user, [n.id for n in notices])
        return self.render_template("notify/notices.html", notices=notices, read=read,
                                    may_write=notice_service.may_write(g.user))

    @expose("/<int:notice_id>")
    @has_access
    def show(self, notice_id: int):
        notice = notice_service.get_notice(g.user, notice_id)
        if notice is None:
            abort(404)
        notice_service.mark_read(g.user, notice)
        reads = notice_service.read_report(notice) if notice_service.may_write(g.user) else None
        return self.render_template("notify/notice.html", notice=notice, reads=reads)

    @expose("/<int:notice_id>/tep/<int:file_id>")
    @has_access
    def download(self, notice_id: int, file_id: int):
        notice = notice_service.get_notice(g.user, notice_id)
        if notice is None:
            abort(404)
        row = db.session.execute(select(NoticeFile).where(
            NoticeFile.id == file_id, NoticeFile.notice_id == notice.id)).scalar_one_or_none()
        path = file_store.path_of(row) if row else None
        if path is None or not os.path.isfile(path):
            abort(404)
        response = send_file(path, mimetype=row.content_type, as_attachment=True,
                             download_name=row.original_name, max_age=0)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @expose("/moi", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = NoticeForm()
        units = db.session.execute(
            select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.name)).all()
        form.unit_ids.choices = [(u.id, u.name) for u in units]
        status = 200
        if request.method == "POST":
            status = 400
            if form.validate():
                try:
                    notice = notice_service.create_notice(
                        g.user, title=form.title.data, content=form.content.data,
                        unit_ids=form.unit_ids.data or [],
                        shown_from=_parse_local(form.shown_from.data, "Hiển thị từ"),
                        shown_until=_parse_local(form.shown_until.data, "Hiển thị đến"),
                        files=[f for f in request.files.getlist("files") if f and f.filename])
                except notice_service.NoticeError as exc:
                    db.session.rollback()
                    form.form_errors.append(exc.message)
                    status = exc.status_code
                else:
                    flash(f"Đã gửi thông báo “{notice.title}”.", "success")
                    return redirect(url_for(".show", notice_id=notice.id))
        return self.render_template("notify/notice_form.html", form=form), status


def register_notify_views(appbuilder, category: str) -> None:
    appbuilder.add_view(NoticeView, "Thông báo", icon="fa-bullhorn", category=category)
    appbuilder.add_view_no_menu(NotificationView)
    from flask import current_app
    from flask_login import user_logged_in

    current_app.add_template_global(unread, "unread_notifications")
    user_logged_in.connect(_catch_up_notices, current_app._get_current_object())


def _catch_up_notices(_app, user) -> None:
    """Signed in (password or SSO): the notices that reached the unit before the person."""
    notice_service.catch_up(user)
