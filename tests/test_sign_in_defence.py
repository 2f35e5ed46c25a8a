"""Sign-in defence, secrets, passwords, API writes, validated input (issue 8, points 3–8).

Expected answers are written by hand from the issue's examples.
"""
from __future__ import annotations

import os
import stat

import pytest
from conftest import DEMO_PASSWORD, api_token, csrf_token, login, new_client

from app.security.auth import INVALID_LOGIN

LOGIN = "/api/v1/security/login"


def _make_user(app, username, password="MatKhauRieng2019", role_code="handler"):
    from app.extensions import appbuilder, db
    from app.security.roles import role_by_code

    with app.app_context():
        sm = appbuilder.sm
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(username, "Người", "Thử", f"{username}@example.vn",
                               role_by_code(role_code), password=password)
        db.session.commit()
        return user.id


def _api_login(username, password, client=None, **extra):
    client = client or new_client(_api_login.app)
    return client.post(LOGIN, json={"username": username, "password": password,
                                    "provider": "db", **extra})


@pytest.fixture(autouse=True)
def _app_for_helpers(app):
    _api_login.app = app


# --- 4. lockout, rate limit, session, tokens ---------------------------------------------------

def test_the_api_login_is_rate_limited_like_the_form(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.88"
    codes = [_api_login("khong.ton.tai", "sai-mat-khau-1", client).status_code for _ in range(12)]
    assert codes[:10] == [401] * 10
    assert 429 in codes[10:]


def test_an_account_is_locked_after_failures_with_a_message_that_reveals_nothing(app, monkeypatch):
    from app.extensions import db
    from app.models import AppUser, AuditLog

    monkeypatch.setitem(app.config, "AUTH_LOCKOUT_FAILURES", 3)
    monkeypatch.setitem(app.config, "AUTH_LOCKOUT_MINUTES", 15)
    user_id = _make_user(app, "khoa.thu")
    for _ in range(3):
        assert _api_login("khoa.thu", "sai-mat-khau-1").status_code == 401
    # Locked: the right password is refused too, by the API and by the form, with the same
    # words as for an account that does not exist.
    assert _api_login("khoa.thu", "MatKhauRieng2019").status_code == 401
    client = new_client(app)
    token = csrf_token(client.get("/login/").text)
    locked = client.post("/login/", data={"username": "khoa.thu", "password": "MatKhauRieng2019",
                                          "csrf_token": token}, follow_redirects=True)
    nobody = client.post("/login/", data={"username": "khong.co.ai", "password": "x" * 12,
                                          "csrf_token": token}, follow_redirects=True)
    assert INVALID_LOGIN in locked.text and INVALID_LOGIN in nobody.text
    with app.app_context():
        entries = db.session.query(AuditLog).filter(AuditLog.table_name == "ab_user", AuditLog.row_id == str(user_id)).all()
        assert any("tạm khóa" in (e.actor_name or "") for e in entries)
        # An administrator unlocks it (the user list's action); the password works again.
        from app.extensions import appbuilder

        appbuilder.sm.unlock(db.session.get(AppUser, user_id))
        db.session.commit()
    assert _api_login("khoa.thu", "MatKhauRieng2019").status_code == 200


def test_the_administrators_unlock_action_is_in_the_user_list(app, monkeypatch):
    from app.extensions import db
    from app.models import AppUser

    monkeypatch.setitem(app.config, "AUTH_LOCKOUT_FAILURES", 2)
    user_id = _make_user(app, "khoa.hai")
    for _ in range(2):
        _api_login("khoa.hai", "sai-mat-khau-1")
    client = login(app, "quantri")
    page = client.get(f"/users/show/{user_id}")
    assert "Tạm khóa đăng nhập đến" in page.text
    response = client.post("/users/action_post", data={
        "action": "unlock", "rowid": [str(user_id)], "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(AppUser, user_id).locked_until is None
    assert _api_login("khoa.hai", "MatKhauRieng2019").status_code == 200


def test_the_session_changes_at_sign_in(app):
    client = new_client(app)
    before = csrf_token(client.get("/login/").text)
    client.post("/login/", data={"username": "theodoi", "password": DEMO_PASSWORD,
                                 "csrf_token": before})
    after = csrf_token(client.get("/resetmypassword/form").text)
    assert before != after


def test_refresh_tokens_stop_working_after_a_password_change_or_a_lock(app):
    from app.extensions import appbuilder, db
    from app.models import AppUser
    from app.models.base import utcnow

    user_id = _make_user(app, "lam.moi", password="MatKhauCu2019ab")
    tokens = _api_login("lam.moi", "MatKhauCu2019ab", refresh=True).json
    refresh = {"Authorization": f"Bearer {tokens['refresh_token']}"}
    client = new_client(app)
    assert client.post("/api/v1/security/refresh", headers=refresh).status_code == 200
    with app.app_context():
        appbuilder.sm.reset_password(user_id, "MatKhauMoi2019cd")
    assert client.post("/api/v1/security/refresh", headers=refresh).status_code == 401
    access = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/v1/report/", headers=access).status_code == 401

    with app.app_context():  # set by an administrator: to be changed, then no token at all
        db.session.get(AppUser, user_id).must_change_password = False
        db.session.commit()
    tokens = _api_login("lam.moi", "MatKhauMoi2019cd", refresh=True).json
    with app.app_context():
        user = db.session.get(AppUser, user_id)
        user.locked_until = utcnow().replace(year=utcnow().year + 1)
        db.session.commit()
    refresh = {"Authorization": f"Bearer {tokens['refresh_token']}"}
    assert client.post("/api/v1/security/refresh", headers=refresh).status_code == 401
    with app.app_context():
        db.session.get(AppUser, user_id).locked_until = None
        db.session.commit()


# --- 5. no built-in secret ---------------------------------------------------------------------

def test_development_makes_a_random_key_once_readable_by_its_owner_only(app):
    from app import SECRET_FILE

    path = os.path.join(app.instance_path, SECRET_FILE)
    assert os.path.isfile(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, encoding="ascii") as f:
        key = f.read().strip()
    assert len(key) >= 40 and app.config["SECRET_KEY"] == key
    import config

    assert config.SECRET_KEY in (None, os.environ.get("SECRET_KEY"))  # nothing in the code


# --- 6. API writes need a JWT ------------------------------------------------------------------

def test_a_session_cookie_reads_the_api_but_cannot_write(app, db):
    from app.models import Source

    client = login(app, "trungtam")
    assert client.get("/api/v1/source/").status_code == 200
    response = client.post("/api/v1/source/", json={"name": "Nguồn qua cookie", "channel": "other"})
    assert response.status_code == 401
    assert "JWT" in response.json["message"]
    assert db.session.query(Source).filter_by(name="Nguồn qua cookie").count() == 0
    headers = {"Authorization": f"Bearer {api_token(app, 'trungtam')}"}
    response = new_client(app).post("/api/v1/source/", headers=headers,
                                    json={"name": "Nguồn qua JWT", "channel": "other"})
    assert response.status_code == 201
    db.session.delete(db.session.get(Source, response.json["id"]))
    db.session.commit()


# --- 7. secrets redacted -----------------------------------------------------------------------

def test_an_api_key_is_redacted_in_the_audit_log(app, db):
    from app.models import AuditLog, Source

    source = db.session.query(Source).filter_by(name="Ứng dụng Hue-S").one()
    source.api_key = "khoa-bi-mat-0123456789a1b2"
    db.session.commit()
    entry = db.session.query(AuditLog).order_by(AuditLog.id.desc()).first()
    text = f"{entry.before} {entry.after}"
    assert "khoa-bi-mat" not in text
    assert "••••a1b2" in text
    source.api_key = None
    db.session.commit()


# --- 8. passwords ------------------------------------------------------------------------------

@pytest.mark.parametrize("password, message", [
    ("Ngan2019a", "ít nhất 12 ký tự"),
    ("password1234", "quá phổ biến"),
    ("qwertyuiop123", "quá phổ biến"),
])
def test_short_or_common_passwords_are_refused_everywhere(app, password, message):
    from app.security.passwords import PasswordRefused, check_password

    with pytest.raises(PasswordRefused, match=message):
        check_password(password)
    client = login(app, "tttt.lanhdao")
    page = client.get("/resetmypassword/form")
    response = client.post("/resetmypassword/form", data={
        "password": password, "conf_password": password, "csrf_token": csrf_token(page.text)})
    assert message in response.text
    login(app, "tttt.lanhdao")  # unchanged


def test_the_demo_password_passes_the_rule():
    from app.security.passwords import check_password

    check_password(DEMO_PASSWORD)


def test_the_initial_password_cannot_be_kept_at_the_forced_change(app):
    from app.extensions import appbuilder, db
    from app.models import AppUser

    user_id = _make_user(app, "ban.dau", password="DoTrungTamCap19")
    with app.app_context():
        db.session.get(AppUser, user_id).must_change_password = True
        db.session.commit()
    client = login(app, "ban.dau", "DoTrungTamCap19")
    page = client.get("/resetmypassword/form")
    response = client.post("/resetmypassword/form", data={
        "password": "DoTrungTamCap19", "conf_password": "DoTrungTamCap19",
        "csrf_token": csrf_token(page.text)})
    assert "khác mật khẩu hiện tại" in response.text
    assert _api_login("ban.dau", "DoTrungTamCap19").status_code == 401  # still must change
    response = client.post("/resetmypassword/form", data={
        "password": "MinhTuChon2019x", "conf_password": "MinhTuChon2019x",
        "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    # Back to the initial one later: refused too.
    page = client.get("/resetmypassword/form")
    response = client.post("/resetmypassword/form", data={
        "password": "DoTrungTamCap19", "conf_password": "DoTrungTamCap19",
        "csrf_token": csrf_token(page.text)})
    assert "khác mật khẩu được cấp ban đầu" in response.text
    with app.app_context():
        assert appbuilder.sm.auth_user_db("ban.dau", "MinhTuChon2019x") is not None


# --- 3. validated input at the API edge --------------------------------------------------------

@pytest.fixture
def centre_api(app):
    client = new_client(app)
    headers = {"Authorization": f"Bearer {api_token(app, 'trungtam')}"}

    def call(method, url, **kwargs):
        return getattr(client, method)(url, headers=headers, **kwargs)

    return call


@pytest.mark.parametrize("method, url, body, status, words", [
    ("put", "/api/v1/field/1", {"handling_days": -1}, 400, "từ 1 đến 90"),
    ("post", "/api/v1/field/", {"name": "", "handling_days": 0}, 400, "Vui lòng nhập tên lĩnh vực"),
    ("post", "/api/v1/source/", {"channel": "0000000000000000000", "name": ""}, 400,
     "Kênh tiếp nhận phải là một trong"),
    ("post", "/api/v1/unit/", {"kind": "", "name": ""}, 400, "Loại đơn vị phải là một trong"),
    ("post", "/api/v1/unit/", {"name": "Phường Mới", "kind": "ward", "login_method": "sso",
                               "mau_sac": "xanh"}, 400, "Trường không được hỗ trợ: mau_sac"),
    ("post", "/api/v1/unit/", {"name": "Phường Mới", "kind": "ward", "login_method": "sso",
                               "email": "khong-phai-email"}, 400, "thư điện tử không hợp lệ"),
    ("get", "/api/v1/field/123456789012345678901234567", None, 404, "không tồn tại"),
    ("get", "/api/v1/report/123456789012345678901234/attachments", None, 404, "không"),
    ("delete", "/api/v1/field/99999999999999999999", None, 404, "không tồn tại"),
])
def test_the_fuzzers_findings_answer_in_vietnamese_and_change_nothing(
        app, db, centre_api, method, url, body, status, words):
    from app.models import Field, Source, Unit

    counts = [db.session.query(m).count() for m in (Field, Source, Unit)]
    response = centre_api(method, url, **({"json": body} if body is not None else {}))
    assert response.status_code == status, response.json
    assert words in str(response.json["message"])
    db.session.expire_all()
    assert [db.session.query(m).count() for m in (Field, Source, Unit)] == counts
    assert db.session.get(Field, 1).handling_days >= 1


@pytest.mark.parametrize("url, name", [
    ("/api/v1/field/{field}", "Giao thông"),
    ("/api/v1/unit/{unit}", "Sở Giao thông vận tải"),
    ("/api/v1/source/{source}", "Ứng dụng Hue-S"),
])
def test_deleting_a_catalogue_row_that_reports_use_answers_409(app, db, centre_api, url, name):
    from app.models import Field, Source, Unit

    ids = {"field": db.session.query(Field).filter_by(name="Giao thông").one().id,
           "unit": db.session.query(Unit).filter_by(name="Sở Giao thông vận tải").one().id,
           "source": db.session.query(Source).filter_by(name="Ứng dụng Hue-S").one().id}
    response = centre_api("delete", url.format(**ids))
    assert response.status_code == 409
    assert f"Không thể xóa “{name}”" in response.json["message"]
    db.session.expire_all()
    assert db.session.query(Field).filter_by(name="Giao thông").count() == 1
    assert db.session.query(Unit).filter_by(name="Sở Giao thông vận tải").count() == 1


def test_the_database_refuses_a_bad_catalogue_row_whatever_the_path(db):
    from sqlalchemy.exc import IntegrityError

    from app.models import Field

    field = db.session.query(Field).first()
    field.handling_days = -1
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_active_personnel_row_per_email(db):
    from sqlalchemy.exc import IntegrityError

    from app.models import Personnel, Unit

    units = db.session.query(Unit).order_by(Unit.id).limit(2).all()
    for unit in units:
        db.session.add(Personnel(unit=unit, full_name="Nguyễn Văn Trùng", email="trung@example.vn",
                                 duty="handler", active=True))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_api_metadata_is_vietnamese(centre_api):
    answer = centre_api("get", "/api/v1/field/?q=(page_size:1)").json
    assert answer["label_columns"]["handling_days"] == "Thời hạn xử lý (ngày làm việc)"
    assert answer["label_columns"]["active"] == "Đang sử dụng"
    assert answer["list_title"] == "Danh mục lĩnh vực"


def test_the_api_sign_in_without_a_provider_uses_the_password(app):
    """FAB's schema lets ``provider`` out and its endpoint then failed with a 500 (the fuzzer)."""
    client = new_client(app)
    answer = client.post("/api/v1/security/login",
                         json={"username": "theodoi", "password": DEMO_PASSWORD})
    assert answer.status_code == 200 and answer.json["access_token"]
    wrong = client.post("/api/v1/security/login", json={"username": "khong.ton.tai", "password": "x"})
    assert wrong.status_code == 401
