"""The letter's worked example (Công văn 17/STTTT-CNTT, annex "Hướng dẫn xử lý phản ánh hiện
trường"), done entirely through the web UI in a real browser, each step by the account whose job
it is, each signing in through the login form:

 1. ``trungtam`` enters a report received by phone (Tổng đài), receives it ("Tiếp nhận") and
    distributes it to Sở Giao thông vận tải;
 2. ``gtvt.xuly`` finds it in its "Xử lý" queue (keyword typed without accents) and returns it
    ("Trả bước trước") with a reason;
 3. ``trungtam`` re-distributes it to Sở Thông tin và Truyền thông;
 4. ``tttt.xuly`` accepts it ("Thực hiện tiếp nhận"), writes "Đã kiểm tra và tiến hành khắc
    phục", attaches 2_48079.jpg through the file input and presses "Cập nhật";
 5. ``tttt.lanhdao`` sees it in "Phê duyệt (1/1)" with the NEW mark and returns it once;
 6. ``tttt.xuly`` sends the result again with a second photo;
 7. ``tttt.lanhdao`` approves it with "Duyệt";
 8. ``trungtam`` publishes it ("Đăng tải kết quả").

After each step: the status label of the report page, the whole "Nhật ký trao đổi" tab (newest
first: person, unit, action, content) and the queue badges "(to act on / total)" + NEW of the
person concerned. The walk runs on its own application without the demo reports
(``empty_server``), so the badges are exact, as in the letter's "Phê duyệt (1/1) NEW".

One test walking all steps in order: a failure names the step and the person. The screenshots
(test-artifacts/screenshots/NN-….png, 1366×768) are numbered in walk order.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import re

from app.services.demo_image import mosaic_jpeg, pothole_photo

from .conftest import screenshot as _screenshot
from .conftest import sign_in

CENTRE = "Trung tâm Giám sát, điều hành đô thị thông minh"
GTVT = "Sở Giao thông vận tải"
TTTT = "Sở Thông tin và Truyền thông"
# The demo accounts' names (app/services/demo.py).
TRANG, HUNG, DUONG, SON = "Lê Thị Minh Trang", "Nguyễn Văn Hùng", "Phạm Văn Dương", "Nguyễn Xuân Sơn"

TITLE = "Hiện tượng xuống cấp tại đường tránh Huế"
TEXT = ("Phản ánh tình trạng ổ gà xuất hiện nhiều ở đường tránh Huế. Kính mong các cơ quan chức "
        "năng xử lý. Trân trọng./.")
RESULT = "Đã kiểm tra và tiến hành khắc phục"
RETURN_GTVT = ("Phản ánh không thuộc thẩm quyền giải quyết của Sở Giao thông vận tải, đề nghị "
               "Trung tâm phân phối lại.")
RETURN_LEADER = "Đề nghị bổ sung hình ảnh toàn tuyến sau khi khắc phục."
PUBLIC_RESULT = ("Sở Thông tin và Truyền thông đã kiểm tra và tiến hành khắc phục các ổ gà trên "
                 "đường tránh Huế.")


@contextlib.contextmanager
def step(number: int, person: str, what: str):
    """Name the step and the person in any failure inside it."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - re-raised with the step's name
        raise AssertionError(f"Bước {number} — {person}: {what}\n{exc}") from exc


def screenshot(page, name: str, top: bool = True) -> str:
    """The screen as a person sees it after arriving: from the top of the page (unless ``top`` is
    false), the text cursor not blinking in the field the test typed in last."""
    page.evaluate("toTop => { document.activeElement && document.activeElement.blur();"
                  " if (toTop) window.scrollTo(0, 0); }", top)
    return _screenshot(page, name)


# --- Reading the screens ------------------------------------------------------------------------

MENU_ENTRY = re.compile(r"^(?P<label>.+?)\s*(?P<badge>\(\d+/\d+\)(?:\s*NEW)?)$")


