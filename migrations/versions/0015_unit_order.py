"""a unit's reports in the lists' order, and a unit's searches narrowed by the index:
- report_unit.received_at (the report's, copied, kept by a trigger) under
  ix_report_unit_received (unit_id, received_at, report_id): the REST list of a unit's scope
  reads any page along that index, where it sorted the unit's reports on every request (170 ms
  for a page of a 155,000-report unit at 1,000,000 reports);
- the units of a report's scope become marked words of report.search_text ("zu12"), so that a
  unit's keyword search gets its few matches straight from the full-text index instead of
  reading every match of the province to keep those of its scope

Revision ID: 0015_unit_order
Revises: 0014_read_indexes
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "0015_unit_order"
down_revision = "0014_read_indexes"
branch_labels = None
depends_on = None


# The copy follows the report whatever writes it (the app sets received_at at intake only;
# a correction by hand, an import or a test's backdating must not leave the links behind).
FOLLOW_SQL = {
    "postgresql": [
        "CREATE FUNCTION report_unit_received_at() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN UPDATE report_unit SET received_at = NEW.received_at "
        "WHERE report_id = NEW.id; RETURN NULL; END $$",
        "CREATE TRIGGER report_received_at AFTER UPDATE OF received_at ON report FOR EACH ROW "
        "WHEN (OLD.received_at IS DISTINCT FROM NEW.received_at) "
        "EXECUTE FUNCTION report_unit_received_at()",
    ],
    "sqlite": [
        "CREATE TRIGGER report_received_at AFTER UPDATE OF received_at ON report "
        "WHEN OLD.received_at IS NOT NEW.received_at BEGIN "
        "UPDATE report_unit SET received_at = NEW.received_at WHERE report_id = NEW.id; END",
    ],
}
UNFOLLOW_SQL = {
    "postgresql": ["DROP TRIGGER IF EXISTS report_received_at ON report",
                   "DROP FUNCTION IF EXISTS report_unit_received_at()"],
    "sqlite": ["DROP TRIGGER IF EXISTS report_received_at"],
}


def upgrade():
    from app.services.search import create_search_index, drop_search_index, refill_search_text

    with op.batch_alter_table("report_unit") as batch:
        batch.add_column(sa.Column("received_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE report_unit SET received_at = "
               "(SELECT received_at FROM report WHERE report.id = report_unit.report_id)")
    with op.batch_alter_table("report_unit") as batch:
        batch.alter_column("received_at", existing_type=sa.DateTime(), nullable=False)
    op.create_index("ix_report_unit_received", "report_unit",
                    ["unit_id", "received_at", "report_id"])
    for statement in FOLLOW_SQL[op.get_bind().dialect.name]:
        op.execute(statement)
    # Rewriting every row is faster without the search index, built again at the end.
    connection = op.get_bind()
    drop_search_index(connection)
    refill_search_text(connection)
    create_search_index(connection)


def downgrade():
    from app.services.search import create_search_index, drop_search_index

    for statement in UNFOLLOW_SQL[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index("ix_report_unit_received", table_name="report_unit")
    with op.batch_alter_table("report_unit") as batch:
        batch.drop_column("received_at")
    connection = op.get_bind()
    drop_search_index(connection)
    mark = re.compile(r" zu\d+")
    rows = connection.execute(sa.text(
        "SELECT id, search_text FROM report WHERE search_text LIKE '%zu%'")).all()
    for report_id, words in rows:
        connection.execute(sa.text("UPDATE report SET search_text = :t WHERE id = :i"),
                           {"t": mark.sub("", " " + words).strip(), "i": report_id})
    create_search_index(connection)
