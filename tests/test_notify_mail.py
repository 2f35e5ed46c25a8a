"""E-mail through a real SMTP server (aiosmtpd started here): the outbox written with the event,
the worker's delivery, retries while the server is down, never twice, the daily digest."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from report_helpers import GTVT, TTTT, make_report, then
from smtp_server import SmtpServer
from sqlalchemy import delete, func, select

from app.domain.workflow import Action, Status

BASE = "https://phananh.thuathienhue.gov.vn"
GTVT_HANDLER = "gtvt.xuly@demo.phananh.local"
GTVT_LEADER = "gtvt.lanhdao@demo.phananh.local"
TTTT_HANDLER = "tttt.xuly@demo.phananh.local"
CENTRE = "trungtam@demo.phananh.local"


@pytest.fixture
def smtp(app):
    """The SMTP server, the app pointed at it, and an outbox holding only this test's mails."""
    from app.extensions import db
    from app.models import NotificationPreference, OutboxMail

    server = SmtpServer()
    server.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "APP_BASE_URL")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, APP_BASE_URL=BASE)
    with app.app_context():
        db.session.execute(delete(OutboxMail))
        db.session.execute(delete(NotificationPreference))
        db.session.commit()
    yield server
    server.stop()
    app.config.update(saved)
    with app.app_context():
        db.session.execute(delete(NotificationPreference))
        db.session.commit()


def send(app, now=None, **kwargs):
    from app.services.mailer import send_pending

    with app.app_context():
        return send_pending(now=now, **kwargs)


def outbox(app):
    from app.extensions import db
    from app.models import OutboxMail

    with app.app_context():
        rows = db.session.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars().all()
        db.session.expunge_all()
        return rows


def later(seconds: float) -> dt.datetime:
    from app.models.base import utcnow

    return utcnow() + dt.timedelta(seconds=seconds)


def test_a_distributed_report_reaches_its_handlers_mailbox_in_vietnamese(app, smtp):
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT, follow=(TTTT,),
                            title="Ổ gà trên đường Lê Lợi")
    result = send(app)
    assert (result.sent, result.retried, result.failed) == (2, 0, 0)

    [mail] = smtp.to(GTVT_HANDLER)
    assert mail.recipients == [GTVT_HANDLER]
    assert mail.sender == "phananh@localhost"
    assert mail.subject == ("[Phản ánh hiện trường] Phản ánh “Ổ gà trên đường Lê Lợi” được "
                            "phân phối cho Sở Giao thông vận tải xử lý")
    for body in (mail.text, mail.html):
        assert "Ổ gà trên đường Lê Lợi" in body
        assert "Sở Giao thông vận tải" in body
        assert "Thời hạn xử lý" in body
        assert f"{BASE}/phan-anh/{report_id}" in body
        assert "Người Phản Ánh" in body  # not confidential: the unit sees the reporter
    [follow] = smtp.to(TTTT_HANDLER)
    assert "được gửi đến Sở Thông tin và Truyền thông để theo dõi" in follow.subject
    # Nobody else: not the leaders, not the centre who distributed it.
    assert len(smtp.received) == 2
    assert all(row.status == "sent" and row.attempts == 1 for row in outbox(app))
    # A second pass sends nothing again.
    assert send(app).sent == 0 and len(smtp.received) == 2


def test_the_deadline_in_the_mail_is_the_reports_due_date(app, smtp):
    from app.extensions import db
    from app.formatting import local_datetime
    from app.models import Report

    report_id = make_report(app, Status.ASSIGNED, unit=GTVT)
    send(app)
    with app.app_context():
        due = local_datetime(db.session.get(Report, report_id).due_at)
    assert f"Thời hạn xử lý: {due}" in smtp.to(GTVT_HANDLER)[0].text


