"""Checks that matter to the people using the report screens, in a real browser, on the demo data
(``live_server``): the keyword box without accents, another unit's report typed in the address
bar, the handler's "Thao tác" without "Phê duyệt", and pages without JavaScript console errors
or anything loaded from outside the machine.

The demo's copy of the letter's report ("Hiện tượng xuống cấp tại đường tránh Huế", handled by
Sở Thông tin và Truyền thông) and "Mất sóng di động khu vực phường Thủy Xuân" (being handled by
the same department) are only read here, never changed, so the order of the tests is free.
"""
from __future__ import annotations

import re
from urllib.parse import urlparse

from .conftest import sign_in

POTHOLE = "Hiện tượng xuống cấp tại đường tránh Huế"
IN_PROGRESS_AT_TTTT = "Mất sóng di động khu vực phường Thủy Xuân"


def _search(page, keyword: str) -> list[str]:
    page.fill("#tu_khoa", keyword)
    with page.expect_navigation():
        page.click(".queue-filters button[type=submit]")
    return page.locator(".queue-table a.report-link").all_inner_texts()


def _expected_refusals(page, status: int) -> None:
    """Chromium reports a page answered with an error status as a failed load in the console:
    that is the point of the test, not a fault of the page. Only those lines are dropped."""
    pattern = re.compile(rf"status of {status}\b")
    page.watch.errors[:] = [e for e in page.watch.errors if not pattern.search(e)]
    page.watch.failed[:] = [f for f in page.watch.failed if not f.startswith(f"{status} ")]


def test_the_keyword_box_finds_the_report_typed_without_accents(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "trungtam")
    page.goto(live_server + "/phan-anh/tiep-nhan/?tab=da")  # "Đã tiếp nhận"
    for keyword in ("hien tuong xuong cap duong tranh hue",  # no accents, "đ" typed as "d"
                    "HIEN TUONG XUONG CAP",  # capitals
                    "Hiện tượng xuống cấp"):  # as written
        titles = _search(page, keyword)
        assert titles == [POTHOLE], (keyword, titles)
        # The search stays on the same tab and the box keeps what was typed.
        assert page.locator(".queue-tabs li.active").inner_text().startswith("Đã tiếp nhận")
        assert page.input_value("#tu_khoa") == keyword
    assert _search(page, "khong co phan anh nao nhu the nay") == []
    assert "Không có phản ánh nào." in page.inner_text(".queue-table")


def test_a_unit_user_typing_another_units_report_url_gets_an_error_page(new_page, live_server):
    # The centre sees every report: it finds the addresses of the report and of its photo.
    centre = new_page()
    sign_in(centre, live_server, "trungtam")
    centre.goto(live_server + "/phan-anh/tat-ca/?tab=tat-ca")
    _search(centre, "duong tranh hue")
    report_url = centre.locator("a.report-link", has_text=POTHOLE).get_attribute("href")
    centre.goto(live_server + report_url)
    photo_url = centre.locator("#thong-tin a.report-thumbnail").first.get_attribute("href")
    assert re.fullmatch(r"/phan-anh/\d+", report_url) and "/tep/" in photo_url

    # Sở Xây dựng never held this report (Sở Thông tin và Truyền thông did).
    other = new_page()
    sign_in(other, live_server, "xd.xuly")
    for url in (report_url, report_url + "?tab=nhat-ky", photo_url):
        response = other.goto(live_server + url)
        assert response.status == 404, (url, response.status)
        body = other.inner_text("body")
        assert "404 — Không tìm thấy" in body, body
        for secret in (POTHOLE, "Phạm Văn Dương", "0917400300", "207 Hùng Vương"):
            assert secret not in body, (url, secret)
        assert other.is_visible("a:has-text('Về trang chủ')")
    _expected_refusals(other, 404)
    # Nor does the report show in the unit's own lists.
    other.goto(live_server + "/phan-anh/tat-ca/?tab=tat-ca")
    assert _search(other, "duong tranh hue") == []


