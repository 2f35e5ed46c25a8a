"""one-time form tokens: a repeated submission changes nothing (issue 15)

Revision ID: 0008_everyday
Revises: 0006b_perfapp
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_everyday"
down_revision = "0010_stats"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_submission",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index("ix_form_submission_user_created", "form_submission",
                    ["user_id", "created_at"])


def downgrade():
    op.drop_index("ix_form_submission_user_created", table_name="form_submission")
    op.drop_table("form_submission")
