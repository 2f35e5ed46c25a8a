"""The report REST API (DESIGN §7): the letter's worked example step by step, scope and
confidentiality on every path, files, bad input, list features and the query count."""
from __future__ import annotations

import io
import json
import os
import re
from contextlib import contextmanager

import pytest
from conftest import login, new_client
from report_helpers import (  # noqa: F401  (api is a fixture)
    GTVT, TTTT, XD, Status, api, ids, make_report, snapshot, then,
)
from sqlalchemy import event, func, select

from app.domain.workflow import Action
from app.services.demo_image import pothole_photo

ISO_LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$")
POTHOLE = ("Phản ánh tình trạng ổ gà xuất hiện nhiều ở đường tránh Huế. Kính mong các cơ quan "
           "chức năng xử lý. Trân trọng./.")
RESULT = "Đã kiểm tra và tiến hành khắc phục"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def multipart(**fields):
    return {"data": fields, "content_type": "multipart/form-data"}


def jpeg(name="2_48079.jpg"):
    return (io.BytesIO(pothole_photo()), name, "image/jpeg")


def text_of(response) -> str:
    """The answer as text with its non-ASCII characters decoded (JSON escapes them)."""
    return json.dumps(response.json, ensure_ascii=False)


def upload_files(app) -> set[str]:
    folder = app.config["UPLOAD_FOLDER"]
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


# --- The letter's worked example ---------------------------------------------------------------

def test_the_letters_worked_example_step_by_step(app, api):
    units, fields, sources = ids(app)

    # 1. Intake by the centre (trungtam): the pothole report of Phạm Văn Dương.
    created = api.post("trungtam", "/api/v1/report/", json={
        "title": "Hiện tượng xuống cấp tại đường tránh Huế", "content": POTHOLE,
        "reporter_name": "Phạm Văn Dương", "reporter_address": "207 Hùng Vương",
        "reporter_phone": "0917400300", "reporter_email": "duongcntt@gmail.com",
        "location": "Đường tránh Huế", "source_id": sources["Ứng dụng Hue-S"],
        "received_at": "2019-01-05T17:27:00+07:00",
    })
    assert created.status_code == 201, created.json
    rid = created.json["id"]
    report = created.json["result"]
    assert report["status"] == "new" and report["status_label"] == "Chờ tiếp nhận"
    assert report["received_at"] == "2019-01-05T17:27:00+07:00"
    assert report["reporter_name"] == "Phạm Văn Dương"
    assert report["available_actions"] == ["receive", "reject", "comment"]

    def act(username, action, expect=200, **body):
        response = api.act(username, rid, action, **body)
        assert response.status_code == expect, (username, action, response.json)
        return response.json.get("result")

    # 2. The centre takes it in (field, source) and distributes it to Sở Giao thông vận tải.
    act("trungtam", "receive", field_id=fields["Giao thông"], source_id=sources["Ứng dụng Hue-S"])
    r = act("trungtam", "distribute", unit_id=units[GTVT])
    assert r["status"] == "assigned" and r["unit_name"] == GTVT
    assert ISO_LOCAL.match(r["deadline"]) and r["deadline"].endswith("T23:59:59+07:00")

    # 3. gtvt.xuly hands it back with a reason.
    r = act("gtvt.xuly", "return", reason="Không thuộc thẩm quyền của Sở Giao thông vận tải")
    assert r["status"] == "received" and r["unit_id"] is None and not r["late_return"]

    # 4. Re-distributed to Sở Thông tin và Truyền thông; gtvt keeps read access only.
    r = act("trungtam", "distribute", unit_id=units[TTTT], version=r["version"])
    assert r["unit_name"] == TTTT
    seen = api.get("gtvt.xuly", f"/api/v1/report/{rid}")
    assert seen.status_code == 200 and seen.json["result"]["available_actions"] == ["comment"]
    act("gtvt.xuly", "accept", expect=403)

    # 5. tttt.xuly accepts, then processes it with the after-photo 2_48079.jpg.
    act("tttt.xuly", "accept")
    response = api.post("tttt.xuly", f"/api/v1/report/{rid}/actions/submit",
                        **multipart(content=RESULT, file=jpeg()))
    assert response.status_code == 200, response.json
    assert response.json["result"]["status"] == "pending_approval"
    assert response.json["result"]["result"] == RESULT

    # 6. tttt.lanhdao returns it once; the handler submits again; the leader approves.
    r = act("tttt.lanhdao", "return", reason="Bổ sung ảnh sau khắc phục")
    assert r["status"] == "in_progress"
    act("tttt.xuly", "submit", content=RESULT)
    r = act("tttt.lanhdao", "approve")
    assert r["status"] == "approved" and r["status_label"] == "Chờ đăng tải"

    # 7. The centre publishes the result.
    r = act("trungtam", "publish")
    assert r["status"] == "published" and r["public_result"] == RESULT
    assert r["available_actions"] == ["reopen", "reply", "comment"]

    # The exchange log shows every step: time, person, unit, action, content; newest first.
    events = api.get("trungtam", f"/api/v1/report/{rid}/events").json["result"]
    steps = [(e["action"], e["actor_name"], e["unit_name"]) for e in reversed(events)]
    centre = "Trung tâm Giám sát, điều hành đô thị thông minh"
    assert steps == [
        ("create", "Lê Thị Minh Trang", centre),
        ("receive", "Lê Thị Minh Trang", centre),
        ("distribute", "Lê Thị Minh Trang", centre),
        ("return", "Nguyễn Văn Hùng", GTVT),
        ("distribute", "Lê Thị Minh Trang", centre),
        ("accept", "Phạm Văn Dương", TTTT),
        ("submit", "Phạm Văn Dương", TTTT),
        ("return", "Nguyễn Xuân Sơn", TTTT),
        ("submit", "Phạm Văn Dương", TTTT),
        ("approve", "Nguyễn Xuân Sơn", TTTT),
        ("publish", "Lê Thị Minh Trang", centre),
    ]
    labels = [e["action_label"] for e in reversed(events)]
    assert labels[:4] == ["Tiếp nhận phản ánh mới", "Tiếp nhận", "Phân phối", "Trả bước trước"]
    assert labels[5:8] == ["Thực hiện tiếp nhận", "Xử lý", "Trả bước trước"]
    assert all(ISO_LOCAL.match(e["time"]) for e in events)
    assert events[-1]["time"] == "2019-01-05T17:27:00+07:00"
    times = [e["time"] for e in reversed(events)][1:]
    assert times == sorted(times)
    by_step = list(reversed(events))
    assert by_step[0]["content"] == POTHOLE and by_step[0]["to_status"] == "new"
    assert [by_step[2]["target_unit_name"], by_step[4]["target_unit_name"]] == [GTVT, TTTT]
    assert by_step[2]["content"] == POTHOLE  # "Phân phối: Sở …" + the text, as in the letter
    assert by_step[3]["content"] == "Không thuộc thẩm quyền của Sở Giao thông vận tải"
    assert (by_step[3]["from_status"], by_step[3]["to_status"]) == ("assigned", "received")
    assert by_step[6]["content"] == RESULT
    assert by_step[7]["content"] == "Bổ sung ảnh sau khắc phục"
    assert by_step[10]["content"] == RESULT

    # The photo hangs on the submit event and downloads as it was sent.
    photo = by_step[6]["attachments"]
    assert [(a["name"], a["content_type"], a["stage"]) for a in photo] == [
        ("2_48079.jpg", "image/jpeg", "processing")]
    download = api.get("tttt.lanhdao", photo[0]["url"])
    assert download.status_code == 200 and download.data == pothole_photo()
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "2_48079.jpg" in download.headers["Content-Disposition"]
    assert download.mimetype == "image/jpeg"

    # The list of the unit's leader shows it with the letter's columns.
    listed = api.get("tttt.lanhdao", f"/api/v1/report/?q=(filters:!((col:id,opr:eq,value:{rid})))")
    row = listed.json["result"][0]
    assert (row["reporter_name"], row["reporter_phone"], row["title"]) == (
        "Phạm Văn Dương", "0917400300", "Hiện tượng xuống cấp tại đường tránh Huế")
    assert row["receiver_name"] == "Lê Thị Minh Trang"


