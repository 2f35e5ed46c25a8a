"""In-app notifications (the bell, its page, mark read), preferences on "Thông tin tài khoản",
the centre's notices, and their REST API (DESIGN §7, §9)."""
from __future__ import annotations

import io
import re

from conftest import csrf_token, login
from report_helpers import GTVT, TTTT, api, ids, make_report, user  # noqa: F401 (api: fixture)
from sqlalchemy import delete, func, select
from web_helpers import get_ok, text_of

from app.domain.workflow import Status


def read_everything(app, username):
    from app.services.notifications import mark_all_read

    with app.app_context():
        mark_all_read(user(username))


def bell(page: str) -> str | None:
    """The unread count shown on the bell of the top bar (None: no count shown)."""
    match = re.search(r'<a class="notification-bell"[^>]*>(.*?)</a>', page, re.S)
    assert match, "the top bar has no bell"
    count = re.search(r'notification-count">([^<]+)<', match.group(1))
    return count.group(1) if count else None


def listed(page: str) -> list[str]:
    return [text_of(t) for t in re.findall(r'<a class="notification-link"[^>]*>(.*?)</a>', page, re.S)]


def notification_ids(app, username) -> list[int]:
    from app.extensions import db
    from app.models import Notification

    with app.app_context():
        return list(db.session.execute(
            select(Notification.id).where(Notification.user_id == user(username).id)
            .order_by(Notification.id.desc())).scalars())


def test_bell_list_open_and_mark_read(app):
    read_everything(app, "gtvt.xuly")
    first = make_report(app, Status.ASSIGNED, unit=GTVT, title="Đèn tín hiệu hỏng ở ngã tư")
    second = make_report(app, Status.ASSIGNED, unit=GTVT, title="Biển báo bị che khuất")
    client = login(app, "gtvt.xuly")
    assert bell(get_ok(client, "/")) == "2"

    page = get_ok(client, "/thong-bao/ca-nhan/")
    assert "Chưa đọc (2)" in text_of(page)
    assert listed(page) == [
        "Phản ánh “Biển báo bị che khuất” được phân phối cho Sở Giao thông vận tải xử lý",
        "Phản ánh “Đèn tín hiệu hỏng ở ngã tư” được phân phối cho Sở Giao thông vận tải xử lý",
    ]
    newest, older = notification_ids(app, "gtvt.xuly")[:2]

    # Opening a notification leads to its report and reads it.
    opened = client.get(f"/thong-bao/ca-nhan/{older}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/phan-anh/{first}")
    page = get_ok(client, "/thong-bao/ca-nhan/")
    assert bell(page) == "1" and len(listed(page)) == 1
    assert len(listed(get_ok(client, "/thong-bao/ca-nhan/?tab=tat-ca"))) >= 2

    # "Đánh dấu đã đọc" on one, then "Đánh dấu tất cả là đã đọc".
    token = csrf_token(page)
    assert client.post(f"/thong-bao/ca-nhan/{newest}/da-doc", data={}).status_code == 400
    assert client.post(f"/thong-bao/ca-nhan/{newest}/da-doc",
                       data={"csrf_token": token}).status_code == 302
    assert bell(get_ok(client, "/")) is None
    make_report(app, Status.ASSIGNED, unit=GTVT)
    assert bell(get_ok(client, "/")) == "1"
    response = client.post("/thong-bao/ca-nhan/da-doc-tat-ca", data={"csrf_token": token},
                           follow_redirects=True)
    assert "Đã đánh dấu 1 thông báo là đã đọc." in response.text
    assert bell(response.text) is None
    assert "Không có thông báo chưa đọc." in get_ok(client, "/thong-bao/ca-nhan/")
    assert second


