"""REST API of the catalogues (DESIGN §7): /api/v1/unit/, /api/v1/field/, /api/v1/source/."""
from flask_appbuilder import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface

from ..models import Field, Source, Unit
from .base import RequestFiltersMixin


class UnitApi(RequestFiltersMixin, ModelRestApi):
    resource_name = "unit"
    class_permission_name = "Unit"
    datamodel = SQLAInterface(Unit)
    allow_browser_login = True
    page_size = 100
    list_columns = ["id", "name", "kind", "parent.id", "parent.name", "login_method", "phone",
                    "email", "active"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "kind", "parent", "login_method", "phone", "email", "active"]
    order_columns = ["name", "kind", "id"]
    search_columns = ["name", "kind", "parent", "login_method", "active"]
    base_order = ("name", "asc")


class FieldApi(RequestFiltersMixin, ModelRestApi):
    resource_name = "field"
    class_permission_name = "Field"
    datamodel = SQLAInterface(Field)
    allow_browser_login = True
    page_size = 100
    list_columns = ["id", "name", "default_unit.id", "default_unit.name", "handling_days", "active"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "default_unit", "handling_days", "active"]
    search_columns = ["name", "default_unit", "active"]
    base_order = ("name", "asc")


class SourceApi(RequestFiltersMixin, ModelRestApi):
    resource_name = "source"
    class_permission_name = "Source"
    datamodel = SQLAInterface(Source)
    allow_browser_login = True
    page_size = 100
    # api_key stays out: it is a secret of the channel's client.
    list_columns = ["id", "name", "channel", "active"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "channel", "active"]
    search_columns = ["name", "channel", "active"]
    base_order = ("name", "asc")
