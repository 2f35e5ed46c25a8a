"""The login page in a real browser."""
from .conftest import screenshot, sign_in


def test_login_page_is_vietnamese_and_signs_in(new_page, live_server):
    page = new_page()
    page.goto(live_server + "/login/")
    body = page.inner_text("body")
    assert "Đăng nhập" in body
    for english in ("Sign In", "Username", "Password", "Login"):
        assert english not in body
    screenshot(page, "01-dang-nhap")
    sign_in(page, live_server, "trungtam")
    assert "Đăng xuất" in page.content() or "/logout" in page.content()


def test_a_wrong_password_keeps_the_user_on_the_login_page(new_page, live_server):
    page = new_page()
    page.goto(live_server + "/login/")
    page.fill("input[name=username]", "trungtam")
    page.fill("input[name=password]", "sai-mat-khau-1")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" in page.url