def badges(page) -> dict[str, str]:
    """The queues of the left menu "Phản ánh, kiến nghị" with their badge, e.g.
    {"Phê duyệt": "(1/1) NEW", …} (entries without a badge, the catalogues, left out)."""
    found = {}
    for text in page.locator(".report-menu a.list-group-item").all_inner_texts():
        match = MENU_ENTRY.match(" ".join(text.split()))
        if match:
            found[match["label"]] = " ".join(match["badge"].split())
    return found


def alerts(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator("#canh-bao .list-group-item").all_inner_texts()]


def go_home(page, base):
    page.goto(base + "/")
    page.locator("#canh-bao").wait_for()


def open_queue(page, label: str):
    """A click on the queue's entry of the left menu."""
    with page.expect_navigation():
        page.locator(".report-menu a.list-group-item", has_text=label).first.click()
    page.locator(".queue-table").wait_for()


def queue_rows(page) -> list[list[str]]:
    rows = page.locator(".queue-table tbody tr.report-row")
    return [[" ".join(c.split()) for c in rows.nth(i).locator("td").all_inner_texts()]
            for i in range(rows.count())]


def open_report_row(page, title: str):
    """A click on the row's time cell (not on the title link): the row opens the report."""
    with page.expect_navigation():
        page.locator("tr.report-row", has_text=title).locator("td.col-time").click()
    page.locator(".report-page").wait_for()


def show_tab(page, label: str, pane: str):
    page.click(f".report-tabs a:has-text('{label}')")
    page.locator(pane).wait_for(state="visible")


def status_label(page) -> str:
    show_tab(page, "Thông tin phản ánh", "#thong-tin")
    return page.inner_text("#thong-tin .report-status").strip()


def log_rows(page) -> list[dict]:
    """The "Nhật ký trao đổi" tab, newest first."""
    show_tab(page, "Nhật ký trao đổi", "#nhat-ky")
    rows = page.locator("table.event-log tbody tr.event")
    out = []
    for i in range(rows.count()):
        stt, time, who, content, action = rows.nth(i).locator("td").all_inner_texts()
        person, _, unit = who.strip().partition("\n")
        out.append({"stt": stt.strip(), "time": time.strip(), "person": person.strip(),
                    "unit": unit.strip(), "content": content.strip(), "action": action.strip()})
    return out


