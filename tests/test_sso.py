"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock) run by the tests.

The provider is a separate process on a free local port. The browser's part (following the
redirects, choosing the person at the provider) is played by the Flask test client and httpx;
the application talks to the provider over HTTP itself (discovery, token, JWKS), as in production.
"""
from __future__ import annotations

import itertools
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from conftest import DEMO_PASSWORD, csrf_token, free_port, login, new_client
from personnel_files import (
    HANDLER, LEADER, csv_bytes, database, remove_units_since, unique_mobile, unit_ids,
)

_units = itertools.count(1)


@pytest.fixture(scope="module", autouse=True)
def _units_made_here_are_removed(app):
    before = unit_ids(app)
    yield
    remove_units_since(app, before)



@pytest.fixture(scope="module")
def provider():
    """Base URL of an OpenID Connect provider process listening on a free local port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "/.well-known/openid-configuration", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the OpenID Connect provider did not start")
        time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def sso(app, provider):
    """The application configured for the provider (as OIDC_* environment variables would)."""
    settings = {
        "OIDC_DISCOVERY_URL": provider + "/.well-known/openid-configuration",
        "OIDC_CLIENT_ID": "phananh-test",
        "OIDC_CLIENT_SECRET": "phananh-test-secret",
    }
    saved = {k: app.config.get(k) for k in settings}
    app.config.update(settings)
    yield provider
    app.config.update(saved)


def register(app, login_method: str, people) -> str:
    """A fresh unit with these (name, duty, email) people on its list; returns its name."""
    from app.models import Unit
    from app.services.personnel import import_file

    with database(app) as db:
        unit = Unit(name=f"Cơ quan thử nghiệm SSO số {next(_units)}", kind="department",
                    login_method=login_method, active=True)
        db.session.add(unit)
        db.session.commit()
        rows = [[n, name, "Chuyên viên", unique_mobile(), email, duty]
                for n, (name, duty, email) in enumerate(people, start=1)]
        result = import_file("ds.csv", csv_bytes(rows), unit)
        assert result.ok, result.errors
        return unit.name


def set_identity(provider: str, sub: str, claims: dict) -> None:
    response = httpx.put(f"{provider}/users/{sub}", json=claims, timeout=5)
    assert response.status_code == 204


