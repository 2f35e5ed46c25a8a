"""the data version: a token per scope of what people see ("all", "reports", "unit:<id>"), which
every committed write of that scope changes in its own transaction (app.ops.data_version); a
person's page is kept under their tokens until the next change or minute (app.ops.page_cache).

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
        sa.Column("scope", sa.String(40), primary_key=True),
        sa.Column("token", sa.String(32), nullable=False),
    )
    op.execute("INSERT INTO data_version (scope, token) VALUES ('all', 'initial')")


def downgrade():
    op.drop_table("data_version")
