"""Running the application for years: health checks, request ids in logs, database outages,
the page cache, backups (``flask --app app backup …``)."""
from . import database, health, logs, page_cache


def init_app(app) -> None:
    logs.init_app(app)
    health.init_app(app)
    database.init_app(app)
    page_cache.init_app(app)