def test_the_demo_holds_the_letters_example_with_its_history(app, api):
    found = api.get("theodoi", "/api/v1/report/?keyword=Hien tuong xuong cap tai duong tranh Hue"
                               "&q=(order_column:received_at,order_direction:asc)")
    demo = [r for r in found.json["result"] if r["received_at"] == "2019-01-05T17:27:00+07:00"
            and r["receiver_name"] == "Lê Thị Minh Trang" and r["status"] == "approved"]
    assert demo, found.json
    report = demo[0]
    assert report["distributed_at"] == "2019-01-05T17:33:00+07:00"
    assert report["deadline"] == "2019-01-11T23:59:59+07:00"  # 5 working days (field Giao thông)
    events = api.get("theodoi", f"/api/v1/report/{report['id']}/events").json["result"]
    assert [(e["time"][11:16], e["action"]) for e in reversed(events)] == [
        ("17:27", "create"), ("17:28", "receive"), ("17:30", "distribute"), ("17:31", "return"),
        ("17:33", "distribute"), ("17:40", "accept"), ("17:58", "submit"), ("18:05", "approve")]
    assert events[1]["attachments"][0]["name"] == "2_48079.jpg"
    assert events[-1]["actor_name"] is None  # sent from the app: no person, as in the letter


def test_the_demo_fills_every_queue_of_every_demo_role(app, api):
    def statuses(username):
        """Every report in the user's scope, page by page: other tests add reports too."""
        rows, page = [], 0
        while batch := api.get(username, f"/api/v1/report/?q=(page:{page},page_size:100)"
                               ).json["result"]:
            rows += batch
            page += 1
        return rows

    centre = {r["status"] for r in statuses("trungtam")}
    assert {"new", "received", "approved", "published", "rejected"} <= centre
    assert any(r["overdue"] for r in statuses("trungtam"))
    assert any(r["confidential"] for r in statuses("trungtam"))
    for unit, handler, leader in ((GTVT, "gtvt.xuly", "gtvt.lanhdao"),
                                  (TTTT, "tttt.xuly", "tttt.lanhdao")):
        rows = statuses(handler)
        assert {"assigned", "in_progress"} <= {r["status"] for r in rows if r["unit_name"] == unit}
        assert any(r["status"] == "pending_approval" and "approve" in r["available_actions"]
                   for r in statuses(leader))
    assert any("follow_done" in r["available_actions"] for r in statuses("tttt.xuly"))
    assert any("follow_done" in r["available_actions"] for r in statuses("xd.xuly"))
    assert any(r["status"] == "in_progress" for r in statuses("xd.xuly"))
    assert any(r["reporter_name"] == "Ẩn danh" for r in statuses("gtvt.xuly"))