def test_confidential_reporter_is_anonymous_in_mails_to_units_not_to_the_centre(app, smtp):
    report_id = make_report(app, Status.IN_PROGRESS, unit=GTVT, confidential=True,
                            reporter_name="Trần Bí Mật", title="Phản ánh giữ bí mật")
    then(app, report_id, Action.RETURN, Status.IN_PROGRESS)  # the unit hands it back
    send(app)
    [to_unit] = smtp.to(GTVT_HANDLER)
    assert "Ẩn danh" in to_unit.text and "Ẩn danh" in to_unit.html
    assert "Trần Bí Mật" not in to_unit.text + to_unit.html
    [to_centre] = smtp.to(CENTRE)
    assert "trả lại phản ánh “Phản ánh giữ bí mật”" in to_centre.subject
    assert "Trần Bí Mật" in to_centre.text


def test_mail_server_down_loses_nothing_and_sends_nothing_twice_once_back(app, smtp):
    make_report(app, Status.PENDING_APPROVAL, unit=GTVT)  # distribute → handler, submit → leader
    smtp.stop()
    result = send(app)
    assert result.sent == 0 and result.retried == 2
    rows = outbox(app)
    assert [r.status for r in rows] == ["pending", "pending"]
    assert all("Không kết nối được máy chủ thư" in r.last_error for r in rows)
    # The first retry comes within a minute; before that a pass does nothing.
    from app.models.base import utcnow

    assert all(r.next_attempt_at <= utcnow() + dt.timedelta(minutes=1) for r in rows)
    smtp.start()
    assert send(app).sent == 0
    assert send(app, now=later(61)).sent == 2
    assert sorted(r for m in smtp.received for r in m.recipients) == [GTVT_LEADER, GTVT_HANDLER]
    assert send(app, now=later(3600)).sent == 0
    assert len(smtp.received) == 2
    assert all(r.status == "sent" and r.last_error is None for r in outbox(app))


def test_attempts_are_capped_and_the_reason_kept(app, smtp):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    try:
        make_report(app, Status.ASSIGNED, unit=GTVT)
        smtp.stop()
        moment = later(0)
        for _ in range(3):
            send(app, now=moment)
            moment += dt.timedelta(days=1)
        [row] = outbox(app)
        assert (row.status, row.attempts) == ("failed", 3)
        assert "Không kết nối được máy chủ thư" in row.last_error
        smtp.start()
        assert send(app, now=moment).sent == 0 and smtp.received == []
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 8


def test_a_refused_recipient_fails_at_once_and_the_others_still_go(app, smtp):
    smtp.refused.add(GTVT_HANDLER)
    make_report(app, Status.ASSIGNED, unit=GTVT, follow=(TTTT,))
    result = send(app)
    assert (result.sent, result.failed) == (1, 1)
    failed = [r for r in outbox(app) if r.status == "failed"]
    assert [r.recipient for r in failed] == [GTVT_HANDLER]
    assert "550" in failed[0].last_error
    assert [m.recipients for m in smtp.received] == [[TTTT_HANDLER]]


def test_in_app_only_preference_writes_no_mail(app, smtp):
    from app.extensions import db
    from app.models import Notification
    from app.services.notifications import save_preferences
    from report_helpers import user

    with app.app_context():
        save_preferences(user("gtvt.xuly"), {"assigned": "app"})
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT)
    assert outbox(app) == []
    with app.app_context():
        told = db.session.execute(select(func.count()).select_from(Notification).where(
            Notification.report_id == report_id)).scalar_one()
    assert told == 1  # still in the bell


def test_two_workers_at_once_send_each_mail_once(app, smtp):
    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("two workers at once: the row locking (SKIP LOCKED) is PostgreSQL's")
    for _ in range(8):
        make_report(app, Status.ASSIGNED, unit=GTVT, follow=(TTTT,))
    expected = {r.id for r in outbox(app)}
    assert len(expected) == 16
    results, barrier = [], threading.Barrier(2)

    def worker():
        with app.app_context():
            from app.services.mailer import send_pending

            barrier.wait()
            results.append(send_pending())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.sent for r in results) == 16
    ids = [m.message_id for m in smtp.received]
    assert len(ids) == 16 and len(set(ids)) == 16
    assert {int(i.split("outbox-")[1].split("@")[0].split(".")[0]) for i in ids} == expected


# --- The daily digest -------------------------------------------------------------------------

