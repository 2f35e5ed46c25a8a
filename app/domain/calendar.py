"""Working days in Vietnam and the deadlines built on them (DESIGN §4).

A window of N working days from day D ends at the end of the Nth working day after D.
Public holidays, the government's swapped days off and swapped working Saturdays come from the
``holidays`` package; the centre's exceptions (a date that is, or is not, a working day) win.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.timezone.utc

# Windows of the letter: a unit may hand a report back within 1 working day of distribution;
# the centre takes in a new report within 1 working day of its arrival.
RETURN_WINDOW_DAYS = 1
INTAKE_WINDOW_DAYS = 1
DEFAULT_HANDLING_DAYS = 5


@lru_cache(maxsize=64)
def _vietnam_calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")


def public_holiday_name(day: dt.date) -> str | None:
    return _vietnam_calendar(day.year).get(day)


def is_working_day(day: dt.date, exceptions: Mapping[dt.date, bool] | None = None) -> bool:
    if exceptions and day in exceptions:
        return exceptions[day]
    return _vietnam_calendar(day.year).is_working_day(day)


def add_working_days(
    start: dt.date, days: int, exceptions: Mapping[dt.date, bool] | None = None
) -> dt.date:
    """The Nth working day after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, exceptions):
            counted += 1
    return day


def local_date(moment: dt.datetime) -> dt.date:
    """The date in Huế of a UTC moment (naive datetimes are taken as UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def end_of_local_day_utc(day: dt.date) -> dt.datetime:
    """The last instant of ``day`` in Huế, as a naive UTC datetime (how the database stores time)."""
    local_end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LOCAL_TZ)
    return local_end.astimezone(UTC).replace(tzinfo=None)


def window_end(
    start: dt.datetime, days: int, exceptions: Mapping[dt.date, bool] | None = None
) -> dt.datetime:
    """End (naive UTC) of a window of ``days`` working days starting at the UTC moment ``start``."""
    return end_of_local_day_utc(add_working_days(local_date(start), days, exceptions))