def test_the_letters_first_screen_is_in_the_demo(app, api):
    # Oldest first: the letter's 2018–2019 reports, however many reports other tests added.
    rows = api.get("trungtam", "/api/v1/report/?q=(order_column:received_at,"
                               "order_direction:asc,page_size:100)").json["result"]
    by_reporter = {(r["reporter_name"], r["received_at"]): r for r in rows}
    first = by_reporter[("Nguyễn Thủy", "2019-01-05T16:52:00+07:00")]
    assert first["receiver_name"] == "Lê Thị Nhật Thịnh"
    assert first["content"].startswith("Từ đoạn đường tránh phường Hương Hồ")
    assert first["title"].startswith("Từ đoạn đường tránh") and len(first["title"]) <= 91
    second = by_reporter[("Trần Văn Tường", "2018-12-18T13:54:00+07:00")]
    assert second["receiver_name"] == "Trình Quang Nhật Bình"
    assert second["reporter_phone"] == "0949353136"


def test_demo_reports_load_twice_without_doubling(app_ctx):
    from app.extensions import db
    from app.models import Report
    from app.services.demo_reports import load_demo_reports

    count = db.session.execute(select(func.count()).select_from(Report)).scalar_one()
    summary = load_demo_reports()
    assert "thêm 0" in summary
    assert db.session.execute(select(func.count()).select_from(Report)).scalar_one() == count


# --- Scope on every path -----------------------------------------------------------------------

def test_scope_holds_on_every_path(app, api):
    report_id = make_report(app, Status.IN_PROGRESS, unit=GTVT, title="Phạm vi Zeta Omega")
    upload = api.post("gtvt.xuly", f"/api/v1/report/{report_id}/attachments",
                      **multipart(file=jpeg("anh.jpg")))
    assert upload.status_code == 201
    attachment_url = upload.json["result"][0]["url"]
    attachment_id = upload.json["result"][0]["id"]
    mine = make_report(app, Status.IN_PROGRESS, unit=XD)  # a report xd.xuly does see
    before = snapshot(app, report_id)

    for outsider in ("xd.xuly", "tttt.xuly", "tttt.lanhdao"):
        by_id = api.get(outsider, f"/api/v1/report/?q=(filters:!((col:id,opr:eq,value:{report_id})))")
        assert by_id.status_code == 200 and by_id.json["count"] == 0 and by_id.json["ids"] == []
        by_word = api.get(outsider, "/api/v1/report/?keyword=pham vi zeta omega")
        assert by_word.json["count"] == 0
        listing = api.get(outsider, "/api/v1/report/?q=(page_size:100)")
        assert report_id not in listing.json["ids"]
        for url in (f"/api/v1/report/{report_id}", f"/api/v1/report/{report_id}/events",
                    f"/api/v1/report/{report_id}/attachments", attachment_url,
                    f"/api/v1/report/{mine}/attachments/{attachment_id}"):
            assert api.get(outsider, url).status_code == 404, (outsider, url)
        for action in ("comment", "accept", "submit", "return", "follow_done"):
            answer = api.act(outsider, report_id, action, content="x", reason="x")
            assert answer.status_code == 404, (outsider, action)
        answer = api.post(outsider, f"/api/v1/report/{report_id}/attachments",
                          **multipart(file=jpeg("x.jpg")))
        assert answer.status_code == 404
    assert snapshot(app, report_id) == before

    # The total is the unit's own: the reports ever sent to it, nothing else.
    from app.extensions import db
    from app.models import ReportUnit

    with app.app_context():
        xd_id = ids(app)[0][XD]
        expected = db.session.execute(
            select(func.count(func.distinct(ReportUnit.report_id)))
            .where(ReportUnit.unit_id == xd_id)
        ).scalar_one()
    assert api.get("xd.xuly", "/api/v1/report/").json["count"] == expected
    # The units it concerns, the centre, the viewer and the administrator do see it.
    for insider in ("gtvt.xuly", "gtvt.lanhdao", "trungtam", "theodoi", "quantri"):
        assert api.get(insider, f"/api/v1/report/{report_id}").status_code == 200
        assert api.get(insider, attachment_url).status_code == 200


def test_fabs_own_query_paths_of_the_api_are_scoped_too(app):
    """FAB's datamodel.get/query with the API's base filters (what FAB's inherited endpoints
    would use) see only the user's reports."""
    from flask import g
    from flask_login import login_user
    from report_helpers import user

    from app.api.report import ReportApi
    from app.extensions import appbuilder

    view = next(v for v in appbuilder.baseviews if isinstance(v, ReportApi))
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT)
    for username, sees in (("xd.xuly", False), ("gtvt.xuly", True), ("theodoi", True)):
        with app.test_request_context():
            person = user(username)
            login_user(person)
            g.user = person
            assert (view.datamodel.get(report_id, view._base_filters) is not None) is sees
            _, rows = view.datamodel.query(view._base_filters, page_size=100000)
            assert (report_id in {r.id for r in rows}) is sees


