"""The demo data set: one account per role (DESIGN §7) and the letter's reports."""
from __future__ import annotations

from flask import current_app

from ..domain.workflow import Role
from ..extensions import appbuilder, db
from ..security.roles import role_by_code
from ..models import AppUser, Unit
from .seed import CENTRE_UNIT_NAME


class DemoError(Exception):
    pass


# username, first name, last name, role, unit
DEMO_ACCOUNTS = [
    ("quantri", "Quản trị", "hệ thống", Role.ADMIN, CENTRE_UNIT_NAME),
    ("trungtam", "Lê Thị Minh", "Trang", Role.CENTRE, CENTRE_UNIT_NAME),
    ("gtvt.xuly", "Nguyễn Văn", "Hùng", Role.HANDLER, "Sở Giao thông vận tải"),
    ("gtvt.lanhdao", "Trần Quốc", "Bảo", Role.LEADER, "Sở Giao thông vận tải"),
    ("tttt.xuly", "Phạm Văn", "Dương", Role.HANDLER, "Sở Thông tin và Truyền thông"),
    ("tttt.lanhdao", "Nguyễn Xuân", "Sơn", Role.LEADER, "Sở Thông tin và Truyền thông"),
    ("xd.xuly", "Hoàng Thị", "Lan", Role.HANDLER, "Sở Xây dựng"),
    ("theodoi", "Lãnh đạo", "tỉnh", Role.VIEWER, None),
]


def ensure_account(username, first_name, last_name, role: Role, unit_name, password) -> AppUser:
    sm = appbuilder.sm
    user = sm.find_user(username=username)
    unit = db.session.query(Unit).filter_by(name=unit_name).one() if unit_name else None
    if user is None:
        user = sm.add_user(
            username, first_name, last_name, f"{username}@demo.phananh.local",
            role_by_code(role.code), password=password,
        )
        if not user:
            raise DemoError(f"Không tạo được tài khoản {username}.")
    user.unit = unit
    db.session.commit()
    return user


def load_demo() -> str:
    password = current_app.config.get("DEMO_PASSWORD")
    if not password:
        raise DemoError("Hãy đặt biến môi trường DEMO_PASSWORD (mật khẩu của các tài khoản minh họa).")
    for account in DEMO_ACCOUNTS:
        ensure_account(*account, password)
    lines = [f"Tài khoản minh họa: {', '.join(a[0] for a in DEMO_ACCOUNTS)} (mật khẩu: DEMO_PASSWORD)."]
    try:
        from .demo_reports import load_demo_reports
    except ImportError:
        return "\n".join(lines)
    lines.append(load_demo_reports())
    return "\n".join(lines)
