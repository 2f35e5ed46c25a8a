"""report counts kept per unit and state (menu badges, alerts) and the indexes of the queues

Revision ID: 0006_perfapp
Revises: 0011_notify
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_perfapp"
down_revision = "0011_notify"
branch_labels = None
depends_on = None

OPEN_AT_UNIT_SQL = "status IN ('assigned', 'in_progress', 'pending_approval')"


def upgrade():
    op.create_table(
        "report_count",
        sa.Column("unit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "bucket"),
    )
    op.drop_index("ix_report_unit_status", table_name="report")
    op.create_index("ix_report_unit_status_updated", "report",
                    ["unit_id", "status", "updated_at"])
    op.create_index("ix_report_status_updated", "report", ["status", "updated_at"])
    op.create_index("ix_report_status_created", "report", ["status", "created_at"])
    op.drop_index("ix_report_received_at", table_name="report")
    op.create_index("ix_report_received_id", "report", ["received_at", "id"])
    op.drop_index("ix_report_open_due", table_name="report")
    for name, columns in (("ix_report_open_status_due", ["status", "due_at"]),
                          ("ix_report_unit_open_due", ["unit_id", "status", "due_at"])):
        op.create_index(name, "report", columns, sqlite_where=sa.text(OPEN_AT_UNIT_SQL),
                        postgresql_where=sa.text(OPEN_AT_UNIT_SQL))
    from app.services.counters import rebuild_counts

    rebuild_counts(op.get_bind())


def downgrade():
    op.drop_index("ix_report_unit_open_due", table_name="report")
    op.drop_index("ix_report_open_status_due", table_name="report")
    op.create_index("ix_report_open_due", "report", ["due_at"],
                    sqlite_where=sa.text(OPEN_AT_UNIT_SQL),
                    postgresql_where=sa.text(OPEN_AT_UNIT_SQL))
    op.drop_index("ix_report_received_id", table_name="report")
    op.create_index("ix_report_received_at", "report", ["received_at"])
    op.drop_index("ix_report_status_created", table_name="report")
    op.drop_index("ix_report_status_updated", table_name="report")
    op.drop_index("ix_report_unit_status_updated", table_name="report")
    op.create_index("ix_report_unit_status", "report", ["unit_id", "status"])
    op.drop_table("report_count")