def test_a_unit_keeps_read_access_to_reports_it_held(app, api):
    units, _, _ = ids(app)
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT)
    then(app, report_id, Action.RETURN, Status.ASSIGNED, unit=GTVT)
    then(app, report_id, Action.DISTRIBUTE, Status.RECEIVED, unit=TTTT)
    for username in ("gtvt.xuly", "tttt.xuly"):
        assert api.get(username, f"/api/v1/report/{report_id}").status_code == 200
        assert api.get(username, f"/api/v1/report/{report_id}/events").status_code == 200
    assert api.act("gtvt.xuly", report_id, "accept").status_code == 403
    assert api.act("tttt.xuly", report_id, "accept").status_code == 200


def test_no_put_delete_or_fab_helper_endpoints(app, api):
    report_id = make_report(app, Status.NEW)
    before = snapshot(app, report_id)
    client, headers = api.client("trungtam")
    assert client.put(f"/api/v1/report/{report_id}", json={"status": "published"},
                      headers=headers).status_code == 405
    assert client.delete(f"/api/v1/report/{report_id}", headers=headers).status_code == 405
    for url in ("/api/v1/report/_info", "/api/v1/report/related/unit",
                "/api/v1/report/distinct/title", "/api/v1/report/distinct/reporter_name"):
        assert client.get(url, headers=headers).status_code == 404, url
    assert snapshot(app, report_id) == before


def test_the_api_needs_a_signed_in_user_and_writes_need_a_jwt(app, api):
    report_id = make_report(app, Status.NEW)
    before = snapshot(app, report_id)
    anonymous = new_client(app)
    assert anonymous.get("/api/v1/report/").status_code == 401
    assert anonymous.get(f"/api/v1/report/{report_id}").status_code == 401
    assert anonymous.post(f"/api/v1/report/{report_id}/actions/comment",
                          json={"content": "x"}).status_code == 401
    # A browser session may read, not write (the API is exempt from CSRF checks).
    browser = login(app, "trungtam")
    assert browser.get(f"/api/v1/report/{report_id}").status_code == 200
    assert browser.post(f"/api/v1/report/{report_id}/actions/receive", json={}).status_code == 401
    assert browser.post("/api/v1/report/", json={"title": "x", "content": "y"}).status_code == 401
    assert snapshot(app, report_id) == before


# --- Confidential reporters on every path ------------------------------------------------------

SECRET = {"reporter_name": "Tên Bí Mật Quyết", "reporter_phone": "0900111999",
          "reporter_email": "bimat.quyet@example.vn", "reporter_address": "99 Ngõ Bí Mật"}


def test_a_confidential_reporter_is_hidden_from_units_on_every_path(app, api):
    report_id = make_report(app, Status.IN_PROGRESS, unit=GTVT, follow=(TTTT,),
                            confidential=True, title="Bảo mật Kappa Sigma", **SECRET)
    api.post("gtvt.xuly", f"/api/v1/report/{report_id}/attachments",
             **multipart(file=jpeg("hien-truong.jpg")))

    def hidden(response):
        assert response.status_code in (200, 201), response.json
        body = text_of(response)
        for value in SECRET.values():
            assert value not in body
        return response

    for username in ("gtvt.xuly", "gtvt.lanhdao", "tttt.xuly", "tttt.lanhdao"):
        listing = hidden(api.get(
            username, f"/api/v1/report/?q=(filters:!((col:id,opr:eq,value:{report_id})))"))
        row = listing.json["result"][0]
        assert all(row[name] == "Ẩn danh" for name in SECRET)
        read = hidden(api.get(username, f"/api/v1/report/{report_id}"))
        assert read.json["result"]["reporter_name"] == "Ẩn danh"
        assert read.json["result"]["confidential"] is True
        selected = hidden(api.get(
            username, f"/api/v1/report/{report_id}?q=(columns:!(reporter_name,reporter_phone))"))
        assert selected.json["result"] == {"reporter_name": "Ẩn danh", "reporter_phone": "Ẩn danh"}
        hidden(api.get(username, f"/api/v1/report/{report_id}/events"))
        hidden(api.get(username, f"/api/v1/report/{report_id}/attachments"))
        hidden(api.act(username, report_id, "comment", content="Đã nhận"))
        # Neither a keyword nor a filter or an order on the reporter can find out who it is.
        assert api.get(username, "/api/v1/report/?keyword=ten bi mat quyet").json["count"] == 0
        assert api.get(username, "/api/v1/report/?keyword=bao mat kappa sigma").json["count"] == 1
        for q in ("(filters:!((col:reporter_name,opr:sw,value:T)))",
                  "(filters:!((col:reporter_phone,opr:eq,value:'0900111999')))",
                  "(order_column:reporter_name,order_direction:asc)"):
            assert api.get(username, f"/api/v1/report/?q={q}").status_code == 400, q
    hidden(api.act("gtvt.xuly", report_id, "submit", content="Đã xử lý"))

    for username in ("trungtam", "theodoi", "quantri"):
        read = api.get(username, f"/api/v1/report/{report_id}").json["result"]
        assert {name: read[name] for name in SECRET} == SECRET


