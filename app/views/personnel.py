"""Units' personnel lists in the web UI: the list, import, template, export, accounts, status.

Administrators manage the lists (every permission of the ``Personnel`` view); the centre reads
them, exports them and follows the registration status (``can_list``, ``can_show``,
``can_export``: see security/roles.py).
"""
from __future__ import annotations

import datetime as dt

from flask import Response, flash, g, make_response, redirect, request, url_for
from flask_appbuilder import BaseView, ModelView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import func
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired, ValidationError

from ..extensions import db
from ..formatting import local_datetime, yes_no
from ..models import Personnel, Unit, UnitKind
from ..models.personnel import DUTY_LABELS
from ..services import accounts as account_service
from ..services import personnel as personnel_service
from ..validators import EmailAddress, VietnamesePhone

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REQUIRED = "Trường này là bắt buộc."


def _no_store(response: Response) -> Response:
    """Pages showing initial passwords must not be kept by the browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


class AvailableEmail:
    """An e-mail may be on one active list only, and never be an administrator's or the centre's."""

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        email = field.data.strip().lower()
        pk = (request.view_args or {}).get("pk")
        unit_id = form.unit.data.id if getattr(form, "unit", None) and form.unit.data else None
        query = db.session.query(Personnel).filter(
            func.lower(Personnel.email) == email, Personnel.active.is_(True)
        )
        if pk:
            query = query.filter(Personnel.id != int(pk))
        other = query.first()
        if other is not None:
            if other.unit_id == unit_id:
                raise ValidationError(f"Email {email} đã có trong danh sách của đơn vị này.")
            raise ValidationError(f"Email {email} đã được đăng ký cho đơn vị “{other.unit.name}”.")
        foreign = account_service.foreign_account(email)
        if foreign:
            raise ValidationError(foreign)


def _duty_field() -> SelectField:
    return SelectField(
        "Nhiệm vụ",
        choices=[(str(k), v) for k, v in DUTY_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
        widget=Select2Widget(),
    )


class _NotCentre(FilterEqual):
    """Handling units only: the centre registers no personnel list."""

    def apply(self, query, value):
        return query.filter(Unit.kind != UnitKind.CENTER)


def _handling_units():
    return [["active", FilterEqual, True], ["kind", _NotCentre, None]]


class PersonnelView(ModelView):
    """Danh sách nhân sự: the units' registered people and their accounts."""

    datamodel = SQLAInterface(Personnel)
    class_permission_name = "Personnel"
    list_title = show_title = "Danh sách nhân sự của các đơn vị"
    add_title = "Thêm nhân sự"
    edit_title = "Sửa thông tin nhân sự"
    page_size = 20
    list_template = "personnel/list.html"
    label_columns = {
        "unit": "Đơn vị",
        "position_no": "TT",
        "full_name": "Họ và tên",
        "title": "Chức vụ",
        "mobile": "Di động",
        "email": "Email",
        "duty": "Nhiệm vụ",
        "active": "Đang tham gia",
        "user": "Tài khoản",
        "created_at": "Ngày tạo",
        "updated_at": "Cập nhật lần cuối",
    }
    list_columns = ["unit", "position_no", "full_name", "title", "mobile", "email", "duty",
                    "active", "user"]
    show_columns = ["unit", "position_no", "full_name", "title", "mobile", "email", "duty",
                    "active", "user", "created_at", "updated_at"]
    add_columns = edit_columns = ["unit", "position_no", "full_name", "title", "mobile", "email",
                                  "duty", "active"]
    search_columns = ["unit", "full_name", "title", "mobile", "email", "duty", "active"]
    order_columns = ["position_no", "full_name", "duty", "active"]
    base_order = ("full_name", "asc")
    formatters_columns = {
        "duty": lambda v: DUTY_LABELS.get(v, v),
        "active": yes_no,
        "user": lambda u: u.username if u is not None else "Chưa cấp",
        "created_at": local_datetime,
        "updated_at": local_datetime,
    }
    validators_columns = {
        "full_name": [DataRequired(REQUIRED)],
        "mobile": [DataRequired(REQUIRED), VietnamesePhone()],
        "email": [DataRequired(REQUIRED), EmailAddress(), AvailableEmail()],
    }
    add_form_extra_fields = edit_form_extra_fields = {"duty": _duty_field()}
    add_form_query_rel_fields = edit_form_query_rel_fields = {"unit": _handling_units()}
    search_form_query_rel_fields = {"unit": [["kind", _NotCentre, None]]}

    # --- saving a row provisions its account ----------------------------------------------

    def pre_add(self, item: Personnel) -> None:
        item.email = item.email.strip().lower()

    pre_update = pre_add

    def _provision(self, item: Personnel) -> None:
        try:
            results = account_service.provision([item])
            db.session.commit()
        except account_service.AccountError as exc:
            db.session.rollback()
            flash(f"Chưa cấp được tài khoản: {exc}", "danger")
            return
        g.personnel_accounts = [r for r in results if r.status != "unchanged"]
        for r in g.personnel_accounts:
            if not r.password:
                flash(f"{r.person.full_name}: {r.status_label.lower()} {r.username}.", "info")

    post_add = post_update = _provision

    def pre_delete(self, item: Personnel) -> None:
        # The account stays (its log entries with it), locked.
        account_service.deactivate_for_removed(item)

    def _accounts_page_or(self, fallback):
        shown = [r for r in g.get("personnel_accounts", []) if r.password]
        if shown:
            return _no_store(make_response(self.render_template(
                "personnel/accounts.html", title="Tài khoản đã cấp", results=shown,
                back_url=self.get_redirect(),
            )))
        return fallback()

    def post_add_redirect(self):
        return self._accounts_page_or(super().post_add_redirect)

    def post_edit_redirect(self):
        return self._accounts_page_or(super().post_edit_redirect)

    # --- actions on the selected rows ------------------------------------------------------

    def _accounts_action(self, items, work, title: str):
        items = items if isinstance(items, list) else [items]
        try:
            results = work([i for i in items if i is not None])
            db.session.commit()
        except account_service.AccountError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(self.get_redirect())
        return _no_store(make_response(self.render_template(
            "personnel/accounts.html", title=title, results=results, back_url=self.get_redirect(),
        )))

    @action("provision", "Cấp / đồng bộ tài khoản",
            "Cấp tài khoản cho những người đã chọn (hoặc cập nhật vai trò, đơn vị theo danh sách)?",
            "fa-user-plus")
    def provision(self, items):
        return self._accounts_action(items, account_service.provision, "Cấp tài khoản")

    @action("newpassword", "Cấp lại mật khẩu",
            "Cấp mật khẩu mới cho những người đã chọn (chỉ đơn vị đăng nhập bằng mật khẩu)?",
            "fa-key")
    def newpassword(self, items):
        return self._accounts_action(items, account_service.reset_passwords, "Cấp lại mật khẩu")

    # --- import, template, export ----------------------------------------------------------

    @expose("/import/", methods=["GET", "POST"])
    @has_access
    @permission_name("import")
    def import_list(self):
        form = ImportForm()
        form.unit.choices = [(0, "— Lấy theo cột Đơn vị trong tệp —")] + [
            (u.id, u.name) for u in db.session.query(Unit)
            .filter(Unit.active.is_(True), Unit.kind != UnitKind.CENTER).order_by(Unit.name)
        ]
        result = None
        if form.validate_on_submit():
            upload = form.file.data
            unit = db.session.get(Unit, form.unit.data) if form.unit.data else None
            result = personnel_service.import_file(
                upload.filename, upload.read(), unit, replace=form.replace.data
            )
        # A refused file is shown like a form with errors: the same page, its rows explained.
        response = make_response(self.render_template(
            "personnel/import.html", title="Nhập danh sách nhân sự", form=form, result=result,
        ))
        return _no_store(response)

    @expose("/template/")
    @has_access
    @permission_name("import")
    def template(self):
        if request.args.get("format") == "csv":
            return _download(personnel_service.template_csv(), "mau-danh-sach-nhan-su.csv",
                             "text/csv; charset=utf-8")
        unit = db.session.get(Unit, request.args.get("unit_id", type=int) or 0)
        return _download(personnel_service.template_xlsx(unit), "mau-danh-sach-nhan-su.xlsx",
                         XLSX_MIME)

    @expose("/export/")
    @has_access
    @permission_name("export")
    def export(self):
        people = personnel_service.listed_people(
            request.args.get("unit_id", type=int),
            include_inactive=request.args.get("all") == "1",
        )
        stamp = dt.date.today().strftime("%Y%m%d")
        if request.args.get("format") == "csv":
            return _download(personnel_service.export_csv(people), f"danh-sach-nhan-su-{stamp}.csv",
                             "text/csv; charset=utf-8")
        return _download(personnel_service.export_xlsx(people), f"danh-sach-nhan-su-{stamp}.xlsx",
                         XLSX_MIME)