def test_another_persons_notification_is_not_found(app):
    make_report(app, Status.ASSIGNED, unit=GTVT)
    theirs = notification_ids(app, "gtvt.xuly")[0]
    client = login(app, "tttt.xuly")
    page = get_ok(client, "/thong-bao/ca-nhan/")
    assert client.get(f"/thong-bao/ca-nhan/{theirs}").status_code == 404
    assert client.post(f"/thong-bao/ca-nhan/{theirs}/da-doc",
                       data={"csrf_token": csrf_token(page)}).status_code == 404
    from app.extensions import db
    from app.models import Notification

    with app.app_context():
        assert db.session.get(Notification, theirs).read_at is None


def test_notification_api(app, api):
    read_everything(app, "gtvt.lanhdao")
    report_id = make_report(app, Status.PENDING_APPROVAL, unit=GTVT, title="Cống thoát nước tắc")
    answer = api.get("gtvt.lanhdao", "/api/v1/notification/?unread=1")
    assert answer.status_code == 200
    [item] = answer.json["result"]
    assert answer.json["count"] == 1 and answer.json["ids"] == [item["id"]]
    assert item["kind"] == "submitted" and item["report_id"] == report_id
    assert item["notice_id"] is None and item["read"] is False
    assert item["title"] == "Kết quả xử lý phản ánh “Cống thoát nước tắc” chờ phê duyệt"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$", item["time"])

    assert api.post("gtvt.xuly", f"/api/v1/notification/{item['id']}/read").status_code == 404
    done = api.post("gtvt.lanhdao", f"/api/v1/notification/{item['id']}/read")
    assert done.status_code == 200 and done.json["result"]["read"] is True
    assert api.get("gtvt.lanhdao", "/api/v1/notification/?unread=1").json["count"] == 0
    everything = api.get("gtvt.lanhdao", "/api/v1/notification/").json["result"]
    assert everything[0]["id"] == item["id"] and everything[0]["read"] is True
    times = [n["time"] for n in everything]
    assert times == sorted(times, reverse=True)
    # Writing needs a JWT: the browser session may read, not write.
    client = login(app, "gtvt.lanhdao")
    assert client.get("/api/v1/notification/").status_code == 200
    assert client.post(f"/api/v1/notification/{item['id']}/read").status_code == 401


def test_preferences_on_the_account_page(app):
    from app.extensions import db
    from app.models import NotificationPreference, OutboxMail

    client = login(app, "tttt.xuly")
    page = get_ok(client, "/users/userinfo/")
    assert "Cách nhận thông báo" in page
    # Until chosen: e-mail at once for every kind, and the daily digest.
    assert re.search(r'id="pref-assigned".*?<option value="email" selected>', page, re.S)
    assert 'name="pref-daily_digest" value="on" checked' in page
    token = csrf_token(page)
    form = {"csrf_token": token, "pref-assigned": "app", "pref-follow": "digest"}
    response = client.post("/thong-bao/ca-nhan/cach-nhan", data=form, follow_redirects=True)
    assert "Đã lưu cách nhận thông báo." in response.text
    assert re.search(r'id="pref-assigned".*?<option value="app" selected>', response.text, re.S)
    assert 'name="pref-daily_digest" value="on" checked' not in response.text
    bad = client.post("/thong-bao/ca-nhan/cach-nhan",
                      data={"csrf_token": token, "pref-assigned": "fax"})
    assert bad.status_code == 400
    with app.app_context():
        prefs = dict(db.session.execute(select(
            NotificationPreference.kind, NotificationPreference.delivery).where(
            NotificationPreference.user_id == user("tttt.xuly").id)).all())
        assert prefs["assigned"] == "app" and prefs["follow"] == "digest"
        assert prefs["daily_digest"] == "off"
        db.session.execute(delete(OutboxMail))
        db.session.commit()
    make_report(app, Status.ASSIGNED, unit=TTTT)  # in the bell, no mail
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(OutboxMail)).scalar_one() == 0
        db.session.execute(delete(NotificationPreference))
        db.session.commit()


