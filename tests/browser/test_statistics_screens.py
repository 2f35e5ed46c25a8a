"""The statistics screens in Chromium: the charts are drawn by the app's own Chart.js (no request
leaves the machine, no console error), the tables sort and link to the queues; screenshots of
the three screens for the README (docs/screenshots/3x-*.png)."""
from __future__ import annotations

from .conftest import screenshot, sign_in


def test_charts_page_draws_with_the_apps_own_chart_library(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "trungtam")
    scripts = []
    page.on("request", lambda r: r.resource_type == "script" and scripts.append(r.url))
    page.click(".report-menu a:has-text('Biểu đồ phản ánh')")
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(live_server + "/thong-ke/bieu-do/")
    assert any(url.endswith("/static/vendor/chartjs/chart.umd.min.js") for url in scripts)
    # Chart.js drew each of the four charts (a chart instance per canvas).
    drawn = page.evaluate("""() => ['chart-month-source', 'chart-field', 'chart-open',
        'chart-on-time'].map(id => !!Chart.getChart(document.getElementById(id)))""")
    assert drawn == [True, True, True, True]
    labels = page.evaluate("() => Chart.getChart(document.getElementById('chart-open')).data.labels")
    assert labels == ["Đang xử lý trong hạn", "Đang xử lý quá hạn"]
    months = page.evaluate(
        "() => Chart.getChart(document.getElementById('chart-month-source')).data.labels")
    assert months[0].startswith("Tháng 01/") and len(months) == 12
    # Numbers the Vietnamese way in ticks and tooltips.
    assert page.evaluate("() => new Intl.NumberFormat('vi-VN').format(1234.5)") == "1.234,5"
    assert page.evaluate("() => Chart.defaults.locale") == "vi-VN"
    screenshot(page, "30-bieu-do-phan-anh")
    assert not page.watch.outside


def test_summary_and_statistics_tables(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "theodoi")
    page.click(".report-menu a:has-text('Tổng hợp')")
    page.wait_for_load_state("networkidle")
    page.select_option("#ky", "nam-nay")
    page.click("button:has-text('Xem')")
    page.wait_for_load_state("networkidle")
    assert page.locator(".statistics-table tfoot .total-row").inner_text().startswith("Tổng cộng") \
        or "Tổng cộng" in page.locator(".statistics-table tfoot").inner_text()
    page.click(".statistics-table thead a:has-text('Tổng phải xử lý')")
    page.wait_for_load_state("networkidle")
    assert "sap_xep=to_handle" in page.url
    screenshot(page, "31-tong-hop")
    links = page.locator("a.unit-queue-link")
    if links.count():
        links.first.click()
        page.wait_for_load_state("networkidle")
        assert "/phan-anh/tat-ca/" in page.url and "don_vi=" in page.url
    page.click(".report-menu a:has-text('Thống kê')")
    page.wait_for_load_state("networkidle")
    page.click(".queue-tabs a:has-text('Theo nguồn')")
    page.wait_for_load_state("networkidle")
    page.select_option("#ky", "nam-nay")
    page.click("button:has-text('Xem')")
    page.wait_for_load_state("networkidle")
    assert "Tiếp nhận cùng kỳ năm trước" in page.locator(".statistics-table thead").inner_text()
    screenshot(page, "32-thong-ke")
    with page.expect_download() as download:
        page.click("a.export-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
