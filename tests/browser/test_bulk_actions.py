"""Bulk actions in a real browser (issue 14): the centre ticks three reports in "Phân phối",
distributes them to one unit, checks the confirmation and reads the summary."""
import json
import urllib.request

from .conftest import DEMO_PASSWORD, screenshot, sign_in

TITLES = [f"Đèn chiếu sáng hỏng trên đường Lê Lợi, đoạn số {n}" for n in (1, 2, 3)]


def _api(base, path, body=None, token=None):
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})},
        method="POST" if body is not None else "GET")
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


def _three_reports_waiting_for_distribution(base) -> list[int]:
    """Three new reports taken in and received by the centre through the REST API."""
    token = _api(base, "/api/v1/security/login", {
        "username": "trungtam", "password": DEMO_PASSWORD, "provider": "db"})["access_token"]
    fields = _api(base, "/api/v1/field/?q=(page_size:100)", token=token)["result"]
    sources = _api(base, "/api/v1/source/?q=(page_size:100)", token=token)["result"]
    field = next(f["id"] for f in fields if f["name"] == "Giao thông")
    source = next(s["id"] for s in sources if s["name"] == "Tổng đài")
    ids = [_api(base, "/api/v1/report/", {
        "title": title, "content": "Đèn đường không sáng vào ban đêm, gây nguy hiểm.",
        "reporter_name": "Trần Văn Bình", "reporter_phone": "0914123456",
        "location": "Đường Lê Lợi, Huế", "source_id": source, "field_id": field,
    }, token)["id"] for title in TITLES]
    received = _api(base, "/api/v1/report/actions/receive", {"ids": ids}, token)["result"]
    assert [r["status"] for r in received] == [200, 200, 200], received
    return ids


def test_centre_distributes_three_reports_at_once(new_page, live_server):
    ids = _three_reports_waiting_for_distribution(live_server)
    page = new_page()
    sign_in(page, live_server, "trungtam")
    page.goto(live_server + "/phan-anh/phan-phoi/")
    assert page.is_visible("text=Chọn tất cả trên trang")
    assert page.is_disabled("#bulk-submit")
    for report_id in ids:
        page.check(f"input.bulk-check[value='{report_id}']")
    assert page.inner_text("#bulk-selected") == "3"
    # Only what the table allows on these rows: "Phân phối" and "Không tiếp nhận", each for 3.
    offered = page.eval_on_selector_all(
        "#bulk-action option", "os => os.filter(o => o.value && !o.disabled).map(o => o.textContent)")
    assert offered == ["Không tiếp nhận (3/3)", "Phân phối (3/3)"]
    page.select_option("#bulk-action", "distribute")
    screenshot(page, "50-phan-phoi-chon-nhieu")
    page.click("#bulk-submit")
    page.wait_for_load_state("networkidle")

    assert "Thông tin dưới đây dùng chung cho 3 phản ánh đã chọn" in page.inner_text(".bulk-page")
    page.select_option("#unit_id", label="Sở Giao thông vận tải")
    page.fill("#content", "Đề nghị Sở Giao thông vận tải kiểm tra, khắc phục.")
    page.click("#bulk-review")
    page.wait_for_load_state("networkidle")

    plan = page.inner_text(".bulk-plan")
    for title in TITLES:
        assert title in plan
    assert plan.count("Chờ phân phối → Chờ xử lý") == 3
    assert "Sở Giao thông vận tải" in page.inner_text(".bulk-summary")
    assert page.inner_text("#bulk-confirm") == "Xác nhận: Phân phối 3 phản ánh"
    screenshot(page, "51-phan-phoi-xac-nhan")
    page.click("#bulk-confirm")
    page.wait_for_load_state("networkidle")

    summary = page.inner_text(".bulk-result-summary")
    assert "Phân phối: đã thực hiện 3/3 phản ánh." in summary
    done = page.inner_text(".bulk-done")
    assert done.count("Đã phân phối cho Sở Giao thông vận tải.") == 3
    screenshot(page, "52-phan-phoi-ket-qua")
    page.click("#bulk-back")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/phan-anh/phan-phoi/")
    for report_id in ids:
        assert page.locator(f"input.bulk-check[value='{report_id}']").count() == 0
