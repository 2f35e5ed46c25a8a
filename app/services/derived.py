"""Data derived from the reports, kept up to date by the application as it changes them.

A bulk load that writes the tables directly (``flask --app app perf generate``, a restore)
calls ``rebuild_all()`` afterwards; the migrations that add derived data fill it the same way.
"""
from __future__ import annotations

from ..extensions import db
from .counters import rebuild_counts


def rebuild_all() -> None:
    """Recompute every piece of derived data from the tables, and commit."""
    connection = db.session.connection()
    rebuild_counts(connection)
    db.session.commit()
