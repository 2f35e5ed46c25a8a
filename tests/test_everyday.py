"""A day's work without surprises (issue 15): repeated submissions change nothing, the session's
end keeps the way back, reopened and returned reports show what they are now, the small things
of the report screens. Browser-level behaviour (clicks, dialogs, phones) is in
tests/browser/test_everyday_browser.py.
"""
from __future__ import annotations

import re
import threading

import pytest
from conftest import csrf_token, login, new_client
from report_helpers import GTVT, TTTT, Action, Status, make_report, then
from web_helpers import event_log, get_ok, text_of

from test_report_web import done, intake

TOKEN = "tokentokentoken-0001"


@pytest.fixture(scope="module")
def ids(app):
    from app.extensions import db
    from app.models import Field, Source, Unit

    with app.app_context():
        unit = {u.name: u.id for u in db.session.query(Unit)}
        return {
            "gtvt": unit[GTVT], "tttt": unit[TTTT],
            "road": db.session.query(Field).filter_by(name="Giao thông").one().id,
            "phone": db.session.query(Source).filter_by(name="Tổng đài").one().id,
        }


@pytest.fixture(scope="module")
def clients(app):
    cache = {}

    def get(username):
        if username not in cache:
            cache[username] = login(app, username)
        return cache[username]

    return get


def _count(app, model, **where) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.query(model).filter_by(**where).count()


def _intake_form(client, ids, token, title):
    page = get_ok(client, "/phan-anh/tiep-nhan-moi/")
    assert re.search(r'name="_once" value="[\w-]{16,}"', page)  # the form carries a token
    return {
        "csrf_token": csrf_token(page), "_once": token, "title": title,
        "content": "Cống thoát nước bị tắc gây ngập.", "source_id": str(ids["phone"]),
        "field_id": str(ids["road"]), "receive_now": "y",
    }


# --- 1. One submission, one change -------------------------------------------------------------

def test_the_intake_form_sent_twice_makes_one_report(app, clients, ids):
    from app.models import Report

    centre = clients("trungtam")
    title = "Cống tắc ở kiệt 12 Phan Bội Châu (gửi hai lần)"
    data = _intake_form(centre, ids, "intake-twice-000000001", title)
    first = centre.post("/phan-anh/tiep-nhan-moi/", data=data, content_type="multipart/form-data")
    second = centre.post("/phan-anh/tiep-nhan-moi/", data=data, content_type="multipart/form-data")
    assert first.status_code == second.status_code == 302
    report_id = int(re.search(r"/phan-anh/(\d+)$", first.headers["Location"]).group(1))
    # The repeat goes to the report the first one made, and says so.
    assert second.headers["Location"].endswith(f"/phan-anh/{report_id}?tab=nhat-ky")
    page = get_ok(centre, second.headers["Location"])
    assert "Đã cập nhật" in page
    assert _count(app, Report, title=title) == 1


def _race(posts):
    barrier = threading.Barrier(len(posts))
    results = [None] * len(posts)

    def run(i, post):
        barrier.wait(timeout=30)
        results[i] = post()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_a_double_click_on_trao_doi_writes_one_log_line(app, ids, round_):
    """Two requests with the same token at the same moment (a double click): one line."""
    from app.models import ReportEvent

    rid = make_report(app, Status.IN_PROGRESS)
    # Each request in its own client (its own database session), the same person.
    a, b = login(app, "gtvt.xuly"), login(app, "gtvt.xuly")
    page = get_ok(a, f"/phan-anh/{rid}")
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    token = f"double-click-{round_}-{rid}-xxxxxxxx"

    def post(client):
        form = get_ok(client, f"/phan-anh/{rid}")
        data = {"csrf_token": csrf_token(form), "_once": token, "action": "comment",
                "version": version, "content": f"Đã liên hệ người phản ánh ({round_})"}
        return lambda: client.post(f"/phan-anh/{rid}", data=data,
                                   content_type="multipart/form-data")

    before = _count(app, ReportEvent, report_id=rid, action="comment")
    responses = _race([post(a), post(b)])
    assert [r.status_code for r in responses] == [302, 302]
    assert _count(app, ReportEvent, report_id=rid, action="comment") == before + 1
    # Both land on the report's log; the repeat is told "Đã cập nhật", not an error.
    for client, response in zip((a, b), responses):
        assert response.headers["Location"].endswith(f"/phan-anh/{rid}?tab=nhat-ky")


