"""Working-day arithmetic with the centre's exceptions from the database."""
from __future__ import annotations

import datetime as dt

from ..domain import calendar
from ..extensions import db
from ..models import WorkdayException


def exceptions() -> dict[dt.date, bool]:
    rows = db.session.query(WorkdayException.day, WorkdayException.is_working_day).all()
    return {day: working for day, working in rows}


def due_date(start: dt.date, days: int) -> dt.date:
    return calendar.add_working_days(start, days, exceptions())


def window_end(start: dt.datetime, days: int) -> dt.datetime:
    return calendar.window_end(start, days, exceptions())
