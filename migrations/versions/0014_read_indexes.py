"""indexes for two reads measured at 1,000,000 reports:
- ix_report_unit_follow_arrival: a unit's follow-ups not done by arrival, for the menu's "new
  since you last looked" mark and the follow-up queue's order (a scan of every unit link
  otherwise: 80–105 ms on every page of a unit's people);
- ix_report_field_source (PostgreSQL): report ids with their field and source, so that the
  statistics by field and by source read this narrow index instead of the whole report table
  (830 → 425 ms a year)

Revision ID: 0014_read_indexes
Revises: 0013_reporter_words
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_read_indexes"
down_revision = "0013_reporter_words"
branch_labels = None
depends_on = None

OPEN_FOLLOW_SQL = "kind = 'follow' AND done_at IS NULL"


def upgrade():
    op.create_index(
        "ix_report_unit_follow_arrival", "report_unit", ["unit_id", "created_at"],
        sqlite_where=sa.text(OPEN_FOLLOW_SQL), postgresql_where=sa.text(OPEN_FOLLOW_SQL),
    )
    if op.get_bind().dialect.name == "postgresql":
        # SQLite's rows are found by their id (the rowid) without an index of their own.
        op.create_index("ix_report_field_source", "report", ["id"],
                        postgresql_include=["field_id", "source_id"])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_report_field_source", table_name="report")
    op.drop_index("ix_report_unit_follow_arrival", table_name="report_unit")
