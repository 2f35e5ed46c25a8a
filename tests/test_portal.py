"""The public portal /cong-khai/ (DESIGN §10): published results with accent-free search and
paging, a page per tracking code, "Gửi phản ánh", tracking by code + phone, the citizen's
rating once per publication, the spam defences, photos without EXIF, and no reporter data on
any public answer."""
from __future__ import annotations

import io
import json
import re

import pytest
from conftest import csrf_token, login, new_client
from public_helpers import (
    CITIZEN, CITIZEN_PHONE, act, config, drive, exif_of, photo_with_gps, rate, report_id_of,
    submit, submit_form, tracker,
)
from report_helpers import make_report
from sqlalchemy import select

from app.domain.workflow import Action, Status


def _report(app, report_id):
    from app.extensions import db
    from app.models import Report

    with app.app_context():
        report = db.session.get(Report, report_id)
        db.session.expunge(report)
        return report


def _events(app, report_id):
    from app.extensions import db
    from app.models import ReportEvent

    with app.app_context():
        return [(e.action, e.content) for e in db.session.execute(
            select(ReportEvent).where(ReportEvent.report_id == report_id)
            .order_by(ReportEvent.id)).scalars()]


# --- Gửi phản ánh -------------------------------------------------------------------------------

def test_a_citizen_report_waits_for_intake_with_the_portal_source_and_shows_its_code(app):
    code = submit(app, title="Ổ gà trên đường tránh Huế đoạn qua Thủy Phương")
    assert re.fullmatch(r"HUE-[23456789ABCDEFGHJKMNPQRSTWXYZ]{8}", code)
    report = _report(app, report_id_of(app, code))
    assert report.status == "new" and report.status_label == "Chờ tiếp nhận"
    from app.extensions import db
    from app.models import Source

    with app.app_context():
        assert db.session.get(Source, report.source_id).name == "Cổng thông tin tương tác"
    assert report.reporter_name == "Hoàng Thị Kim Chi"
    assert report.reporter_phone == "0905123789"  # national form
    assert report.received_by_id is None
    assert _events(app, report.id)[0][0] == "create"
    # The centre finds it in "Tiếp nhận".
    centre = login(app, "trungtam")
    assert "Ổ gà trên đường tránh Huế đoạn qua Thủy Phương" in centre.get("/phan-anh/tiep-nhan/").text


def test_photos_are_re_encoded_without_their_gps_position(app):
    code = submit(app, photos=[("IMG_0001.JPG", photo_with_gps())])
    from app.extensions import db
    from app.models import Attachment
    from app.services.attachments import path_of

    with app.app_context():
        attachment = db.session.execute(select(Attachment).where(
            Attachment.report_id == report_id_of(app, code))).scalar_one()
        data = open(path_of(attachment), "rb").read()
        assert attachment.content_type == "image/jpeg" and attachment.original_name == "IMG_0001.jpg"
    assert exif_of(photo_with_gps())[1], "the test photo carries a GPS position"
    tags, gps = exif_of(data)
    assert gps == {} and tags == {}


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_created(app):
    from app.extensions import db
    from app.models import Report

    with app.app_context():
        before = db.session.execute(select(Report.id).order_by(Report.id.desc())).first()
    with config(app, PUBLIC_MIN_FILL_SECONDS=0):
        response = submit_form(new_client(app), photos=[("anh.jpg", b"%PDF-1.4 not a picture")])
    assert response.status_code == 400
    assert "không phải ảnh hợp lệ" in response.text
    with app.app_context():
        assert db.session.execute(select(Report.id).order_by(Report.id.desc())).first() == before


