"""statistics: handling assignments (one per distribution), backfilled from the exchange log

Revision ID: 0010_stats
Revises: 0006b_perfapp
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_stats"
down_revision = "0006b_perfapp"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("distributed_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["report_event.id"]),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_report_assignment_report", "report_assignment",
                    ["report_id", "distributed_at"])
    op.create_index("ix_report_assignment_ended", "report_assignment",
                    ["ended_at", "distributed_at"])
    op.create_index("ix_report_assignment_unit", "report_assignment",
                    ["unit_id", "distributed_at"])
    # Reports distributed before this revision: their assignments as the log tells them.
    from app.services.statistics import rebuild_assignments

    rebuild_assignments(op.get_bind())


def downgrade():
    op.drop_table("report_assignment")
