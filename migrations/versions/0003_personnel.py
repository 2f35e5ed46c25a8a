"""personnel, provisioning and audit

- ``ab_user.sso_subject``: the OpenID Connect subject an account first signed in with through the
  provincial single sign-on (unique); a later sign-in with the same e-mail and another subject is
  refused.
- ``ix_personnel_email``: single sign-on and the importer find people by e-mail alone.

The personnel and audit_log tables themselves were created by 0001. batch_alter_table keeps the
migration working on SQLite (which cannot add a constraint in place) as well as PostgreSQL.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sso_subject", sa.String(length=255), nullable=True))
        batch_op.create_index("ix_ab_user_sso_subject", ["sso_subject"], unique=True)
    with op.batch_alter_table("personnel", schema=None) as batch_op:
        batch_op.create_index("ix_personnel_email", ["email"], unique=False)


def downgrade():
    with op.batch_alter_table("personnel", schema=None) as batch_op:
        batch_op.drop_index("ix_personnel_email")
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.drop_index("ix_ab_user_sso_subject")
        batch_op.drop_column("sso_subject")
