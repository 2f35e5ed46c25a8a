"""Jinja filters shared by every template."""
from .formatting import local_date, local_datetime, vi_number


def _none_as_blank(value):
    # FAB's list and show pages print a missing value (a field without default unit, a user
    # without unit) as Python's "None": English on a Vietnamese page. Show nothing instead.
    return "" if value is None else value


def init_app(app) -> None:
    app.jinja_env.finalize = _none_as_blank
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["vi_number"] = vi_number