# --- Files -------------------------------------------------------------------------------------

def test_upload_list_and_download_files(app, api):
    report_id = make_report(app, Status.IN_PROGRESS, unit=GTVT)
    response = api.post("gtvt.xuly", f"/api/v1/report/{report_id}/attachments",
                        data={"file": [jpeg("ảnh hiện trường.jpg"), (io.BytesIO(PDF), "bien-ban.pdf")]},
                        content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    stored = response.json["result"]
    assert [(a["name"], a["content_type"], a["stage"]) for a in stored] == [
        ("ảnh hiện trường.jpg", "image/jpeg", "exchange"),
        ("bien-ban.pdf", "application/pdf", "exchange")]
    events = api.get("gtvt.lanhdao", f"/api/v1/report/{report_id}/events").json["result"]
    assert events[0]["action"] == "comment" and events[0]["id"] == response.json["event_id"]
    assert events[0]["content"] == "Đính kèm tệp: ảnh hiện trường.jpg, bien-ban.pdf"
    listed = api.get("trungtam", f"/api/v1/report/{report_id}/attachments").json["result"]
    assert [a["id"] for a in listed] == [a["id"] for a in stored]
    pdf = api.get("trungtam", stored[1]["url"])
    assert pdf.data == PDF and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    photo = api.get("theodoi", stored[0]["url"] + "?inline=1")
    assert photo.headers["Content-Disposition"].startswith("inline")
    assert "filename*=UTF-8''%E1%BA%A3nh" in photo.headers["Content-Disposition"]

    # With a message of one's own.
    response = api.post("trungtam", f"/api/v1/report/{report_id}/attachments",
                        **multipart(content="Ảnh bổ sung của Trung tâm", file=jpeg("bo-sung.jpg")))
    assert response.status_code == 201
    events = api.get("trungtam", f"/api/v1/report/{report_id}/events").json["result"]
    assert events[0]["content"] == "Ảnh bổ sung của Trung tâm"


def test_the_centre_sends_the_citizens_files_with_the_intake(app, api):
    _, fields, sources = ids(app)
    response = api.post("trungtam", "/api/v1/report/", **multipart(
        title="Ảnh của người dân", content="Người dân gửi ảnh qua tổng đài Zalo.",
        reporter_name="Nguyễn Văn B", confidential="false", source_id=str(sources["Tổng đài"]),
        file=jpeg("anh-nguoi-dan.jpg")))
    assert response.status_code == 201, response.json
    files = api.get("trungtam", f"/api/v1/report/{response.json['id']}/attachments").json["result"]
    assert [(f["name"], f["stage"]) for f in files] == [("anh-nguoi-dan.jpg", "citizen")]


def test_who_may_not_upload_and_refused_uploads_store_nothing(app, api, monkeypatch):
    report_id = make_report(app, Status.IN_PROGRESS, unit=GTVT)
    before = snapshot(app, report_id)
    files_before = upload_files(app)
    url = f"/api/v1/report/{report_id}/attachments"
    # The viewer and the administrator never comment, so never upload.
    for username in ("theodoi", "quantri"):
        assert api.post(username, url, **multipart(file=jpeg())).status_code == 403
    # No file, or not multipart.
    assert api.post("gtvt.xuly", url, **multipart(content="x")).status_code == 400
    assert api.post("gtvt.xuly", url, json={"file": "x"}).status_code == 400
    # A ".jpg" that is really an HTML page is refused by its content.
    page = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    answer = api.post("gtvt.xuly", url, **multipart(file=(io.BytesIO(page), "anh.jpg", "image/jpeg")))
    assert answer.status_code == 400 and "định dạng" in answer.json["message"]
    # One good file and one bad one: the whole upload is refused.
    answer = api.post("gtvt.xuly", url, data={"file": [jpeg("tot.jpg"),
                                                       (io.BytesIO(page), "xau.jpg")]},
                      content_type="multipart/form-data")
    assert answer.status_code == 400
    # Larger than the limit per file.
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    big = pothole_photo() + b"\0" * (1024 * 1024)
    answer = api.post("gtvt.xuly", url, **multipart(file=(io.BytesIO(big), "to.jpg")))
    assert answer.status_code == 400 and "vượt quá" in answer.json["message"]
    # Larger than a whole request may be.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    answer = api.post("gtvt.xuly", url, **multipart(file=(io.BytesIO(b"\xff\xd8\xff" + b"0" * 5000),
                                                          "to.jpg")))
    assert answer.status_code == 413 and answer.json["message"]
    # A refused action with a file stores nothing either.
    answer = api.post("gtvt.xuly", f"/api/v1/report/{report_id}/actions/approve",
                      **multipart(file=jpeg()))
    assert answer.status_code == 403
    assert snapshot(app, report_id) == before
    assert upload_files(app) == files_before


