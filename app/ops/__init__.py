"""Running the application for years: health checks, request ids in logs, database outages,
backups (``flask --app app backup …``)."""
from . import database, health, logs


def init_app(app) -> None:
    logs.init_app(app)
    health.init_app(app)
    database.init_app(app)
