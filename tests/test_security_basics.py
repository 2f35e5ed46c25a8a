"""CSRF, login rate limit, cookies, input validation."""
import pytest

from conftest import DEMO_PASSWORD, csrf_token, login, new_client


def test_a_form_post_without_csrf_token_is_refused_and_changes_nothing(app, db):
    from app.models import Source

    client = login(app, "trungtam")
    response = client.post("/sourceview/add", data={"name": "Không có mã CSRF", "channel": "other"})
    assert response.status_code == 400
    assert "thiếu mã bảo vệ (CSRF)" in response.text
    assert db.session.query(Source).filter_by(name="Không có mã CSRF").count() == 0


def test_login_without_csrf_token_is_refused(app):
    client = new_client(app)
    response = client.post("/login/", data={"username": "trungtam", "password": DEMO_PASSWORD})
    assert response.status_code == 400


def test_login_is_rate_limited(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    token = csrf_token(client.get("/login/").text)
    codes = [
        client.post("/login/", data={"username": "trungtam", "password": "sai-mat-khau1",
                                     "csrf_token": token}).status_code
        for _ in range(12)
    ]
    assert 429 in codes
    assert codes.index(429) >= 10  # the first ten attempts in a minute are answered normally


def test_session_cookie_is_httponly_and_samesite(app):
    client = new_client(app)
    page = client.get("/login/")
    response = client.post("/login/", data={"username": "trungtam", "password": DEMO_PASSWORD,
                                            "csrf_token": csrf_token(page.text)})
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert cookies
    assert "HttpOnly" in cookies[-1]
    assert "SameSite=Lax" in cookies[-1]


@pytest.mark.parametrize("phone, ok", [
    ("0917400300", True), ("02343.940999", True), ("0398.340669", True), ("+84 91 740 0300", True),
    ("12345", False), ("0917-abc", False), ("091740030099999", False),
])
def test_phone_numbers_are_checked_as_vietnamese_numbers(app, db, phone, ok):
    from app.models import Unit

    client = login(app, "trungtam")
    unit = db.session.query(Unit).filter_by(name="Sở Xây dựng").one()
    page = client.get(f"/unitview/edit/{unit.id}")
    response = client.post(f"/unitview/edit/{unit.id}", data={
        "name": unit.name, "kind": unit.kind, "login_method": unit.login_method,
        "phone": phone, "email": "", "active": "y", "csrf_token": csrf_token(page.text)})
    db.session.expire_all()
    saved = db.session.get(Unit, unit.id).phone
    if ok:
        assert response.status_code == 302
        assert saved and saved.isdigit() and saved.startswith("0")
    else:
        assert response.status_code == 200
        assert "Số điện thoại không hợp lệ" in response.text
        assert saved != phone
    db.session.get(Unit, unit.id).phone = None
    db.session.commit()


def test_duplicate_names_and_bad_emails_are_refused_in_vietnamese(app, db):
    from app.models import Unit

    client = login(app, "trungtam")
    page = client.get("/unitview/add")
    count = db.session.query(Unit).count()
    response = client.post("/unitview/add", data={
        "name": "Sở Xây dựng", "kind": "department", "login_method": "sso",
        "email": "khong-phai-email", "csrf_token": csrf_token(page.text)})
    assert response.status_code == 200
    assert "Địa chỉ thư điện tử không hợp lệ" in response.text
    assert db.session.query(Unit).count() == count


def test_no_api_token_before_a_generated_password_is_changed(app, db):
    from app.extensions import appbuilder

    sm = appbuilder.sm
    user = sm.add_user("doi.matkhau", "Nguyễn Văn", "Đổi", "doi.matkhau@example.vn",
                       sm.find_role("Cán bộ xử lý"), password="MatKhau2019a")
    try:
        user.must_change_password = True
        db.session.commit()
        body = {"username": "doi.matkhau", "password": "MatKhau2019a", "provider": "db"}
        assert new_client(app).post("/api/v1/security/login", json=body).status_code == 401
        user.must_change_password = False
        db.session.commit()
        assert new_client(app).post("/api/v1/security/login", json=body).status_code == 200
    finally:
        db.session.delete(user)
        db.session.commit()


def test_unknown_actions_and_rows_of_the_admin_lists_are_not_found(app):
    """FAB 5.3 answered 500 to anyone, even not signed in, for an action name it does not have,
    and handed a real action a row that does not exist (app/fab_compat.py)."""
    for username in (None, "quantri", "gtvt.xuly"):
        client = login(app, username) if username else new_client(app)
        token = csrf_token(client.get("/resetmypassword/form" if username else "/login/").text)
        assert client.post("/unitview/action/khong_co/1",
                           data={"csrf_token": token}).status_code == 404
        assert client.post("/unitview/action_post", data={
            "csrf_token": token, "action": "khong_co", "rowid": ["1"]}).status_code == 404
    admin = login(app, "quantri")
    token = csrf_token(admin.get("/resetmypassword/form").text)
    assert admin.post("/users/action/unlock/999999",
                      data={"csrf_token": token}).status_code == 404
    assert admin.post("/users/action_post", data={
        "csrf_token": token, "action": "unlock", "rowid": ["999999"]}).status_code == 404


def test_a_new_account_without_a_role_is_refused_in_vietnamese(app):
    admin = login(app, "quantri")
    form = admin.get("/users/add")
    answer = admin.post("/users/add", data={
        "csrf_token": csrf_token(form.text), "first_name": "Không", "last_name": "Vai trò",
        "username": "khong.vaitro", "email": "khong.vaitro@example.vn",
        "password": "Mot-mat-khau-rat-dai-2019", "conf_password": "Mot-mat-khau-rat-dai-2019"})
    assert answer.status_code == 200
    assert "Vui lòng chọn ít nhất một vai trò." in answer.text
    from app.extensions import appbuilder

    with app.app_context():
        assert appbuilder.sm.find_user(username="khong.vaitro") is None
