"""The centre's queue "Phản ánh có tương tác" (DESIGN §10): published reports the citizen rated,
tabs "Chờ phản hồi / Đã phản hồi", the menu badge, "Không hài lòng" first; from it the centre
replies (a log line the citizen reads on the tracking page) or reopens the report with the
rating as reason."""
from __future__ import annotations

import re

from conftest import csrf_token, login
from public_helpers import drive, rate, report_id_of, submit, tracker
from sqlalchemy import func, select
from web_helpers import menu_badges, text_of

from app.domain.workflow import Status

QUEUE = "/phan-anh/tuong-tac/"


def _rated(app, title, rating, comment=""):
    code = submit(app, title=title)
    report_id = report_id_of(app, code)
    drive(app, report_id, Status.PUBLISHED)
    assert rate(tracker(app, code), code, rating, comment).status_code == 302
    return code, report_id


def _waiting_counts(app):
    from app.extensions import db
    from app.models import Feedback

    with app.app_context():
        waiting = db.session.execute(select(func.count()).select_from(Feedback)
                                     .where(Feedback.answered_at.is_(None))).scalar_one()
        total = db.session.execute(select(func.count()).select_from(Feedback)).scalar_one()
    return waiting, total


def _rows(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    return [text_of(row) for row in re.findall(r"<tr class=\"report-row.*?</tr>", body, re.S)]


def test_the_queue_lists_ratings_dissatisfied_first_with_its_badge(app):
    _rated(app, "Vỉa hè Nguyễn Huệ bị lấn chiếm", "satisfied")
    _rated(app, "Đèn đường Lý Thường Kiệt tắt", "not_satisfied", "Đèn vẫn tắt mỗi tối.")
    _rated(app, "Rác ở chợ An Cựu", "acceptable")
    centre = login(app, "trungtam")
    page = centre.get(QUEUE)
    assert page.status_code == 200
    assert "Phản ánh có tương tác" in page.text
    assert "Chờ phản hồi" in page.text and "Đã phản hồi" in page.text
    waiting, total = _waiting_counts(app)
    assert menu_badges(page.text)["Phản ánh có tương tác"][:2] == (waiting, total)
    rows = _rows(page.text)
    assert "Đèn đường Lý Thường Kiệt tắt" in rows[0] and "Không hài lòng" in rows[0]
    assert "Đèn vẫn tắt mỗi tối." in rows[0]
    dissatisfied = ["Không hài lòng" in row for row in rows]
    assert dissatisfied == sorted(dissatisfied, reverse=True)


def test_reply_reaches_the_citizen_and_moves_the_rating_to_answered(app):
    code, report_id = _rated(app, "Cây đổ ở Kim Long", "acceptable", "Xử lý hơi chậm.")
    centre = login(app, "trungtam")
    page = centre.get(QUEUE).text
    before = menu_badges(page)["Phản ánh có tương tác"]
    url = re.search(r'action="(/phan-anh/tuong-tac/\d+/tra-loi)"',
                    page.split("Cây đổ ở Kim Long", 1)[1]).group(1)
    empty = centre.post(url, data={"csrf_token": csrf_token(page), "content": " "})
    assert empty.status_code == 302
    assert "Vui lòng nhập: Nội dung." in centre.get(QUEUE).text
    response = centre.post(url, data={"csrf_token": csrf_token(page),
                                      "content": "Trung tâm đã nhắc đơn vị xử lý nhanh hơn."})
    assert response.status_code == 302
    after_page = centre.get(QUEUE).text
    after = menu_badges(after_page)["Phản ánh có tương tác"]
    assert (after[0], after[1]) == (before[0] - 1, before[1])
    assert "Cây đổ ở Kim Long" not in after_page.split("<tbody>")[1]
    answered = centre.get(QUEUE + "?tab=da").text
    assert "Cây đổ ở Kim Long" in answered and "Đã trả lời" in answered
    tracking = tracker(app, code).get(f"/cong-khai/tra-cuu/{code}").text
    assert "Trả lời của Trung tâm" in tracking
    assert "Trung tâm đã nhắc đơn vị xử lý nhanh hơn." in tracking
    # In the exchange log too, as the action "Trả lời người dân".
    log = centre.get(f"/phan-anh/{report_id}?tab=nhat-ky").text
    assert "Trả lời người dân" in log


def test_reopen_takes_the_rating_as_reason(app):
    code, report_id = _rated(app, "Nước ngập đường Bà Triệu", "not_satisfied", "Vẫn ngập khi mưa.")
    centre = login(app, "trungtam")
    page = centre.get(QUEUE).text
    url = re.search(r'action="(/phan-anh/tuong-tac/\d+/mo-lai)"', page.split("Nước ngập đường Bà Triệu", 1)[1]).group(1)
    assert centre.post(url, data={"csrf_token": csrf_token(page)}).status_code == 302
    from app.extensions import db
    from app.models import Feedback, Report, ReportEvent

    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.status == "received"
        event = db.session.execute(select(ReportEvent).where(ReportEvent.report_id == report_id)
                                   .order_by(ReportEvent.id.desc())).scalars().first()
        assert event.action == "reopen"
        assert event.content == "Người phản ánh đánh giá “Không hài lòng”: Vẫn ngập khi mưa."
        feedback = db.session.execute(select(Feedback).where(Feedback.report_id == report_id)).scalar_one()
        assert (feedback.answer, feedback.answer_event_id) == ("reopen", event.id)
    answered = centre.get(QUEUE + "?tab=da").text
    assert "Đã mở lại phản ánh" in answered
    assert "Phản ánh được mở lại để xử lý tiếp" in tracker(app, code).get(f"/cong-khai/tra-cuu/{code}").text
    # The centre finds it again in "Phân phối".
    assert "Nước ngập đường Bà Triệu" in centre.get("/phan-anh/phan-phoi/").text
    # The badge (kept counts) still equals the ratings counted one by one.
    waiting, total = _waiting_counts(app)
    assert menu_badges(centre.get(QUEUE).text)["Phản ánh có tương tác"][:2] == (waiting, total)


def test_only_the_centre_has_the_queue_and_its_answers(app):
    _, report_id = _rated(app, "Biển quảng cáo sắp đổ", "not_satisfied")
    from app.extensions import db
    from app.models import Feedback

    with app.app_context():
        feedback_id = db.session.execute(select(Feedback.id).where(
            Feedback.report_id == report_id)).scalar_one()
    for username in ("gtvt.xuly", "gtvt.lanhdao", "theodoi"):
        client = login(app, username)
        home = client.get("/phan-anh/tat-ca/").text
        assert "Phản ánh có tương tác" not in menu_badges(home)
        assert client.get(QUEUE).status_code in (302, 403)
        token = csrf_token(client.get("/cong-khai/tra-cuu").text)
        client.post(f"/phan-anh/tuong-tac/{feedback_id}/mo-lai", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Feedback, feedback_id).answered_at is None