def test_a_refused_submission_can_be_sent_again_with_its_token(app, clients, ids):
    """The token is taken only with the change: a refused form changes nothing, keeps nothing."""
    from app.models import ReportEvent

    rid = make_report(app, Status.IN_PROGRESS)
    gtvt = clients("gtvt.xuly")
    page = get_ok(gtvt, f"/phan-anh/{rid}")
    data = {"csrf_token": csrf_token(page), "_once": "refused-then-sent-00001",
            "action": "return", "version": re.search(r'name="version" value="(\d+)"', page).group(1)}
    assert gtvt.post(f"/phan-anh/{rid}", data={**data, "reason": ""}).status_code == 400
    done(gtvt.post(f"/phan-anh/{rid}", data={**data, "reason": "Không thuộc thẩm quyền"}), rid)
    assert _count(app, ReportEvent, report_id=rid, action="return") == 1


def test_a_malformed_token_is_refused_in_vietnamese(app, clients, ids):
    rid = make_report(app, Status.IN_PROGRESS)
    gtvt = clients("gtvt.xuly")
    page = get_ok(gtvt, f"/phan-anh/{rid}")
    response = gtvt.post(f"/phan-anh/{rid}", data={
        "csrf_token": csrf_token(page), "_once": "x'; drop", "action": "comment", "content": "a"})
    assert response.status_code == 400 and "Yêu cầu không hợp lệ" in response.text


# --- 2. The session's end ----------------------------------------------------------------------

SESSION_EXPIRED = "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."


def test_a_report_url_opened_signed_out_says_the_session_has_ended(app):
    client = new_client(app)
    response = client.get("/phan-anh/1")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).text
    assert SESSION_EXPIRED in page
    assert "Bạn không có quyền truy cập chức năng này" not in page


