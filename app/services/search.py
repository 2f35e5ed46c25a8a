"""Keyword search over reports: whole words, accent-free, quoted phrases, typed accents narrow.

Each report keeps two forms of its searchable text (``app.domain.text.search_document``): the
folded words (``Report.search_text``, with the reporter's name and phone digits as marked
words, which only the staff's search looks for) and the accented words
(``Report.search_accented``). The folded words are in a full-text index — PostgreSQL: a GIN
index on the stored ``report.search_vector`` = ``to_tsvector('simple', search_text)`` (migrations
0006b_perfapp, 0013); SQLite: the FTS5
table ``report_search`` kept by triggers — so every word of the query must be a whole word of
the report and a quoted phrase its words in a row. Words or phrases typed with accents must
also appear with those accents (a LIKE on the accented words, checked only on the index's
matches). "123" or "#123" also finds report number 123; a phone number finds its reports.
"""
from __future__ import annotations

from sqlalchemy import and_, bindparam, false, literal_column, or_, select, text, true

from ..domain import tracking
from ..domain.text import REPORTER_MARK, Query, parse_query, unit_word
from ..extensions import db
from ..models import Report
from .derived import rebuilds

FTS_TABLE = "report_search"


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _alternatives(words: list[str], reporter: bool) -> list[list[str]]:
    """The word sequences a term or phrase may match: as typed, and as the reporter's marked
    words when the reporter is searched too."""
    return [words, [REPORTER_MARK + w for w in words]] if reporter else [words]


# PostgreSQL's stored vector of the folded words (not mapped: the database generates it).
SEARCH_VECTOR = literal_column("report.search_vector")


def _postgresql_match(query: Query, reporter: bool, unit_id: int | None, vector):
    def either(words):
        return "(" + " | ".join(" <-> ".join(f"'{w}'" for w in seq)
                                for seq in _alternatives(words, reporter)) + ")"

    tsquery = " & ".join(either([w]) for t in query.terms for w in t.folded)
    tsquery = " & ".join(p for p in [tsquery, *(either(p.folded) for p in query.phrases)] if p)
    if unit_id is not None:
        tsquery += f" & '{unit_word(unit_id)}'"
    return vector.op("@@")(
        text("to_tsquery('simple'::regconfig, :tsquery)").bindparams(tsquery=tsquery))


def _sqlite_match(query: Query, reporter: bool, unit_id: int | None, common: bool):
    def either(words):
        return "(" + " OR ".join('"' + " ".join(seq) + '"'
                                 for seq in _alternatives(words, reporter)) + ")"

    parts = [either([w]) for t in query.terms for w in t.folded]
    parts += [either(p.folded) for p in query.phrases]
    if unit_id is not None:
        parts.append(f'"{unit_word(unit_id)}"')
    matching = select(literal_column("rowid")).select_from(text(FTS_TABLE)).where(
        text(f"{FTS_TABLE} MATCH :fts").bindparams(fts=" AND ".join(parts)))
    # "id + 0" keeps SQLite from looking the matches up one by one and sorting them all: it
    # walks the list's index and checks each report against the matches instead.
    return (Report.id + 0 if common else Report.id).in_(matching)


def keyword_clause(query: str | None, *, reporter: bool = True, unit_id: int | None = None,
                   common: bool = False, vector=SEARCH_VECTOR):
    """SQL condition on ``Report``: the report matches what the person typed. ``reporter``:
    the reporter's name and phone count too (the staff's search, never the public's).
    ``unit_id``: the words are looked for only among the reports of that unit's scope (its
    mark, app/domain/text.py), for the person whose scope it is; the scope's own condition
    still applies, this only lets the index do the narrowing. ``common``: the words are known
    to match more reports than a page walks (SQLite: 150,000 of 200,000 have "đường"; read
    and sorted one by one, 606 ms for a page). ``vector``: PostgreSQL, the words' vector to
    match, when the reports come from a subquery (``queues.list_page``)."""
    parsed = parse_query(query)
    if parsed.marked:  # a word no report has, as typed: like any such word, nothing matches
        return false()
    if not parsed:
        return true()
    clauses = []
    if parsed.terms or parsed.phrases:
        dialect = db.session.get_bind().dialect.name
        clauses.append(_postgresql_match(parsed, reporter, unit_id, vector)
                       if dialect == "postgresql"
                       else _sqlite_match(parsed, reporter, unit_id, common))
        for term in [*parsed.terms, *parsed.phrases]:
            if term.accented:
                clauses.append(Report.search_accented.like(
                    f"% {_escape_like(' '.join(term.accented))} %", escape="\\"))
    alternatives = [and_(*clauses)] if clauses else []
    if parsed.report_id is not None:
        alternatives.append(Report.id == parsed.report_id)
    code = tracking.normalise(query)
    if code is not None:
        alternatives.append(Report.tracking_code == code)
    return or_(*alternatives) if len(alternatives) > 1 else alternatives[0]


