"""Personnel import and the data console in a real browser, as a new administrator uses them."""
import csv
import io
import re

from .conftest import DEMO_PASSWORD, screenshot, sign_in

UNIT = "VNPT Thừa Thiên Huế"  # a `local` unit of the letter: passwords issued by the centre


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["TT", "Họ và tên", "Chức vụ", "Di động", "Email", "Nhiệm vụ"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_an_administrator_imports_a_list_and_the_new_handler_signs_in(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "quantri")
    page.goto(live_server + "/personnelview/list/")
    page.click("text=Nhập danh sách từ tệp")
    page.wait_for_load_state("networkidle")

    # First a file with a bad row: nothing is imported, the row is named.
    bad = _csv([[1, "Hồ Văn Sai", "Chuyên viên", "12345", "sai@vnpt-browser.vn", "Cán bộ xử lý"]])
    page.set_input_files("input[name=file]", files=[
        {"name": "sai.csv", "mimeType": "text/csv", "buffer": bad}])
    page.select_option("select[name=unit]", label=UNIT)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert "chưa nhập dòng nào" in body and "Di động “12345”" in body
    screenshot(page, "40-nhap-nhan-su-loi")

    good = _csv([[1, "Trần Lãnh Đạo", "Giám đốc", "0917400311", "lanhdao@vnpt-browser.vn",
                  "Lãnh đạo phê duyệt"],
                 [2, "Nguyễn Xử Lý", "Chuyên viên", "0917400312", "xuly@vnpt-browser.vn",
                  "Cán bộ xử lý"]])
    page.set_input_files("input[name=file]", files=[
        {"name": "danh-sach.csv", "mimeType": "text/csv", "buffer": good}])
    page.select_option("select[name=unit]", label=UNIT)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "thêm 2" in page.inner_text(".import-summary")
    row = page.locator("tr", has_text="xuly@vnpt-browser.vn")
    password = row.locator(".initial-password").inner_text().strip()
    assert len(password) == 12
    screenshot(page, "41-nhap-nhan-su-mat-khau")

    handler = new_page()
    sign_in(handler, live_server, "xuly@vnpt-browser.vn", password)
    assert "/resetmypassword/form" in handler.url
    assert "mật khẩu ban đầu" in handler.inner_text("body")
    handler.fill("input[name=password]", "MatKhauRieng2019")
    handler.fill("input[name=conf_password]", "MatKhauRieng2019")
    handler.click("input[type=submit], button[type=submit]")
    handler.wait_for_load_state("networkidle")
    assert "/resetmypassword" not in handler.url

    # The registration status page no longer lists the unit as missing people.
    page.goto(live_server + "/personnelregistration/")
    assert "đơn vị đã đăng ký đủ" in page.inner_text(".registration-summary")
    assert UNIT not in page.inner_text(".registration-table")
    assert "Sở Tư pháp" in page.inner_text(".registration-table")
    screenshot(page, "42-tinh-hinh-dang-ky")
    page.goto(live_server + "/personnelview/list/")
    assert "xuly@vnpt-browser.vn" in page.inner_text("body")
    screenshot(page, "43-danh-sach-nhan-su")


def test_the_console_walk_through(new_page, live_server):
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "quantri")
    page.goto(live_server + "/")
    page.goto(live_server + "/dataconsole/")
    assert page.url.rstrip("/").endswith("/admin")
    assert "Bảng dữ liệu quản trị" in page.inner_text("body")
    screenshot(page, "50-bang-du-lieu")

    # Inline editing of a unit's phone.
    page.click("a.dropdown-toggle:has-text('Danh mục')")
    page.click("a:has-text('Đơn vị xử lý')")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=search]", "Xây dựng")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    row = page.locator("tr", has_text="Sở Xây dựng").first
    row.locator("a[data-role=x-editable][name=phone]").click()
    editor = page.locator(".editable-input input").first
    editor.fill("02343.822111")
    page.locator(".editable-submit").first.click()
    page.wait_for_function(
        "document.querySelector('.editable-open') === null")
    page.reload()
    row = page.locator("tr", has_text="Sở Xây dựng").first
    assert "02343822111" in row.inner_text()
    body = page.inner_text("body")
    assert "20 bản ghi" in body or "Danh sách" in body
    for wrong in ("Kỷ lục", "mặt hàng", "items", "With selected", "Export"):
        assert wrong not in body
    screenshot(page, "51-don-vi-sua-truc-tiep")

    # A bulk action on two fields.
    page.goto(live_server + "/admin/field/")
    boxes = page.locator("input.action-checkbox")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("a.dropdown-toggle:has-text('Với các bản ghi đã chọn')")
    page.click("a:has-text('Ngừng sử dụng')")
    page.wait_for_load_state("networkidle")
    assert "Đã ngừng sử dụng 2 bản ghi." in page.inner_text("body")
    page.goto(live_server + "/admin/field/")
    boxes = page.locator("input.action-checkbox")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("a.dropdown-toggle:has-text('Với các bản ghi đã chọn')")
    page.click("a:has-text('Đưa vào sử dụng')")
    page.wait_for_load_state("networkidle")

    # The audit log shows who changed the phone, before and after.
    page.goto(live_server + "/admin/audit/")
    first = page.locator("table.model-list tbody tr").first
    assert "quantri" in first.inner_text()
    page.goto(live_server + "/admin/audit/?search=02343822111")
    assert "02343822111" in page.inner_text("table.model-list")
    assert "Điện thoại: — → 02343822111" in page.inner_text("table.model-list")
    # The date filter's picker speaks Vietnamese too.
    page.click("a.dropdown-toggle:has-text('Thêm điều kiện lọc')")
    page.click("a.filter:has-text('Thời gian')")
    page.locator("input.filter-val").first.click()
    picker = page.locator(".daterangepicker").first
    picker.wait_for(state="visible")
    text = picker.inner_text()
    assert "Áp dụng" in text and "Hủy" in text and "Apply" not in text and "Cancel" not in text
    assert re.search(r"\bT2\b", text) and not re.search(r"\b(Mo|Tu|Su)\b", text), text
    page.keyboard.press("Escape")
    screenshot(page, "52-nhat-ky-quan-tri")

    # Export of a table.
    page.goto(live_server + "/admin/unit/")
    page.click("a.dropdown-toggle:has-text('Xuất')")
    with page.expect_download() as download:
        page.click("a:has-text('Xuất XLSX')")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_unit_user_is_refused_the_console(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "gtvt.xuly", DEMO_PASSWORD)
    response = page.goto(live_server + "/admin/")
    assert response.status == 403
    assert "Không có quyền truy cập" in page.inner_text("body")
    assert not re.search(r"\bForbidden\b", page.inner_text("body"))
    # The 403 is the expected answer (Chromium logs it as a failed load).
    page.watch.errors[:] = [e for e in page.watch.errors if "403" not in e]
    page.watch.failed.clear()