@pytest.mark.parametrize("fields, message", [
    ({"title": "x" * 201}, "Trường này không được dài quá 200 ký tự."),
    ({"content": "x" * 5001}, "5000"),
    ({"reporter_phone": "12345"}, "Số điện thoại không hợp lệ"),
    ({"reporter_name": ""}, "Vui lòng nhập họ và tên."),
    ({"location": ""}, "Vui lòng nhập địa điểm."),
])
def test_bad_input_gets_a_vietnamese_message(app, fields, message):
    with config(app, PUBLIC_MIN_FILL_SECONDS=0):
        response = submit_form(new_client(app), **fields)
    assert response.status_code == 400
    assert message in response.text


def test_spam_defences_honeypot_fill_time_photo_count_and_rate_limit(app):
    from app.extensions import db
    from app.models import Report

    def count():
        with app.app_context():
            return db.session.execute(select(Report.id)).all().__len__()

    before = count()
    with config(app, PUBLIC_MIN_FILL_SECONDS=0):
        robot = submit_form(new_client(app), website="http://spam.example")
        assert robot.status_code == 400
        six = submit_form(new_client(app), photos=[(f"{i}.jpg", photo_with_gps()) for i in range(6)])
        assert six.status_code == 400 and "tối đa 5 ảnh" in six.text
    with config(app, PUBLIC_MIN_FILL_SECONDS=60):
        hasty = submit_form(new_client(app))
        assert hasty.status_code == 400 and "quá nhanh" in hasty.text
    with config(app, PUBLIC_MIN_FILL_SECONDS=0):
        forged = submit_form(new_client(app), started="1700000000")  # not signed by the server
        assert forged.status_code == 400
    assert count() == before

    # Per address: 5 reports a minute, the 6th is refused (another address is not).
    client = new_client(app)
    with config(app, PUBLIC_MIN_FILL_SECONDS=0):
        answers = [submit_form(client, title=f"Phản ánh số {i}").status_code for i in range(6)]
        assert answers == [302] * 5 + [429]
        assert "Quá nhiều yêu cầu" in submit_form(client).text
        assert submit_form(new_client(app)).status_code == 302
    assert count() == before + 6


# --- Published results --------------------------------------------------------------------------

def test_published_results_accent_free_search_and_paging(app):
    ids_ = [make_report(app, Status.PUBLISHED, title=f"Đèn chiếu sáng hỏng trên đường Đống Đa số {i}")
            for i in range(12)]
    hidden = make_report(app, Status.APPROVED, title="Đèn chiếu sáng hỏng đường Đống Đa chưa đăng")
    client = new_client(app)
    page = client.get("/cong-khai/?tu_khoa=den chieu sang hong duong dong da")
    assert page.status_code == 200
    assert "Tìm thấy 12 kết quả" in page.text
    assert page.text.count('class="panel panel-default portal-result"') == 10
    assert "chưa đăng" not in page.text
    second = client.get("/cong-khai/?tu_khoa=den chieu sang hong duong dong da&trang=2").text
    assert second.count('class="panel panel-default portal-result"') == 2
    codes = re.findall(r'data-code="([^"]+)"', page.text + second)
    assert len(set(codes)) == 12
    # Never the database id: links go by tracking code.
    assert f"/cong-khai/ket-qua/{_report(app, ids_[0]).tracking_code}" in page.text + second
    assert not re.search(r"/cong-khai/ket-qua/\d+\b", page.text)
    assert client.get(f"/cong-khai/ket-qua/{_report(app, hidden).tracking_code}").status_code == 404
    assert client.get(f"/cong-khai/ket-qua/{ids_[0]}").status_code == 404


def test_a_result_page_shows_the_public_result_and_photos_without_metadata(app):
    code = submit(app)
    report_id = report_id_of(app, code)
    drive(app, report_id, Status.PUBLISHED,
          files_for={Action.SUBMIT: [("sau-xu-ly.jpg", photo_with_gps((20, 160, 40)))]})
    client = new_client(app)
    page = client.get(f"/cong-khai/ket-qua/{code}")
    assert page.status_code == 200
    assert "Nội dung thử nghiệm" in page.text  # the published result
    assert "Sở Giao thông vận tải" in page.text and "Giao thông" in page.text
    photo_url = re.search(r'<img src="([^"]+)"', page.text).group(1)
    assert f"/cong-khai/ket-qua/{code}/anh/" in photo_url
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert exif_of(photo.data) == ({}, {})
    # The citizen's own photo of the report is not a result photo: not public.
    assert client.get(f"/cong-khai/ket-qua/{code}/anh/khong-co.jpg").status_code == 404