def sso_sign_in(app, provider: str, sub: str, *, deny: bool = False, client=None):
    """The whole authorization-code flow; returns (client, the application's last response)."""
    client = client or new_client(app)
    start = client.get("/login/sso/")
    assert start.status_code == 302, start.text
    authorize = start.headers["Location"]
    assert authorize.startswith(provider + "/oauth2/authorize")
    query = parse_qs(urlparse(authorize).query)
    assert query["scope"] == ["openid email profile"] and "nonce" in query and "state" in query
    form = {"action": "deny"} if deny else {"sub": sub}
    answer = httpx.post(authorize, data=form, timeout=5, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = urlparse(answer.headers["Location"])
    assert back.path == "/login/sso/callback/"
    return client, client.get(back.path + "?" + back.query)


def whoami(app, client):
    """The signed-in user's name, unit and roles as the home page and session know them."""
    from app.models import AppUser

    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    assert user_id, "nobody is signed in"
    with database(app) as db:
        user = db.session.get(AppUser, int(user_id))
        return user.username, user.unit.name if user.unit else None, [r.name for r in user.roles], user.sso_subject


def test_the_login_page_offers_sso_only_when_it_is_configured(app, sso):
    page = new_client(app).get("/login/")
    assert "Đăng nhập một lần (SSO)" in page.text and "/login/sso/" in page.text
    assert 'name="password"' in page.text  # the password form stays on the same page
    saved = app.config["OIDC_CLIENT_ID"]
    app.config["OIDC_CLIENT_ID"] = ""
    try:
        page = new_client(app).get("/login/")
        assert "/login/sso/" not in page.text and 'name="password"' in page.text
        assert new_client(app).get("/login/sso/").status_code == 404
    finally:
        app.config["OIDC_CLIENT_ID"] = saved


def test_a_registered_person_signs_in_through_sso_with_the_role_and_unit_of_the_list(app, sso):
    unit = register(app, "sso", [("Nguyễn Thị Sương", HANDLER, "suong.nt@sotest.gov.vn"),
                                 ("Lê Văn Lãnh", LEADER, "lanh.lv@sotest.gov.vn")])
    set_identity(sso, "sub-suong", {"email": "Suong.NT@sotest.gov.vn", "email_verified": True,
                                    "name": "Nguyễn Thị Sương"})
    client, response = sso_sign_in(app, sso, "sub-suong")
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    username, unit_name, roles, subject = whoami(app, client)
    assert (username, unit_name, roles, subject) == (
        "suong.nt@sotest.gov.vn", unit, ["Cán bộ xử lý"], "sub-suong")
    home = client.get("/")
    assert home.status_code == 200
    # A second sign-in finds the same account.
    set_identity(sso, "sub-lanh", {"email": "lanh.lv@sotest.gov.vn"})
    client2, response = sso_sign_in(app, sso, "sub-lanh")
    assert whoami(app, client2)[2] == ["Lãnh đạo phê duyệt"]
    client3, response = sso_sign_in(app, sso, "sub-suong")
    assert whoami(app, client3)[0] == "suong.nt@sotest.gov.vn"


def test_an_unregistered_sso_user_is_refused_with_a_vietnamese_message(app, sso):
    from app.models import AppUser

    set_identity(sso, "sub-stranger", {"email": "nguoi.la@khac.gov.vn", "name": "Người Lạ"})
    client, response = sso_sign_in(app, sso, "sub-stranger")
    assert response.status_code == 403
    assert "nguoi.la@khac.gov.vn chưa có trong danh sách nhân sự đã đăng ký" in response.text
    assert client.get("/").status_code in (200, 302)
    with client.session_transaction() as session:
        assert "_user_id" not in session
    with database(app) as db:
        assert db.session.query(AppUser).filter_by(email="nguoi.la@khac.gov.vn").count() == 0


def test_an_identity_without_email_is_refused(app, sso):
    set_identity(sso, "sub-no-email", {"name": "Không Có Thư"})
    _, response = sso_sign_in(app, sso, "sub-no-email")
    assert response.status_code == 403 and "không cung cấp địa chỉ email" in response.text


def test_a_person_removed_from_the_list_can_no_longer_sign_in_through_sso(app, sso):
    from app.models import Unit
    from app.services.personnel import import_file

    unit = register(app, "sso", [("Trịnh Văn Rời", HANDLER, "roi.tv@sotest.gov.vn"),
                                 ("Trịnh Văn Ở", LEADER, "o.tv@sotest.gov.vn")])
    set_identity(sso, "sub-roi", {"email": "roi.tv@sotest.gov.vn"})
    _, response = sso_sign_in(app, sso, "sub-roi")
    assert response.status_code == 302
    with database(app) as db:
        unit_obj = db.session.query(Unit).filter_by(name=unit).one()
        rows = [[1, "Trịnh Văn Ở", "", unique_mobile(), "o.tv@sotest.gov.vn", LEADER]]
        assert import_file("moi.csv", csv_bytes(rows), unit_obj).removed == 1
    _, response = sso_sign_in(app, sso, "sub-roi")
    assert response.status_code == 403 and "chưa có trong danh sách" in response.text


def test_the_same_email_from_another_subject_is_refused(app, sso):
    register(app, "sso", [("Phan Văn Chủ", HANDLER, "chu.pv@sotest.gov.vn")])
    set_identity(sso, "sub-chu", {"email": "chu.pv@sotest.gov.vn"})
    assert sso_sign_in(app, sso, "sub-chu")[1].status_code == 302
    set_identity(sso, "sub-mao-danh", {"email": "chu.pv@sotest.gov.vn"})
    _, response = sso_sign_in(app, sso, "sub-mao-danh")
    assert response.status_code == 403 and "không khớp" in response.text


def test_cancelling_at_the_provider_and_a_forged_callback_sign_nobody_in(app, sso):
    client, response = sso_sign_in(app, sso, "", deny=True)
    assert response.status_code == 401 and "không thành công hoặc đã bị hủy" in response.text
    forged = new_client(app).get("/login/sso/callback/?code=gia-mao&state=gia-mao")
    assert forged.status_code == 401 and "Không xác thực được" in forged.text
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_password_sign_in_keeps_working_next_to_sso(app, sso):
    register(app, "local", [("Đặng Văn Mật", HANDLER, "mat.dv@doanhnghiep.vn")])
    with database(app) as db:
        from app.models import Personnel

        user = db.session.query(Personnel).filter_by(email="mat.dv@doanhnghiep.vn").one().user
        assert user.must_change_password
    login(app, "trungtam", DEMO_PASSWORD)  # the demo accounts (AUTH_DB) too
    # A person of a local unit may also use SSO if the provider knows their address.
    set_identity(sso, "sub-mat", {"email": "mat.dv@doanhnghiep.vn"})
    client, response = sso_sign_in(app, sso, "sub-mat")
    assert response.status_code == 302
    assert whoami(app, client)[0] == "mat.dv@doanhnghiep.vn"


def test_sso_people_cannot_use_the_password_form_even_with_sso_configured(app, sso):
    unit = register(app, "sso", [("Hồ Văn Khóa", HANDLER, "khoa.hv@sotest.gov.vn")])
    assert unit
    client = new_client(app)
    page = client.get("/login/")
    response = client.post("/login/", data={"username": "khoa.hv@sotest.gov.vn",
                                            "password": "bat-ky-1234",
                                            "csrf_token": csrf_token(page.text)},
                           follow_redirects=True)
    assert "hãy dùng nút “Đăng nhập một lần (SSO)”" in response.text


def test_sso_sign_in_makes_the_account_of_a_listed_person_who_has_none(app, sso):
    from app.models import AppUser, Personnel, Unit

    with database(app) as db:
        unit = Unit(name=f"Cơ quan thử nghiệm SSO số {next(_units)}", kind="department",
                    login_method="sso", active=True)
        db.session.add(unit)
        db.session.flush()
        db.session.add(Personnel(unit=unit, full_name="Lữ Văn Mới", mobile="0917400399",
                                 email="moi.lv@sotest.gov.vn", duty="leader", active=True))
        db.session.commit()
        unit_name = unit.name
    set_identity(sso, "sub-moi", {"email": "moi.lv@sotest.gov.vn"})
    client, response = sso_sign_in(app, sso, "sub-moi")
    assert response.status_code == 302
    assert whoami(app, client)[1:3] == (unit_name, ["Lãnh đạo phê duyệt"])
    with database(app) as db:
        user = db.session.query(AppUser).filter_by(email="moi.lv@sotest.gov.vn").one()
        assert not user.must_change_password and user.login_count == 1
