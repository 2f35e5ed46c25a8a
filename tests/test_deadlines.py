"""Deadlines (DESIGN §4) as the workflow applies them: the handling and return windows set at
distribution, the late return flag, and "overdue". Known dates are reached by backdating the
distribution in the database (as a data import would) and checking what the service and the
API make of it; the working-day arithmetic itself is app.domain.calendar's."""
from __future__ import annotations

import datetime as dt

import pytest
from report_helpers import GTVT, Status, api, ids, make_report, then  # noqa: F401
from sqlalchemy import select, update

from app.domain import calendar
from app.domain.workflow import Action

HUE = calendar.LOCAL_TZ


def utc(day: str, time: str = "09:00") -> dt.datetime:
    """dd/mm/yyyy HH:MM in Huế → naive UTC."""
    local = dt.datetime.strptime(f"{day} {time}", "%d/%m/%Y %H:%M").replace(tzinfo=HUE)
    return local.astimezone(calendar.UTC).replace(tzinfo=None)


def end_of(day: str) -> dt.datetime:
    return utc(day, "23:59") + dt.timedelta(seconds=59)


@pytest.mark.parametrize("distributed, days, due", [
    (("01/02/2019", "09:00"), 1, "11/02/2019"),  # Tết: the return window of a Friday
    (("04/01/2019", "15:00"), 1, "05/01/2019"),  # a swapped working Saturday
    (("01/02/2019", "09:00"), 5, "15/02/2019"),  # the default handling time
    (("05/01/2019", "17:33"), 4, "10/01/2019"),  # the letter's window 05/01/2019 – 10/01/2019
    (("04/01/2019", "23:30"), 1, "05/01/2019"),  # late evening: still the 4th in Huế
    (("05/01/2019", "00:30"), 1, "07/01/2019"),  # just after midnight in Huế (4th in UTC)
])
def test_the_design_windows_from_a_distribution_moment(distributed, days, due):
    assert calendar.window_end(utc(*distributed), days) == end_of(due)


def _backdate_distribution(app, report_id, moment):
    """Move a distribution back to ``moment``, windows recomputed as the service computes them."""
    from app.extensions import db
    from app.models import Report
    from app.services import calendar as calendar_service

    with app.app_context():
        report = db.session.get(Report, report_id)
        days = report.field.handling_days
        db.session.execute(update(Report.__table__).where(Report.__table__.c.id == report_id).values(
            distributed_at=moment, due_at=calendar_service.window_end(moment, days),
            return_due_at=calendar_service.window_end(moment, calendar.RETURN_WINDOW_DAYS)))
        db.session.commit()


def test_distribution_sets_the_handling_and_return_windows(app, api):
    from app.extensions import db
    from app.models import Field, Report
    from app.services import calendar as calendar_service

    units, fields, _ = ids(app)
    report_id = make_report(app, Status.RECEIVED)
    answer = api.act("trungtam", report_id, "distribute", unit_id=units[GTVT])
    assert answer.status_code == 200
    with app.app_context():
        report = db.session.get(Report, report_id)
        handling = db.session.get(Field, fields["Giao thông"]).handling_days
        assert handling == 5
        start = report.distributed_at
        assert report.due_at == calendar_service.window_end(start, handling)
        assert report.return_due_at == calendar_service.window_end(start, 1)
        # The windows end at the end of a working day in Huế.
        local_due = report.due_at.replace(tzinfo=calendar.UTC).astimezone(HUE)
        assert (local_due.hour, local_due.minute, local_due.second) == (23, 59, 59)
        assert calendar.is_working_day(local_due.date())
        working = [d for d in (calendar.local_date(start) + dt.timedelta(n) for n in range(1, 30))
                   if calendar.is_working_day(d, calendar_service.exceptions())]
        assert local_due.date() == working[handling - 1]
    result = answer.json["result"]
    assert result["deadline"].endswith("T23:59:59+07:00")
    assert result["deadline"][:10] == local_due.date().isoformat()
    assert result["return_deadline"][:10] == working[0].isoformat()
    assert result["overdue"] is False