def _move_due(app, report_id, due: dt.datetime):
    from app.extensions import db
    from app.models import Report
    from sqlalchemy import update

    with app.app_context():
        db.session.execute(update(Report).where(Report.id == report_id).values(due_at=due))
        db.session.commit()


def digest(app, day: dt.date):
    from app.services.mailer import queue_digests

    with app.app_context():
        return queue_digests(day)


def test_digest_tells_due_soon_overdue_and_follow_ups_once_per_person_and_day(app, smtp,
                                                                            quiet_desk):
    from app.domain.calendar import end_of_local_day_utc
    from app.extensions import db
    from app.models import OutboxMail

    day = dt.date(2031, 3, 4)  # a Tuesday: the next working day is Wednesday 05/03/2031
    soon = make_report(app, Status.IN_PROGRESS, unit=GTVT, title="Sắp đến hạn: đèn đường hỏng")
    late = make_report(app, Status.ASSIGNED, unit=GTVT, title="Quá hạn: cây đổ")
    make_report(app, Status.ASSIGNED, unit=XD_UNIT, follow=(TTTT,), title="Theo dõi: ngập nước")
    _move_due(app, soon, end_of_local_day_utc(dt.date(2031, 3, 5)))
    _move_due(app, late, end_of_local_day_utc(dt.date(2031, 3, 3)))
    with app.app_context():
        db.session.execute(delete(OutboxMail))
        db.session.commit()

    first = digest(app, day)
    assert first.queued >= 3  # GTVT handler and leader, TTTT handler (and leader), centre
    send(app)
    [handler] = smtp.to(GTVT_HANDLER)
    assert handler.subject == "[Phản ánh hiện trường] Bản tin ngày 04/03/2031"
    text = handler.text
    assert "Phản ánh sắp đến hạn (trong một ngày làm việc) (1)" in text
    assert "Sắp đến hạn: đèn đường hỏng" in text
    assert "Phản ánh quá hạn chưa xử lý xong (1)" in text and "Quá hạn: cây đổ" in text
    assert "Hạn xử lý: 05/03/2031 23:59" in text
    assert f"{BASE}/phan-anh/{soon}" in handler.html
    [follower] = smtp.to(TTTT_HANDLER)
    assert "Thông tin theo dõi chưa thực hiện (1)" in follower.text
    assert "Theo dõi: ngập nước" in follower.text
    [centre] = smtp.to(CENTRE)
    assert "Quá hạn: cây đổ" in centre.text and "Sắp đến hạn" not in centre.text
    delivered = len(smtp.received)

    # Idempotent: a second run for the same day queues and sends nothing.
    second = digest(app, day)
    assert second.queued == 0 and second.already == first.queued
    assert send(app).sent == 0 and len(smtp.received) == delivered


@pytest.fixture
def quiet_desk(app):
    """For the digest tests: every open report due far later and every follow-up done, so that
    only the test's own reports concern the digest; the other tests' data is put back after."""
    from app.extensions import db
    from app.models import Report, ReportUnit
    from sqlalchemy import update

    with app.app_context():
        due = db.session.execute(select(Report.id, Report.due_at).where(
            Report.due_at.is_not(None))).all()
        follow = db.session.execute(select(ReportUnit.id).where(
            ReportUnit.kind == "follow", ReportUnit.done_at.is_(None))).scalars().all()
        db.session.execute(update(Report).where(Report.due_at.is_not(None))
                           .values(due_at=dt.datetime(2040, 1, 1)))
        db.session.execute(update(ReportUnit).where(ReportUnit.id.in_(follow))
                           .values(done_at=dt.datetime(2030, 1, 1)))
        db.session.commit()
    yield
    with app.app_context():
        for report_id, due_at in due:
            db.session.execute(update(Report).where(Report.id == report_id).values(due_at=due_at))
        db.session.execute(update(ReportUnit).where(ReportUnit.id.in_(follow)).values(done_at=None))
        db.session.commit()


def test_digest_sends_nothing_when_there_is_nothing_to_say(app, smtp, quiet_desk):
    result = digest(app, dt.date(2031, 3, 4))
    assert result.queued == 0 and result.nothing > 0
    assert outbox(app) == [] and send(app).sent == 0 and smtp.received == []


