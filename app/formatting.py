"""How the UI and exports show values: dates as dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh."""
from __future__ import annotations

import datetime as dt

from .domain.calendar import LOCAL_TZ, UTC

DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"


def to_local(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def local_datetime(moment: dt.datetime | None) -> str:
    local = to_local(moment)
    return local.strftime(DATETIME_FORMAT) if local else ""


def local_date(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value)
    return value.strftime(DATE_FORMAT)


# Asia/Ho_Chi_Minh has kept +07:00 since 13/06/1975: a stored (UTC) time since then is written
# with seven hours added, without the zone lookup (a third of the API's 3,000-line log).
_FIXED_SINCE_UTC = dt.datetime(1975, 6, 12, 17)
_SEVEN_HOURS = dt.timedelta(hours=7)


def iso_local(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with the +07:00 offset, for the API."""
    if moment is not None and moment.tzinfo is None and moment >= _FIXED_SINCE_UTC:
        return (moment + _SEVEN_HOURS).isoformat() + "+07:00"
    local = to_local(moment)
    return local.isoformat() if local else None


def yes_no(value: bool | None) -> str:
    return "Có" if value else "Không"


def vi_number(value) -> str:
    """1234 → "1.234"; 97.5 → "97,5"; None → ""."""
    if value is None:
        return ""
    if isinstance(value, float):
        whole, _, decimals = f"{value:,.1f}".partition(".")
        return whole.replace(",", ".") + ("," + decimals if decimals.strip("0") else "")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)
