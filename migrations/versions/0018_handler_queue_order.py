"""a unit's "Chờ xử lý" along an index: ix_report_unit_at_handler_received (unit_id,
received_at, id) over the reports assigned or in progress. The first page of the busiest unit's
queue read and sorted all 3,277 of its open reports, with their scope check hashed from all
156,217 of the unit's links (30 ms of SQL at 1,000,000 reports); it now reads 20 rows.

Revision ID: 0018_handler_queue_order
Revises: 0017_assignment_catalogue
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_handler_queue_order"
down_revision = "0017_assignment_catalogue"
branch_labels = None
depends_on = None

# The model's AT_HANDLER_SQL as it stands at this revision.
AT_HANDLER_SQL = "status IN ('assigned', 'in_progress')"


def upgrade():
    op.create_index(
        "ix_report_unit_at_handler_received", "report", ["unit_id", "received_at", "id"],
        sqlite_where=sa.text(AT_HANDLER_SQL), postgresql_where=sa.text(AT_HANDLER_SQL),
    )


def downgrade():
    op.drop_index("ix_report_unit_at_handler_received", table_name="report")
