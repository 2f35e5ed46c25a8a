"""Working-day arithmetic with the centre's exceptions from the database."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar

from ..domain import calendar
from ..extensions import db
from ..models import WorkdayException


# Set inside ``cached_exceptions()``: the table read once for a whole batch of actions.
_cached: ContextVar[dict[dt.date, bool] | None] = ContextVar("workday_exceptions", default=None)


def exceptions() -> dict[dt.date, bool]:
    cached = _cached.get()
    if cached is not None:
        return cached
    rows = db.session.query(WorkdayException.day, WorkdayException.is_working_day).all()
    return {day: working for day, working in rows}


@contextmanager
def cached_exceptions():
    """Within the block, the exceptions are read once (a bulk action over many reports)."""
    token = _cached.set(exceptions())
    try:
        yield
    finally:
        _cached.reset(token)


def due_date(start: dt.date, days: int) -> dt.date:
    return calendar.add_working_days(start, days, exceptions())


def window_end(start: dt.datetime, days: int) -> dt.datetime:
    return calendar.window_end(start, days, exceptions())
