"""The report screens in a real browser: the left menu, a queue row opening its report, the tabs,
and the "Thao tác" form showing the inputs of the chosen action (app/static/js/reports.js)."""
import re

from .conftest import screenshot, sign_in


def test_leader_approves_from_the_phe_duyet_queue(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "tttt.lanhdao")
    menu = page.locator(".report-menu")
    assert re.search(r"Phê duyệt \(\d+/\d+\)", menu.inner_text())
    page.click(".report-menu a:has-text('Phê duyệt')")
    page.wait_for_load_state("networkidle")
    assert "Chưa phê duyệt" in page.inner_text(".queue-tabs")
    screenshot(page, "20-phe-duyet")
    # A click on the row (not only on the title) opens the report page.
    page.locator("tr.report-row td.col-time").first.click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/phan-anh/\d+$", page.url)
    assert page.is_visible("#thong-tin") and not page.is_visible("#xu-ly")

    page.click(".report-tabs a:has-text('Xử lý')")
    assert page.is_visible("#action")
    assert not page.is_visible("#reason") and not page.is_visible("#content")
    options = page.eval_on_selector_all("#action option", "os => os.map(o => o.value)")
    assert "approve" in options and "submit" not in options

    page.select_option("#action", "return")
    assert page.is_visible("#reason") and not page.is_visible("#files")
    assert page.inner_text("#action-submit") == "Cập nhật"

    page.select_option("#action", "approve")
    assert not page.is_visible("#reason") and page.is_visible("#files")
    assert page.inner_text("#action-submit") == "Duyệt"
    assert page.input_value("#content")  # the handler's result, to approve or edit
    assert page.inner_text("#content-label") == "Nội dung xử lý"
    screenshot(page, "21-phe-duyet-xu-ly")
    page.click("#action-submit")
    page.wait_for_load_state("networkidle")
    assert "Đã thực hiện thao tác “Phê duyệt”" in page.inner_text("body")
    assert page.inner_text(".report-status") == "Chờ đăng tải"
    assert page.is_visible("#nhat-ky")
    first = page.locator("table.event-log tbody tr").first.inner_text()
    assert "Phê duyệt" in first


def test_centre_distribution_form_and_home_alerts(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "trungtam")
    page.goto(live_server + "/")
    panel = page.inner_text("#canh-bao")
    for label in ("1. Phản ánh mới", "2. Phản ánh chưa xử lý", "3. Phản ánh quá hạn chưa xử lý",
                  "4. Thông tin theo dõi chưa thực hiện"):
        assert label in panel
    screenshot(page, "22-trang-chu-canh-bao")
    page.goto(live_server + "/phan-anh/phan-phoi/")
    page.locator("tr.report-row a.report-link").first.click()
    page.wait_for_load_state("networkidle")
    page.click(".report-tabs a:has-text('Xử lý')")
    page.select_option("#action", "distribute")
    assert page.is_visible("#unit_id") and page.is_visible(".follow-units")
    page.fill("#follow-filter", "thong tin truyen thong")
    visible = page.locator(".follow-units .checkbox:visible")
    assert visible.count() == 1 and "Sở Thông tin và Truyền thông" in visible.inner_text()
    screenshot(page, "23-phan-phoi")
    page.select_option("#action", "reject")
    assert not page.is_visible("#unit_id") and page.is_visible("#reason")


def test_keyword_search_in_the_browser(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "theodoi")
    page.goto(live_server + "/phan-anh/tat-ca/?tab=tat-ca")
    page.fill("#tu_khoa", "o ga duong tranh hue")
    page.click("button:has-text('Tìm kiếm')")
    page.wait_for_load_state("networkidle")
    titles = page.locator("a.report-link").all_inner_texts()
    assert any("đường tránh Huế" in t for t in titles), titles
    assert page.locator(".report-menu a").all_inner_texts()[0].strip().startswith("Tất cả phản ánh")