def test_a_handlers_action_form_does_not_offer_phe_duyet(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "tttt.xuly")
    page.goto(live_server + "/phan-anh/xu-ly/")
    with page.expect_navigation():
        page.click(f"a.report-link:has-text('{IN_PROGRESS_AT_TTTT}')")
    assert page.inner_text(".report-status") == "Đang xử lý"
    page.click(".report-tabs a:has-text('Xử lý')")
    options = page.eval_on_selector_all(
        "#action option", "os => os.filter(o => o.value).map(o => [o.value, o.textContent.trim()])")
    assert [label for _, label in options] == ["Trả bước trước", "Xử lý", "Trao đổi"], options
    # No option turns the button into the leader's "Duyệt".
    for value, label in options:
        page.select_option("#action", value)
        assert page.inner_text("#action-submit") == "Cập nhật", label
    assert "Phê duyệt" not in page.inner_text("#xu-ly")
    assert "Duyệt" not in page.inner_text("#xu-ly form")

    # Adding the option by hand in the page does not get past the server either.
    page.evaluate("""() => {
        const select = document.querySelector('#action');
        select.add(new Option('Phê duyệt', 'approve'));
        select.value = 'approve';
    }""")
    with page.expect_navigation():
        page.click("#action-submit")
    assert "Chưa thực hiện được thao tác" in page.inner_text(".action-error")
    _expected_refusals(page, 403)
    page.click(".report-tabs a:has-text('Thông tin phản ánh')")
    assert page.inner_text(".report-status") == "Đang xử lý"


def test_pages_have_no_console_errors_and_load_nothing_from_outside(new_page, live_server):
    host = urlparse(live_server).netloc
    visited = []

    def check(page, what):
        page.wait_for_load_state("load")  # every script, style sheet, font and picture
        visited.append(what)
        # Every script, style sheet, picture and font the page asked for came from here…
        loaded = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
        declared = page.eval_on_selector_all(
            "script[src], link[href][rel~=stylesheet], link[href][rel~=icon], img[src], "
            "iframe[src], source[src], video[src], audio[src]",
            "els => els.map(e => e.src || e.href)")
        outside = [u for u in loaded + declared
                   if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != host]
        assert not outside, (what, outside)
        # …and nothing went wrong while loading or running it.
        assert not page.watch.errors, (what, page.watch.errors)
        assert not page.watch.failed, (what, page.watch.failed)
        assert not page.watch.outside, (what, page.watch.outside)

    anonymous = new_page()
    anonymous.goto(live_server + "/login/")
    check(anonymous, "Đăng nhập")

    for username in ("trungtam", "tttt.xuly", "tttt.lanhdao"):
        page = new_page()
        sign_in(page, live_server, username)
        page.goto(live_server + "/")
        check(page, f"{username}: Trang chủ")
        queues = page.eval_on_selector_all(".report-menu a.list-group-item",
                                           "as => as.map(a => a.getAttribute('href'))")
        queues = [q for q in queues if q.startswith("/phan-anh/")]
        assert queues, username
        for queue in queues:
            for tab in ("cho", "da"):
                page.goto(f"{live_server}{queue}?tab={tab}")
                check(page, f"{username}: {queue}?tab={tab}")
        # The first report of the person's first queue, its three tabs.
        page.goto(f"{live_server}{queues[0]}?tab=da")
        link = page.locator("a.report-link").first
        if link.count():
            with page.expect_navigation():
                link.click()
            for label in ("Xử lý", "Nhật ký trao đổi", "Thông tin phản ánh"):
                page.click(f".report-tabs a:has-text('{label}')")
            check(page, f"{username}: {page.url}")
        if username == "trungtam":
            page.goto(live_server + "/phan-anh/tiep-nhan-moi/")
            check(page, "trungtam: Tiếp nhận phản ánh mới")
    assert len(visited) > 20, visited
