"""Small corrections to Flask-AppBuilder 5.3 (on WTForms 3.3 and marshmallow 4), applied once at
start-up: Vietnamese where the libraries only speak English."""
import functools

from flask_appbuilder.fields import QuerySelectField

BLANK_CHOICE = "— Chưa chọn —"


def _label_the_blank_choice() -> None:
    """FAB's optional relation selects offer an empty choice with an empty label, and WTForms 3.3
    shows the value instead ("__None"): give that choice a Vietnamese label."""
    original = QuerySelectField.__init__
    if getattr(original, "_labels_blank_choice", False):
        return

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        if not kwargs.get("blank_text"):
            kwargs["blank_text"] = BLANK_CHOICE
        original(self, *args, **kwargs)

    init._labels_blank_choice = True
    QuerySelectField.__init__ = init




# marshmallow's messages, as FAB's REST API returns them for a bad JSON body.
API_MESSAGES = {
    ("Field", "required"): "Trường này là bắt buộc.",
    ("Field", "null"): "Trường này không được để trống.",
    ("Field", "validator_failed"): "Giá trị không hợp lệ.",
    ("String", "invalid"): "Không phải là chuỗi ký tự hợp lệ.",
    ("String", "invalid_utf8"): "Không phải là chuỗi UTF-8 hợp lệ.",
    ("Number", "invalid"): "Không phải là số hợp lệ.",
    ("Number", "too_large"): "Số quá lớn.",
    ("Integer", "invalid"): "Không phải là số nguyên hợp lệ.",
    ("Boolean", "invalid"): "Không phải là giá trị đúng/sai hợp lệ.",
    ("Date", "invalid"): "Không phải là ngày hợp lệ.",
    ("DateTime", "invalid"): "Không phải là thời gian hợp lệ.",
    ("List", "invalid"): "Không phải là danh sách hợp lệ.",
    ("Nested", "type"): "Kiểu dữ liệu không hợp lệ.",
}
SCHEMA_MESSAGES = {"unknown": "Trường không được hỗ trợ.", "type": "Dữ liệu gửi lên không hợp lệ."}
VALIDATOR_MESSAGES = {
    "Length": {
        "message_min": "Phải có ít nhất {min} ký tự.",
        "message_max": "Không được dài quá {max} ký tự.",
        "message_all": "Phải có từ {min} đến {max} ký tự.",
        "message_equal": "Phải có đúng {equal} ký tự.",
    },
    # Range formats these once at construction (with min_op/max_op): braces doubled.
    "Range": {
        "message_min": "Phải lớn hơn hoặc bằng {{min}}.",
        "message_max": "Phải nhỏ hơn hoặc bằng {{max}}.",
        "message_all": "Phải nằm trong khoảng từ {{min}} đến {{max}}.",
    },
    "OneOf": {"default_message": "Phải là một trong các giá trị: {choices}."},
}


def _vietnamese_api_messages() -> None:
    from marshmallow import Schema, fields, validate

    for (field_name, key), text in API_MESSAGES.items():
        cls = getattr(fields, field_name)
        cls.default_error_messages = {**cls.default_error_messages, key: text}
    Schema._default_error_messages = {**Schema._default_error_messages, **SCHEMA_MESSAGES}
    for name, messages in VALIDATOR_MESSAGES.items():
        for attribute, text in messages.items():
            setattr(getattr(validate, name), attribute, text)


def _vietnamese_api_responses() -> None:
    """FAB's REST answers without a message of their own ("Not found", "Forbidden" …)."""
    from flask_appbuilder.api import BaseApi

    from .errors import MESSAGES

    def fixed(code):
        return lambda self: self.response(code, message=MESSAGES[code][1])

    def with_default(code):
        return lambda self, message=None: self.response(code, message=message or MESSAGES[code][1])

    BaseApi.response_401 = fixed(401)
    BaseApi.response_403 = fixed(403)
    BaseApi.response_404 = fixed(404)
    BaseApi.response_400 = with_default(400)
    BaseApi.response_500 = with_default(500)
    BaseApi.response_422 = lambda self, message=None: self.response(
        422, message=message or "Dữ liệu gửi lên không xử lý được.")


def _vietnamese_permission_names() -> None:
    """Role pages list permissions by FAB's identifiers ("can edit on Field"): read them out in
    Vietnamese; the stored names stay as they are."""
    from flask_appbuilder.security.sqla.models import PermissionView

    from .security.roles import describe_permission

    def describe(self):
        return describe_permission(str(self.permission), str(self.view_menu))

    PermissionView.__repr__ = describe
    PermissionView.__str__ = describe


def _unknown_actions_not_found() -> None:
    """FAB 5.3's ``ModelView.action`` / ``action_post`` look the action up by name without
    checking that it exists (a 500 for anyone, even not signed in), then hand it rows that may
    not exist (``None``). Unknown actions and rows answer 404; the permission check stays FAB's
    and comes before the rows are looked at."""
    import flask_appbuilder
    from flask import abort, request
    from flask_appbuilder.views import ModelView

    if getattr(ModelView.action, "_checks_names", False):
        return
    assert flask_appbuilder.__version__.startswith("5."), flask_appbuilder.__version__
    original_action, original_post = ModelView.action, ModelView.action_post

    def permitted(view, name) -> bool:
        return view.appbuilder.sm.has_access(view.get_action_permission_name(name),
                                             view.class_permission_name)

    def missing(view, pks) -> bool:
        return any(view.datamodel.get(view._deserialize_pk_if_composite(pk)) is None
                   for pk in pks)

    @functools.wraps(original_action)
    def action(self, name, pk):
        # A GET is refused by FAB first (no mutation without a CSRF token): left to it.
        proceeds = request.method != "GET" or self.is_get_mutation_allowed()
        if proceeds and (name not in self.actions
                         or (permitted(self, name) and missing(self, [pk]))):
            abort(404)
        return original_action(self, name, pk)

    @functools.wraps(original_post)
    def action_post(self):
        if "action" in request.form:  # without it FAB answers 400
            name, pks = request.form["action"], request.form.getlist("rowid")
            if name not in self.actions or (permitted(self, name)
                                            and (not pks or missing(self, pks))):
                abort(404)
        return original_post(self)

    action._checks_names = True
    ModelView.action, ModelView.action_post = action, action_post


def _login_provider_defaults_to_db() -> None:
    """FAB 5.3's ``POST /api/v1/security/login`` schema does not require ``provider`` but the
    endpoint reads it (a 500 without it, found by the fuzzer): without it, the password."""
    from flask_appbuilder.const import API_SECURITY_PROVIDER_DB
    from flask_appbuilder.security.schemas import LoginPost, login_post

    if login_post.fields["provider"].required:  # a FAB that requires it needs no default
        return
    for schema_fields in (LoginPost._declared_fields, login_post.fields,
                          login_post.load_fields):
        schema_fields["provider"].load_default = API_SECURITY_PROVIDER_DB


def apply() -> None:
    _login_provider_defaults_to_db()
    _unknown_actions_not_found()
    _label_the_blank_choice()
    _vietnamese_api_messages()
    _vietnamese_api_responses()
    _vietnamese_permission_names()