# --- The index and the derived columns (migrations, bulk loads) -------------------------------

_SQLITE_INDEX = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='report', "
    "content_rowid='id', tokenize='unicode61')",
    f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON report BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON report BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF search_text ON report BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
]


def create_search_index(connection) -> None:
    if connection.dialect.name == "postgresql":
        # The words' vector is stored, not recomputed per row: a common word that a plan
        # checks row by row (a unit's reports, a state's) costs a lookup, not a to_tsvector.
        connection.execute(text(
            "ALTER TABLE report ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS"
            " AS (to_tsvector('simple'::regconfig, search_text)) STORED"))
        connection.execute(text(
            "CREATE INDEX IF NOT EXISTS ix_report_search_vector ON report "
            "USING gin (search_vector)"))
        return
    for statement in _SQLITE_INDEX:
        connection.execute(text(statement))
    rebuild_search_index(connection)


def drop_search_index(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP INDEX IF EXISTS ix_report_search_fts"))  # before 0013
        connection.execute(text("DROP INDEX IF EXISTS ix_report_search_vector"))
        connection.execute(text("ALTER TABLE report DROP COLUMN IF EXISTS search_vector"))
        return
    for suffix in ("insert", "delete", "update"):
        connection.execute(text(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}"))
    connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


@rebuilds("chỉ mục tìm kiếm theo từ")
def rebuild() -> None:
    """The searchable forms of the reports a bulk load wrote without them (``search_accented``
    empty; a loader that fills both with ``app.models.report.searchable`` leaves none), then
    SQLite's full-text table."""
    connection = db.session.connection()
    refill_search_text(connection, only_missing=True)
    rebuild_search_index(connection)


def rebuild_search_index(connection) -> None:
    """Refill the SQLite full-text table from ``report.search_text`` (PostgreSQL's index
    follows the column by itself)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))


def refill_search_text(connection, batch: int = 5000, only_missing: bool = False) -> None:
    """Recompute both searchable forms of every report (of those without them) from its
    fields and units (the same rule as ``Report.refresh_search_text``), in batches."""
    from ..models.report import ReportUnit, searchable

    table, links = Report.__table__, ReportUnit.__table__
    last = 0
    while True:
        rows = connection.execute(
            select(table.c.id, table.c.title, table.c.content, table.c.location,
                   table.c.reporter_name, table.c.reporter_phone, table.c.confidential)
            .where(table.c.id > last, table.c.search_accented == "" if only_missing else true())
            .order_by(table.c.id).limit(batch)
        ).all()
        if not rows:
            return
        units: dict[int, list[int]] = {}
        for report_id, unit_id in connection.execute(
            select(links.c.report_id, links.c.unit_id)
            .where(links.c.report_id.in_([row.id for row in rows]))
        ):
            units.setdefault(report_id, []).append(unit_id)
        values = []
        for row in rows:
            folded, accented = searchable(row.title, row.content, row.location,
                                          row.reporter_name, row.reporter_phone,
                                          row.confidential, units.get(row.id, ()))
            values.append({"row_id": row.id, "folded": folded, "accented": accented})
        connection.execute(
            table.update().where(table.c.id == bindparam("row_id"))
            .values(search_text=bindparam("folded"), search_accented=bindparam("accented")),
            values)
        last = rows[-1].id