# --- Tracking and rating ------------------------------------------------------------------------

def test_tracking_needs_the_code_and_the_reporters_phone(app):
    code = submit(app)
    client = new_client(app)
    page = client.get("/cong-khai/tra-cuu")
    wrong = client.post("/cong-khai/tra-cuu", data={
        "csrf_token": csrf_token(page.text), "code": code, "phone": "0911111111"})
    unknown = client.post("/cong-khai/tra-cuu", data={
        "csrf_token": csrf_token(page.text), "code": "HUE-22222222", "phone": CITIZEN_PHONE})
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Mã phản ánh hoặc số điện thoại không đúng." in response.text
    assert client.get(f"/cong-khai/tra-cuu/{code}").status_code == 302  # not proved: back to the form
    # Typed loosely: lower case, spaces, the phone with +84.
    citizen = tracker(app, code.lower().replace("-", " "), "+84 905 123 789")
    status = citizen.get(f"/cong-khai/tra-cuu/{code}")
    assert status.status_code == 200
    assert "Chờ tiếp nhận" in status.text and "Đánh giá kết quả" not in status.text


def test_the_citizen_rates_once_per_publication_and_again_after_republishing(app):
    code = submit(app)
    report_id = report_id_of(app, code)
    citizen = tracker(app, code)
    assert rate(citizen, code, "satisfied").status_code == 409  # not yet published
    drive(app, report_id, Status.PUBLISHED)
    page = citizen.get(f"/cong-khai/tra-cuu/{code}").text
    assert "Đã đăng tải" in page and "Nội dung thử nghiệm" in page and "Gửi đánh giá" in page

    assert rate(citizen, code, "not_satisfied", "Cây vẫn chưa được dọn hết.").status_code == 302
    again = rate(tracker(app, code), code, "satisfied")
    assert again.status_code == 409 and "Bạn đã đánh giá kết quả lần đăng tải này." in again.text
    assert rate(citizen, code, "tuyet-voi").status_code == 400
    log = _events(app, report_id)
    assert log[-1] == ("feedback", "Không hài lòng: Cây vẫn chưa được dọn hết.")
    assert [a for a, _ in log].count("feedback") == 1

    # Reopened, handled again and republished: a new publication may be rated.
    act(app, report_id, Action.REOPEN, reason="Người dân chưa hài lòng")
    for action, username, inputs in [
        (Action.DISTRIBUTE, "trungtam", {"unit_id": _unit_id(app, "Sở Giao thông vận tải")}),
        (Action.ACCEPT, "gtvt.xuly", {}), (Action.SUBMIT, "gtvt.xuly", {"content": "Đã dọn hết."}),
        (Action.APPROVE, "gtvt.lanhdao", {}), (Action.PUBLISH, "trungtam", {}),
    ]:
        act(app, report_id, action, username, **inputs)
    assert rate(citizen, code, "satisfied").status_code == 302
    page = citizen.get(f"/cong-khai/tra-cuu/{code}").text
    assert "Bạn đã đánh giá: <strong>Hài lòng</strong>" in page
    from app.extensions import db
    from app.models import Feedback

    with app.app_context():
        ratings = db.session.execute(select(Feedback.rating).where(
            Feedback.report_id == report_id).order_by(Feedback.id)).scalars().all()
    assert ratings == ["not_satisfied", "satisfied"]


def _unit_id(app, name):
    from report_helpers import ids

    return ids(app)[0][name]