# --- Notices ------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_centre_notice_to_one_unit_read_badges_and_who_read_it(app):
    units, _, _ = ids(app)
    centre = login(app, "trungtam")
    form_page = get_ok(centre, "/thong-bao/moi")
    response = centre.post("/thong-bao/moi", data={
        "csrf_token": csrf_token(form_page), "title": "Lịch trực Tết Nguyên đán",
        "content": "Các đơn vị bố trí cán bộ trực xử lý phản ánh trong dịp Tết.",
        "unit_ids": [str(units[TTTT])], "shown_from": "", "shown_until": "",
        "files": [(io.BytesIO(PDF), "lich-truc.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    notice_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    handler = login(app, "tttt.xuly")
    home = get_ok(handler, "/")
    assert re.search(r"Thông báo\s*<span class=\"queue-badge\"><span class=\"label label-danger "
                     r"notice-unread\">1</span>", home)
    notices = get_ok(handler, "/thong-bao/")
    assert "Lịch trực Tết Nguyên đán" in notices and "Chưa đọc" in text_of(notices)
    assert "Thông báo: Lịch trực Tết Nguyên đán" in listed(get_ok(handler, "/thong-bao/ca-nhan/"))
    page = get_ok(handler, f"/thong-bao/{notice_id}")
    assert "Các đơn vị bố trí cán bộ trực" in page and "lich-truc.pdf" in page
    assert "Tình hình đọc thông báo" not in page  # the centre's part
    file_link = re.search(r'href="(/thong-bao/\d+/tep/\d+)"', page).group(1)
    download = handler.get(file_link)
    assert download.status_code == 200 and download.data == PDF
    assert "notice-unread" not in get_ok(handler, "/")  # read: no badge
    assert "Chưa đọc" not in text_of(get_ok(handler, "/thong-bao/"))

    # Other units neither see it nor its file.
    other = login(app, "gtvt.xuly")
    assert "Lịch trực Tết Nguyên đán" not in get_ok(other, "/thong-bao/")
    assert other.get(f"/thong-bao/{notice_id}").status_code == 404
    assert other.get(file_link).status_code == 404

    # The centre sees, per target unit, who has read it.
    reads = get_ok(centre, f"/thong-bao/{notice_id}")
    table = re.search(r'<table class="table table-bordered table-condensed notice-reads">(.*?)</table>',
                      reads, re.S).group(1)
    rows = [text_of(r) for r in re.findall(r"<tr class=\"reader-\w+\">(.*?)</tr>", table, re.S)]
    assert rows[0].startswith("Sở Thông tin và Truyền thông 1/2 đã đọc")
    assert any("(tttt.lanhdao) Chưa đọc" in r for r in rows)
    assert any("(tttt.xuly)" in r and "Chưa đọc" not in r for r in rows)


def test_notice_form_refuses_bad_input_and_units_cannot_write(app):
    centre = login(app, "trungtam")
    page = get_ok(centre, "/thong-bao/moi")
    response = centre.post("/thong-bao/moi", data={
        "csrf_token": csrf_token(page), "title": "Thiếu nội dung", "content": "",
        "shown_until": "31/02/2031"})
    assert response.status_code == 400 and "Vui lòng nhập nội dung." in response.text
    response = centre.post("/thong-bao/moi", data={
        "csrf_token": csrf_token(page), "title": "Sai ngày", "content": "Nội dung",
        "shown_from": "05/03/2031", "shown_until": "01/03/2031"})
    assert response.status_code == 400 and "“Hiển thị đến” phải sau “Hiển thị từ”." in response.text
    handler = login(app, "gtvt.xuly")
    assert handler.get("/thong-bao/moi").status_code in (302, 403)
    assert "Viết thông báo" not in get_ok(handler, "/thong-bao/")


def test_notice_api_scoped(app, api):
    units, _, _ = ids(app)
    created = api.post("trungtam", "/api/v1/notice/", json={
        "title": "Họp giao ban tháng 3", "content": "Mời lãnh đạo các đơn vị dự họp.",
        "unit_ids": [units[GTVT]]})
    assert created.status_code == 201, created.text
    notice = created.json["result"]
    assert notice["unit_ids"] == [units[GTVT]] and notice["all_units"] is False
    listed_gtvt = api.get("gtvt.lanhdao", "/api/v1/notice/").json["result"]
    mine = [n for n in listed_gtvt if n["id"] == created.json["id"]]
    assert mine and mine[0]["read"] is False and mine[0]["title"] == "Họp giao ban tháng 3"
    assert created.json["id"] not in api.get("tttt.lanhdao", "/api/v1/notice/").json["ids"]
    assert api.get("tttt.lanhdao", f"/api/v1/notice/{created.json['id']}").status_code == 404
    assert api.get("gtvt.lanhdao", f"/api/v1/notice/{created.json['id']}").json["result"]["read"]
    assert created.json["id"] in api.get("trungtam", "/api/v1/notice/").json["ids"]

    # To all units (no unit_ids), shown later: units see it only from then on.
    later = api.post("trungtam", "/api/v1/notice/", json={
        "title": "Thông báo ngày mai", "content": "Nội dung", "shown_from": "2031-01-01T08:00:00+07:00"})
    assert later.status_code == 201 and later.json["result"]["all_units"] is True
    assert later.json["id"] not in api.get("gtvt.xuly", "/api/v1/notice/").json["ids"]
    assert later.json["id"] in api.get("trungtam", "/api/v1/notice/").json["ids"]
    future = [n for n in api.get("gtvt.xuly", "/api/v1/notification/").json["result"]
              if n["notice_id"] == later.json["id"]]
    assert future == []  # told at its "shown from" time

    bad = api.post("trungtam", "/api/v1/notice/", json={"content": "Không có tiêu đề"})
    assert bad.status_code == 400 and bad.json["message"] == "Vui lòng nhập: Tiêu đề."
    bad = api.post("trungtam", "/api/v1/notice/", json={"title": "x", "content": "y",
                                                        "unit_ids": ["GTVT"]})
    assert bad.status_code == 400
    bad = api.post("trungtam", "/api/v1/notice/", json={"title": "x", "content": "y",
                                                        "unit_ids": [999999]})
    assert bad.status_code == 400 and "không tồn tại" in bad.json["message"]
    assert api.post("gtvt.xuly", "/api/v1/notice/",
                    json={"title": "x", "content": "y"}).status_code == 403


def test_a_person_who_joins_the_unit_after_a_notice_gets_its_badge_at_sign_in(app):
    from app.extensions import appbuilder, db
    from app.models import Unit
    from app.security.roles import role_by_code
    from app.services.notices import create_notice

    units, _, _ = ids(app)
    with app.app_context():
        create_notice(user("trungtam"), title="Quy chế tiếp nhận mới",
                      content="Áp dụng từ tháng sau.", unit_ids=[units[GTVT]])
        sm = appbuilder.sm
        newcomer = sm.add_user("gtvt.moi", "Người", "Mới", "gtvt.moi@example.vn",
                               role_by_code("handler"), password="Nguoimoi2019pass")
        newcomer.unit_id = db.session.execute(
            select(Unit.id).where(Unit.name == GTVT)).scalar_one()
        newcomer.must_change_password = False
        db.session.commit()
    client = login(app, "gtvt.moi", "Nguoimoi2019pass")
    home = get_ok(client, "/")
    assert "Thông báo: Quy chế tiếp nhận mới" in listed(get_ok(client, "/thong-bao/ca-nhan/"))
    assert re.search(r"notice-unread\">\d+</span>", home)
    login(app, "gtvt.moi", "Nguoimoi2019pass")  # a second sign-in adds nothing
    assert listed(get_ok(client, "/thong-bao/ca-nhan/")).count(
        "Thông báo: Quy chế tiếp nhận mới") == 1
    with app.app_context():  # out of the other modules' mailboxes
        appbuilder.sm.find_user(username="gtvt.moi").active = False
        db.session.commit()
