"""FAB's client-side widgets speak Vietnamese too: the date picker, Select2 and FAB's alerts."""
import re

from .conftest import sign_in


def test_date_picker_and_select2_are_vietnamese(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "trungtam")

    # The date picker of a working-day exception.
    page.goto(live_server + "/workdayexceptionview/add")
    page.click("input[name=day]")
    picker = page.locator(".datepicker-days").first
    picker.wait_for(state="visible")
    text = picker.inner_text()
    assert re.search(r"Tháng \d+ \d{4}", text), text
    assert "T2" in text and "CN" in text
    assert not re.search(r"\b(January|February|March|April|May|June|July|August|September|"
                         r"October|November|December|Su|Mo|Tu|We|Th|Fr|Sa)\b", text), text

    # A Select2 list searched for something it does not hold.
    page.goto(live_server + "/fieldview/add")
    page.click("#default_unit + .select2-container .select2-selection")
    page.locator(".select2-container--open .select2-search__field").fill("khong-co-don-vi-nay")
    results = page.locator(".select2-container--open .select2-results")
    results.wait_for(state="visible")
    page.wait_for_function("document.querySelector('.select2-results__message') !== null")
    assert "Không tìm thấy kết quả" in results.inner_text()
    assert "No results found" not in results.inner_text()
    page.keyboard.press("Escape")



def test_fab_alert_for_an_action_without_rows_is_vietnamese(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "quantri")
    page.goto(live_server + "/roles/list/")
    page.click(".dropdown-toggle:has-text('Thao tác')")
    page.click(".copyrole_menu_item")
    alert = page.locator("#modal-alert")
    alert.wait_for(state="visible")
    assert "Chưa chọn bản ghi nào" in alert.inner_text()
    assert "No row selected" not in alert.inner_text()
