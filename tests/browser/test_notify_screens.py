"""Notifications and notices in a real browser: the centre writes a notice to one unit, a handler
of that unit sees the bell's count, the list, the notice, and the centre sees who has read it."""
import re

from .conftest import screenshot, sign_in

NOTICE_TITLE = "Lịch trực xử lý phản ánh dịp Tết Nguyên đán"


def test_bell_list_and_notice(new_page, live_server):
    centre = new_page()
    sign_in(centre, live_server, "trungtam")
    centre.click(".report-menu a:has-text('Thông báo')")
    centre.wait_for_load_state("networkidle")
    centre.click("#new-notice")
    centre.fill("#title", NOTICE_TITLE)
    centre.fill("#content", "Đề nghị các đơn vị bố trí cán bộ trực xử lý phản ánh hiện trường "
                            "từ 27 tháng Chạp đến mùng 5 Tết.")
    centre.select_option("#unit_ids", label="Sở Thông tin và Truyền thông")
    screenshot(centre, "30-viet-thong-bao")
    centre.click("#send-notice")
    centre.wait_for_load_state("networkidle")
    assert f"Đã gửi thông báo “{NOTICE_TITLE}”" in centre.inner_text("body")
    notice_url = centre.url

    handler = new_page()
    sign_in(handler, live_server, "tttt.xuly")
    count = handler.inner_text(".notification-bell .notification-count")
    assert re.fullmatch(r"\d+", count) and int(count) >= 1
    assert handler.inner_text(".report-menu a:has-text('Thông báo') .notice-unread") == "1"
    screenshot(handler, "31-chuong-thong-bao")
    handler.click(".notification-bell")
    handler.wait_for_load_state("networkidle")
    assert handler.inner_text(".notification-tabs li.active") .startswith("Chưa đọc")
    first = handler.locator(".notification-list .notification-link").first
    assert first.inner_text() == f"Thông báo: {NOTICE_TITLE}"
    screenshot(handler, "32-danh-sach-thong-bao")
    first.click()
    handler.wait_for_load_state("networkidle")
    assert handler.url == notice_url
    assert handler.inner_text(".notice-title") == NOTICE_TITLE
    screenshot(handler, "33-thong-bao")
    assert handler.locator(".report-menu .notice-unread").count() == 0
    after = handler.locator(".notification-bell .notification-count")
    assert after.count() == 0 or int(after.inner_text()) == int(count) - 1

    centre.goto(notice_url)
    reads = centre.inner_text("table.notice-reads")
    assert "Sở Thông tin và Truyền thông" in reads and "1/2 đã đọc" in reads
    assert "Chưa đọc" in reads  # the unit's leader has not opened it
    screenshot(centre, "34-tinh-hinh-doc-thong-bao")
