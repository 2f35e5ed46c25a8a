"""Form validators with Vietnamese messages, shared by the web forms, the API and the importers."""
from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from wtforms.validators import ValidationError

PHONE_MESSAGE = "Số điện thoại không hợp lệ (ví dụ: 0917400300 hoặc 02343.940999)."
EMAIL_MESSAGE = "Địa chỉ thư điện tử không hợp lệ (ví dụ: ten@thuathienhue.gov.vn)."


def normalise_phone(raw: str | None) -> str | None:
    """A Vietnamese mobile or landline number in its national form (0917400300), or None if invalid.

    Dots, spaces and dashes are allowed in what people type ("02343.940999", "0398 340 669").
    """
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")


def normalise_email(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


class VietnamesePhone:
    """WTForms validator: empty passes (add DataRequired where a phone is required)."""

    def __call__(self, form, field) -> None:
        if field.data and field.data.strip():
            normal = normalise_phone(field.data)
            if normal is None:
                raise ValidationError(PHONE_MESSAGE)
            field.data = normal


class EmailAddress:
    def __call__(self, form, field) -> None:
        if field.data and field.data.strip():
            normal = normalise_email(field.data)
            if normal is None:
                raise ValidationError(EMAIL_MESSAGE)
            field.data = normal
