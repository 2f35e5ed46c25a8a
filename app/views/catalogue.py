"""The centre's catalogues: units, fields, sources, working-day exceptions (FAB ModelViews).

The centre and administrators edit them; the other roles may only read (see security/roles.py).
"""
from flask_appbuilder import ModelView
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import SelectField
from wtforms.validators import DataRequired, NumberRange

from ..formatting import local_date, local_datetime, yes_no
from ..models import Field, Source, Unit, WorkdayException
from ..models.catalogue import LOGIN_METHOD_LABELS, SOURCE_CHANNEL_LABELS, UNIT_KIND_LABELS
from ..validators import EmailAddress, VietnamesePhone

COMMON_LABELS = {
    "name": "Tên",
    "active": "Đang sử dụng",
    "created_at": "Ngày tạo",
    "updated_at": "Cập nhật lần cuối",
}


def choice_field(label: str, labels: dict) -> SelectField:
    return SelectField(
        label,
        choices=[(str(k), v) for k, v in labels.items()],
        validators=[DataRequired()],
        widget=Select2Widget(),
    )


class CatalogueView(ModelView):
    page_size = 20
    formatters_columns = {"active": yes_no, "created_at": local_datetime, "updated_at": local_datetime}


class UnitView(CatalogueView):
    datamodel = SQLAInterface(Unit)
    class_permission_name = "Unit"
    list_title = show_title = "Đơn vị, cơ quan xử lý"
    add_title = "Thêm đơn vị xử lý"
    edit_title = "Sửa đơn vị xử lý"
    label_columns = {
        **COMMON_LABELS,
        "name": "Tên đơn vị",
        "kind": "Loại đơn vị",
        "parent": "Đơn vị cấp trên",
        "login_method": "Cách đăng nhập",
        "phone": "Điện thoại",
        "email": "Email",
    }
    list_columns = ["name", "kind", "parent", "login_method", "phone", "active"]
    show_columns = ["name", "kind", "parent", "login_method", "phone", "email", "active",
                    "created_at", "updated_at"]
    add_columns = edit_columns = ["name", "kind", "parent", "login_method", "phone", "email", "active"]
    search_columns = ["name", "kind", "parent", "login_method", "active"]
    order_columns = ["name", "kind", "login_method", "active"]
    base_order = ("name", "asc")
    formatters_columns = {
        **CatalogueView.formatters_columns,
        "kind": lambda v: UNIT_KIND_LABELS.get(v, v),
        "login_method": lambda v: LOGIN_METHOD_LABELS.get(v, v),
    }
    validators_columns = {"phone": [VietnamesePhone()], "email": [EmailAddress()]}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice_field("Loại đơn vị", UNIT_KIND_LABELS),
        "login_method": choice_field("Cách đăng nhập", LOGIN_METHOD_LABELS),
    }


class FieldView(CatalogueView):
    datamodel = SQLAInterface(Field)
    class_permission_name = "Field"
    list_title = show_title = "Danh mục lĩnh vực"
    add_title = "Thêm lĩnh vực"
    edit_title = "Sửa lĩnh vực"
    label_columns = {
        **COMMON_LABELS,
        "name": "Tên lĩnh vực",
        "default_unit": "Đơn vị xử lý mặc định",
        "handling_days": "Thời hạn xử lý (ngày làm việc)",
    }
    list_columns = ["name", "default_unit", "handling_days", "active"]
    show_columns = ["name", "default_unit", "handling_days", "active", "created_at", "updated_at"]
    add_columns = edit_columns = ["name", "default_unit", "handling_days", "active"]
    search_columns = ["name", "default_unit", "handling_days", "active"]
    base_order = ("name", "asc")
    validators_columns = {
        "handling_days": [
            NumberRange(min=1, max=90, message="Thời hạn xử lý phải từ 1 đến 90 ngày làm việc.")
        ]
    }


class SourceView(CatalogueView):
    datamodel = SQLAInterface(Source)
    class_permission_name = "Source"
    list_title = show_title = "Danh mục nguồn"
    add_title = "Thêm nguồn tiếp nhận"
    edit_title = "Sửa nguồn tiếp nhận"
    label_columns = {**COMMON_LABELS, "name": "Tên nguồn", "channel": "Kênh tiếp nhận"}
    list_columns = ["name", "channel", "active"]
    show_columns = ["name", "channel", "active", "created_at", "updated_at"]
    add_columns = edit_columns = ["name", "channel", "active"]
    search_columns = ["name", "channel", "active"]
    base_order = ("name", "asc")
    formatters_columns = {
        **CatalogueView.formatters_columns,
        "channel": lambda v: SOURCE_CHANNEL_LABELS.get(v, v),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "channel": choice_field("Kênh tiếp nhận", SOURCE_CHANNEL_LABELS),
    }


class WorkdayExceptionView(CatalogueView):
    datamodel = SQLAInterface(WorkdayException)
    class_permission_name = "WorkdayException"
    list_title = show_title = "Ngày làm việc, ngày nghỉ bổ sung"
    add_title = "Thêm ngày làm việc hoặc ngày nghỉ"
    edit_title = "Sửa ngày làm việc hoặc ngày nghỉ"
    label_columns = {
        **COMMON_LABELS,
        "day": "Ngày",
        "is_working_day": "Là ngày làm việc",
        "note": "Ghi chú (căn cứ thông báo)",
    }
    list_columns = ["day", "is_working_day", "note"]
    show_columns = ["day", "is_working_day", "note", "created_at", "updated_at"]
    add_columns = edit_columns = ["day", "is_working_day", "note"]
    search_columns = ["day", "is_working_day", "note"]
    base_order = ("day", "desc")
    formatters_columns = {
        **CatalogueView.formatters_columns,
        "day": local_date,
        "is_working_day": yes_no,
    }
