"""Administrators' screens in Vietnamese and accounts without surprises (issue 15, points 13–14):
labels instead of codes, no password change for a person who signs in through SSO, no forced
password change for an SSO session, a clear message for an invalid e-mail claim."""
from __future__ import annotations

import re

from conftest import login
from personnel_files import HANDLER, database
from web_helpers import get_ok, text_of

# The provider process and the SSO configuration of tests/test_sso.py.
from test_sso import (  # noqa: F401
    _units_made_here_are_removed, provider, register, set_identity, sso, sso_sign_in,
)


def test_the_user_form_explains_roles_in_vietnamese(app):
    admin = login(app, "quantri")
    for url in ("/users/add", f"/users/edit/{_user_id(app, 'gtvt.xuly')}"):
        page = get_ok(admin, url)
        assert "The user role on the application" not in page
        assert "Vai trò của người dùng trong hệ thống" in page
        # Nobody is offered the role of people not signed in.
        assert not re.search(r"<option[^>]*>\s*Public\s*</option>", page)


def test_lists_of_roles_permissions_and_users_show_names(app):
    admin = login(app, "quantri")
    roles = text_of(get_ok(admin, "/roles/list/?psize_RoleView=100"))
    assert "Khách (chưa đăng nhập)" in roles and " Public " not in f" {roles} "
    permissions = text_of(get_ok(admin, "/permissions/list/?psize_PermissionNameView=100"))
    assert "can_this_form_post" not in permissions and "Gửi biểu mẫu" in permissions
    on_views = get_ok(admin, "/permissionviews/list/")
    assert "can_this_form_post" not in on_views and "Gửi biểu mẫu" in on_views
    users = get_ok(admin, "/users/list/?_flt_0_username=gtvt.xuly")
    assert "[Cán bộ xử lý]" not in users and "Cán bộ xử lý" in users


def test_the_audit_summary_names_duties_units_and_accounts(app):
    from app.models import Unit

    unit_name = register(app, "local", [("Lê Thị Nhật Ký", HANDLER, "nhatky.lt@sotest.gov.vn")])
    admin = login(app, "quantri")
    page = text_of(get_ok(admin, "/admin/audit/?search=nhatky.lt"))
    assert "Nhiệm vụ: Cán bộ xử lý" in page
    assert f"Đơn vị: {unit_name}" in page
    assert "Nhiệm vụ: handler" not in page
    with database(app) as db:
        unit_id = db.session.query(Unit).filter_by(name=unit_name).one().id
    assert f"Đơn vị: {unit_id};" not in page and not page.endswith(f"Đơn vị: {unit_id}")


def _user_id(app, username):
    from app.models import AppUser

    with database(app) as db:
        return db.session.query(AppUser).filter_by(username=username).one().id


def test_an_sso_person_is_not_offered_a_password_change(app, sso):
    register(app, "sso", [("Ngô Văn Một Lần", HANDLER, "motlan.nv@sotest.gov.vn")])
    set_identity(sso, "sub-motlan", {"email": "motlan.nv@sotest.gov.vn"})
    client, response = sso_sign_in(app, sso, "sub-motlan")
    assert response.status_code == 302
    info = get_ok(client, "/users/userinfo/")
    assert "Đổi mật khẩu" not in info
    form = client.get("/resetmypassword/form")
    assert form.status_code == 302
    assert "không đổi được ở đây" in get_ok(client, form.headers["Location"])
    # A password person still has it.
    assert "Đổi mật khẩu" in get_ok(login(app, "gtvt.xuly"), "/users/userinfo/")


def test_a_local_unit_person_signing_in_by_sso_is_not_forced_to_set_a_password(app, sso):
    from app.models import Personnel
    from app.services import accounts

    register(app, "local", [("Đặng Thị Cục Bộ", HANDLER, "cucbo.dt@sotest.gov.vn")])
    with database(app) as db:
        person = db.session.query(Personnel).filter_by(email="cucbo.dt@sotest.gov.vn").one()
        accounts.provision([person], with_passwords=True)
        db.session.commit()
        assert person.user.must_change_password
    set_identity(sso, "sub-cucbo", {"email": "cucbo.dt@sotest.gov.vn"})
    client, response = sso_sign_in(app, sso, "sub-cucbo")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "hãy đổi mật khẩu để tiếp tục" not in home.text


def test_an_invalid_email_claim_is_named_as_invalid(app, sso):
    set_identity(sso, "sub-bad-email", {"email": "khong-phai-email@@", "name": "Sai Thư"})
    _, response = sso_sign_in(app, sso, "sub-bad-email")
    assert response.status_code == 403
    assert "không hợp lệ" in response.text and "không cung cấp" not in response.text