def test_a_kind_chosen_for_the_digest_comes_in_the_next_days_digest_not_at_once(
        app, smtp, quiet_desk):
    from app.domain.calendar import local_date
    from app.models.base import utcnow
    from app.services.notifications import save_preferences
    from report_helpers import user

    with app.app_context():
        save_preferences(user("xd.xuly"), {"assigned": "digest"})
    make_report(app, Status.ASSIGNED, unit=XD_UNIT, title="Vỉa hè bị lấn chiếm")
    assert outbox(app) == []  # not at once
    tomorrow = local_date(utcnow()) + dt.timedelta(days=1)
    digest(app, tomorrow)
    send(app)
    [mail] = smtp.to("xd.xuly@demo.phananh.local")
    assert "Thông báo trong ngày trước (" in mail.text
    assert "Phản ánh “Vỉa hè bị lấn chiếm” được phân phối cho Sở Xây dựng xử lý" in mail.text


def test_notify_commands(app, smtp):
    make_report(app, Status.ASSIGNED, unit=GTVT)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert "Đã gửi 1 thư" in result.output
    assert len(smtp.to(GTVT_HANDLER)) == 1
    result = runner.invoke(args=["notify", "digest", "--date", "2031-03-04"])
    assert result.exit_code == 0 and "Bản tin ngày 04/03/2031" in result.output
    again = runner.invoke(args=["notify", "digest", "--date", "2031-03-04"])
    assert "0 thư mới" in again.output


def test_send_without_a_mail_server_says_so_and_keeps_the_mail(app, smtp):
    make_report(app, Status.ASSIGNED, unit=GTVT)
    app.config["MAIL_SERVER"] = ""
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code != 0
    assert "Chưa cấu hình máy chủ thư (MAIL_SERVER)" in result.output
    assert [r.status for r in outbox(app)] == ["pending"]


XD_UNIT = "Sở Xây dựng"


def test_the_worker_sends_as_mails_arrive_and_stops_on_sigterm(app, smtp):
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "APP_BASE_URL": BASE, "FLASK_APP": "app"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "notify", "worker", "--interval",
                               "0.2"], cwd=os.path.dirname(os.path.dirname(__file__)), env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        make_report(app, Status.ASSIGNED, unit=GTVT, title="Gửi bởi tiến trình gửi thư")
        deadline = time.monotonic() + 60
        while not smtp.to(GTVT_HANDLER) and time.monotonic() < deadline:
            time.sleep(0.2)
        [mail] = smtp.to(GTVT_HANDLER)
        assert "Gửi bởi tiến trình gửi thư" in mail.subject
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert "Đã dừng gửi thư." in output
    assert [r.status for r in outbox(app)] == ["sent"]


def test_the_application_keeps_working_while_the_mail_server_is_down(app, smtp):
    from conftest import login
    from report_helpers import ids
    from web_helpers import act

    smtp.stop()
    report_id = make_report(app, Status.RECEIVED)
    units, _, _ = ids(app)
    response = act(login(app, "trungtam"), report_id, "distribute", unit_id=str(units[GTVT]))
    assert response.status_code == 302
    assert [(r.recipient, r.status) for r in outbox(app)] == [(GTVT_HANDLER, "pending")]


def test_sending_the_mails_leaves_every_persons_kept_pages(app, smtp):
    """The worker's claims and outcomes show on no page (app/ops/data_version.py): they change
    no token a page is kept under, only the mail worker's own."""
    from app.extensions import db
    from app.models import DataVersion

    def tokens():
        with app.app_context():
            return dict(db.session.execute(select(DataVersion.scope, DataVersion.token)).all())

    make_report(app, Status.ASSIGNED, unit=GTVT)
    before = tokens()
    assert send(app).sent == 1  # the unit's handler
    after = tokens()
    assert {k: v for k, v in after.items() if k != "unseen"} == \
        {k: v for k, v in before.items() if k != "unseen"}
    assert after["unseen"] != before.get("unseen")
