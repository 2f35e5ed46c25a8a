"""Accounts from the personnel lists (DESIGN §1; the letter's "Bước 1: Đăng nhập hệ thống").

Each registered person gets one FAB account, bound to the person's unit, with the role of the
person's duty (Lãnh đạo phê duyệt or Cán bộ xử lý). The list is the source of truth for these
accounts: provisioning creates the missing ones, brings role, unit, name and e-mail in line with
the list, reactivates the account of a person put back on the list and deactivates (never
deletes: their exchange-log entries stay) the account of a person taken off it.

How people sign in depends on their unit's ``login_method``:

- ``sso``: state agencies sign in only through the provincial single sign-on; the account gets
  no usable password (FAB stores a random secret nobody knows) and the password form refuses it;
- ``local``: everyone else signs in with a user name (the e-mail) and a generated initial
  password, shown once to the administrator (or printed by the command) and changed at first
  sign-in (``must_change_password``).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import func

from ..domain.workflow import Role
from ..extensions import appbuilder, db
from ..models import AppUser, LoginMethod, Personnel
from ..models.personnel import Duty
from ..security.roles import role_by_code

DUTY_ROLES = {Duty.LEADER: Role.LEADER, Duty.HANDLER: Role.HANDLER}
# Accounts with only these roles may be taken over by the list (e.g. made by hand before).
LIST_ROLES = frozenset({Role.LEADER.code, Role.HANDLER.code})

_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


class AccountError(Exception):
    """A person whose account cannot be made (the message is Vietnamese, for the administrator)."""


def generate_password(length: int = 12) -> str:
    """A random initial password without look-alike characters, with letters and digits."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def split_name(full_name: str) -> tuple[str, str]:
    """FAB's first/last name from a Vietnamese full name: "Nguyễn Văn" + "Hùng" (as the demo)."""
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip()[:64], ""
    return " ".join(words[:-1])[:64], words[-1][:64]


def user_for_email(email: str) -> AppUser | None:
    email = email.lower()
    return (
        db.session.query(AppUser)
        .filter((func.lower(AppUser.email) == email) | (func.lower(AppUser.username) == email))
        .order_by(AppUser.id)
        .first()
    )


def foreign_account(email: str) -> str | None:
    """Why an existing account with this e-mail may not become a listed person's, or None.

    An account holding a role beyond the two the list gives (an administrator's, the centre's,
    a viewer's) is never turned into a unit account.
    """
    user = user_for_email(email)
    if user is None:
        return None
    listed = {role_by_code(code) for code in LIST_ROLES}
    other_roles = sorted(r.name for r in user.roles if r not in listed)
    if other_roles:
        return (
            f"Email {email} đang là email của tài khoản “{user.username}” "
            f"(vai trò {', '.join(other_roles)}), không thể dùng cho nhân sự của đơn vị."
        )
    return None


def account_conflict(email: str, person_id: int | None = None) -> str | None:
    """Why the account of a person with this e-mail cannot be made, or None: an account that
    is not the list's to take over, or one another active listed person holds."""
    foreign = foreign_account(email)
    if foreign:
        return foreign
    user = user_for_email(email)
    if user is None:
        return None
    holder = (
        db.session.query(Personnel)
        .filter(Personnel.user_id == user.id, Personnel.active.is_(True))
        .first()
    )
    if holder is not None and holder.id != person_id:
        return f"Email {email} đã được đăng ký cho đơn vị “{holder.unit.name}”."
    return None


