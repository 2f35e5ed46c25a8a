"""Input schemas (marshmallow) of the catalogue APIs: they check exactly what the web forms check.

A body is refused with 400 and a Vietnamese message naming each bad field; a field the API does
not know is refused by name. The database says the same with CHECK constraints (migration
0007b_security), so a path that forgets a schema still cannot store a bad row.
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from ..models.catalogue import LOGIN_METHOD_LABELS, SOURCE_CHANNEL_LABELS, UNIT_KIND_LABELS
from ..validators import EMAIL_MESSAGE, PHONE_MESSAGE, normalise_email, normalise_phone

MIN_HANDLING_DAYS, MAX_HANDLING_DAYS = 1, 90


class InputError(Exception):
    """A body refused by a schema: ``message`` (Vietnamese) and ``errors`` per field."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def _messages(label: str, **extra) -> dict:
    return {
        "required": f"Vui lòng nhập {label}.",
        "null": f"{label[:1].upper() + label[1:]} không được để trống.",
        "invalid": f"{label[:1].upper() + label[1:]} không hợp lệ.",
        **extra,
    }


def _name(label: str):
    return fields.String(
        required=True, error_messages=_messages(label),
        validate=[validate.Length(max=255, error="Tên không được dài quá 255 ký tự."),
                  validate.Regexp(r"\S", error=f"Vui lòng nhập {label}.")])


def _choice(label: str, labels: dict, required: bool = True):
    codes = [str(c) for c in labels]
    return fields.String(
        required=required, error_messages=_messages(label),
        validate=validate.OneOf(codes, error=f"{label[:1].upper() + label[1:]} phải là một "
                                             f"trong: {', '.join(codes)}."))


def _reference(label: str):
    """A catalogue row by its id (checked against the database by the API)."""
    return fields.Integer(strict=True, allow_none=True, error_messages=_messages(label),
                          validate=validate.Range(min=1, max=2**31 - 1,
                                                  error=f"{label[:1].upper() + label[1:]} không tồn tại."))


def _active():
    return fields.Boolean(error_messages=_messages("trạng thái sử dụng",
                                                   invalid="Đang sử dụng phải là true hoặc false."))


class CatalogueSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # unknown fields are named by ``load_body`` before loading

    # How a field is named in messages.
    LABELS: dict[str, str] = {}


class UnitSchema(CatalogueSchema):
    LABELS = {"name": "Tên đơn vị", "kind": "Loại đơn vị", "parent": "Đơn vị cấp trên",
              "login_method": "Cách đăng nhập", "phone": "Điện thoại", "email": "Email",
              "active": "Đang sử dụng"}
    name = _name("tên đơn vị")
    kind = _choice("loại đơn vị", UNIT_KIND_LABELS)
    parent = _reference("đơn vị cấp trên")
    login_method = _choice("cách đăng nhập", LOGIN_METHOD_LABELS)
    phone = fields.String(allow_none=True, error_messages=_messages("điện thoại"))
    email = fields.String(allow_none=True, error_messages=_messages("email"))
    active = _active()

    @validates("phone")
    def _phone(self, value, **_kwargs):
        if value and value.strip() and normalise_phone(value) is None:
            raise ValidationError(PHONE_MESSAGE)

    @validates("email")
    def _email(self, value, **_kwargs):
        if value and value.strip() and normalise_email(value) is None:
            raise ValidationError(EMAIL_MESSAGE)


class FieldSchema(CatalogueSchema):
    LABELS = {"name": "Tên lĩnh vực", "default_unit": "Đơn vị xử lý mặc định",
              "handling_days": "Thời hạn xử lý", "active": "Đang sử dụng"}
    name = _name("tên lĩnh vực")
    default_unit = _reference("đơn vị xử lý mặc định")
    handling_days = fields.Integer(
        strict=True, required=True, error_messages=_messages("thời hạn xử lý"),
        validate=validate.Range(
            min=MIN_HANDLING_DAYS, max=MAX_HANDLING_DAYS,
            error=f"Thời hạn xử lý phải từ {MIN_HANDLING_DAYS} đến {MAX_HANDLING_DAYS} ngày làm việc."))
    active = _active()


class SourceSchema(CatalogueSchema):
    LABELS = {"name": "Tên nguồn", "channel": "Kênh tiếp nhận", "active": "Đang sử dụng"}
    name = _name("tên nguồn")
    channel = _choice("kênh tiếp nhận", SOURCE_CHANNEL_LABELS)
    active = _active()


def load_body(schema: CatalogueSchema, body, *, partial: bool) -> dict:
    """The validated body, or InputError: not an object, unknown fields, bad values."""
    if not isinstance(body, dict):
        raise InputError("Nội dung yêu cầu phải là một đối tượng JSON.")
    unknown = sorted(set(body) - set(schema.fields))
    if unknown:
        raise InputError(f"Trường không được hỗ trợ: {', '.join(map(str, unknown))}.",
                         {name: ["Trường không được hỗ trợ."] for name in unknown})
    try:
        data = schema.load(body, partial=partial)
    except ValidationError as exc:
        errors = exc.normalized_messages()
        parts = [f"{schema.LABELS.get(name, name)}: {' '.join(_flat(messages))}"
                 for name, messages in sorted(errors.items())]
        raise InputError("Dữ liệu không hợp lệ. " + "; ".join(parts), errors) from None
    if "phone" in data:
        data["phone"] = normalise_phone(data["phone"]) if data["phone"] else None
    if "email" in data:
        data["email"] = normalise_email(data["email"]) if data["email"] else None
    if "name" in data:
        data["name"] = data["name"].strip()
    return data


def _flat(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flat(value)]
    return [str(messages)]
