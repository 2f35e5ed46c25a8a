"""queues: the follow-ups not done of a unit by arrival, for the menu's "new since you last
looked" mark and the follow-up queue's order (a scan of every unit link otherwise: 80–100 ms
per page for a unit's people at 1,000,000 reports)

Revision ID: 0014_follow_arrival
Revises: 0013_reporter_words
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_follow_arrival"
down_revision = "0013_reporter_words"
branch_labels = None
depends_on = None

OPEN_FOLLOW_SQL = "kind = 'follow' AND done_at IS NULL"


def upgrade():
    op.create_index(
        "ix_report_unit_follow_arrival", "report_unit", ["unit_id", "created_at"],
        sqlite_where=sa.text(OPEN_FOLLOW_SQL), postgresql_where=sa.text(OPEN_FOLLOW_SQL),
    )


def downgrade():
    op.drop_index("ix_report_unit_follow_arrival", table_name="report_unit")