@dataclass
class AccountResult:
    person: Personnel
    user: AppUser | None
    status: str  # created, updated, unchanged, deactivated, reactivated, skipped
    password: str | None = None  # the generated initial password, shown once
    changes: list[str] = field(default_factory=list)

    STATUS_LABELS = {
        "created": "Đã tạo tài khoản",
        "updated": "Đã cập nhật tài khoản",
        "unchanged": "Tài khoản không đổi",
        "deactivated": "Đã khóa tài khoản",
        "reactivated": "Đã mở lại tài khoản",
        "skipped": "Chưa cấp tài khoản",
        "password": "Đã cấp lại mật khẩu",
    }

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS.get(self.status, self.status)

    @property
    def username(self) -> str:
        return self.user.username if self.user else ""

    @property
    def login_label(self) -> str:
        if self.person.unit.login_method == LoginMethod.SSO:
            return "Đăng nhập một lần (SSO)"
        return "Tên người dùng và mật khẩu"


def _role(duty: str):
    return role_by_code(DUTY_ROLES[Duty(duty)].code)


def _is_local(person: Personnel) -> bool:
    return person.unit.login_method == LoginMethod.LOCAL


def _deactivate(person: Personnel) -> AccountResult:
    user = person.user
    if user is None:
        return AccountResult(person, None, "unchanged")
    if user.active:
        user.active = False
        return AccountResult(person, user, "deactivated")
    return AccountResult(person, user, "unchanged")


def _create(person: Personnel, with_password: bool, *, sso: bool = False) -> AccountResult:
    """A new account (or one taken over); ``sso``: made at a single sign-on, no password."""
    if _is_local(person) and not with_password and not sso:
        return AccountResult(person, None, "skipped")
    conflict = account_conflict(person.email, person.id)
    if conflict:
        raise AccountError(conflict)
    user = user_for_email(person.email)
    if user is not None:
        # Taking over an account made before (by hand, or for this person in another unit,
        # whose row has left its list): the old row lets go of it.
        for previous in db.session.query(Personnel).filter(
            Personnel.user_id == user.id, Personnel.id != person.id
        ):
            previous.user = None
        db.session.flush()
        person.user = user
        result = _sync(person)
        result.status = "updated"
        return result
    first, last = split_name(person.full_name)
    password = generate_password() if _is_local(person) and not sso else None
    # Without a password FAB stores the hash of a random secret: no usable password.
    user = appbuilder.sm.add_user(
        person.email, first, last, person.email, _role(person.duty),
        password=password or "", commit=False,
    )
    if not user:
        raise AccountError(f"Không tạo được tài khoản cho {person.full_name} ({person.email}).")
    user.unit = person.unit
    user.must_change_password = password is not None
    person.user = user
    db.session.flush()
    return AccountResult(person, user, "created", password=password)


def _sync(person: Personnel) -> AccountResult:
    """Bring an existing account in line with the person's row."""
    user = person.user
    changes = []
    first, last = split_name(person.full_name)
    if (user.first_name, user.last_name) != (first, last):
        user.first_name, user.last_name = first, last
        changes.append("họ tên")
    if (user.email or "").lower() != person.email:
        user.email = person.email
        changes.append("email")
    if user.unit_id != person.unit_id:
        user.unit = person.unit
        changes.append("đơn vị")
    role = _role(person.duty)
    if [r.name for r in user.roles] != [role.name]:
        user.roles = [role]
        changes.append("vai trò")
    status = "updated" if changes else "unchanged"
    if not user.active:
        user.active = True
        status = "reactivated"
    return AccountResult(person, user, status, changes=changes)


def provision(people, *, with_passwords: bool = True) -> list[AccountResult]:
    """Create, update, reactivate or deactivate the accounts of these people (no commit).

    ``with_passwords=False`` leaves people of ``local`` units without an account ("skipped")
    rather than generate a password nobody would see.
    """
    results = []
    for person in people:
        if not person.active:
            results.append(_deactivate(person))
        elif person.user is None:
            results.append(_create(person, with_passwords))
        else:
            results.append(_sync(person))
    db.session.flush()
    return results