def check_log(page, expected: list[tuple[str, str, str, str]]):
    """The whole log equals ``expected`` (person, unit, action, content), newest first, numbered
    1…n, times dd/mm/yyyy HH:MM not increasing down the table."""
    rows = log_rows(page)
    got = [(r["person"], r["unit"], r["action"]) for r in rows]
    want = [(person, unit, action) for person, unit, action, _ in expected]
    assert got == want, f"Nhật ký trao đổi: {got} ≠ {want}"
    for row, (_, _, _, content) in zip(rows, expected):
        assert content in row["content"], f"“{content}” not in the log row {row}"
    assert [r["stt"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    times = [dt.datetime.strptime(r["time"], "%d/%m/%Y %H:%M") for r in rows]
    assert times == sorted(times, reverse=True), [r["time"] for r in rows]


def action_options(page) -> dict[str, str]:
    """The "Thao tác" select of the "Xử lý" tab: value → label (the empty choice left out)."""
    show_tab(page, "Xử lý", "#xu-ly")
    return {o["value"]: o["label"] for o in page.eval_on_selector_all(
        "#action option", "os => os.map(o => ({value: o.value, label: o.textContent.trim()}))")
        if o["value"]}


def act(page, action: str, *, fill: dict | None = None, files=None, done_label: str,
        shot: str | None = None, button: str = "Cập nhật"):
    """Choose ``action`` in "Thao tác", fill the inputs it shows, send; the page comes back on
    the "Nhật ký trao đổi" tab with the Vietnamese confirmation."""
    show_tab(page, "Xử lý", "#xu-ly")
    page.select_option("#action", action)
    for selector, value in (fill or {}).items():
        assert page.is_visible(selector), f"{selector} is hidden for “{action}”"
        page.fill(selector, value)
    if files is not None:
        page.set_input_files("#files", files)
        names = ", ".join(str(f).rsplit("/", 1)[-1] for f in files)
        assert page.inner_text(".file-picker-names") == names
    assert page.inner_text("#action-submit") == button
    if shot:
        screenshot(page, shot)
    with page.expect_navigation():
        page.click("#action-submit")
    assert "tab=nhat-ky" in page.url, page.url
    assert f"Đã thực hiện thao tác “{done_label}”." in page.inner_text(".alert-success")
    assert page.is_visible("#nhat-ky")


def check_picture(page, name: str):
    """A picture of the log is shown (a thumbnail that really decoded), served from the
    application."""
    image = page.locator(f"#nhat-ky img[alt='{name}']").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())


# --- The walk -------------------------------------------------------------------------------------

def test_the_letters_worked_example_in_the_browser(new_empty_page, empty_server, tmp_path):
    base = empty_server
    photo = tmp_path / "2_48079.jpg"
    photo.write_bytes(pothole_photo())
    after = tmp_path / "2_48080.jpg"
    after.write_bytes(mosaic_jpeg(96, 64, lambda bx, by: 110 + (bx * 5 + by * 11) % 30))
    log: list[tuple[str, str, str, str]] = []  # what the log must show, newest first

    # ---- 1. trungtam: intake of a phone call, "Tiếp nhận", "Phân phối" to Sở GTVT ----------------
    centre = new_empty_page()
    with step(1, "trungtam", "đăng nhập, nhập phản ánh qua tổng đài"):
        centre.goto(base + "/login/")
        screenshot(centre, "01-dang-nhap")
        sign_in(centre, base, "trungtam")
        go_home(centre, base)
        assert alerts(centre) == ["1. Phản ánh mới: 0", "2. Phản ánh chưa xử lý: 0",
                                  "3. Phản ánh quá hạn chưa xử lý: 0",
                                  "4. Thông tin theo dõi chưa thực hiện: 0"]
        assert badges(centre) == {"Tiếp nhận": "(0/0)", "Phân phối": "(0/0)",
                                  "Đăng tải kết quả": "(0/0)",
                                  "Phản ánh có tương tác": "(0/0)", "Tất cả phản ánh": "(0/0)"}

        with centre.expect_navigation():
            centre.click(".intake-button")
        assert centre.input_value("#source_id") == centre.eval_on_selector(
            "#source_id", "s => [...s.options].find(o => o.text === 'Tổng đài').value")
        centre.fill("#reporter_name", DUONG)
        centre.fill("#reporter_address", "207 Hùng Vương")
        centre.fill("#reporter_phone", "0917400300")
        centre.fill("#reporter_email", "duongcntt@gmail.com")
        centre.fill("#title", TITLE)
        centre.fill("#content", TEXT)
        centre.fill("#location", "Đường tránh Huế")
        centre.uncheck("#receive_now")  # taken in first, received below from the queue
        assert centre.inner_text(".file-picker-names") == "Chưa chọn tệp"
        screenshot(centre, "02-tiep-nhan-moi")
        with centre.expect_navigation():
            centre.click(".intake-form button[type=submit]")
        assert f"Đã tiếp nhận phản ánh mới: “{TITLE}”." in centre.inner_text(".alert-success")
        report_url = centre.url.split("?")[0]
        assert re.search(r"/phan-anh/\d+$", report_url), report_url
        assert status_label(centre) == "Chờ tiếp nhận"
        assert centre.inner_text("#thong-tin .reporter-name") == DUONG
        log.insert(0, (TRANG, CENTRE, "Tiếp nhận phản ánh mới", TEXT))
        check_log(centre, log)
        # A queue never opened with a report waiting is NEW.
        assert badges(centre) == {"Tiếp nhận": "(1/1) NEW", "Phân phối": "(0/0)",
                                  "Đăng tải kết quả": "(0/0)",
                                  "Phản ánh có tương tác": "(0/0)", "Tất cả phản ánh": "(1/1) NEW"}
        go_home(centre, base)
        assert alerts(centre)[0] == "1. Phản ánh mới: 1"
        screenshot(centre, "03-trang-chu-canh-bao")

    with step(1, "trungtam", "tiếp nhận từ hàng đợi Tiếp nhận"):
        open_queue(centre, "Tiếp nhận")
        assert "Chưa tiếp nhận (1)" in centre.inner_text(".queue-tabs")
        (row,) = queue_rows(centre)
        assert f"{DUONG}, NEW" in row and "Chờ tiếp nhận" in row and TRANG in row, row
        assert badges(centre)["Tiếp nhận"] == "(1/1)"  # opened now: no longer NEW
        screenshot(centre, "04-tiep-nhan")
        open_report_row(centre, TITLE)
        assert centre.url.split("?")[0] == report_url
        options = action_options(centre)
        assert options == {"receive": "Tiếp nhận", "reject": "Không tiếp nhận",
                           "comment": "Trao đổi"}, options
        centre.select_option("#action", "receive")
        assert centre.input_value("#content") == TEXT  # prefilled, may be corrected
        centre.select_option("#field_id", label="Giao thông")
        act(centre, "receive", done_label="Tiếp nhận", shot="05-tiep-nhan-thao-tac")
        assert status_label(centre) == "Chờ phân phối"
        log.insert(0, (TRANG, CENTRE, "Tiếp nhận", ""))
        check_log(centre, log)
        assert badges(centre) == {"Tiếp nhận": "(0/1)", "Phân phối": "(1/1) NEW",
                                  "Đăng tải kết quả": "(0/0)",
                                  "Phản ánh có tương tác": "(0/0)", "Tất cả phản ánh": "(1/1) NEW"}

    with step(1, "trungtam", "phân phối cho Sở Giao thông vận tải"):
        open_queue(centre, "Phân phối")
        (row,) = queue_rows(centre)
        assert f"{DUONG}, NEW" in row and "Chờ phân phối" in row, row
        screenshot(centre, "06-phan-phoi")
        open_report_row(centre, TITLE)
        show_tab(centre, "Xử lý", "#xu-ly")
        centre.select_option("#action", "distribute")
        # The field "Giao thông" proposes its default unit.
        assert centre.eval_on_selector("#unit_id", "s => s.selectedOptions[0].text") == GTVT
        act(centre, "distribute", done_label="Phân phối", shot="07-phan-phoi-thao-tac")
        assert status_label(centre) == "Chờ xử lý"
        log.insert(0, (TRANG, CENTRE, "Phân phối", f"Phân phối: {GTVT}"))
        check_log(centre, log)
        assert badges(centre) == {"Tiếp nhận": "(0/1)", "Phân phối": "(0/1)",
                                  "Đăng tải kết quả": "(0/0)",
                                  "Phản ánh có tương tác": "(0/0)", "Tất cả phản ánh": "(1/1) NEW"}

    # ---- 2. gtvt.xuly: finds it in Xử lý, "Trả bước trước" with a reason ----------------------
    gtvt = new_empty_page()
    with step(2, "gtvt.xuly", "tìm trong hàng đợi Xử lý và trả bước trước"):
        sign_in(gtvt, base, "gtvt.xuly")
        go_home(gtvt, base)
        assert alerts(gtvt) == ["1. Phản ánh mới: 1", "2. Phản ánh chưa xử lý: 1",
                                "3. Phản ánh quá hạn chưa xử lý: 0",
                                "4. Thông tin theo dõi chưa thực hiện: 0"]
        assert badges(gtvt) == {"Xử lý": "(1/1) NEW", "Thông tin theo dõi": "(0/0)",
                                "Tất cả phản ánh": "(1/1) NEW"}
        open_queue(gtvt, "Xử lý")
        (row,) = queue_rows(gtvt)
        assert f"{DUONG}, NEW" in row and "Chờ xử lý" in row, row
        # The keyword typed without accents, as people type on a phone.
        gtvt.fill("#tu_khoa", "o ga duong tranh hue")
        with gtvt.expect_navigation():
            gtvt.click(".queue-filters button[type=submit]")
        (row,) = queue_rows(gtvt)
        assert TITLE in " ".join(row), row
        screenshot(gtvt, "08-xu-ly-tim-khong-dau")
        open_report_row(gtvt, TITLE)
        options = action_options(gtvt)
        assert options == {"accept": "Thực hiện tiếp nhận", "return": "Trả bước trước",
                           "comment": "Trao đổi"}, options
        act(gtvt, "return", fill={"#reason": RETURN_GTVT}, done_label="Trả bước trước",
            shot="09-tra-buoc-truoc")
        assert status_label(gtvt) == "Chờ phân phối"  # the unit keeps read access
        log.insert(0, (HUNG, GTVT, "Trả bước trước", RETURN_GTVT))
        check_log(gtvt, log)
        assert action_options(gtvt) == {"comment": "Trao đổi"}
        assert badges(gtvt) == {"Xử lý": "(0/1)", "Thông tin theo dõi": "(0/0)",
                                "Tất cả phản ánh": "(1/1) NEW"}

    # ---- 3. trungtam: re-distributes it to Sở Thông tin và Truyền thông ----------------------
    with step(3, "trungtam", "phân phối lại cho Sở Thông tin và Truyền thông"):
        go_home(centre, base)
        # Back in Phân phối since the operator last opened it: NEW again.
        assert badges(centre) == {"Tiếp nhận": "(0/1)", "Phân phối": "(1/1) NEW",
                                  "Đăng tải kết quả": "(0/0)",
                                  "Phản ánh có tương tác": "(0/0)", "Tất cả phản ánh": "(1/1) NEW"}
        open_queue(centre, "Phân phối")
        (row,) = queue_rows(centre)
        assert f"{DUONG}, NEW" in row, row
        open_report_row(centre, TITLE)
        show_tab(centre, "Xử lý", "#xu-ly")
        # The "Xử lý" tab summarises the latest exchange: the unit's reason.
        assert RETURN_GTVT in centre.inner_text("#xu-ly .report-summary")
        centre.select_option("#action", "distribute")
        centre.select_option("#unit_id", label=TTTT)
        act(centre, "distribute", done_label="Phân phối")
        assert status_label(centre) == "Chờ xử lý"
        log.insert(0, (TRANG, CENTRE, "Phân phối", f"Phân phối: {TTTT}"))
        check_log(centre, log)
        assert badges(centre) == {"Tiếp nhận": "(0/1)", "Phân phối": "(0/1)",
                                  "Đăng tải kết quả": "(0/0)",
                                  "Phản ánh có tương tác": "(0/0)", "Tất cả phản ánh": "(1/1) NEW"}

    # ---- 4. tttt.xuly: "Thực hiện tiếp nhận", then "Xử lý" with 2_48079.jpg -------------------
    handler = new_empty_page()
    with step(4, "tttt.xuly", "thực hiện tiếp nhận"):
        sign_in(handler, base, "tttt.xuly")
        go_home(handler, base)
        assert alerts(handler)[:2] == ["1. Phản ánh mới: 1", "2. Phản ánh chưa xử lý: 1"]
        assert badges(handler) == {"Xử lý": "(1/1) NEW", "Thông tin theo dõi": "(0/0)",
                                   "Tất cả phản ánh": "(1/1) NEW"}
        open_queue(handler, "Xử lý")
        (row,) = queue_rows(handler)
        assert f"{DUONG}, NEW" in row and "Chờ xử lý" in row, row
        open_report_row(handler, TITLE)
        act(handler, "accept", done_label="Thực hiện tiếp nhận")
        assert status_label(handler) == "Đang xử lý"
        log.insert(0, (DUONG, TTTT, "Thực hiện tiếp nhận", ""))
        check_log(handler, log)
        # Still waiting in "Xử lý", but the handler's own step is no arrival: not NEW.
        assert badges(handler) == {"Xử lý": "(1/1)", "Thông tin theo dõi": "(0/0)",
                                   "Tất cả phản ánh": "(1/1) NEW"}
        # "Nội dung trao đổi" shows the distribution, as in the letter's "Xử lý" tab (the
        # acceptance has no text of its own).
        show_tab(handler, "Xử lý", "#xu-ly")
        summary = handler.inner_text("#xu-ly .report-summary")
        assert f"Phân phối: {TTTT}" in summary and TEXT in summary, summary

    with step(4, "tttt.xuly", "xử lý: nội dung, ảnh 2_48079.jpg, Cập nhật"):
        options = action_options(handler)
        assert options == {"return": "Trả bước trước", "submit": "Xử lý",
                           "comment": "Trao đổi"}, options
        assert "Phê duyệt" not in options.values()  # a handler never approves
        handler.select_option("#action", "submit")
        assert handler.inner_text("#content-label") == "Nội dung xử lý"
        assert handler.is_visible(".file-picker-button")
        assert handler.inner_text(".file-picker-button").strip() == "Chọn tệp"
        act(handler, "submit", fill={"#content": RESULT}, files=[photo],
            done_label="Xử lý", shot="10-xu-ly-cap-nhat")
        assert status_label(handler) == "Chờ duyệt"
        log.insert(0, (DUONG, TTTT, "Xử lý", RESULT))
        check_log(handler, log)
        assert "2_48079.jpg" in handler.inner_text("#nhat-ky tr.event-submit")
        check_picture(handler, "2_48079.jpg")
        # Waiting for the leader: the handler may only write in the log, never approve.
        assert action_options(handler) == {"comment": "Trao đổi"}
        assert badges(handler) == {"Xử lý": "(0/1)", "Thông tin theo dõi": "(0/0)",
                                   "Tất cả phản ánh": "(1/1) NEW"}

    # ---- 5. tttt.lanhdao: "Phê duyệt (1/1) NEW", returns it once ----------------------------
    leader = new_empty_page()
    with step(5, "tttt.lanhdao", "thấy phản ánh trong Phê duyệt (1/1) NEW, trả bước trước"):
        sign_in(leader, base, "tttt.lanhdao")
        go_home(leader, base)
        assert badges(leader) == {"Phê duyệt": "(1/1) NEW", "Thông tin theo dõi": "(0/0)",
                                  "Tất cả phản ánh": "(1/1) NEW"}
        open_queue(leader, "Phê duyệt")
        assert "Chưa phê duyệt (1)" in leader.inner_text(".queue-tabs")
        (row,) = queue_rows(leader)
        assert f"{DUONG}, NEW" in row and "Chờ duyệt" in row and "0917400300" in row, row
        screenshot(leader, "11-phe-duyet")
        open_report_row(leader, TITLE)
        show_tab(leader, "Thông tin phản ánh", "#thong-tin")
        info = leader.inner_text("#thong-tin")
        for text in (DUONG, "207 Hùng Vương", "0917400300", "duongcntt@gmail.com", TITLE, TEXT,
                     RESULT, "2_48079.jpg"):
            assert text in info, text
        screenshot(leader, "12-thong-tin-phan-anh")
        log_rows(leader)
        screenshot(leader, "13-nhat-ky-trao-doi")
        options = action_options(leader)
        assert options == {"return": "Trả bước trước", "approve": "Phê duyệt",
                           "comment": "Trao đổi"}, options
        act(leader, "return", fill={"#reason": RETURN_LEADER}, done_label="Trả bước trước")
        assert status_label(leader) == "Đang xử lý"
        log.insert(0, (SON, TTTT, "Trả bước trước", RETURN_LEADER))
        check_log(leader, log)
        assert badges(leader) == {"Phê duyệt": "(0/0)", "Thông tin theo dõi": "(0/0)",
                                  "Tất cả phản ánh": "(1/1) NEW"}

    # ---- 6. tttt.xuly: sends the result again, with the photo asked for -----------------------
    with step(6, "tttt.xuly", "xử lý lại sau khi lãnh đạo trả"):
        go_home(handler, base)
        assert badges(handler)["Xử lý"] == "(1/1) NEW"
        open_queue(handler, "Xử lý")
        (row,) = queue_rows(handler)
        assert f"{DUONG}, NEW" in row and "Đang xử lý" in row, row
        open_report_row(handler, TITLE)
        show_tab(handler, "Xử lý", "#xu-ly")
        assert RETURN_LEADER in handler.inner_text("#xu-ly .report-summary")
        act(handler, "submit", fill={"#content": RESULT}, files=[after], done_label="Xử lý")
        assert status_label(handler) == "Chờ duyệt"
        log.insert(0, (DUONG, TTTT, "Xử lý", RESULT))
        check_log(handler, log)
        assert badges(handler)["Xử lý"] == "(0/1)"

    # ---- 7. tttt.lanhdao: "Duyệt" ------------------------------------------------------------
    with step(7, "tttt.lanhdao", "phê duyệt (Duyệt)"):
        go_home(leader, base)
        assert badges(leader)["Phê duyệt"] == "(1/1) NEW"
        open_queue(leader, "Phê duyệt")
        (row,) = queue_rows(leader)
        assert f"{DUONG}, NEW" in row, row
        open_report_row(leader, TITLE)
        show_tab(leader, "Xử lý", "#xu-ly")
        leader.select_option("#action", "approve")
        # The handler's result, to approve as it is or to edit (the letter's approval form).
        assert leader.input_value("#content") == RESULT
        assert leader.is_visible(".file-picker") and not leader.is_visible("#reason")
        act(leader, "approve", done_label="Phê duyệt", button="Duyệt",
            shot="14-phe-duyet-duyet")
        assert status_label(leader) == "Chờ đăng tải"
        log.insert(0, (SON, TTTT, "Phê duyệt", RESULT))
        check_log(leader, log)
        assert action_options(leader) == {"comment": "Trao đổi"}
        assert badges(leader) == {"Phê duyệt": "(0/1)", "Thông tin theo dõi": "(0/0)",
                                  "Tất cả phản ánh": "(1/1) NEW"}

    # ---- 8. trungtam: "Đăng tải kết quả" ----------------------------------------------------
    with step(8, "trungtam", "đăng tải kết quả"):
        go_home(centre, base)
        assert badges(centre) == {"Tiếp nhận": "(0/1)", "Phân phối": "(0/1)",
                                  "Đăng tải kết quả": "(1/1) NEW",
                                  "Phản ánh có tương tác": "(0/0)", "Tất cả phản ánh": "(1/1) NEW"}
        open_queue(centre, "Đăng tải kết quả")
        (row,) = queue_rows(centre)
        assert f"{DUONG}, NEW" in row and "Chờ đăng tải" in row and TTTT in row, row
        screenshot(centre, "15-dang-tai-ket-qua")
        open_report_row(centre, TITLE)
        show_tab(centre, "Xử lý", "#xu-ly")
        centre.select_option("#action", "publish")
        assert centre.input_value("#content") == RESULT  # the approved result, to word for the public
        assert centre.inner_text("#content-label") == "Nội dung đăng tải"
        act(centre, "publish", fill={"#content": PUBLIC_RESULT}, done_label="Đăng tải kết quả",
            shot="16-dang-tai-thao-tac")
        assert status_label(centre) == "Đã đăng tải"
        assert PUBLIC_RESULT in centre.inner_text("#thong-tin")
        screenshot(centre, "17-da-dang-tai")
        log.insert(0, (TRANG, CENTRE, "Đăng tải kết quả", PUBLIC_RESULT))
        check_log(centre, log)
        assert len(log) == 11
        screenshot(centre, "18-nhat-ky-da-dang-tai")
        assert badges(centre) == {"Tiếp nhận": "(0/1)", "Phân phối": "(0/1)",
                                  "Đăng tải kết quả": "(0/1)",
                                  "Phản ánh có tương tác": "(0/0)", "Tất cả phản ánh": "(0/1)"}