# --- No reporter data on any public surface ---------------------------------------------------

def test_no_reporter_data_on_any_public_answer(app):
    """A report sent with a known name, phone and e-mail, driven to published and rated: every
    public page and Open311 answer, in every format, is searched for them."""
    secret = {"reporter_name": "Tôn Nữ Bích Diệp", "reporter_phone": "0914 222 333",
              "reporter_email": "bich.diep.ton@example.vn"}
    needles = ["Tôn Nữ Bích Diệp", "Bích Diệp", "0914222333", "0914 222 333", "914222333",
               "bich.diep.ton", "Ton Nu Bich Diep"]
    code = submit(app, title="Nắp cống vỡ trước trường Quốc Học", **secret)
    report_id = report_id_of(app, code)
    drive(app, report_id, Status.PUBLISHED,
          files_for={Action.SUBMIT: [("kq.jpg", photo_with_gps())]})
    citizen = tracker(app, code, "0914222333")
    assert rate(citizen, code, "acceptable", "Tạm được").status_code == 302
    act(app, report_id, Action.REPLY, content="Cảm ơn ý kiến của bạn.")

    anyone = new_client(app)
    answers = {}
    for url in ["/cong-khai/", "/cong-khai/?tu_khoa=nap cong vo truoc truong quoc hoc",
                f"/cong-khai/ket-qua/{code}", f"/cong-khai/tra-cuu?ma={code}",
                "/open311/v2/discovery.json", "/open311/v2/services.json",
                "/open311/v2/requests.json", "/open311/v2/requests.xml",
                f"/open311/v2/requests.json?service_request_id={code}",
                f"/open311/v2/requests/{code}.json", f"/open311/v2/requests/{code}.xml"]:
        response = anyone.get(url)
        assert response.status_code == 200, url
        answers[url] = response.get_data(as_text=True)
    tracking = citizen.get(f"/cong-khai/tra-cuu/{code}")
    answers["tracking"] = tracking.text
    assert "Cảm ơn ý kiến của bạn." in tracking.text  # the centre's reply reaches the citizen
    assert code in answers[f"/open311/v2/requests/{code}.json"]
    for url, text in answers.items():
        decoded = json.loads(text) if url.endswith(".json") or ".json?" in url else text
        flat = json.dumps(decoded, ensure_ascii=False) if not isinstance(decoded, str) else decoded
        for needle in needles:
            assert needle not in flat, (needle, url)
    for url in (f"/open311/v2/requests/{code}.json", "/open311/v2/requests.json"):
        assert all("id" not in item for item in json.loads(answers[url]))


def test_the_portal_search_does_not_find_a_report_by_its_reporter(app):
    # The staff search by the reporter's name or phone; the public must not learn who reported.
    code = submit(app, title="Biển báo ngã trước chợ An Cựu", reporter_name="Hồ Thị Lý Thanh",
                  reporter_phone="0914 777 555")
    report_id = report_id_of(app, code)
    drive(app, report_id, Status.PUBLISHED)
    anyone = new_client(app)
    assert code in anyone.get("/cong-khai/?tu_khoa=bien bao nga cho an cuu").text
    # Nor by the marked words the index keeps them as ("zq" + the word), typed by hand.
    for keyword in ("Hồ Thị Lý Thanh", "ho thi ly thanh", "Lý Thanh", "0914777555",
                    "bien bao ly thanh", "zqthanh", "bien bao zqly", "zq0914777555"):
        assert code not in anyone.get("/cong-khai/", query_string={"tu_khoa": keyword}).text, \
            keyword
    staff = login(app, "trungtam")
    for keyword in ("ho thi ly thanh", "0914777555", "bien bao ly thanh"):
        page = staff.get("/phan-anh/tat-ca/", query_string={"tab": "tat-ca", "tu_khoa": keyword})
        assert "Biển báo ngã trước chợ An Cựu" in page.text, keyword