def test_a_file_is_only_served_through_its_own_report(app, api):
    a = make_report(app, Status.IN_PROGRESS, unit=GTVT)
    b = make_report(app, Status.IN_PROGRESS, unit=GTVT)
    stored = api.post("gtvt.xuly", f"/api/v1/report/{a}/attachments",
                      **multipart(file=jpeg())).json["result"][0]
    assert api.get("gtvt.xuly", f"/api/v1/report/{b}/attachments/{stored['id']}").status_code == 404
    assert api.get("gtvt.xuly", f"/api/v1/report/{a}/attachments/999999").status_code == 404


# --- Bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("status, username, action, body, words", [
    (Status.NEW, "trungtam", "reject", {}, "Lý do"),
    (Status.NEW, "trungtam", "reject", {"reason": "   "}, "Lý do"),
    (Status.NEW, "trungtam", "receive", {"source_id": 1}, "Lĩnh vực"),
    (Status.NEW, "trungtam", "receive", {"field_id": 999999, "source_id": 1}, "Lĩnh vực"),
    (Status.NEW, "trungtam", "receive", {"field_id": 1, "source_id": 999999}, "Nguồn"),
    (Status.NEW, "trungtam", "receive", {"field_id": "một", "source_id": 1}, "Lĩnh vực"),
    (Status.RECEIVED, "trungtam", "distribute", {}, "Đơn vị xử lý"),
    (Status.RECEIVED, "trungtam", "distribute", {"unit_id": 999999}, "Đơn vị xử lý"),
    (Status.RECEIVED, "trungtam", "distribute", {"unit_id": True}, "Đơn vị xử lý"),
    (Status.RECEIVED, "trungtam", "distribute", {"unit_id": 1, "follow_unit_ids": 5},
     "Đơn vị theo dõi"),
    (Status.RECEIVED, "trungtam", "distribute", {"unit_id": 1, "follow_unit_ids": [999999]},
     "Đơn vị theo dõi"),
    (Status.ASSIGNED, "gtvt.xuly", "return", {}, "Lý do"),
    (Status.IN_PROGRESS, "gtvt.xuly", "submit", {}, "Nội dung"),
    (Status.IN_PROGRESS, "gtvt.xuly", "submit", {"content": ["không", "phải chuỗi"]}, "Nội dung"),
    (Status.IN_PROGRESS, "gtvt.xuly", "submit", {"content": "x", "status": "approved"},
     "status"),
    (Status.IN_PROGRESS, "gtvt.xuly", "submit", {"content": "x", "version": "mới"}, "version"),
    (Status.PENDING_APPROVAL, "gtvt.lanhdao", "return", {"reason": ""}, "Lý do"),
    (Status.APPROVED, "trungtam", "return", {}, "Lý do"),
    (Status.PUBLISHED, "trungtam", "reopen", {}, "Lý do"),
    (Status.ASSIGNED, "gtvt.xuly", "comment", {}, "Nội dung"),
])
def test_missing_or_invalid_inputs_are_400_and_change_nothing(app, api, status, username, action,
                                                            body, words):
    report_id = make_report(app, status, unit=GTVT)
    before = snapshot(app, report_id)
    response = api.act(username, report_id, action, **body)
    assert response.status_code == 400, response.json
    assert words in response.json["message"]
    assert snapshot(app, report_id) == before


def test_a_body_that_is_not_a_json_object_is_400(app, api):
    report_id = make_report(app, Status.NEW)
    client, headers = api.client("trungtam")
    for data in ("[1, 2]", "not json", '"text"'):
        response = client.post(f"/api/v1/report/{report_id}/actions/reject", data=data,
                               headers={**headers, "Content-Type": "application/json"})
        assert response.status_code == 400 and response.json["message"]


@pytest.mark.parametrize("body, words", [
    ({"content": "x"}, "Tiêu đề"),
    ({"title": "x"}, "Nội dung"),
    ({"title": "x", "content": "y", "status": "published"}, "status"),
    ({"title": "x", "content": "y", "received_at": "05/01/2019"}, "ISO 8601"),
    ({"title": "x", "content": "y", "received_at": "2999-01-01T00:00:00+07:00"}, "tương lai"),
    ({"title": "x", "content": "y", "reporter_email": "khong-phai-email"}, "Email"),
    ({"title": "x", "content": "y", "reporter_phone": "gọi tôi"}, "Điện thoại"),
    ({"title": "x", "content": "y", "latitude": 200}, "Vĩ độ"),
    ({"title": "x", "content": "y", "field_id": 999999}, "Lĩnh vực"),
    ({"title": "x", "content": "y", "source_id": 999999}, "Nguồn"),
    ({"title": "x" * 501, "content": "y"}, "Tiêu đề"),
    ({"title": "x", "content": "y", "confidential": "có lẽ"}, "bí mật"),
])
def test_intake_refuses_bad_input_in_vietnamese(app, api, body, words):
    from app.extensions import db
    from app.models import Report

    with app.app_context():
        count = db.session.execute(select(func.count()).select_from(Report)).scalar_one()
    response = api.post("trungtam", "/api/v1/report/", json=body)
    assert response.status_code == 400, response.json
    assert words in response.json["message"]
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Report)).scalar_one() == count


@pytest.mark.parametrize("username", ["gtvt.xuly", "gtvt.lanhdao", "xd.xuly", "theodoi", "quantri"])
def test_only_the_centre_takes_reports_in(app, api, username):
    response = api.post(username, "/api/v1/report/", json={"title": "x", "content": "y"})
    assert response.status_code == 403