def reset_passwords(people) -> list[AccountResult]:
    """New initial passwords for people of ``local`` units (lost or never handed over)."""
    results = []
    for person in people:
        if not person.active or not _is_local(person):
            continue
        if person.user is None:
            results.append(_create(person, True))
            continue
        password = generate_password()
        appbuilder.sm.reset_password(person.user.id, password)
        person.user.must_change_password = True
        results.append(AccountResult(person, person.user, "password", password=password))
    db.session.flush()
    return results


def deactivate_for_removed(person: Personnel) -> None:
    """The person leaves the list (row deleted): lock the account, keep it and its history."""
    if person.user is not None:
        person.user.active = False


def password_sign_in_refused(user) -> bool:
    """True for a listed person of an ``sso`` unit: they sign in through SSO only."""
    if user is None or user.unit is None or user.unit.login_method != LoginMethod.SSO:
        return False
    return db.session.query(Personnel.id).filter(Personnel.user_id == user.id).first() is not None


class SignInRefused(Exception):
    """Single sign-on accepted by the provider but refused here (Vietnamese message)."""


def sso_user(claims: dict) -> AppUser:
    """The account of the registered person an OpenID Connect identity belongs to.

    The person is found by e-mail among the active personnel lists; their account is made or
    brought in line with the list (role of the duty, unit). An unregistered identity is refused.
    The subject (``sub``) is remembered at the first sign-in; a later one with the same e-mail
    and another subject is refused (the provider gave the address to someone else).
    """
    from ..validators import normalise_email

    email = normalise_email(claims.get("email"))
    if not email and str(claims.get("email") or "").strip():
        raise SignInRefused(
            f"Địa chỉ email “{str(claims['email']).strip()[:100]}” do hệ thống đăng nhập một "
            "lần cung cấp không hợp lệ nên không xác định được nhân sự. Vui lòng liên hệ quản "
            "trị hệ thống."
        )
    if not email:
        raise SignInRefused(
            "Tài khoản đăng nhập một lần không cung cấp địa chỉ email nên không xác định được "
            "nhân sự. Vui lòng liên hệ quản trị hệ thống."
        )
    email = email.lower()
    if claims.get("email_verified") is False:
        raise SignInRefused(f"Địa chỉ email {email} chưa được hệ thống đăng nhập một lần xác minh.")
    people = (
        db.session.query(Personnel)
        .filter(func.lower(Personnel.email) == email, Personnel.active.is_(True))
        .all()
    )
    if not people:
        raise SignInRefused(
            f"Tài khoản {email} chưa có trong danh sách nhân sự đã đăng ký của đơn vị nào nên "
            "không được truy cập hệ thống. Đề nghị đơn vị gửi danh sách nhân sự (Lãnh đạo phê "
            "duyệt, Cán bộ xử lý) về Sở Thông tin và Truyền thông hoặc liên hệ Trung tâm Giám "
            "sát, điều hành đô thị thông minh."
        )
    if len(people) > 1:
        raise SignInRefused(
            f"Email {email} được đăng ký ở nhiều đơn vị; vui lòng liên hệ quản trị hệ thống."
        )
    person = people[0]
    if not person.unit.active:
        raise SignInRefused(f"Đơn vị “{person.unit.name}” đã ngừng tham gia hệ thống.")
    try:
        result = _create(person, False, sso=True) if person.user is None else None
    except AccountError as exc:
        raise SignInRefused(str(exc)) from exc
    user = person.user
    if result is None:
        if not user.active:
            raise SignInRefused(
                f"Tài khoản {user.username} đã bị khóa. Vui lòng liên hệ quản trị hệ thống."
            )
        _sync(person)
    subject = str(claims.get("sub") or "")
    if user.sso_subject and subject and user.sso_subject != subject:
        raise SignInRefused(
            f"Tài khoản đăng nhập một lần của {email} không khớp với tài khoản đã dùng trước đây. "
            "Vui lòng liên hệ quản trị hệ thống."
        )
    if subject and not user.sso_subject:
        user.sso_subject = subject
    db.session.flush()
    return user
