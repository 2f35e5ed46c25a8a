"""The password rule, for every way a password is set (the change form, an administrator's
reset, a new account, provisioning, the command line): at least 12 characters, not one of the
30,000 most common passwords (the list zxcvbn ships), never the person's current password nor
the one they were given.
"""
from __future__ import annotations

from functools import lru_cache

from werkzeug.security import check_password_hash

MIN_LENGTH = 12
TOO_SHORT = f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự."
TOO_COMMON = "Mật khẩu này quá phổ biến, dễ bị đoán: hãy chọn mật khẩu khác."
SAME_AS_CURRENT = "Mật khẩu mới phải khác mật khẩu hiện tại."
SAME_AS_INITIAL = "Mật khẩu mới phải khác mật khẩu được cấp ban đầu."


class PasswordRefused(ValueError):
    """A password the rule refuses; the message is Vietnamese, for the person."""


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _matches(password: str, hashed: str | None) -> bool:
    return bool(hashed) and check_password_hash(hashed, password)


def check_password(password: str, user=None) -> None:
    """Raise PasswordRefused if ``password`` may not be set (for ``user``, when known)."""
    if len(password or "") < MIN_LENGTH:
        raise PasswordRefused(TOO_SHORT)
    if password.lower() in _common():
        raise PasswordRefused(TOO_COMMON)
    if user is not None:
        if _matches(password, getattr(user, "password", None)):
            raise PasswordRefused(SAME_AS_CURRENT)
        if _matches(password, getattr(user, "initial_password", None)):
            raise PasswordRefused(SAME_AS_INITIAL)


def password_strength(password: str) -> None:
    """FAB's password complexity hook (FAB_PASSWORD_COMPLEXITY_VALIDATOR), used by its forms.

    On the "change my password" form the person is known: their current and initial passwords
    are refused too.
    """
    from flask import has_request_context, request
    from flask_appbuilder.exceptions import PasswordComplexityValidationError
    from flask_login import current_user

    user = None
    if has_request_context() and (request.endpoint or "").startswith("ResetMyPasswordView."):
        user = current_user if current_user.is_authenticated else None
    try:
        check_password(password, user)
    except PasswordRefused as exc:
        raise PasswordComplexityValidationError(str(exc)) from None
