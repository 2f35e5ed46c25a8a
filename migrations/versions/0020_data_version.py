"""the data version: one row whose token every committed write changes, in its own transaction
(app.ops.page_cache); a person's page is kept under it until the next change or minute.

Revision ID: 0020_data_version
Revises: 0019_unit_queue_order
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_data_version"
down_revision = "0019_unit_queue_order"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(32), nullable=False),
    )
    op.execute("INSERT INTO data_version (id, token) VALUES (1, 'initial')")


def downgrade():
    op.drop_table("data_version")
