"""REST API of the catalogues (DESIGN §7): /api/v1/unit/, /api/v1/field/, /api/v1/source/.

Writes go through the input schemas of app/api/schemas.py (what the web forms check, 400 in
Vietnamese naming each bad or unknown field); a duplicate name answers 409; deleting a row that
reports, fields, units or accounts use answers 409 and deletes nothing (set "Đang sử dụng" to
false instead). Labels and titles are Vietnamese, as on the web pages.
"""
from flask import request
from flask_appbuilder import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy.exc import IntegrityError

from ..errors import LARGEST_ID
from ..extensions import db
from ..models import Field, Source, Unit
from ..views.catalogue import FieldView, SourceView, UnitView
from .base import RequestFiltersMixin
from .schemas import FieldSchema, InputError, SourceSchema, UnitSchema, load_body

IN_USE = ("Không thể xóa “{name}”: mục này đang được dùng (phản ánh, lĩnh vực, đơn vị hoặc "
          "tài khoản tham chiếu đến nó). Hãy chuyển sang “ngừng sử dụng” thay vì xóa.")
DUPLICATE = "Tên “{name}” đã có trong danh mục."


class CatalogueApi(RequestFiltersMixin, ModelRestApi):
    """What the three catalogue APIs share: validated writes, 409 instead of data loss."""

    allow_browser_login = True
    page_size = 100
    input_schema: type = None
    # Relations given by id in the body: name → model.
    references: dict = {}
    web_view: type = None  # the web view whose Vietnamese labels and titles the API repeats

    def __init__(self):
        view = self.web_view
        self.label_columns = {**view.label_columns, "id": "Mã",
                              **{f"{name}.id": f"{view.label_columns.get(name, name)} (mã)"
                                 for name in self.references},
                              **{f"{name}.name": view.label_columns.get(name, name)
                                 for name in self.references}}
        self.description_columns = {name: label for name, label in view.label_columns.items()}
        self.list_title = self.show_title = view.list_title
        self.add_title, self.edit_title = view.add_title, view.edit_title
        # The OpenAPI document describes the bodies the schema accepts.
        self.add_model_schema = self.input_schema()
        self.edit_model_schema = self.input_schema(partial=True)
        super().__init__()

    def _body(self, *, partial: bool) -> dict:
        data = load_body(self.input_schema(), request.get_json(silent=True), partial=partial)
        for name, model in self.references.items():
            if data.get(name) is not None:
                row = db.session.get(model, data[name])
                if row is None:
                    label = self.input_schema.LABELS.get(name, name)
                    raise InputError(f"{label} không tồn tại.", {name: [f"{label} không tồn tại."]})
                data[name] = row
        return data

    def _save(self, item, code: int, **extra):
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return self.response(409, message=DUPLICATE.format(name=item.name))
        return self.response(code, id=item.id,
                             result=self.show_model_schema.dump(item, many=False), **extra)

    def _item(self, pk):
        """The row of a URL's id, or None (404) for an id that is no integer or out of range."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        if not 0 < pk <= LARGEST_ID:
            return None
        return self.datamodel.get(pk, self._base_filters)

    def post_headless(self):
        try:
            data = self._body(partial=False)
        except InputError as exc:
            return self.response(400, message=exc.message, errors=exc.errors)
        item = self.datamodel.obj()
        for name, value in data.items():
            setattr(item, name, value)
        db.session.add(item)
        return self._save(item, 201)

    def put_headless(self, pk):
        item = self._item(pk)
        if item is None:
            return self.response_404()
        try:
            data = self._body(partial=True)
        except InputError as exc:
            return self.response(400, message=exc.message, errors=exc.errors)
        if data.get("parent") is item:
            return self.response(400, message="Đơn vị không thể là đơn vị cấp trên của chính nó.")
        for name, value in data.items():
            setattr(item, name, value)
        return self._save(item, 200)

    def delete_headless(self, pk):
        item = self._item(pk)
        if item is None:
            return self.response_404()
        name = item.name
        db.session.delete(item)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return self.response(409, message=IN_USE.format(name=name))
        return self.response(200, message=f"Đã xóa “{name}”.")


class UnitApi(CatalogueApi):
    resource_name = "unit"
    class_permission_name = "Unit"
    datamodel = SQLAInterface(Unit)
    input_schema = UnitSchema
    references = {"parent": Unit}
    web_view = UnitView
    list_columns = ["id", "name", "kind", "parent.id", "parent.name", "login_method", "phone",
                    "email", "active"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "kind", "parent", "login_method", "phone", "email", "active"]
    order_columns = ["name", "kind", "id"]
    search_columns = ["name", "kind", "parent", "login_method", "active"]
    base_order = ("name", "asc")


class FieldApi(CatalogueApi):
    resource_name = "field"
    class_permission_name = "Field"
    datamodel = SQLAInterface(Field)
    input_schema = FieldSchema
    references = {"default_unit": Unit}
    web_view = FieldView
    list_columns = ["id", "name", "default_unit.id", "default_unit.name", "handling_days", "active"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "default_unit", "handling_days", "active"]
    search_columns = ["name", "default_unit", "active"]
    base_order = ("name", "asc")


class SourceApi(CatalogueApi):
    resource_name = "source"
    class_permission_name = "Source"
    datamodel = SQLAInterface(Source)
    input_schema = SourceSchema
    web_view = SourceView
    # api_key stays out: it is a secret of the channel's client.
    list_columns = ["id", "name", "channel", "active"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "channel", "active"]
    search_columns = ["name", "channel", "active"]
    base_order = ("name", "asc")
