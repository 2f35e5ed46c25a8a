"""A day's work in a real browser (issue 15): a double click makes one report, what cannot be
undone is confirmed, long texts fold, the session's end keeps the typed text, and a handler
reads a queue and a report and acts on it from a phone (390×844)."""
from __future__ import annotations

import re

import pytest

from .conftest import PageWatch, screenshot, sign_in

PHONE = {"width": 390, "height": 844}


def _queue_total(page, base, keyword) -> int:
    page.goto(f"{base}/phan-anh/tat-ca/?tab=tat-ca&tu_khoa={keyword}")
    return int(re.search(r"Tổng số: (\d+)", page.inner_text(".queue-footer")).group(1))


def _fill_intake(page, base, title, content="Cống thoát nước bị tắc gây ngập cục bộ."):
    page.goto(base + "/phan-anh/tiep-nhan-moi/")
    page.fill("#title", title)
    page.fill("#content", content)
    page.select_option("#field_id", label="Giao thông")


def test_a_double_click_on_cap_nhat_makes_one_report(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "trungtam")
    _fill_intake(page, live_server, "Nhấp đúp cống tắc Ngự Bình")
    with page.expect_navigation():
        page.dblclick(".intake-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/phan-anh/\d+", page.url), page.inner_text(".report-main")[:500]
    assert _queue_total(page, live_server, "nhap+dup+cong+tac+ngu+binh") == 1

    # Without the browser's courtesy (the button disabled): the same form sent twice at once
    # still makes one report, the server holds the token.
    _fill_intake(page, live_server, "Gửi hai lần cống tắc Kim Long")
    statuses = page.evaluate("""async () => {
        const form = document.querySelector('.intake-form');
        const send = () => fetch(form.action, {method: 'POST', body: new FormData(form), redirect: 'manual'});
        const answers = await Promise.all([send(), send()]);
        return answers.map(a => a.type);
    }""")
    assert statuses == ["opaqueredirect", "opaqueredirect"]
    assert _queue_total(page, live_server, "gui+hai+lan+cong+tac+kim+long") == 1


