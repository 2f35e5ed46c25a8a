"""Jinja filters shared by every template."""
from .formatting import local_date, local_datetime


def init_app(app) -> None:
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
