"""The public channel in a real browser (DESIGN §10): a citizen sends a report from the portal
with a photo → the centre takes it in and distributes it → the unit processes and approves it →
the centre publishes it → the citizen finds the result without typing accents, follows the
report by code + phone and rates it "Không hài lòng" → the centre sees the rating first in
"Phản ánh có tương tác" and reopens the report with the rating as reason → the citizen reads it.

Screenshots test-artifacts/screenshots/pub-NN-….png (1366×768), in walk order; the README shows
them (copied to docs/screenshots/).
"""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from .conftest import _pages, _serve, sign_in
from .test_worked_example import (
    act, open_queue, open_report_row, screenshot, show_tab, status_label, step,
)

TITLE = "Cây xà cừ nghiêng sắp đổ trên đường Đống Đa"
CONTENT = "Cây xà cừ trước số 12 Đống Đa nghiêng hẳn ra lòng đường sau bão, rất nguy hiểm."
PLACE = "12 Đống Đa, phường Phú Nhuận, TP Huế"
NAME, PHONE = "Hồ Thị Thu Sương", "0934 567 890"
RESULT = "Đã cắt tỉa và chằng chống cây xà cừ trước số 12 Đống Đa."
COMMENT = "Cây vẫn còn nghiêng, đề nghị chặt hạ."


@pytest.fixture(scope="module")
def public_server(chromium_path):
    """An application of its own (demo accounts and reports): the walk adds reports that must
    not change the other browser tests' counts."""
    yield from _serve("browser_public", [["-m", "flask", "db", "upgrade"], ["-m", "flask", "demo"]])


@pytest.fixture
def new_page(browser, public_server):
    yield from _pages(browser, public_server)


def _photo_with_gps(path):
    image = Image.new("RGB", (160, 120), (60, 120, 60))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (16.0, 27.0, 0.0), 3: "E", 4: (107.0, 36.0, 0.0)})
    image.save(path, format="JPEG", exif=exif)
    return path


