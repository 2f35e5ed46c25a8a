"""Working days and deadlines (DESIGN §4)."""
import datetime as dt

import pytest

from app.domain import calendar

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    "start, days, due",
    [
        ("2019-02-01", 1, "2019-02-11"),  # Friday before Tết: the holiday week is skipped
        ("2019-01-04", 1, "2019-01-05"),  # the swapped working Saturday counts
        ("2019-02-01", 5, "2019-02-15"),
        ("2019-01-05", 4, "2019-01-10"),  # the letter's window 05/01/2019 – 10/01/2019
        ("2019-04-26", 1, "2019-05-02"),  # 29/4 swapped day off, 30/4 and 1/5 holidays
        ("2019-08-30", 1, "2019-09-03"),  # National Day
    ],
)
def test_due_dates_of_the_design(start, days, due):
    assert calendar.add_working_days(D(start), days) == D(due)


def test_zero_days_is_the_start_day():
    assert calendar.add_working_days(D("2019-01-07"), 0) == D("2019-01-07")


def test_exceptions_override_the_national_calendar():
    # The centre declares Monday 07/01/2019 a day off and Sunday 06/01/2019 a working day.
    exceptions = {D("2019-01-07"): False, D("2019-01-06"): True}
    assert calendar.add_working_days(D("2019-01-05"), 1, exceptions) == D("2019-01-06")
    assert calendar.add_working_days(D("2019-01-05"), 2, exceptions) == D("2019-01-08")


def test_weekends_and_holidays_are_not_working_days():
    assert not calendar.is_working_day(D("2019-01-06"))  # Sunday
    assert not calendar.is_working_day(D("2019-09-02"))  # Quốc khánh
    assert calendar.is_working_day(D("2019-01-07"))


def test_window_ends_at_the_end_of_the_local_day_in_utc():
    # Distributed 05/01/2019 17:33 in Huế (10:33 UTC), 4 working days → end of 10/01/2019 in Huế.
    start = dt.datetime(2019, 1, 5, 10, 33)
    assert calendar.window_end(start, 4) == dt.datetime(2019, 1, 10, 16, 59, 59)


def test_local_date_crosses_midnight():
    # 18:30 UTC is 01:30 the next morning in Huế.
    assert calendar.local_date(dt.datetime(2019, 1, 4, 18, 30)) == D("2019-01-05")


def test_negative_windows_are_refused():
    with pytest.raises(ValueError):
        calendar.add_working_days(D("2019-01-07"), -1)


@pytest.mark.parametrize("stored, written", [
    (dt.datetime(2025, 3, 4, 17, 5, 6), "2025-03-05T00:05:06+07:00"),
    (dt.datetime(2025, 3, 4, 17, 5, 6, 120), "2025-03-05T00:05:06.000120+07:00"),
    (dt.datetime(1960, 1, 1, 0, 0), "1960-01-01T08:00:00+08:00"),  # Saigon's +08:00 then
    (None, None),
])
def test_the_api_writes_stored_utc_times_with_the_local_offset(stored, written):
    from app.formatting import iso_local

    assert iso_local(stored) == written
