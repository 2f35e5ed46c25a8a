"""The audit log of administrative changes: one SQLAlchemy session hook, nothing else to call.

Every insert, update and delete of a catalogue row (Unit, Field, Source, WorkdayException), a
personnel row, a user account or a role is written to ``audit_log`` with who did it and the row
before and after, as JSON, by the same flush and so in the same transaction: a change that is
rolled back leaves no entry, and no change escapes the log whichever screen made it (FAB's views,
the Flask-Admin console, the REST API, the importer, the command line).

Bookkeeping that is not an administrative change is left out: sign-in counters and times, the
``created``/``updated`` stamps. Password hashes are never copied; a changed password is recorded
as changed; an API key shows only its last four characters.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from contextlib import contextmanager

from flask import g, has_app_context, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..models import AppUser, AuditLog, Field, Personnel, Source, Unit, WorkdayException
from ..models.base import utcnow

IGNORED = frozenset({
    "created_at", "updated_at", "created_on", "changed_on", "created_by_fk", "changed_by_fk",
    "last_login", "login_count", "fail_login_count",
})
SECRET = frozenset({"password", "initial_password"})
# Secrets kept in the log only as their last four characters ("••••a1b2"): enough to tell two
# keys apart, never enough to use one.
REDACTED = frozenset({"api_key"})
HIDDEN_SECRET = "******"
CHANGED_SECRET = "****** (đã thay đổi)"

OPERATIONS = {"insert": "Thêm", "update": "Sửa", "delete": "Xóa"}
TABLE_LABELS = {
    "unit": "Đơn vị xử lý",
    "field": "Lĩnh vực",
    "source": "Nguồn",
    "workday_exception": "Ngày làm việc, ngày nghỉ",
    "personnel": "Nhân sự",
    "ab_user": "Tài khoản",
    "ab_role": "Vai trò",
}
# How the console names the recorded columns (the JSON keeps the column names).
FIELD_LABELS = {
    "name": "Tên", "kind": "Loại", "parent_id": "Đơn vị cấp trên", "login_method": "Cách đăng nhập",
    "phone": "Điện thoại", "email": "Email", "active": "Đang sử dụng",
    "default_unit_id": "Đơn vị xử lý mặc định", "handling_days": "Thời hạn xử lý",
    "channel": "Kênh tiếp nhận", "api_key": "Khóa Open311", "day": "Ngày",
    "is_working_day": "Là ngày làm việc", "note": "Ghi chú", "unit_id": "Đơn vị",
    "position_no": "TT", "full_name": "Họ và tên", "title": "Chức vụ", "mobile": "Di động",
    "duty": "Nhiệm vụ", "user_id": "Tài khoản", "first_name": "Họ và tên đệm", "last_name": "Tên",
    "username": "Tên đăng nhập", "password": "Mật khẩu", "roles": "Vai trò",
    "must_change_password": "Phải đổi mật khẩu", "sso_subject": "Mã định danh SSO",
    "locked_until": "Tạm khóa đăng nhập đến", "initial_password": "Mật khẩu ban đầu",
    "permissions": "Quyền", "id": "Mã",
}
# Values the log keeps as codes and ids, named as the screens name them (console summaries).
def _value_labels() -> dict[str, dict]:
    from ..models.catalogue import LOGIN_METHOD_LABELS, SOURCE_CHANNEL_LABELS, UNIT_KIND_LABELS
    from ..models.personnel import DUTY_LABELS

    return {"duty": DUTY_LABELS, "kind": UNIT_KIND_LABELS, "login_method": LOGIN_METHOD_LABELS,
            "channel": SOURCE_CHANNEL_LABELS}


# Columns holding the id of another row: (model, how the row is named).
_REFERENCES = {"unit_id": (Unit, "name"), "parent_id": (Unit, "name"),
               "default_unit_id": (Unit, "name"), "user_id": (AppUser, "username")}


def describe_value(key: str, value):
    """A recorded value as people read it: "Cán bộ xử lý" for ``duty`` "handler", the unit's
    name for ``unit_id`` 61, the user name for ``user_id`` 14 ("(đã xóa)" when the row is gone)."""
    from ..extensions import db

    labels = _value_labels().get(key)
    if labels is not None and isinstance(value, str):
        return labels.get(value, value)
    reference = _REFERENCES.get(key)
    if reference is not None and isinstance(value, int) and not isinstance(value, bool):
        model, attribute = reference
        row = db.session.get(model, value)
        return getattr(row, attribute) if row is not None else f"{value} (đã xóa)"
    return value


COMMAND_LINE = "Dòng lệnh (flask)"
ANONYMOUS = "Chưa đăng nhập"


def _audited_classes() -> tuple[type, ...]:
    from flask_appbuilder.security.sqla.models import Role

    return (Unit, Field, Source, WorkdayException, Personnel, AppUser, Role)


def redact(value) -> str | None:
    if value is None:
        return None
    text = str(value)
    return "••••" + (text[-4:] if len(text) > 8 else "")


def _value(key: str, value):
    return redact(value) if key in REDACTED else _jsonable(value)


def _jsonable(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _collections(obj) -> dict[str, str]:
    """Collections worth recording, with how to name their members."""
    from flask_appbuilder.security.sqla.models import Role

    if isinstance(obj, AppUser):
        return {"roles": "name"}
    if isinstance(obj, Role):
        return {"permissions": "pv"}
    return {}


def _member_name(member, how: str) -> str:
    if how == "pv":
        return f"{member.permission.name} trên {member.view_menu.name}"
    return str(getattr(member, how))


def _collection_values(state, key: str, how: str, *, before: bool, deleted: bool):
    if deleted:
        members = state.dict.get(key)
        return None if members is None else sorted(_member_name(m, how) for m in members)
    history = state.attrs[key].history
    if not history.has_changes() and key not in state.dict:
        members = getattr(state.obj(), key)
    elif before:
        members = list(history.unchanged or ()) + list(history.deleted or ())
    else:
        members = list(history.unchanged or ()) + list(history.added or ())
    return sorted(_member_name(m, how) for m in members)


def _columns(state):
    return [attr.key for attr in state.mapper.column_attrs]


def _insert_entry(state) -> dict:
    after = {}
    for key in _columns(state):
        if key in IGNORED:
            continue
        value = getattr(state.obj(), key)
        if key in SECRET:
            if value:
                after[key] = HIDDEN_SECRET
            continue
        after[key] = _value(key, value)
    for key, how in _collections(state.obj()).items():
        after[key] = _collection_values(state, key, how, before=False, deleted=False)
    return {"operation": "insert", "before": None, "after": after}


def _delete_entry(state) -> dict:
    before = {
        key: _value(key, state.dict.get(key))
        for key in _columns(state)
        if key not in IGNORED and key not in SECRET and key in state.dict
    }
    for key, how in _collections(state.obj()).items():
        values = _collection_values(state, key, how, before=True, deleted=True)
        if values is not None:
            before[key] = values
    return {"operation": "delete", "before": before, "after": None}


def _update_entry(state) -> dict | None:
    before, after, changed = {}, {}, False
    for key in _columns(state):
        if key in IGNORED:
            continue
        history = state.attrs[key].history
        if key in SECRET:
            if history.has_changes() and history.added and history.added[0] != (
                history.deleted[0] if history.deleted else None
            ):
                before[key], after[key], changed = HIDDEN_SECRET, CHANGED_SECRET, True
            continue
        current = getattr(state.obj(), key) if key in state.dict else None
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changed = True
            before[key], after[key] = _value(key, old), _value(key, new)
        else:
            before[key] = after[key] = _value(key, current)
    for key, how in _collections(state.obj()).items():
        history = state.attrs[key].history
        old = _collection_values(state, key, how, before=True, deleted=False)
        new = _collection_values(state, key, how, before=False, deleted=False)
        if history.has_changes() and old != new:
            changed = True
        before[key], after[key] = old, new
    if not changed:
        return None
    return {"operation": "update", "before": before, "after": after}


def actor() -> tuple[int | None, str]:
    """Who is making the change: the signed-in user, a label set by the caller, or the CLI."""
    if not has_app_context():
        return None, COMMAND_LINE
    label = g.get("audit_actor")
    user = g.get("user") if has_request_context() else None
    try:
        if user is not None and getattr(user, "is_authenticated", False):
            return user.id, user.username
    except Exception:  # a detached or expired proxy: fall through to the label
        pass
    if label:
        return None, label
    return (None, ANONYMOUS) if has_request_context() else (None, COMMAND_LINE)


@contextmanager
def acting_as(label: str):
    """Name the actor of changes made with nobody signed in (single sign-on, a command)."""
    previous = g.get("audit_actor")
    g.audit_actor = label
    try:
        yield
    finally:
        g.audit_actor = previous


def _after_flush(session: Session, flush_context) -> None:
    classes = _audited_classes()
    entries = []
    for obj in session.new:
        if isinstance(obj, classes):
            entries.append((obj, _insert_entry(inspect(obj))))
    for obj in session.dirty:
        if isinstance(obj, classes) and obj not in session.deleted:
            entry = _update_entry(inspect(obj))
            if entry:
                entries.append((obj, entry))
    for obj in session.deleted:
        if isinstance(obj, classes):
            entries.append((obj, _delete_entry(inspect(obj))))
    if not entries:
        return
    actor_id, actor_name = actor()
    now = utcnow()
    rows = []
    for obj, entry in entries:
        state = inspect(obj)
        pk = state.mapper.primary_key_from_instance(obj)
        if all(v is None for v in pk) and state.key:
            pk = list(state.key[1])
        rows.append({
            "created_at": now,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "table_name": obj.__tablename__,
            "row_id": ",".join(str(v) for v in pk if v is not None) or None,
            "operation": entry["operation"],
            "before": None if entry["before"] is None else json.dumps(
                entry["before"], ensure_ascii=False, sort_keys=True),
            "after": None if entry["after"] is None else json.dumps(
                entry["after"], ensure_ascii=False, sort_keys=True),
        })
    session.connection().execute(AuditLog.__table__.insert(), rows)


_installed: set[int] = set()


def init_app(app, db) -> None:
    """Install the hook on the application's session factory (once per process)."""
    if id(db.session) in _installed:
        return
    event.listen(db.session, "after_flush", _after_flush)
    _installed.add(id(db.session))