@pytest.mark.parametrize("given, stored", [
    ("2019-01-05T16:52:00+07:00", "2019-01-05T16:52:00+07:00"),
    ("2019-01-05T16:52", "2019-01-05T16:52:00+07:00"),  # no offset: Huế time
    ("2019-01-05T09:52:00Z", "2019-01-05T16:52:00+07:00"),
    ("2019-01-05T03:52:00-06:00", "2019-01-05T16:52:00+07:00"),
])
def test_a_report_taken_earlier_by_phone_keeps_its_time(app, api, given, stored):
    _, _, sources = ids(app)
    response = api.post("trungtam", "/api/v1/report/", json={
        "title": "Phản ánh qua điện thoại", "content": "Gọi lúc chiều.",
        "source_id": sources["Tổng đài"], "received_at": given})
    assert response.status_code == 201, response.json
    assert response.json["result"]["received_at"] == stored
    events = api.get("trungtam", f"/api/v1/report/{response.json['id']}/events").json["result"]
    assert events[-1]["time"] == stored


def test_html_and_script_are_stored_as_typed_and_returned_as_data(app, api):
    title = "<script>alert('xss')</script> Ổ gà & \"nguy hiểm\""
    content = "<img src=x onerror=alert(1)> <b>đậm</b> &amp; {{ 7*7 }}"
    response = api.post("trungtam", "/api/v1/report/", json={
        "title": title, "content": content, "reporter_name": "<i>Tên</i>",
        "location": "<a href='javascript:alert(1)'>đây</a>"})
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    rid = response.json["id"]
    report = api.get("trungtam", f"/api/v1/report/{rid}").json["result"]
    assert (report["title"], report["content"], report["reporter_name"]) == (
        title, content, "<i>Tên</i>")
    comment = "<script>document.location='http://evil'</script>"
    assert api.act("trungtam", rid, "comment", content=comment).status_code == 200
    events = api.get("trungtam", f"/api/v1/report/{rid}/events").json["result"]
    assert events[0]["content"] == comment


# --- List features -----------------------------------------------------------------------------

def test_list_filters_order_paging_and_keyword(app, api):
    _, _, sources = ids(app)
    tag = "Lambda Mu"
    made = [make_report(app, Status.NEW, title=f"Ống nước vỡ {tag} số {i}",
                        content=f"Đường Nguyễn Trãi {tag}, lần {i}.") for i in range(3)]
    made.append(make_report(app, Status.RECEIVED, title=f"Ổ gà đường tránh {tag}"))
    word = "lambda mu"
    page = api.get("trungtam", f"/api/v1/report/?keyword={word}&q=(page_size:2,page:0,"
                               "order_column:id,order_direction:asc)")
    assert page.json["count"] == 4 and page.json["ids"] == made[:2]
    second = api.get("trungtam", f"/api/v1/report/?keyword={word}&q=(page_size:2,page:1,"
                                 "order_column:id,order_direction:asc)")
    assert second.json["ids"] == made[2:]
    # Accents and case do not matter; đ folds to d.
    found = api.get("trungtam", "/api/v1/report/?keyword=O GA DUONG TRANH lambda")
    assert found.json["ids"] == [made[3]]
    found = api.get("trungtam", "/api/v1/report/?keyword=ống nước vỡ LAMBDA")
    assert sorted(found.json["ids"]) == made[:3]
    # FAB filters.
    new = api.get("trungtam", f"/api/v1/report/?keyword={word}"
                              "&q=(filters:!((col:status,opr:eq,value:received)))")
    assert new.json["ids"] == [made[3]]
    by_source = api.get("trungtam", f"/api/v1/report/?keyword={word}&q=(filters:!((col:source_id,"
                                    f"opr:eq,value:{sources['Ứng dụng Hue-S']})))")
    assert by_source.json["ids"] == [made[3]]  # set by "receive"
    # Bad filters and orders are 400; pages are capped at 100 rows.
    assert api.get("trungtam", "/api/v1/report/?q=(filters:!((col:search_text,opr:ct,value:a)))"
                   ).status_code == 400
    assert api.get("trungtam", "/api/v1/report/?q=(order_column:content)").status_code == 400
    assert api.get("trungtam", "/api/v1/report/?q=(columns:!(nope))").status_code == 400
    assert api.get("trungtam", "/api/v1/report/?q=not-rison((").status_code == 400
    big = api.get("trungtam", "/api/v1/report/?q=(page_size:1000)")
    assert big.status_code == 200 and len(big.json["result"]) <= 100
    default = api.get("trungtam", "/api/v1/report/")
    assert len(default.json["result"]) == min(20, default.json["count"])
    times = [r["received_at"] for r in default.json["result"]]
    assert times == sorted(times, reverse=True)  # newest first by default