def test_a_form_sent_after_the_session_ended_leads_to_sign_in_and_back(app, ids):
    centre = login(app, "trungtam")
    page = get_ok(centre, "/phan-anh/tiep-nhan-moi/")
    token = csrf_token(page)
    centre.get("/logout/")
    response = centre.post("/phan-anh/tiep-nhan-moi/", data={
        "csrf_token": token, "title": "Gõ rồi mà phiên hết hạn", "content": "…"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "/login/" in location and "next=" in location and "tiep-nhan-moi" in location
    login_page = centre.get(location).text
    assert SESSION_EXPIRED in login_page
    # js/forms.js kept the text in the tab and puts it back after signing in (browser test).


def test_a_locked_account_is_told_so(app):
    from app.extensions import db
    from app.models import AppUser

    client = login(app, "xd.xuly")
    assert client.get("/phan-anh/xu-ly/").status_code == 200
    with app.app_context():
        db.session.query(AppUser).filter_by(username="xd.xuly").update({"active": False})
        db.session.commit()
    try:
        response = client.get("/phan-anh/xu-ly/")
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).text
        assert "Tài khoản của bạn đã bị khóa" in page
        assert "Bạn không có quyền truy cập chức năng này" not in page
    finally:
        with app.app_context():
            db.session.query(AppUser).filter_by(username="xd.xuly").update({"active": True})
            db.session.commit()


# --- 3. Buttons named by their action, confirmations ------------------------------------------

def test_actions_that_cannot_be_undone_are_named_and_confirmed(app, clients):
    centre = clients("trungtam")
    new = get_ok(centre, f"/phan-anh/{make_report(app, Status.NEW)}")
    reject = re.search(r'<option value="reject"[^>]*>', new, re.S).group(0)
    assert 'data-button="Không tiếp nhận"' in reject
    assert "không thể tiếp nhận, phân phối hay xử lý tiếp" in reject
    approved = get_ok(centre, f"/phan-anh/{make_report(app, Status.APPROVED)}")
    publish = re.search(r'<option value="publish"[^>]*>', approved, re.S).group(0)
    assert 'data-button="Đăng tải"' in publish and "đăng tải công khai" in publish
    published = get_ok(centre, f"/phan-anh/{make_report(app, Status.PUBLISHED)}")
    reopen = re.search(r'<option value="reopen"[^>]*>', published, re.S).group(0)
    assert 'data-button="Mở lại"' in reopen and "data-confirm=" in reopen
    assert 'id="confirm-dialog"' in published


# --- 4. A reopened report as it is now ---------------------------------------------------------

def test_a_reopened_report_shows_no_leftovers_of_the_previous_round(app, clients):
    rid = make_report(app, Status.PUBLISHED, follow=(TTTT,))
    centre = clients("trungtam")
    before = get_ok(centre, f"/phan-anh/{rid}")
    assert "Kết quả đăng tải:" in before and "Từ ngày – Đến ngày:" in before
    assert "Đơn vị theo dõi:" in before
    then(app, rid, Action.REOPEN, Status.PUBLISHED)
    page = get_ok(centre, f"/phan-anh/{rid}")
    info = re.search(r'id="thong-tin">(.*?)id="xu-ly"', page, re.S).group(1)
    assert "Chờ phân phối" in text_of(info)
    for leftover in ("Từ ngày – Đến ngày:", "Kết quả đăng tải:", "Kết quả xử lý:",
                     "Đơn vị theo dõi:", "Đơn vị xử lý:"):
        assert leftover not in info, leftover
    # History stays in the log.
    actions = [e["action"] for e in event_log(page)]
    assert actions[:2] == ["reopen", "publish"] and "distribute" in actions


# --- 5. A returned report in "Phân phối" ---------------------------------------------------------

def test_a_returned_report_says_so_in_the_distribution_queue(app, clients):
    from app.services.workflow import ActionRequest, apply_action
    from report_helpers import user

    title = "Phản ánh bị đơn vị trả lại về Trung tâm"
    rid = make_report(app, Status.ASSIGNED, title=title)
    with app.app_context():
        apply_action(user("gtvt.xuly"), rid, ActionRequest(
            action="return", reason="Không thuộc thẩm quyền của Sở Giao thông vận tải"))
    page = get_ok(clients("trungtam"), "/phan-anh/phan-phoi/?tu_khoa=bi+don+vi+tra+lai")
    row = re.search(r'<tr class="report-row[^"]*"\s+data-href="/phan-anh/%d">(.*?)</tr>' % rid,
                    page, re.S).group(1)
    assert "Bị trả lại" in text_of(row)
    assert "Lý do: Không thuộc thẩm quyền của Sở Giao thông vận tải" in text_of(row)
    # A report fresh from intake has no such mark.
    fresh = make_report(app, Status.RECEIVED, title="Phản ánh mới tiếp nhận chưa trả lại")
    page = get_ok(clients("trungtam"), "/phan-anh/phan-phoi/?tu_khoa=moi+tiep+nhan+chua+tra+lai")
    row = re.search(r'data-href="/phan-anh/%d">(.*?)</tr>' % fresh, page, re.S).group(1)
    assert "Bị trả lại" not in row


# --- 8, 9. Dates, the way back to the queue --------------------------------------------------------

def test_tu_ngay_after_den_ngay_says_so(app, clients):
    page = get_ok(clients("trungtam"), "/phan-anh/tat-ca/?tu_ngay=20/11/2026&den_ngay=10/11/2026")
    assert "“Từ ngày” (20/11/2026) sau “Đến ngày” (10/11/2026)" in page
    # The calendar is FAB's Bootstrap Datepicker served by the app, set up in Vietnamese.
    assert "bootstrap-datepicker.min.js" in page and 'class="form-control input-sm date-input"' in page


def test_quay_lai_danh_sach_returns_to_the_queue_with_its_filters_and_page(app, clients):
    centre = clients("trungtam")
    queue = "/phan-anh/tat-ca/?tab=tat-ca&tu_khoa=thu+nghiem&trang=2"
    get_ok(centre, queue)
    page = get_ok(centre, f"/phan-anh/{make_report(app, Status.NEW)}")
    back = re.search(r'<a class="[^"]*back-to-queue" href="([^"]+)"', page).group(1)
    assert back.replace("&amp;", "&") == queue


# --- 12. Small things ------------------------------------------------------------------------------

def test_empty_contact_fields_and_the_new_mark_read_cleanly(app, clients, ids):
    centre = clients("trungtam")
    rid = intake(centre, ids, reporter_phone="", reporter_email="", receive_now="y",
                 title="Phản ánh không có điện thoại và email")
    page = get_ok(centre, f"/phan-anh/{rid}")
    assert "Điện thoại: ;" not in page and "Email: <" not in page
    with_contact = intake(centre, ids, reporter_email="", title="Phản ánh chỉ có điện thoại")
    page = get_ok(centre, f"/phan-anh/{with_contact}")
    assert re.search(r'class="reporter-contact">Điện thoại: 0917400300</dd>', page)
    queue = get_ok(login(app, "trungtam"), "/phan-anh/tat-ca/?tab=tat-ca")
    assert ', <span class="label label-danger badge-new-mark">' not in queue


def test_the_intake_page_says_what_happened(app, clients, ids):
    centre = clients("trungtam")
    page = get_ok(centre, "/phan-anh/tiep-nhan-moi/")
    assert "mỗi tệp tối đa 10 MB" in page
    # Nothing chosen, a missing title: no "chọn lại tệp" message.
    response = centre.post("/phan-anh/tiep-nhan-moi/", data={
        "csrf_token": csrf_token(page), "title": "", "content": "x", "source_id": str(ids["phone"]),
    }, content_type="multipart/form-data")
    assert response.status_code == 400 and "Vui lòng nhập tiêu đề." in response.text
    assert "Vui lòng chọn lại tệp đính kèm" not in response.text
    # "Tiếp nhận ngay" unchecked: saved as "Chờ tiếp nhận", not "Đã tiếp nhận".
    rid = intake(centre, ids, title="Phản ánh cần xác minh trước khi tiếp nhận")
    page = get_ok(centre, f"/phan-anh/{rid}")
    assert "Đã lưu phản ánh mới: “Phản ánh cần xác minh trước khi tiếp nhận” (Chờ tiếp nhận)." in page
    assert "Đã tiếp nhận phản ánh mới" not in page
    rid = intake(centre, ids, receive_now="y", title="Phản ánh tiếp nhận ngay")
    assert "(Chờ phân phối)" in get_ok(centre, f"/phan-anh/{rid}")
    queue = get_ok(centre, "/phan-anh/tat-ca/?tab=tat-ca&trang_thai=assigned")
    assert re.search(r"\d{2}/\d{2}/\d{4}</span> – <span", queue) or "Không có phản ánh" in queue


def test_a_repeated_form_of_the_data_screens_changes_nothing(app):
    """FAB's own forms get their token from js/forms.js; the server holds it the same way."""
    from app.models import Source

    admin = login(app, "quantri")
    page = get_ok(admin, "/sourceview/add")
    data = {"csrf_token": csrf_token(page), "_once": "source-twice-0000000001",
            "name": "Nguồn thử gửi hai lần", "channel": "other", "active": "y"}
    first = admin.post("/sourceview/add", data=data, headers={"Referer": "http://localhost/sourceview/add"})
    second = admin.post("/sourceview/add", data=data, headers={"Referer": "http://localhost/sourceview/add"})
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith("/sourceview/add")
    assert "Đã cập nhật" in get_ok(admin, "/sourceview/list/")
    assert _count(app, Source, name="Nguồn thử gửi hai lần") == 1