def test_the_fields_handling_time_and_the_centres_exceptions_count(app, api):
    """A field of 10 working days, and a week the centre declares off (an exception)."""
    from app.extensions import db
    from app.models import Report, WorkdayException

    units, fields, sources = ids(app)
    report_id = make_report(app, Status.NEW)
    api.act("trungtam", report_id, "receive", field_id=fields["Tài nguyên, đất đai"],
            source_id=sources["Tổng đài"])
    with app.app_context():
        today = calendar.local_date(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        off = [today + dt.timedelta(days=n) for n in range(1, 8)]
        for day in off:
            db.session.add(WorkdayException(day=day, is_working_day=False, note="Thử nghiệm"))
        db.session.commit()
    try:
        assert api.act("trungtam", report_id, "distribute", unit_id=units[GTVT]).status_code == 200
        with app.app_context():
            report = db.session.get(Report, report_id)
            due = calendar.local_date(report.due_at)
            exceptions = {day: False for day in off}
            assert due == calendar.add_working_days(today, 10, exceptions)
            assert due > calendar.add_working_days(today, 10)  # the week off pushed it back
            assert calendar.local_date(report.return_due_at) > off[-1]
    finally:
        with app.app_context():
            db.session.query(WorkdayException).filter(
                WorkdayException.day.in_(off), WorkdayException.note == "Thử nghiệm"
            ).delete(synchronize_session=False)
            db.session.commit()


def test_a_return_after_the_window_is_flagged_late_and_still_allowed(app, api):
    report_id = make_report(app, Status.IN_PROGRESS, unit=GTVT)
    _backdate_distribution(app, report_id, utc("01/02/2019", "09:00"))
    seen = api.get("gtvt.xuly", f"/api/v1/report/{report_id}").json["result"]
    assert seen["return_deadline"] == "2019-02-11T23:59:59+07:00"
    assert seen["deadline"] == "2019-02-15T23:59:59+07:00"
    assert seen["overdue"] is True  # in progress, past its due date
    answer = api.act("gtvt.xuly", report_id, "return", reason="Không thuộc thẩm quyền")
    assert answer.status_code == 200
    assert answer.json["result"]["late_return"] is True
    assert answer.json["result"]["overdue"] is False  # back at the centre
    events = api.get("trungtam", f"/api/v1/report/{report_id}/events").json["result"]
    assert events[0]["action"] == "return" and events[0]["late"] is True


def test_a_return_within_the_window_is_not_late(app, api):
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT)
    answer = api.act("gtvt.xuly", report_id, "return", reason="Không thuộc thẩm quyền")
    assert answer.status_code == 200 and answer.json["result"]["late_return"] is False
    events = api.get("trungtam", f"/api/v1/report/{report_id}/events").json["result"]
    assert events[0]["late"] is False


@pytest.mark.parametrize("status, overdue", [
    (Status.ASSIGNED, True), (Status.IN_PROGRESS, True), (Status.PENDING_APPROVAL, True),
    (Status.APPROVED, False), (Status.PUBLISHED, False),
])
def test_overdue_means_still_at_the_unit_after_the_due_date(app, api, status, overdue):
    from app.extensions import db
    from app.models import Report
    from app.services.workflow import overdue_clause

    report_id = make_report(app, status, unit=GTVT)
    assert api.get("trungtam", f"/api/v1/report/{report_id}").json["result"]["overdue"] is False
    _backdate_distribution(app, report_id, utc("01/02/2019", "09:00"))
    assert api.get("trungtam", f"/api/v1/report/{report_id}").json["result"]["overdue"] is overdue
    with app.app_context():  # the SQL condition the queues and alerts use agrees
        found = db.session.execute(
            select(Report.id).where(Report.id == report_id, overdue_clause())
        ).scalar_one_or_none()
        assert (found is not None) is overdue


def test_a_leader_return_keeps_the_due_date(app, api):
    report_id = make_report(app, Status.PENDING_APPROVAL, unit=GTVT)
    before = api.get("gtvt.lanhdao", f"/api/v1/report/{report_id}").json["result"]["deadline"]
    then(app, report_id, Action.RETURN, Status.PENDING_APPROVAL, unit=GTVT)
    after = api.get("gtvt.lanhdao", f"/api/v1/report/{report_id}").json["result"]
    assert after["status"] == "in_progress" and after["deadline"] == before