def test_citizen_centre_unit_published_rated_reopened(new_page, public_server, tmp_path):
    base = public_server
    photo = _photo_with_gps(tmp_path / "cay-nghieng.jpg")
    result_photo = _photo_with_gps(tmp_path / "sau-xu-ly.jpg")

    citizen = new_page()
    with step(1, "người dân", "gửi phản ánh từ cổng thông tin"):
        citizen.goto(base + "/cong-khai/")
        assert "Kết quả xử lý" in citizen.inner_text(".portal-nav")
        assert citizen.locator(".portal-result").count() > 0  # the demo's published results
        screenshot(citizen, "pub-01-cong-khai")
        with citizen.expect_navigation():
            citizen.click(".portal-nav a:has-text('Gửi phản ánh')")
        citizen.fill("#reporter_name", NAME)
        citizen.fill("#reporter_phone", PHONE)
        citizen.fill("#title", TITLE)
        citizen.fill("#content", CONTENT)
        citizen.fill("#location", PLACE)
        citizen.set_input_files("#photos", [str(photo)])
        assert citizen.inner_text(".file-picker-names") == "cay-nghieng.jpg"
        honeypot = citizen.locator("#website").bounding_box()  # out of sight, left of the page
        assert honeypot["x"] + honeypot["width"] <= 0, honeypot
        screenshot(citizen, "pub-02-gui-phan-anh")
        citizen.wait_for_timeout(4500)  # a person takes longer than the minimum fill time
        with citizen.expect_navigation():
            citizen.click(".portal-form button[type=submit]")
        code = citizen.inner_text("#ma-phan-anh").strip()
        assert re.fullmatch(r"HUE-[2-9A-HJKMNP-TW-Z]{8}", code), code
        screenshot(citizen, "pub-03-ma-phan-anh")

    centre = new_page()
    with step(2, "trungtam", "tiếp nhận và phân phối"):
        sign_in(centre, base, "trungtam")
        centre.goto(base + "/phan-anh/tiep-nhan/")
        open_report_row(centre, TITLE)
        assert centre.inner_text("#thong-tin .tracking-code") == code
        assert centre.inner_text("#thong-tin .reporter-name") == NAME
        assert "Cổng thông tin tương tác" in centre.inner_text("#thong-tin")
        show_tab(centre, "Xử lý", "#xu-ly")
        centre.select_option("#action", "receive")
        centre.select_option("#field_id", label="Cây xanh, công viên")
        act(centre, "receive", done_label="Tiếp nhận")
        show_tab(centre, "Xử lý", "#xu-ly")
        centre.select_option("#action", "distribute")
        centre.select_option("#unit_id", label="Sở Giao thông vận tải")
        act(centre, "distribute", done_label="Phân phối", shot="pub-04-trung-tam-phan-phoi")
        report_url = centre.url.split("?")[0]

    handler = new_page()
    with step(3, "gtvt.xuly", "tiếp nhận và xử lý, kèm ảnh"):
        sign_in(handler, base, "gtvt.xuly")
        handler.goto(report_url)
        act(handler, "accept", done_label="Thực hiện tiếp nhận")
        act(handler, "submit", fill={"#content": RESULT}, files=[str(result_photo)],
            done_label="Xử lý")
    leader = new_page()
    with step(4, "gtvt.lanhdao", "duyệt"):
        sign_in(leader, base, "gtvt.lanhdao")
        leader.goto(report_url)
        act(leader, "approve", done_label="Phê duyệt", button="Duyệt")
    with step(5, "trungtam", "đăng tải kết quả"):
        centre.goto(report_url)
        act(centre, "publish", done_label="Đăng tải kết quả", button="Đăng tải")
        assert status_label(centre) == "Đã đăng tải"

    with step(6, "người dân", "tìm kết quả không dấu, xem ảnh không còn vị trí GPS"):
        citizen.goto(base + "/cong-khai/")
        citizen.fill("#tu_khoa", "cay xa cu nghieng duong dong da")
        with citizen.expect_navigation():
            citizen.click(".portal-search button[type=submit]")
        result = citizen.locator(f".portal-result[data-code='{code}']")
        assert RESULT in result.inner_text() and "Sở Giao thông vận tải" in result.inner_text()
        page_text = citizen.inner_text("body")
        assert NAME not in page_text and "0934567890" not in page_text
        image = result.locator("img").first
        citizen.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                  arg=image.element_handle())
        screenshot(citizen, "pub-05-ket-qua-tim-khong-dau")
        served = citizen.request.get(base + image.get_attribute("src"))
        with Image.open(io.BytesIO(served.body())) as picture:
            assert dict(picture.getexif()) == {}

    with step(7, "người dân", "tra cứu bằng mã + điện thoại, đánh giá Không hài lòng"):
        with citizen.expect_navigation():
            citizen.click(".portal-nav a:has-text('Tra cứu phản ánh')")
        citizen.fill("#code", code.lower())
        citizen.fill("#phone", PHONE.replace(" ", ""))
        with citizen.expect_navigation():
            citizen.click(".portal-track-form button[type=submit]")
        assert citizen.inner_text(".portal-status") == "Đã đăng tải"
        assert RESULT in citizen.inner_text(".portal-tracking")
        citizen.check("input[name=rating][value=not_satisfied]")
        citizen.fill("#comment", COMMENT)
        screenshot(citizen, "pub-06-danh-gia", top=False)
        with citizen.expect_navigation():
            citizen.click(".portal-feedback button[type=submit]")
        assert "Cảm ơn bạn đã đánh giá" in citizen.inner_text(".alert-success")
        assert "Bạn đã đánh giá: Không hài lòng" in citizen.inner_text(".portal-feedback")

    with step(8, "trungtam", "Phản ánh có tương tác: Không hài lòng đầu tiên, mở lại"):
        centre.goto(base + "/")
        entry = centre.locator(".report-menu a.list-group-item", has_text="Phản ánh có tương tác")
        assert "NEW" in entry.inner_text()
        open_queue(centre, "Phản ánh có tương tác")
        first = centre.locator(".queue-table tbody tr.report-row").first
        assert TITLE in first.inner_text() and "Không hài lòng" in first.inner_text()
        assert COMMENT in first.inner_text()
        screenshot(centre, "pub-07-phan-anh-co-tuong-tac")
        with centre.expect_navigation():
            first.locator("button:has-text('Mở lại phản ánh')").click()
        assert "Đã mở lại phản ánh" in centre.inner_text(".alert-success")
        centre.click(".queue-tabs a:has-text('Đã phản hồi')")
        centre.locator(".queue-table").wait_for()
        assert "Đã mở lại phản ánh" in centre.locator("tr.report-row", has_text=TITLE).inner_text()
        screenshot(centre, "pub-08-da-phan-hoi")
        centre.goto(report_url + "?tab=nhat-ky")
        assert status_label(centre) == "Chờ phân phối"

    with step(9, "người dân", "thấy phản ánh được mở lại"):
        citizen.reload()
        assert citizen.inner_text(".portal-status") == "Chờ phân phối"
        assert "Phản ánh được mở lại để xử lý tiếp" in citizen.inner_text(".portal-history")
        screenshot(citizen, "pub-09-tra-cuu-mo-lai")