class ImportForm(DynamicForm):
    file = FileField(
        "Tệp danh sách (.xlsx hoặc .csv)",
        validators=[FileRequired("Hãy chọn tệp danh sách nhân sự."),
                    FileAllowed(["xlsx", "csv"], "Chỉ nhận tệp .xlsx hoặc .csv.")],
    )
    unit = SelectField("Đơn vị", coerce=int, default=0)
    replace = BooleanField(
        "Danh sách trong tệp thay thế danh sách cũ của đơn vị (người không còn trong tệp sẽ bị "
        "gỡ khỏi danh sách và khóa tài khoản)",
        default=True,
    )


class PersonnelRegistrationView(BaseView):
    """Tình hình đăng ký nhân sự: which units have not yet registered a leader and a handler."""

    route_base = "/personnelregistration"
    class_permission_name = "Personnel"
    default_view = "status"

    @expose("/")
    @has_access
    @permission_name("list")
    def status(self):
        everything = personnel_service.registration_status()
        show_all = request.args.get("all") == "1"
        rows = everything if show_all else [r for r in everything if not r.complete]
        return self.render_template(
            "personnel/registration.html",
            title="Tình hình đăng ký nhân sự",
            rows=rows,
            show_all=show_all,
            total=len(everything),
            complete=sum(1 for r in everything if r.complete),
        )


class DataConsoleView(BaseView):
    """The FAB menu entry of the data console (Flask-Admin at /admin/) and its permission.

    Every Flask-Admin view checks ``can_access`` on ``DataConsole``; registering it through this
    view puts it in FAB's tables, where only the administrators' role holds it.
    """

    route_base = "/dataconsole"
    class_permission_name = "DataConsole"
    default_view = "open"

    @expose("/")
    @has_access
    @permission_name("access")
    def open(self):
        return redirect(url_for("console.index"))
