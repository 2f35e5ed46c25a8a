"""Keyword search over reports, ignoring Vietnamese accents and case.

Reports keep a folded shadow column (``Report.search_text``, see app.domain.text.fold), so the
same query works on SQLite and PostgreSQL: every folded word of the query must appear in it.
On PostgreSQL a trigram index (migration 0002) serves these ``LIKE '%…%'`` conditions.
"""
from __future__ import annotations

from sqlalchemy import and_, true

from ..domain.text import search_terms
from ..models import Report


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def keyword_clause(query: str | None):
    words = search_terms(query)
    if not words:
        return true()
    return and_(*(Report.search_text.like(f"%{_escape_like(w)}%", escape="\\") for w in words))
