"""Data derived from the reports, kept up to date by the application as it changes them.

A bulk load that writes the tables directly (``flask --app app perf generate``, a restore)
calls ``rebuild_all()`` afterwards; the migrations that add derived data fill it the same way.
"""
from __future__ import annotations

from ..extensions import db
from .counters import rebuild_counts
from .search import rebuild_search_index, refill_search_text


def rebuild_all(search_text: bool = False) -> None:
    """Recompute the derived data from the tables, and commit: the counts behind the badges
    and alerts, the SQLite full-text table; with ``search_text`` also both searchable forms of
    every report (``Report.search_text``/``search_accented``: a loader that writes them with
    ``app.models.report.searchable`` needs not)."""
    connection = db.session.connection()
    if search_text:
        refill_search_text(connection)
    rebuild_search_index(connection)
    rebuild_counts(connection)
    db.session.commit()