def test_khong_tiep_nhan_asks_first_and_says_what_will_happen(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "trungtam")
    _fill_intake(page, live_server, "Phản ánh trùng lặp cần từ chối")
    page.uncheck("#receive_now")
    page.click(".intake-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.click(".report-tabs a:has-text('Xử lý')")
    page.select_option("#action", "reject")
    page.fill("#reason", "Trùng với phản ánh đã tiếp nhận")
    assert page.inner_text("#action-submit") == "Không tiếp nhận"
    page.click("#action-submit")
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert "chỉ còn trao đổi" in dialog.locator(".confirm-text").inner_text()
    assert dialog.locator(".confirm-ok").inner_text() == "Không tiếp nhận"
    screenshot(page, "32-xac-nhan-khong-tiep-nhan")
    dialog.locator(".confirm-cancel").click()
    dialog.wait_for(state="hidden")
    assert page.inner_text(".report-status") == "Chờ tiếp nhận"  # nothing sent
    page.click("#action-submit")
    dialog.wait_for(state="visible")
    dialog.locator(".confirm-ok").click()
    page.wait_for_load_state("networkidle")
    assert page.inner_text(".report-status") == "Không tiếp nhận"


def test_a_long_report_folds_and_the_log_keeps_its_columns(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "trungtam")
    long_text = ("Đoạn đường bị sụt lún nghiêm trọng sau mưa lớn, nhiều xe máy bị ngã. " * 150)[:10000]
    _fill_intake(page, live_server, "Phản ánh rất dài về sụt lún", content=long_text)
    page.click(".intake-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    content = page.locator(".report-content")
    assert content.bounding_box()["height"] < 250
    more = page.locator("#thong-tin .long-text-toggle")
    assert more.inner_text() == "Xem thêm"
    more.click()
    assert content.bounding_box()["height"] > 1000 and more.inner_text() == "Thu gọn"

    page.click(".report-tabs a:has-text('Xử lý')")
    assert page.locator(".latest-exchange").bounding_box()["height"] < 250
    # The form is near the top, not 2,000 px down.
    assert page.locator("#action").bounding_box()["y"] < 900
    page.click(".report-tabs a:has-text('Nhật ký trao đổi')")
    person = page.locator("table.event-log thead th:has-text('Người / Đơn vị')")
    assert person.bounding_box()["width"] >= 200
    for cell in page.locator("table.event-log .event-content .long-text").all():
        assert cell.bounding_box()["height"] < 250


def test_typed_text_survives_the_end_of_the_session(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "trungtam")
    _fill_intake(page, live_server, "Gõ xong thì phiên đã hết hạn",
                 content="Nội dung dài đã gõ mất mười phút.")
    page.context.clear_cookies()  # the session ends while the person types
    page.click(".intake-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" in page.url
    assert "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại" in page.inner_text("body")
    page.fill("input[name=username]", "trungtam")
    page.fill("input[name=password]", "Demo2019pass")
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/phan-anh/tiep-nhan-moi/" in page.url
    assert page.input_value("#title") == "Gõ xong thì phiên đã hết hạn"
    assert page.input_value("#content") == "Nội dung dài đã gõ mất mười phút."
    assert "đã được khôi phục" in page.inner_text(".kept-after-login")


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15000)
    watch = PageWatch(page, live_server)
    yield page
    context.close()
    assert not watch.outside and not watch.errors, (watch.outside, watch.errors)


def _fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"


def test_a_handler_reads_and_acts_from_a_phone(phone_page, live_server):
    page = phone_page
    sign_in(page, live_server, "gtvt.xuly")
    page.goto(live_server + "/phan-anh/xu-ly/?tab=tat-ca")
    _fits_the_screen(page)
    # The menu is folded: the queue's rows are on the first screen, as cards.
    assert not page.is_visible("#report-menu-list a.list-group-item")
    assert not page.is_visible("#queue-filters")
    first = page.locator("tr.report-row").first
    box = first.bounding_box()
    assert box["y"] < PHONE["height"] and box["width"] <= PHONE["width"]
    # Each line of a card says what it is ("Trạng thái: Chờ xử lý").
    label = first.locator("td.col-status").evaluate(
        "td => getComputedStyle(td, '::before').content")
    assert label == '"Trạng thái: "'
    assert first.locator("td.col-title").bounding_box()["width"] > 300
    screenshot(page, "30-dien-thoai-hang-doi")
    page.click(".report-menu-toggle")
    page.locator("#report-menu-list a.list-group-item").first.wait_for(state="visible")
    screenshot(page, "31-dien-thoai-menu")
    page.click(".report-menu-toggle")

    page.goto(live_server + "/phan-anh/xu-ly/?tab=cho")
    page.locator("tr.report-row a.report-link").first.click()
    page.wait_for_load_state("networkidle")
    _fits_the_screen(page)
    screenshot(page, "33-dien-thoai-phan-anh")
    page.click(".report-tabs a:has-text('Xử lý')")
    options = page.eval_on_selector_all("#action option", "os => os.map(o => o.value)")
    action = "accept" if "accept" in options else "comment"
    page.select_option("#action", action)
    if action == "comment":
        page.fill("#content", "Đã cử cán bộ xuống hiện trường.")
    _fits_the_screen(page)
    page.click("#action-submit")
    page.wait_for_load_state("networkidle")
    assert "Đã thực hiện thao tác" in page.inner_text("body")
    _fits_the_screen(page)  # the log, as cards
    assert page.locator("table.event-log tr.event").first.bounding_box()["width"] <= PHONE["width"]
    screenshot(page, "34-dien-thoai-nhat-ky")
    page.click(".back-to-queue")
    page.wait_for_load_state("networkidle")
    assert "/phan-anh/xu-ly/?tab=cho" in page.url
