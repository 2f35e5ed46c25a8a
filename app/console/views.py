"""The console's views (Flask-Admin 2, SQLAlchemy). See the package docstring for the rules."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

from flask import abort, flash, make_response, redirect, request
from flask_admin import AdminIndexView, expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.model.widgets import XEditableWidget
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import func
from wtforms import ValidationError
from wtforms.fields import DateField
from wtforms.validators import DataRequired, NumberRange

from ..domain.workflow import ACTION_LABELS, STATUS_LABELS
from ..extensions import appbuilder, db
from ..formatting import local_date, local_datetime
from ..models import (
    AppUser, AuditLog, Field, Personnel, Report, ReportEvent, Source, Unit, WorkdayException,
)
from ..models.catalogue import LOGIN_METHOD_LABELS, SOURCE_CHANNEL_LABELS, UNIT_KIND_LABELS
from ..models.personnel import DUTY_LABELS
from ..security.roles import describe_permission
from ..services import accounts as account_service
from ..services.audit import FIELD_LABELS, OPERATIONS, TABLE_LABELS, describe_value
from ..validators import EmailAddress, VietnamesePhone

CONSOLE_PERMISSION = ("can_access", "DataConsole")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def console_allowed() -> bool:
    return bool(current_user and current_user.is_authenticated
                and appbuilder.sm.has_access(*CONSOLE_PERMISSION))


class Secured:
    """Every console view: administrators only; others to the login page or refused (403)."""

    def is_accessible(self) -> bool:
        return console_allowed()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(appbuilder.get_url_for_login_with(request.full_path))
        abort(403)


class ConsoleForm(FlaskForm):
    """Flask-WTF forms for the console (CSRF from the app's CSRFProtect, Vietnamese messages).

    Keeps the edited object as ``_obj`` as Flask-Admin's own BaseForm does (its Unique validator
    reads it).
    """

    def __init__(self, formdata=None, obj=None, prefix="", **kwargs):
        self._obj = obj
        super().__init__(formdata=formdata, obj=obj, prefix=prefix, **kwargs)


class ConsoleEditable(XEditableWidget):
    """Inline editing with a Vietnamese placeholder for an empty cell (x-editable says "Empty")."""

    def get_kwargs(self, field, kwargs):
        kwargs = super().get_kwargs(field, kwargs)
        kwargs.setdefault("data-emptytext", "(trống)")
        return kwargs


def _datetime(view, value, name):
    return local_datetime(value)


def _date(view, value, name):
    return local_date(value)


def _bool(view, value, name):
    label = "Có" if value else "Không"
    icon = "fa-check-circle text-success" if value else "fa-minus-circle text-muted"
    return Markup(f'<span class="fa {icon}" title="{label}"></span> <span class="sr-only">{label}</span>')


def _bool_text(view, value, name):
    return "Có" if value else "Không"


def _labels(labels: dict):
    """A column formatter showing the Vietnamese label of a code."""
    return lambda view, context, model, name: labels.get(getattr(model, name), getattr(model, name))


class ConsoleModelView(Secured, ModelView):
    form_base_class = ConsoleForm
    can_view_details = True
    can_export = True
    export_types = ["csv", "xlsx"]
    export_max_rows = 100000
    page_size = 20
    can_set_page_size = True
    column_display_pk = False
    column_type_formatters = {
        type(None): lambda view, value, name: "",
        bool: _bool,
        dt.datetime: _datetime,
        dt.date: _date,
        list: lambda view, values, name: ", ".join(str(v) for v in values),
    }
    column_type_formatters_detail = column_type_formatters

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        """Flask-Admin 2.2 answers a 500 (AttributeError) to an inline edit without the row's
        id (``list_form_pk``): refuse it as bad input instead."""
        if "list_form_pk" not in request.form:
            return "Thiếu mã bản ghi cần sửa.", 400
        return super().ajax_update()

    column_type_formatters_export = {
        type(None): lambda view, value, name: "",
        bool: _bool_text,
        dt.datetime: _datetime,
        dt.date: _date,
        list: lambda view, values, name: ", ".join(str(v) for v in values),
    }

    def get_list_form(self):
        validators = None
        if self.form_args:
            validators = {k: {"validators": v["validators"]}
                          for k, v in self.form_args.items() if v.get("validators")}
        form_class = self.scaffold_list_form(widget=ConsoleEditable(), validators=validators)
        # Flask-Admin's list form puts its own BaseForm (WTForms' English messages) first.
        return type("ListForm", (form_class,), {
            "Meta": type("Meta", (), {"get_translations": FlaskForm.Meta.get_translations}),
        })

    # --- export: CSV that Excel reads (UTF-8 with BOM) and XLSX through openpyxl ------------

    def get_export_name(self, export_type: str = "csv") -> str:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        return f"{self.endpoint.removeprefix('console_')}-{stamp}.{export_type}"

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        if not self.can_export or export_type not in self.export_types:
            flash("Không hỗ trợ kết xuất dạng này.", "error")
            return redirect(self.get_url(".index_view"))
        count, data = self._export_data()
        header = [str(label) for _, label in self._export_columns]
        rows = [[self._cell(self.get_export_value(row, name)) for name, _ in self._export_columns]
                for row in data]
        if export_type == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
            body, mimetype = out.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
        else:
            from openpyxl import Workbook
            from openpyxl.styles import Font

            book = Workbook()
            sheet = book.active
            sheet.title = str(self.name)[:31]
            sheet.append(header)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in rows:
                sheet.append(row)
            sheet.freeze_panes = "A2"
            out = io.BytesIO()
            book.save(out)
            body, mimetype = out.getvalue(), XLSX_MIME
        response = make_response(body)
        response.headers["Content-Type"] = mimetype
        response.headers["Content-Disposition"] = (
            f"attachment; filename={self.get_export_name(export_type)}"
        )
        return response

    @staticmethod
    def _cell(value):
        if value is None:
            return ""
        if isinstance(value, (int, float)):
            return value
        text = str(Markup(value).striptags()) if isinstance(value, Markup) else str(value)
        # A cell starting with = + - @ would be a formula in Excel (CSV injection).
        return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class ReadOnlyView(ConsoleModelView):
    can_create = False
    can_edit = False
    can_delete = False
    column_editable_list = ()
    action_disallowed_list = ["delete"]


# --- the index ------------------------------------------------------------------------------

class ConsoleIndexView(Secured, AdminIndexView):
    @expose("/")
    def index(self):
        counts = [
            ("Đơn vị xử lý", db.session.query(func.count(Unit.id)).scalar(), "console_unit"),
            ("Lĩnh vực", db.session.query(func.count(Field.id)).scalar(), "console_field"),
            ("Nguồn", db.session.query(func.count(Source.id)).scalar(), "console_source"),
            ("Nhân sự đang tham gia",
             db.session.query(func.count(Personnel.id)).filter(Personnel.active.is_(True)).scalar(),
             "console_personnel"),
            ("Ngày làm việc, ngày nghỉ bổ sung",
             db.session.query(func.count(WorkdayException.id)).scalar(), "console_workday"),
            ("Tài khoản", db.session.query(func.count(AppUser.id)).scalar(), "console_user"),
            ("Nhật ký trao đổi", db.session.query(func.count(ReportEvent.id)).scalar(),
             "console_event"),
            ("Nhật ký quản trị", db.session.query(func.count(AuditLog.id)).scalar(),
             "console_audit"),
        ]
        recent = db.session.query(AuditLog).order_by(AuditLog.id.desc()).limit(10).all()
        return self.render("console/index.html", counts=counts, recent=recent,
                           table_labels=TABLE_LABELS, operations=OPERATIONS)


# --- catalogues -----------------------------------------------------------------------------

COMMON_LABELS = {
    "name": "Tên", "active": "Đang sử dụng", "created_at": "Ngày tạo",
    "updated_at": "Cập nhật lần cuối",
}


class ActivationActions:
    """Bulk actions shared by the catalogues: stop or resume using the selected rows."""

    def _set_active(self, ids, value: bool) -> None:
        rows = db.session.query(self.model).filter(self.model.id.in_([int(i) for i in ids])).all()
        for row in rows:
            row.active = value
        db.session.commit()
        flash(f"Đã {'chuyển sang sử dụng' if value else 'ngừng sử dụng'} {len(rows)} bản ghi.",
              "success")

    @action("activate", "Đưa vào sử dụng", "Đưa các bản ghi đã chọn vào sử dụng?")
    def action_activate(self, ids):
        self._set_active(ids, True)

    @action("deactivate", "Ngừng sử dụng", "Ngừng sử dụng các bản ghi đã chọn?")
    def action_deactivate(self, ids):
        self._set_active(ids, False)


class UnitAdmin(ActivationActions, ConsoleModelView):
    column_list = ["name", "kind", "parent", "login_method", "phone", "email", "active"]
    column_details_list = column_list + ["created_at", "updated_at"]
    column_editable_list = ["name", "kind", "login_method", "phone", "email", "active"]
    column_searchable_list = ["name", "email", "phone"]
    column_filters = ["kind", "login_method", "active"]
    column_sortable_list = ["name", "kind", "login_method", "active"]
    column_default_sort = "name"
    column_labels = {**COMMON_LABELS, "name": "Tên đơn vị", "kind": "Loại đơn vị",
                     "parent": "Đơn vị cấp trên", "login_method": "Cách đăng nhập",
                     "phone": "Điện thoại", "email": "Email"}
    column_choices = {"kind": list(UNIT_KIND_LABELS.items()),
                      "login_method": list(LOGIN_METHOD_LABELS.items())}
    form_columns = ["name", "kind", "parent", "login_method", "phone", "email", "active"]
    form_choices = {"kind": [(str(k), v) for k, v in UNIT_KIND_LABELS.items()],
                    "login_method": [(str(k), v) for k, v in LOGIN_METHOD_LABELS.items()]}
    form_args = {
        "name": {"validators": [DataRequired("Hãy nhập tên đơn vị.")]},
        "phone": {"validators": [VietnamesePhone()]},
        "email": {"validators": [EmailAddress()]},
    }

    @action("login_sso", "Đăng nhập một lần (SSO)",
            "Chuyển các đơn vị đã chọn sang đăng nhập một lần (SSO)?")
    def action_login_sso(self, ids):
        self._set_login(ids, "sso")

    @action("login_local", "Đăng nhập bằng mật khẩu",
            "Chuyển các đơn vị đã chọn sang đăng nhập bằng tên người dùng và mật khẩu?")
    def action_login_local(self, ids):
        self._set_login(ids, "local")

    def _set_login(self, ids, method: str) -> None:
        rows = db.session.query(Unit).filter(Unit.id.in_([int(i) for i in ids])).all()
        for row in rows:
            row.login_method = method
        db.session.commit()
        flash(f"Đã đổi cách đăng nhập của {len(rows)} đơn vị: {LOGIN_METHOD_LABELS[method]}.",
              "success")


class FieldAdmin(ActivationActions, ConsoleModelView):
    column_list = ["name", "default_unit", "handling_days", "active"]
    column_details_list = column_list + ["created_at", "updated_at"]
    column_editable_list = ["name", "default_unit", "handling_days", "active"]
    column_searchable_list = ["name"]
    column_filters = ["active", "handling_days", "default_unit.name"]
    column_sortable_list = ["name", "handling_days", "active"]
    column_default_sort = "name"
    column_labels = {**COMMON_LABELS, "name": "Tên lĩnh vực",
                     "default_unit": "Đơn vị xử lý mặc định", "default_unit.name": "Đơn vị xử lý mặc định",
                     "handling_days": "Thời hạn xử lý (ngày làm việc)"}
    form_columns = ["name", "default_unit", "handling_days", "active"]
    form_args = {
        "name": {"validators": [DataRequired("Hãy nhập tên lĩnh vực.")]},
        "handling_days": {"validators": [
            DataRequired("Hãy nhập thời hạn xử lý."),
            NumberRange(min=1, max=90, message="Thời hạn xử lý phải từ 1 đến 90 ngày làm việc."),
        ]},
    }


class SourceAdmin(ActivationActions, ConsoleModelView):
    # The Open311 key of a channel's client is a secret: never listed, shown or exported.
    column_list = ["name", "channel", "active"]
    column_details_list = ["name", "channel", "active", "created_at", "updated_at"]
    column_export_list = ["name", "channel", "active"]
    column_editable_list = ["name", "channel", "active"]
    column_searchable_list = ["name"]
    column_filters = ["channel", "active"]
    column_default_sort = "name"
    column_labels = {**COMMON_LABELS, "name": "Tên nguồn", "channel": "Kênh tiếp nhận"}
    column_choices = {"channel": list(SOURCE_CHANNEL_LABELS.items())}
    form_columns = ["name", "channel", "active"]
    form_choices = {"channel": [(str(k), v) for k, v in SOURCE_CHANNEL_LABELS.items()]}
    form_args = {"name": {"validators": [DataRequired("Hãy nhập tên nguồn.")]}}


class WorkdayExceptionAdmin(ConsoleModelView):
    column_list = ["day", "is_working_day", "note"]
    column_details_list = column_list + ["created_at", "updated_at"]
    column_editable_list = ["is_working_day", "note"]
    column_searchable_list = ["note"]
    column_filters = ["day", "is_working_day"]
    column_default_sort = ("day", True)
    column_labels = {**COMMON_LABELS, "day": "Ngày", "is_working_day": "Là ngày làm việc",
                     "note": "Ghi chú (căn cứ thông báo)"}
    form_columns = ["day", "is_working_day", "note"]
    form_overrides = {"day": DateField}
    form_args = {"day": {"format": "%d/%m/%Y", "label": "Ngày (dd/mm/yyyy)",
                         "validators": [DataRequired("Hãy nhập ngày theo dạng dd/mm/yyyy.")]}}
    form_widget_args = {"day": {"placeholder": "dd/mm/yyyy", "data-role": ""}}


# --- personnel ------------------------------------------------------------------------------

class ConsoleAvailableEmail:
    """One active list per e-mail; never the e-mail of an administrator's or the centre's account."""

    def __call__(self, form, field):
        if not field.data:
            return
        email = field.data.strip().lower()
        obj = getattr(form, "_obj", None)
        query = db.session.query(Personnel).filter(
            func.lower(Personnel.email) == email, Personnel.active.is_(True))
        if obj is not None and getattr(obj, "id", None):
            query = query.filter(Personnel.id != obj.id)
        other = query.first()
        if other is not None:
            raise ValidationError(f"Email {email} đã được đăng ký cho đơn vị “{other.unit.name}”.")
        foreign = account_service.foreign_account(email)
        if foreign:
            raise ValidationError(foreign)
        field.data = email


class PersonnelAdmin(ConsoleModelView):
    column_list = ["unit", "position_no", "full_name", "title", "mobile", "email", "duty",
                   "active", "user"]
    column_details_list = column_list + ["created_at", "updated_at"]
    column_export_list = ["position_no", "full_name", "title", "mobile", "email", "duty", "unit",
                          "active", "user"]
    column_editable_list = ["position_no", "title", "mobile", "duty", "active"]
    column_searchable_list = ["full_name", "email", "mobile", "title"]
    column_filters = ["unit.name", "duty", "active"]
    column_sortable_list = ["position_no", "full_name", "duty", "active", ("unit", "unit.name")]
    column_default_sort = "full_name"
    column_labels = {"unit": "Đơn vị", "unit.name": "Đơn vị", "position_no": "TT",
                     "full_name": "Họ và tên", "title": "Chức vụ", "mobile": "Di động",
                     "email": "Email", "duty": "Nhiệm vụ", "active": "Đang tham gia",
                     "user": "Tài khoản", "created_at": "Ngày tạo",
                     "updated_at": "Cập nhật lần cuối"}
    column_choices = {"duty": list(DUTY_LABELS.items())}
    column_formatters = {"user": lambda v, c, m, n: m.user.username if m.user else "Chưa cấp"}
    column_formatters_export = column_formatters
    form_columns = ["unit", "position_no", "full_name", "title", "mobile", "email", "duty", "active"]
    form_choices = {"duty": [(str(k), v) for k, v in DUTY_LABELS.items()]}
    form_args = {
        "unit": {"validators": [DataRequired("Hãy chọn đơn vị.")],
                 "query_factory": lambda: db.session.query(Unit).filter(
                     Unit.active.is_(True), Unit.kind != "center").order_by(Unit.name)},
        "full_name": {"validators": [DataRequired("Hãy nhập họ và tên.")]},
        "mobile": {"validators": [DataRequired("Hãy nhập số di động."), VietnamesePhone()]},
        "email": {"validators": [DataRequired("Hãy nhập email."), EmailAddress(),
                                 ConsoleAvailableEmail()]},
    }

    def after_model_change(self, form, model, is_created):
        """The account follows the row: made (SSO units), updated, locked or reopened."""
        try:
            results = account_service.provision([model], with_passwords=False)
            db.session.commit()
        except account_service.AccountError as exc:
            db.session.rollback()
            flash(f"Chưa cấp được tài khoản: {exc}", "error")
            return
        for r in results:
            if r.status == "skipped":
                flash(f"{model.full_name} (đơn vị đăng nhập bằng mật khẩu) chưa có tài khoản: dùng "
                      "“Cấp / đồng bộ tài khoản” trong trang Danh sách nhân sự để cấp và xem mật "
                      "khẩu ban đầu.", "warning")
            elif r.status != "unchanged":
                flash(f"{model.full_name}: {r.status_label.lower()} {r.username}.", "info")

    def on_model_delete(self, model):
        account_service.deactivate_for_removed(model)

    @action("leave", "Gỡ khỏi danh sách (khóa tài khoản)",
            "Gỡ những người đã chọn khỏi danh sách và khóa tài khoản của họ?")
    def action_leave(self, ids):
        people = db.session.query(Personnel).filter(Personnel.id.in_([int(i) for i in ids])).all()
        for person in people:
            person.active = False
        account_service.provision(people)
        db.session.commit()
        flash(f"Đã gỡ {len(people)} người khỏi danh sách và khóa tài khoản.", "success")


# --- read-only browsers ---------------------------------------------------------------------

def _pretty_json(view, context, model, name):
    raw = getattr(model, name)
    if not raw:
        return ""
    try:
        text = json.dumps(json.loads(raw), ensure_ascii=False, indent=2, sort_keys=True)
    except ValueError:
        text = raw
    return Markup(f"<pre class='audit-json'>{escape(text)}</pre>")


def _changes(view, context, model, name):
    """What changed, in one line: "Đang sử dụng: Có → Không; Điện thoại: — → 0234…"."""
    before = json.loads(model.before) if model.before else {}
    after = json.loads(model.after) if model.after else {}
    if model.operation == "update":
        keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
        parts = [f"{FIELD_LABELS.get(k, k)}: {_short(describe_value(k, before.get(k)))} → "
                 f"{_short(describe_value(k, after.get(k)))}" for k in keys]
    else:
        shown = after or before
        parts = [f"{FIELD_LABELS.get(k, k)}: {_short(describe_value(k, v))}"
                 for k, v in sorted(shown.items())
                 if k in ("name", "full_name", "username", "email", "day", "unit_id", "duty")]
    return "; ".join(parts)


def _short(value, limit: int = 60) -> str:
    if value is None or value == "":
        text = "—"
    elif isinstance(value, bool):
        text = "Có" if value else "Không"
    elif isinstance(value, list):
        text = ", ".join(map(str, value))
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


class AuditLogAdmin(ReadOnlyView):
    column_list = ["created_at", "actor_name", "table_name", "row_id", "operation", "changes"]
    column_details_list = ["created_at", "actor_name", "table_name", "row_id", "operation",
                           "before", "after"]
    column_export_list = ["created_at", "actor_name", "table_name", "row_id", "operation",
                          "before", "after"]
    column_filters = ["table_name", "operation", "actor_name", "created_at", "row_id"]
    column_searchable_list = ["actor_name", "before", "after"]
    column_sortable_list = ["created_at", "actor_name", "table_name", "operation"]
    column_default_sort = ("id", True)
    column_labels = {"created_at": "Thời gian", "actor_name": "Người thực hiện",
                     "table_name": "Dữ liệu", "row_id": "Mã bản ghi", "operation": "Thao tác",
                     "changes": "Thay đổi", "before": "Trước", "after": "Sau"}
    column_choices = {"table_name": list(TABLE_LABELS.items()),
                      "operation": list(OPERATIONS.items())}
    column_formatters = {"changes": _changes}
    column_formatters_detail = {"before": _pretty_json, "after": _pretty_json}


class ReportEventAdmin(ReadOnlyView):
    column_list = ["created_at", "report_id", "actor_name", "unit_name", "action", "content",
                   "from_status", "to_status", "target_unit_name", "late"]
    column_details_list = column_list
    column_filters = ["action", "report_id", "unit_name", "actor_name", "created_at", "late"]
    column_searchable_list = ["content", "actor_name", "unit_name"]
    column_sortable_list = ["created_at", "report_id", "action"]
    column_default_sort = ("id", True)
    column_labels = {"created_at": "Thời gian", "report_id": "Mã phản ánh",
                     "actor_name": "Người thực hiện", "unit_name": "Đơn vị", "action": "Thao tác",
                     "content": "Nội dung", "from_status": "Trạng thái trước",
                     "to_status": "Trạng thái sau", "target_unit_name": "Đơn vị nhận",
                     "late": "Trả lại quá hạn"}
    column_choices = {"action": [(str(k), v) for k, v in ACTION_LABELS.items()],
                      "from_status": [(str(k), v) for k, v in STATUS_LABELS.items()],
                      "to_status": [(str(k), v) for k, v in STATUS_LABELS.items()]}


class ReportAdmin(ReadOnlyView):
    column_list = ["id", "received_at", "title", "status", "source", "field", "unit", "due_at"]
    column_details_list = ["id", "received_at", "title", "content", "location", "status",
                           "source", "field", "unit", "distributed_at", "due_at", "result",
                           "public_result", "published_at"]
    column_export_list = column_list
    column_display_pk = True
    column_filters = ["status", "received_at", "source.name", "field.name", "unit.name"]
    column_searchable_list = ["title", "search_text"]
    column_sortable_list = ["id", "received_at", "status", "due_at"]
    column_default_sort = ("id", True)
    column_labels = {"id": "Mã", "received_at": "Thời gian", "title": "Tiêu đề",
                     "content": "Nội dung phản ánh", "location": "Địa điểm", "status": "Trạng thái",
                     "source": "Nguồn", "source.name": "Nguồn", "field": "Lĩnh vực",
                     "field.name": "Lĩnh vực", "unit": "Đơn vị xử lý", "unit.name": "Đơn vị xử lý",
                     "distributed_at": "Ngày phân phối", "due_at": "Hạn xử lý",
                     "result": "Kết quả xử lý", "public_result": "Kết quả đăng tải",
                     "published_at": "Ngày đăng tải", "search_text": "Từ khóa"}
    column_choices = {"status": [(str(k), v) for k, v in STATUS_LABELS.items()]}


class UserAdmin(ReadOnlyView):
    """Accounts, read-only (FAB's own pages edit them); never the password hash."""

    column_list = ["username", "first_name", "last_name", "email", "unit", "roles", "active",
                   "must_change_password", "last_login", "login_count"]
    column_details_list = column_list + ["sso_subject", "fail_login_count", "created_on",
                                         "changed_on"]
    column_export_list = column_list
    column_filters = ["active", "unit.name", "roles.name", "must_change_password"]
    column_searchable_list = ["username", "first_name", "last_name", "email"]
    column_sortable_list = ["username", "last_login", "login_count", "active"]
    column_default_sort = "username"
    column_labels = {"username": "Tên đăng nhập", "first_name": "Họ và tên đệm",
                     "last_name": "Tên", "email": "Email", "unit": "Đơn vị",
                     "unit.name": "Đơn vị", "roles": "Vai trò", "roles.name": "Vai trò",
                     "active": "Đang hoạt động", "must_change_password": "Phải đổi mật khẩu",
                     "last_login": "Đăng nhập lần cuối", "login_count": "Số lần đăng nhập",
                     "sso_subject": "Mã định danh SSO",
                     "fail_login_count": "Số lần đăng nhập sai", "created_on": "Ngày tạo",
                     "changed_on": "Ngày sửa"}


class RoleAdmin(ReadOnlyView):
    column_list = ["name", "permission_count"]
    column_details_list = ["name", "permission_list"]
    column_export_list = ["name", "permission_list"]
    column_labels = {"name": "Vai trò", "permission_count": "Số quyền",
                     "permission_list": "Các quyền"}
    column_formatters = {
        "permission_count": lambda v, c, m, n: len(m.permissions),
        "permission_list": lambda v, c, m, n: "; ".join(sorted(
            describe_permission(p.permission.name, p.view_menu.name) for p in m.permissions)),
    }
    column_formatters_export = column_formatters
    column_searchable_list = ["name"]


def add_views(admin, session) -> None:
    from flask_appbuilder.security.sqla.models import Role

    catalogue, people, logs, accounts_ = "Danh mục", "Nhân sự", "Nhật ký", "Tài khoản"
    admin.add_view(UnitAdmin(Unit, session, name="Đơn vị xử lý", category=catalogue,
                             endpoint="console_unit", url="unit"))
    admin.add_view(FieldAdmin(Field, session, name="Lĩnh vực", category=catalogue,
                              endpoint="console_field", url="field"))
    admin.add_view(SourceAdmin(Source, session, name="Nguồn", category=catalogue,
                               endpoint="console_source", url="source"))
    admin.add_view(WorkdayExceptionAdmin(WorkdayException, session,
                                         name="Ngày làm việc, ngày nghỉ", category=catalogue,
                                         endpoint="console_workday", url="workday"))
    admin.add_view(PersonnelAdmin(Personnel, session, name="Danh sách nhân sự", category=people,
                                  endpoint="console_personnel", url="personnel"))
    admin.add_view(ReportEventAdmin(ReportEvent, session, name="Nhật ký trao đổi", category=logs,
                                    endpoint="console_event", url="event"))
    admin.add_view(AuditLogAdmin(AuditLog, session, name="Nhật ký quản trị", category=logs,
                                 endpoint="console_audit", url="audit"))
    admin.add_view(ReportAdmin(Report, session, name="Phản ánh", category=logs,
                               endpoint="console_report", url="report"))
    admin.add_view(UserAdmin(AppUser, session, name="Tài khoản", category=accounts_,
                             endpoint="console_user", url="user"))
    admin.add_view(RoleAdmin(Role, session, name="Vai trò", category=accounts_,
                             endpoint="console_role", url="role"))