@pytest.mark.parametrize("q, message", [
    ("(page:x", "Tham số q không đúng cú pháp (rison hoặc JSON)."),
    ("(page:'a')", "Tham số q không hợp lệ: giá trị của “page” sai kiểu hoặc không được phép."),
    ("(order_direction:up)",
     "Tham số q không hợp lệ: giá trị của “order_direction” sai kiểu hoặc không được phép."),
    ("(filters:!((col:nope,opr:eq,value:a)))", "Không lọc được theo cột “nope”."),
    ("(filters:!((col:title,opr:zz,value:a)))", "Phép lọc “zz” không dùng được cho cột “title”."),
    ("(filters:!((col:title,opr:ct,value:!(1,2))))", "Giá trị lọc của cột “title” không hợp lệ."),
    ("(filters:!((col:id,opr:eq,value:abc)))", "Giá trị lọc của cột “id” phải là số nguyên."),
    ("(filters:!((col:received_at,opr:gt,value:hom-qua)))",
     "Giá trị lọc của cột “received_at” phải là ngày giờ dạng YYYY-MM-DDTHH:MM."),
    ("(filters:!((col:confidential,opr:eq,value:co)))",
     "Giá trị lọc của cột “confidential” phải là true hoặc false."),
])
def test_a_bad_q_is_a_400_in_vietnamese_on_both_databases(app, api, q, message):
    answer = api.get("trungtam", f"/api/v1/report/?q={q}")
    assert (answer.status_code, answer.json["message"]) == (400, message)


def test_filter_values_are_taken_in_the_columns_type(app, api):
    made = make_report(app, Status.NEW, title="Cột đèn 4711 nghiêng")
    # A number given to a text filter (a server error before), an id given as text, a time
    # with the offset the API writes.
    for q in ("(filters:!((col:title,opr:ct,value:4711)))",
              f"(filters:!((col:id,opr:eq,value:'{made}')))",
              "(filters:!((col:title,opr:ct,value:4711),"
              "(col:received_at,opr:gt,value:'2020-01-01T07:00:00%2B07:00')))"):
        answer = api.get("trungtam", f"/api/v1/report/?q={q}")
        assert (answer.status_code, answer.json["ids"]) == (200, [made]), q


def test_report_json_carries_the_designed_fields(app, api):
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT, follow=(TTTT,))
    result = api.get("gtvt.xuly", f"/api/v1/report/{report_id}").json["result"]
    for key in ("id", "status", "status_label", "title", "content", "reporter_name",
                "reporter_phone", "reporter_email", "reporter_address", "confidential",
                "location", "latitude", "longitude", "source_id", "field_id", "unit_id",
                "unit_name", "received_at", "deadline", "overdue", "late_return", "result",
                "public_result", "version", "available_actions", "follow_units"):
        assert key in result, key
    assert result["status_label"] == "Chờ xử lý"
    assert result["follow_units"][0]["unit_name"] == TTTT and not result["follow_units"][0]["done"]
    assert set(result["available_actions"]) == {"accept", "return", "comment"}


def test_the_json_is_utf8_text_with_numbers_and_times_as_written(app, api):
    report_id = make_report(app, Status.NEW, title="Đèn đường hỏng ở Kim Long",
                            latitude=16.4637, longitude=107.5909)
    answer = api.get("trungtam", f"/api/v1/report/{report_id}")
    body = answer.get_data(as_text=True)
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert '"title":"Đèn đường hỏng ở Kim Long"' in body  # the letters, not \u escapes
    assert '"latitude":16.4637,"longitude":107.5909' in body
    assert '"status_label":"Chờ tiếp nhận"' in body
    assert re.search(r'"received_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00"', body)


def test_an_action_is_recorded_while_a_long_read_holds_the_sqlite_file(app, api):
    """A streamed export reads for minutes inside one transaction. With SQLite's rollback
    journal no action could commit meanwhile ("database is locked" after five seconds, a 503);
    with its write-ahead log the action goes through and the reader keeps its snapshot."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's locking")
    report_id = make_report(app, Status.NEW)
    with engine.connect() as reader:
        reader.exec_driver_sql("BEGIN")
        before = reader.exec_driver_sql("SELECT count(*) FROM report_event").scalar()
        answer = api.act("trungtam", report_id, "comment", content="Đã liên hệ người phản ánh.")
        assert answer.status_code == 200, answer.json
        assert reader.exec_driver_sql("SELECT count(*) FROM report_event").scalar() == before
        reader.exec_driver_sql("COMMIT")
    log = api.get("trungtam", f"/api/v1/report/{report_id}/events").json["result"]
    assert log[0]["content"] == "Đã liên hệ người phản ánh."


# --- SQL queries per page ----------------------------------------------------------------------

@contextmanager
def counted_queries(app):
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("username", ["trungtam", "gtvt.xuly"])
def test_the_list_costs_the_same_queries_whatever_the_page_size(app, api, username):
    for _ in range(6):  # enough reports of every kind in the unit's scope
        make_report(app, Status.ASSIGNED, unit=GTVT, follow=(TTTT,))
    api.get(username, "/api/v1/report/")  # warm-up: the signed-in user is cached alike
    sizes = {}
    for size in (1, 3, 12):
        with counted_queries(app) as statements:
            response = api.get(username, f"/api/v1/report/?q=(page_size:{size})&keyword=phan anh")
        assert response.status_code == 200 and len(response.json["result"]) == size
        sizes[size] = len(statements)
    assert sizes[1] == sizes[3] == sizes[12], sizes
    with counted_queries(app) as statements:
        api.get(username, f"/api/v1/report/{response.json['ids'][0]}")
    assert len(statements) <= sizes[12]
