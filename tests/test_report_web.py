"""The letter's report screens through the web forms (Flask test client, CSRF on): the worked
example of the annex step by step — badges, status, exchange log after each step — then scope,
confidentiality, the "Thao tác" choices, search, refusals and the cost of a queue page.

The session database holds the demo reports too, so badges are checked as changes ("one more to
act on") rather than as absolute numbers, except where the test owns every report counted.
"""
from __future__ import annotations

import re

import pytest
from conftest import csrf_token, login
from web_helpers import (
    QUEUE_URLS, act, action_choices, alerts, count_queries, event_log, get_ok, menu_badges,
    menu_entries, queue_report_ids, queue_total, status_of, text_of, top_menu_badges,
)

GTVT = "Sở Giao thông vận tải"
TTTT = "Sở Thông tin và Truyền thông"
CONTENT = ("Phản ánh tình trạng ổ gà xuất hiện nhiều ở đường tránh Huế. "
           "Kính mong các cơ quan chức năng xử lý. Trân trọng./.")
RESULT = "Đã kiểm tra và tiến hành khắc phục"


@pytest.fixture(scope="module")
def ids(app):
    """Ids of the catalogue rows the forms need."""
    from app.extensions import db
    from app.models import Field, Source, Unit

    with app.app_context():
        unit = {u.name: u.id for u in db.session.query(Unit)}
        return {
            "gtvt": unit[GTVT], "tttt": unit[TTTT], "xd": unit["Sở Xây dựng"],
            "road": db.session.query(Field).filter_by(name="Giao thông").one().id,
            "phone": db.session.query(Source).filter_by(name="Tổng đài").one().id,
            "app": db.session.query(Source).filter_by(name="Ứng dụng Hue-S").one().id,
        }


@pytest.fixture(scope="module")
def clients(app):
    """One signed-in browser session per demo account, for the module."""
    cache = {}

    def get(username):
        if username not in cache:
            cache[username] = login(app, username)
        return cache[username]

    return get


@pytest.fixture(scope="module")
def jpeg():
    from app.services.demo_image import pothole_photo

    return pothole_photo()


def intake(client, ids, **overrides) -> int:
    """The centre's form "Tiếp nhận phản ánh mới"; returns the new report's id."""
    page = get_ok(client, "/phan-anh/tiep-nhan-moi/")
    data = {
        "csrf_token": csrf_token(page),
        "reporter_name": "Phạm Văn Dương", "reporter_address": "207 Hùng Vương",
        "reporter_phone": "0917400300", "reporter_email": "duongcntt@gmail.com",
        "title": "Hiện tượng xuống cấp tại đường tránh Huế", "content": CONTENT,
        "location": "Đường tránh Huế", "source_id": str(ids["phone"]),
        "field_id": str(ids["road"]), "received_at": "",
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post("/phan-anh/tiep-nhan-moi/", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, text_of(response.text)[:2000]
    match = re.search(r"/phan-anh/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def done(response, report_id):
    """An action that succeeded: back to the report page's log, with a success message."""
    assert response.status_code == 302, text_of(response.text)[:3000]
    assert response.headers["Location"].endswith(f"/phan-anh/{report_id}?tab=nhat-ky")


def badges_of(client) -> dict:
    return menu_badges(get_ok(client, "/"))


def bump(before, after, entry, waiting, total):
    """The badge of ``entry`` moved by (waiting, total)."""
    b, a = before.get(entry, (0, 0, False)), after[entry]
    assert (a[0] - b[0], a[1] - b[1]) == (waiting, total), (entry, b, a)


# --- The worked example of the letter ----------------------------------------------------------

def test_letter_worked_example_through_the_web_forms(app, clients, ids, jpeg):
    centre, gtvt, tttt, leader = (clients("trungtam"), clients("gtvt.xuly"), clients("tttt.xuly"),
                                  clients("tttt.lanhdao"))
    # The leader has looked at Phê duyệt before: a new arrival must bring NEW back.
    get_ok(leader, "/phan-anh/phe-duyet/")
    before = {name: badges_of(c) for name, c in
              [("centre", centre), ("gtvt", gtvt), ("tttt", tttt), ("leader", leader)]}
    assert before["leader"]["Phê duyệt"][2] is False

    # 1. The centre takes a report by phone: "Chờ tiếp nhận", the operator is Người tiếp nhận.
    rid = intake(centre, ids, receive_now=None)
    page = get_ok(centre, f"/phan-anh/{rid}")
    assert status_of(page) == "Chờ tiếp nhận"
    assert "Lê Thị Minh Trang" in text_of(re.search(r"Người tiếp nhận:</dt><dd>(.*?)</dd>", page).group(1))
    log = event_log(page)
    assert [e["label"] for e in log] == ["Tiếp nhận phản ánh mới"]
    after = badges_of(centre)
    bump(before["centre"], after, "Tiếp nhận", 1, 1)

    # 2. Tiếp nhận (field, source) → "Chờ phân phối".
    assert set(action_choices(page)) >= {"receive", "reject", "comment"}
    done(act(centre, rid, "receive", field_id=ids["road"], source_id=ids["app"],
             title="Hiện tượng xuống cấp tại đường tránh Huế", content=CONTENT), rid)
    page = get_ok(centre, f"/phan-anh/{rid}?tab=nhat-ky")
    assert status_of(page) == "Chờ phân phối"
    assert [e["label"] for e in event_log(page)] == ["Tiếp nhận", "Tiếp nhận phản ánh mới"]
    after = badges_of(centre)
    bump(before["centre"], after, "Tiếp nhận", 0, 1)
    bump(before["centre"], after, "Phân phối", 1, 1)

    # 3. Phân phối: Sở Giao thông vận tải → "Chờ xử lý" in GTVT's Xử lý.
    done(act(centre, rid, "distribute", unit_id=ids["gtvt"]), rid)
    page = get_ok(centre, f"/phan-anh/{rid}")
    assert status_of(page) == "Chờ xử lý"
    top = event_log(page)[0]
    assert top["label"] == "Phân phối" and top["content"].startswith(f"Phân phối: {GTVT}")
    assert CONTENT in top["content"] and "Lê Thị Minh Trang" in top["who"]
    after = badges_of(gtvt)
    bump(before["gtvt"], after, "Xử lý", 1, 1)
    assert after["Xử lý"][2] is True  # NEW
    gtvt_list = get_ok(gtvt, "/phan-anh/xu-ly/")
    assert rid in queue_report_ids(gtvt_list)

    # 4. GTVT's handler: not its competence → "Trả bước trước" with a reason; never "Phê duyệt".
    page = get_ok(gtvt, f"/phan-anh/{rid}")
    assert "approve" not in action_choices(page)
    assert set(action_choices(page)) >= {"accept", "return", "comment"}
    done(act(gtvt, rid, "return", reason="Không thuộc thẩm quyền của Sở Giao thông vận tải."), rid)
    page = get_ok(gtvt, f"/phan-anh/{rid}")  # GTVT keeps read access
    assert status_of(page) == "Chờ phân phối"
    assert event_log(page)[0]["label"] == "Trả bước trước"
    assert action_choices(page) == ["comment"]
    after = badges_of(gtvt)
    bump(before["gtvt"], after, "Xử lý", 0, 1)  # now in "Đã xử lý"
    assert rid in queue_report_ids(get_ok(gtvt, "/phan-anh/xu-ly/?tab=da"))
    assert rid not in queue_report_ids(get_ok(gtvt, "/phan-anh/xu-ly/"))

    # 5. Re-distribution to Sở Thông tin và Truyền thông.
    done(act(centre, rid, "distribute", unit_id=ids["tttt"]), rid)
    page = get_ok(centre, f"/phan-anh/{rid}")
    top = event_log(page)[0]
    assert top["content"].startswith(f"Phân phối: {TTTT}")
    assert [e["label"] for e in event_log(page)] == [
        "Phân phối", "Trả bước trước", "Phân phối", "Tiếp nhận", "Tiếp nhận phản ánh mới"]
    bump(before["tttt"], badges_of(tttt), "Xử lý", 1, 1)

    # 6. TTTT's handler accepts ("Thực hiện tiếp nhận"), then "Xử lý" with a photo 2_48079.jpg.
    page = get_ok(tttt, f"/phan-anh/{rid}")
    assert "approve" not in action_choices(page)
    done(act(tttt, rid, "accept"), rid)
    assert status_of(get_ok(tttt, f"/phan-anh/{rid}")) == "Đang xử lý"
    page = get_ok(tttt, f"/phan-anh/{rid}")
    assert "approve" not in action_choices(page) and "submit" in action_choices(page)
    done(act(tttt, rid, "submit", content=RESULT, files=[("2_48079.jpg", jpeg)]), rid)
    page = get_ok(tttt, f"/phan-anh/{rid}?tab=nhat-ky")
    assert status_of(page) == "Chờ duyệt"
    top = event_log(page)[0]
    assert (top["label"], top["content"]) == ("Xử lý", RESULT + " 2_48079.jpg")
    assert "Phạm Văn Dương" in top["who"] and TTTT in top["who"]
    link = re.search(r'href="(/phan-anh/%d/tep/\d+)"' % rid, top["raw_content"]).group(1)
    assert f'<img src="{link}"' in top["raw_content"]  # shown as a thumbnail
    download = tttt.get(link)
    assert download.status_code == 200 and download.data == jpeg
    assert download.mimetype == "image/jpeg"
    assert "approve" not in action_choices(page)  # the handler never approves

    # 7. The leader: Phê duyệt (+1/+1) and NEW; the row is marked NEW; opening clears the mark.
    after = badges_of(leader)
    bump(before["leader"], after, "Phê duyệt", 1, 1)
    assert after["Phê duyệt"][2] is True
    queue = get_ok(leader, "/phan-anh/phe-duyet/")
    assert rid in queue_report_ids(queue)
    row = re.search(r'data-href="/phan-anh/%d">(.*?)</tr>' % rid, queue, re.S).group(1)
    assert "Phạm Văn Dương" in row and "NEW" in row and "Chờ duyệt" in row
    assert menu_badges(queue)["Phê duyệt"][2] is False
    assert badges_of(leader)["Phê duyệt"][2] is False

    # The leader returns it once ("Trả bước trước"), the handler sends it again.
    page = get_ok(leader, f"/phan-anh/{rid}")
    assert set(action_choices(page)) >= {"return", "approve", "comment"}
    done(act(leader, rid, "return", reason="Bổ sung hình ảnh sau khắc phục."), rid)
    assert status_of(get_ok(leader, f"/phan-anh/{rid}")) == "Đang xử lý"
    bump(before["leader"], badges_of(leader), "Phê duyệt", 0, 0)
    done(act(tttt, rid, "submit", content=RESULT), rid)
    assert badges_of(leader)["Phê duyệt"][2] is True  # arrived again since the last visit

    # "Phê duyệt": the result is prefilled, the button says "Duyệt".
    page = get_ok(leader, f"/phan-anh/{rid}?tab=xu-ly")
    assert re.search(r'<option value="approve"[^>]*data-button="Duyệt"[^>]*data-prefill="%s"' % RESULT, page, re.S)
    done(act(leader, rid, "approve", content=RESULT), rid)
    page = get_ok(leader, f"/phan-anh/{rid}")
    assert status_of(page) == "Chờ đăng tải"
    assert event_log(page)[0]["label"] == "Phê duyệt"
    after = badges_of(leader)
    bump(before["leader"], after, "Phê duyệt", 0, 1)  # in "Đã phê duyệt"
    assert rid in queue_report_ids(get_ok(leader, "/phan-anh/phe-duyet/?tab=da"))
    bump(before["centre"], badges_of(centre), "Đăng tải kết quả", 1, 1)

    # 8. The centre publishes the result.
    done(act(centre, rid, "publish", content=RESULT), rid)
    page = get_ok(centre, f"/phan-anh/{rid}")
    assert status_of(page) == "Đã đăng tải"
    labels = [e["label"] for e in event_log(page)]
    assert labels == ["Đăng tải kết quả", "Phê duyệt", "Xử lý", "Trả bước trước", "Xử lý",
                      "Thực hiện tiếp nhận", "Phân phối", "Trả bước trước", "Phân phối",
                      "Tiếp nhận", "Tiếp nhận phản ánh mới"]
    assert [e["stt"] for e in event_log(page)] == [str(i) for i in range(1, 12)]
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", e["time"]) for e in event_log(page))
    after = badges_of(centre)
    bump(before["centre"], after, "Đăng tải kết quả", 0, 1)
    bump(before["centre"], after, "Phân phối", 0, 1)  # "Đã phân phối"


# --- Scope on every web path ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def held_by_gtvt(app, clients, ids, jpeg):
    """A report distributed to GTVT only, with a citizen photo and a photo in the log."""
    centre = clients("trungtam")
    rid = intake(centre, ids, title="Ổ voi trên đường Điện Biên Phủ phạm vi GTVT",
                 receive_now="y")
    done(act(centre, rid, "distribute", unit_id=ids["gtvt"]), rid)
    done(act(clients("gtvt.xuly"), rid, "comment", content="Đã ghi nhận, sẽ kiểm tra.",
             files=[("anh-hien-truong.jpg", jpeg)]), rid)
    page = get_ok(centre, f"/phan-anh/{rid}?tab=nhat-ky")
    attachment = re.search(r'/phan-anh/%d/tep/(\d+)' % rid, page).group(1)
    return rid, int(attachment)


def test_a_unit_that_does_not_hold_the_report_cannot_reach_it(app, clients, ids, held_by_gtvt):
    rid, attachment = held_by_gtvt
    xd = clients("xd.xuly")
    # Its badges and alerts do not move when other units get reports.
    counts_before = {k: v[:2] for k, v in badges_of(xd).items()}
    alerts_before = alerts(get_ok(xd, "/"))
    centre = clients("trungtam")
    other = intake(centre, ids, receive_now="y", title="Báo cáo của GTVT, TTTT theo dõi")
    done(act(centre, other, "distribute", unit_id=ids["gtvt"],
             follow_unit_ids=[str(ids["tttt"])]), other)
    assert {k: v[:2] for k, v in badges_of(xd).items()} == counts_before
    assert alerts(get_ok(xd, "/")) == alerts_before

    # The report page by id, the action POST, the file: 404, never the report.
    response = xd.get(f"/phan-anh/{rid}")
    assert response.status_code == 404 and "Ổ voi" not in response.text
    own = intake(centre, ids, receive_now="y", title="Phản ánh của Sở Xây dựng")
    done(act(centre, own, "distribute", unit_id=ids["xd"]), own)
    # A valid token of the session (from its own report's form): only the scope refuses.
    token = csrf_token(get_ok(xd, f"/phan-anh/{own}"))
    for data in ({"action": "accept"}, {"action": "comment", "content": "xem trộm"}):
        response = xd.post(f"/phan-anh/{rid}", data={"csrf_token": token, **data})
        assert response.status_code == 404 and "Ổ voi" not in response.text
    response = xd.get(f"/phan-anh/{rid}/tep/{attachment}")
    assert response.status_code == 404 and not response.data.startswith(b"\xff\xd8")
    assert clients("gtvt.xuly").get(f"/phan-anh/{rid}/tep/{attachment}").status_code == 200
    # Lists and searches never show it.
    for url in ("/phan-anh/xu-ly/", "/phan-anh/xu-ly/?tab=da", "/phan-anh/theo-doi/",
                "/phan-anh/theo-doi/?tab=da", "/phan-anh/tat-ca/?tab=tat-ca",
                "/phan-anh/tat-ca/?tab=tat-ca&tu_khoa=o voi dien bien phu"):
        page = get_ok(xd, url)
        assert rid not in queue_report_ids(page) and "Ổ voi" not in page, url
    assert queue_total(get_ok(xd, "/phan-anh/tat-ca/?tab=tat-ca&tu_khoa=o voi dien bien phu")) == 0
    # Queues of other roles, the intake form: refused.
    for url in ("/phan-anh/tiep-nhan/", "/phan-anh/phan-phoi/", "/phan-anh/phe-duyet/",
                "/phan-anh/dang-tai/", "/phan-anh/tiep-nhan-moi/"):
        assert xd.get(url).status_code in (302, 403), url
    # The unit holding it sees it.
    assert rid in queue_report_ids(get_ok(clients("gtvt.xuly"), "/phan-anh/xu-ly/"))


def test_attachment_must_belong_to_the_report_in_the_url(app, clients, held_by_gtvt, ids):
    rid, attachment = held_by_gtvt
    centre = clients("trungtam")
    other = intake(centre, ids, title="Phản ánh khác để thử đường dẫn tệp")
    assert centre.get(f"/phan-anh/{other}/tep/{attachment}").status_code == 404
    assert centre.get(f"/phan-anh/{rid}/tep/{attachment}").status_code == 200
    assert centre.get("/phan-anh/99999999").status_code == 404


def test_there_is_no_bulk_action_route(app, clients):
    """The report screens have no FAB ModelView, hence no /action_post that skips the scope."""
    rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/phan-anh")}
    assert not any("action" in rule for rule in rules), rules


# --- Confidentiality, escaping ---------------------------------------------------------------------

def test_a_confidential_reporter_shows_as_anonymous_to_units(app, clients, ids):
    centre, gtvt = clients("trungtam"), clients("gtvt.xuly")
    rid = intake(centre, ids, reporter_name="Hoàng Bí Mật", reporter_phone="0905111999",
                 reporter_email="bimat@example.vn", reporter_address="12 Lý Thường Kiệt",
                 confidential="y", receive_now="y", title="Xe chở cát rơi vãi đường tránh")
    done(act(centre, rid, "distribute", unit_id=ids["gtvt"]), rid)
    page = get_ok(centre, f"/phan-anh/{rid}")
    assert "Hoàng Bí Mật" in page and "0905111999" in page
    for url in (f"/phan-anh/{rid}", f"/phan-anh/{rid}?tab=xu-ly", "/phan-anh/xu-ly/",
                "/phan-anh/tat-ca/?tab=tat-ca"):
        page = get_ok(gtvt, url)
        for secret in ("Hoàng Bí Mật", "0905111999", "bimat@example.vn", "12 Lý Thường Kiệt"):
            assert secret not in page, (url, secret)
    page = get_ok(gtvt, f"/phan-anh/{rid}")
    assert "Ẩn danh" in page
    row = re.search(r'data-href="/phan-anh/%d">(.*?)</tr>' % rid, get_ok(gtvt, "/phan-anh/xu-ly/"), re.S)
    assert "Ẩn danh" in row.group(1)
    # A keyword cannot reveal who reported it.
    page = get_ok(gtvt, "/phan-anh/tat-ca/?tab=tat-ca&tu_khoa=hoang bi mat")
    assert rid not in queue_report_ids(page)


def test_citizen_text_is_escaped_and_keeps_its_line_breaks(app, clients, ids):
    centre = clients("trungtam")
    rid = intake(centre, ids, title='<script>alert("tieu de")</script>',
                 content='Dòng một <b>đậm</b>\nDòng hai <img src=x onerror=alert(1)>')
    page = get_ok(centre, f"/phan-anh/{rid}")
    assert '<script>alert("tieu de")</script>' not in page
    assert "<img src=x onerror" not in page and "<b>đậm</b>" not in page
    assert "&lt;script&gt;" in page
    content = re.search(r'<div class="multiline long-text report-content">(.*?)</div>', page, re.S).group(1)
    assert "\n" in content and "&lt;b&gt;đậm&lt;/b&gt;" in content
    queue = get_ok(centre, "/phan-anh/tiep-nhan/")
    assert '<script>alert("tieu de")</script>' not in queue


def test_a_long_log_shows_its_newest_hundred_lines_and_offers_the_whole(app, clients, ids):
    """A report with 130 lines in its log: the page shows the newest 100 and says how many
    there are; "Xem toàn bộ nhật ký" shows all 130, the oldest (the intake) last."""
    import datetime as dt

    from app.extensions import db
    from app.models import Report, ReportEvent

    centre = clients("trungtam")
    rid = intake(centre, ids, title="Phản ánh có nhật ký dài", content="Nhiều trao đổi.")
    with app.app_context():
        report = db.session.get(Report, rid)
        start = report.received_at
        for n in range(1, 130):
            db.session.add(ReportEvent(
                report_id=rid, created_at=start + dt.timedelta(minutes=n), action="comment",
                actor_name="Lê Thị Minh Trang", content=f"Trao đổi số {n}"))
        db.session.commit()
    page = get_ok(centre, f"/phan-anh/{rid}")
    log = event_log(page)
    assert len(log) == 100
    assert log[0]["content"] == "Trao đổi số 129" and log[-1]["content"] == "Trao đổi số 30"
    assert "Đang hiển thị 100 trao đổi gần nhất trong tổng số 130." in text_of(page)
    whole = get_ok(centre, f"/phan-anh/{rid}?tab=nhat-ky&nhat_ky=tat-ca")
    log = event_log(whole)
    assert len(log) == 130 and log[-1]["action"] == "create"
    assert "Đang hiển thị" not in whole


# --- The form: choices, refusals, CSRF ---------------------------------------------------------------

def test_handlers_never_get_approve_and_viewers_get_no_form(app, clients, held_by_gtvt):
    rid, _ = held_by_gtvt
    page = get_ok(clients("gtvt.xuly"), f"/phan-anh/{rid}")
    assert "approve" not in action_choices(page) and "Phê duyệt" not in re.sub(
        r'<div class="panel panel-default report-menu">.*?</div>\s*</div>', "", page, flags=re.S)
    viewer = get_ok(clients("theodoi"), f"/phan-anh/{rid}")
    assert action_choices(viewer) == []
    assert "Bạn không có thao tác nào" in viewer


def test_a_refused_action_keeps_what_the_person_typed(app, clients, ids):
    centre, gtvt = clients("trungtam"), clients("gtvt.xuly")
    rid = intake(centre, ids, receive_now="y", title="Đèn đường hỏng ở kiệt 5 Trần Phú")
    done(act(centre, rid, "distribute", unit_id=ids["gtvt"]), rid)
    done(act(gtvt, rid, "accept"), rid)
    text = "Kết quả xử lý rất dài <em>của tôi</em>\nDòng thứ hai"

    # A missing input: 400, the message, the text kept, the Xử lý tab open.
    response = act(gtvt, rid, "return", reason="", content=text)
    assert response.status_code == 400
    assert "Vui lòng nhập: Lý do." in response.text
    assert "Dòng thứ hai" in response.text and "&lt;em&gt;của tôi&lt;/em&gt;" in response.text
    assert re.search(r'<option value="return"[^>]*selected', response.text)

    # The same person changed it meanwhile (another tab): 409, told it was their own change
    # (issue 15: not "another person"), the text kept.
    page = get_ok(gtvt, f"/phan-anh/{rid}")
    stale = re.search(r'name="version" value="(\d+)"', page).group(1)
    done(act(gtvt, rid, "comment", content="Một trao đổi không đổi trạng thái"), rid)
    done(act(gtvt, rid, "submit", content="Bản đầu"), rid)
    response = act(gtvt, rid, "return", version=stale, reason="Lý do của tôi cần giữ lại")
    assert response.status_code == 409
    assert "Bạn đã cập nhật phản ánh này lúc" in response.text
    assert "bởi người khác" not in response.text
    assert "Lý do của tôi cần giữ lại" in response.text
    assert status_of(response.text) == "Chờ duyệt"  # the page shows the report as it is now

    # A state the action does not apply to: 409 with the reason.
    response = act(gtvt, rid, "accept")
    assert response.status_code in (403, 409)
    assert "alert alert-danger action-error" in response.text


def test_post_without_csrf_token_is_refused(app, clients, ids):
    centre = clients("trungtam")
    rid = intake(centre, ids, title="Thử gửi không có mã CSRF")
    response = act(centre, rid, "reject", reason="Thư rác", with_csrf=False)
    assert response.status_code == 400
    assert status_of(get_ok(centre, f"/phan-anh/{rid}")) == "Chờ tiếp nhận"
    response = centre.post("/phan-anh/tiep-nhan-moi/", data={"title": "x", "content": "y"})
    assert response.status_code == 400


def test_intake_form_validates_in_vietnamese_and_keeps_the_text(app, clients, ids):
    centre = clients("trungtam")
    page = get_ok(centre, "/phan-anh/tiep-nhan-moi/")
    assert re.search(r'<option value="%d" selected>Tổng đài</option>' % ids["phone"], page)
    response = centre.post("/phan-anh/tiep-nhan-moi/", data={
        "csrf_token": csrf_token(page), "reporter_name": "Trần Văn Tường",
        "reporter_phone": "12345", "reporter_email": "khong-phai-email", "title": "",
        "content": "Rác thải xây dựng rải giữa đường", "source_id": str(ids["phone"]),
        "received_at": "32/13/2019 25:00",
    })
    assert response.status_code == 400
    for message in ("Số điện thoại không hợp lệ", "Địa chỉ thư điện tử không hợp lệ",
                    "Vui lòng nhập tiêu đề.", "Thời gian tiếp nhận không hợp lệ"):
        assert message in response.text
    assert "Rác thải xây dựng rải giữa đường" in response.text and "Trần Văn Tường" in response.text
    # Received earlier by phone: the time typed is kept (local time), the phone normalised.
    rid = intake(centre, ids, received_at="05/01/2019 16:52", reporter_phone="0917.400.300",
                 receive_now="y")
    page = get_ok(centre, f"/phan-anh/{rid}")
    assert "05/01/2019 16:52" in page and "0917400300" in page
    assert status_of(page) == "Chờ phân phối"
    assert [e["label"] for e in event_log(page)] == ["Tiếp nhận", "Tiếp nhận phản ánh mới"]


# --- Queues: filters, tabs, badges, alerts, follow-ups -------------------------------------------------

def test_keyword_filter_ignores_accents_and_case(app, clients, ids):
    centre = clients("trungtam")
    rid = intake(centre, ids, title="Hiện tượng xuống cấp tại đường tránh Huế (tìm kiếm)")
    page = get_ok(centre, "/phan-anh/tat-ca/?tab=tat-ca&tu_khoa=o+ga+duong+tranh+hue")
    assert rid in queue_report_ids(page)
    page = get_ok(centre, "/phan-anh/tiep-nhan/?tu_khoa=O GA DUONG TRANH HUE tim kiem")
    assert queue_report_ids(page) == [rid]
    page = get_ok(centre, "/phan-anh/tiep-nhan/?tu_khoa=duong+tranh+hue+khong+co")
    assert rid not in queue_report_ids(page)


def test_date_source_and_field_filters(app, clients, ids):
    centre = clients("trungtam")
    rid = intake(centre, ids, title="Phản ánh ngày cũ để thử bộ lọc", received_at="03/01/2019 23:30",
                 source_id=str(ids["phone"]))
    base = "/phan-anh/tiep-nhan/?"
    assert rid in queue_report_ids(get_ok(centre, base + "tu_ngay=03/01/2019&den_ngay=03/01/2019"))
    assert rid not in queue_report_ids(get_ok(centre, base + "tu_ngay=04/01/2019"))
    assert rid not in queue_report_ids(get_ok(centre, base + "den_ngay=02/01/2019"))
    assert rid in queue_report_ids(get_ok(centre, base + f"nguon={ids['phone']}&linh_vuc={ids['road']}"))
    assert rid not in queue_report_ids(get_ok(centre, base + f"nguon={ids['app']}"))
    response = centre.get(base + "tu_ngay=31/02/2019")
    assert response.status_code == 200 and "không hợp lệ" in response.text


def test_badges_equal_their_tabs_and_menus_fit_the_roles(app, clients):
    expected_menus = {
        "trungtam": ["Tiếp nhận", "Phân phối", "Đăng tải kết quả", "Phản ánh có tương tác",
                     "Tất cả phản ánh"],
        "gtvt.xuly": ["Xử lý", "Thông tin theo dõi", "Tất cả phản ánh"],
        "tttt.lanhdao": ["Phê duyệt", "Thông tin theo dõi", "Tất cả phản ánh"],
        "theodoi": ["Tất cả phản ánh"],
    }
    for username, queues in expected_menus.items():
        client = clients(username)
        home = get_ok(client, "/")
        entries = menu_entries(home)
        assert [e for e in entries if e in QUEUE_URLS] == queues, (username, entries)
        badges = menu_badges(home)
        for name in queues:
            waiting = queue_total(get_ok(client, QUEUE_URLS[name] + "?tab=cho"))
            finished = queue_total(get_ok(client, QUEUE_URLS[name] + "?tab=da"))
            assert badges[name][:2] == (waiting, waiting + finished), (username, name)
        for name in set(QUEUE_URLS) - set(queues):
            assert client.get(QUEUE_URLS[name]).status_code in (302, 403), (username, name)


def test_the_top_menu_follows_a_role_edit_and_a_move_to_another_unit_on_the_next_request(
        app, clients, ids):
    """The top menu's HTML and the statement of the NEW marks are kept between requests; what
    they show still changes with the role editor and with the person's unit at once."""
    from app.extensions import appbuilder, db
    from app.security.roles import role_by_code

    centre, handler = clients("trungtam"), clients("gtvt.xuly")
    assert "Đăng tải kết quả" in top_menu_badges(get_ok(centre, "/"))
    with app.app_context():
        role = role_by_code("centre")
        role.permissions.remove(
            appbuilder.sm.find_permission_view_menu("menu_access", "Đăng tải kết quả"))
        db.session.commit()
    try:
        menu = top_menu_badges(get_ok(centre, "/"))
        assert "Đăng tải kết quả" not in menu and "Phân phối" in menu
    finally:
        with app.app_context():
            role = role_by_code("centre")
            role.permissions.append(
                appbuilder.sm.find_permission_view_menu("menu_access", "Đăng tải kết quả"))
            db.session.commit()
    assert "Đăng tải kết quả" in top_menu_badges(get_ok(centre, "/"))

    # The handler of gtvt has seen its queue; a report then goes to tttt, not to gtvt.
    get_ok(handler, "/phan-anh/xu-ly/")
    assert top_menu_badges(get_ok(handler, "/"))["Xử lý"][2] is False
    rid = intake(centre, ids, receive_now="y", title="Đèn tín hiệu giao thông không sáng")
    done(act(centre, rid, "distribute", unit_id=ids["tttt"]), rid)
    assert top_menu_badges(get_ok(handler, "/"))["Xử lý"][2] is False
    tttt_waiting = top_menu_badges(get_ok(clients("tttt.xuly"), "/"))["Xử lý"][0]

    def move_to(unit_id):
        with app.app_context():
            appbuilder.sm.find_user(username="gtvt.xuly").unit_id = unit_id
            db.session.commit()

    move_to(ids["tttt"])
    try:
        moved = top_menu_badges(get_ok(handler, "/"))["Xử lý"]
        assert moved[0] == tttt_waiting and moved[2] is True
        assert rid in queue_report_ids(get_ok(handler, "/phan-anh/xu-ly/"))
    finally:
        move_to(ids["gtvt"])
    assert rid not in queue_report_ids(get_ok(handler, "/phan-anh/xu-ly/"))


def test_alert_panel_counts_match_the_lists_they_link_to(app, clients):
    for username in ("trungtam", "gtvt.xuly", "tttt.lanhdao", "theodoi"):
        client = clients(username)
        panel = alerts(get_ok(client, "/"))
        assert list(panel) == ["moi", "chua-xu-ly", "qua-han", "theo-doi"]
        for key, (count, url) in panel.items():
            assert url, (username, key)
            assert queue_total(get_ok(client, url)) == count, (username, key, url)


def test_follow_up_units_see_it_in_thong_tin_theo_doi(app, clients, ids):
    centre, tttt = clients("trungtam"), clients("tttt.xuly")
    before = badges_of(tttt)
    rid = intake(centre, ids, receive_now="y", title="Cáp quang treo thấp cần phối hợp")
    done(act(centre, rid, "distribute", unit_id=ids["gtvt"], follow_unit_ids=[str(ids["tttt"])]), rid)
    after = badges_of(tttt)
    bump(before, after, "Thông tin theo dõi", 1, 1)
    assert after["Thông tin theo dõi"][2] is True
    assert rid in queue_report_ids(get_ok(tttt, "/phan-anh/theo-doi/"))
    page = get_ok(tttt, f"/phan-anh/{rid}")
    assert "follow_done" in action_choices(page) and "accept" not in action_choices(page)
    done(act(tttt, rid, "follow_done", content="Đã phối hợp kiểm tra."), rid)
    assert rid in queue_report_ids(get_ok(tttt, "/phan-anh/theo-doi/?tab=da"))
    assert rid not in queue_report_ids(get_ok(tttt, "/phan-anh/theo-doi/"))
    bump(before, badges_of(tttt), "Thông tin theo dõi", 0, 1)


def test_thong_tin_theo_doi_lists_the_newest_request_first(app, clients, ids):
    """A follow-up unit's list is in the order the requests came to it: a report received
    earlier but sent for follow-up later comes first."""
    centre, tttt = clients("trungtam"), clients("tttt.xuly")
    older = intake(centre, ids, receive_now="y", title="Biển báo bị che khuất")
    newer = intake(centre, ids, receive_now="y", title="Nắp cống bị vỡ")
    for rid in (newer, older):  # the newer report is sent first
        done(act(centre, rid, "distribute", unit_id=ids["gtvt"],
                 follow_unit_ids=[str(ids["tttt"])]), rid)
    listed = queue_report_ids(get_ok(tttt, "/phan-anh/theo-doi/"))
    assert listed.index(older) < listed.index(newer)
    assert listed.index(older) == 0


def test_paging_twenty_rows_a_page(app, clients, ids):
    from app.extensions import appbuilder, db
    from app.services.workflow import NewReport, create_report

    with app.app_context():
        user = appbuilder.sm.find_user(username="trungtam")
        for i in range(23):
            create_report(user, NewReport(title=f"Phân trang số {i}", content="trangthu nghiem",
                                          source_id=ids["app"]))
        db.session.remove()
    centre = clients("trungtam")
    first = get_ok(centre, "/phan-anh/tiep-nhan/?tu_khoa=trangthu")
    assert len(queue_report_ids(first)) == 20 and queue_total(first) == 23
    assert "Số dòng trên một trang: 20" in first
    second = get_ok(centre, "/phan-anh/tiep-nhan/?tu_khoa=trangthu&trang=2")
    assert len(queue_report_ids(second)) == 3
    assert not set(queue_report_ids(first)) & set(queue_report_ids(second))
    assert [int(n) for n in re.findall(r'<td class="col-stt">(\d+)</td>', second)] == [21, 22, 23]


def test_queries_of_a_queue_page_do_not_grow_with_its_rows(app, clients, ids):
    """Same number of SQL statements for a page of 1 row and a page of 20 rows, for each kind of
    queue (centre list, unit list, follow-ups)."""
    from app.extensions import appbuilder, db
    from app.services.workflow import ActionRequest, NewReport, apply_action, create_report

    with app.app_context():
        centre = appbuilder.sm.find_user(username="trungtam")
        for i in range(21):
            report = create_report(centre, NewReport(
                title=f"Đo truy vấn {i} {'duy-nhat-mot' if i == 0 else ''}",
                content="demtruyvan", reporter_name=f"Người {i}", source_id=ids["app"],
                field_id=ids["road"]))
            apply_action(centre, report.id, ActionRequest("receive", field_id=ids["road"],
                                                          source_id=ids["app"]))
            apply_action(centre, report.id, ActionRequest("distribute", unit_id=ids["gtvt"],
                                                          follow_unit_ids=[ids["tttt"]]))
        engine = db.engine
        db.session.remove()
    for username, url in (("trungtam", "/phan-anh/tat-ca/"), ("gtvt.xuly", "/phan-anh/xu-ly/"),
                          ("tttt.xuly", "/phan-anh/theo-doi/"), ("theodoi", "/phan-anh/tat-ca/")):
        client = clients(username)
        get_ok(client, url)  # warm up (visits row, caches)
        counts = []
        for keyword in ("duy-nhat-mot demtruyvan", "demtruyvan"):
            with count_queries(engine) as statements:
                page = get_ok(client, f"{url}?tu_khoa={keyword}")
            rows = len(queue_report_ids(page))
            counts.append((rows, len(statements)))
        (one, q_one), (many, q_many) = counts
        assert one == 1 and many == 20, (username, counts)
        assert q_one == q_many, (username, counts)


def test_files_other_than_pictures_are_downloaded_not_shown(app, clients, ids):
    centre = clients("trungtam")
    rid = intake(centre, ids, title="Phản ánh có công văn PDF kèm theo")
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    done(act(centre, rid, "comment", content="Công văn kèm theo", files=[("cong-van.pdf", pdf)]), rid)
    page = get_ok(centre, f"/phan-anh/{rid}?tab=nhat-ky")
    top = event_log(page)[0]
    link = re.search(r'href="(/phan-anh/%d/tep/\d+)"' % rid, top["raw_content"]).group(1)
    assert "<img" not in top["raw_content"] and "cong-van.pdf" in top["content"]
    response = centre.get(link)
    assert response.status_code == 200 and response.data == pdf
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_odd_query_arguments_do_not_break_a_queue(app, clients):
    centre = clients("trungtam")
    for query in ("?_external=1&_scheme=javascript&_anchor=x", "?trang=abc&tab=khong-co",
                  "?trang=-5&nguon=abc&linh_vuc=1.5&trang_thai=zzz&tinh_trang=khong"):
        response = centre.get("/phan-anh/tat-ca/" + query)
        assert response.status_code == 200, query
        assert "javascript:" not in response.text
