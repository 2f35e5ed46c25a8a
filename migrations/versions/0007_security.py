"""security: stable codes of the built-in roles; sign-in lockout; the initial password

Revision ID: 0007_security
Revises: 0011_notify
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_security"
down_revision = "0008_everyday"
branch_labels = None
depends_on = None

# The built-in roles by their initial names: an existing database gets their codes here; new
# roles and their permissions come from `flask seed`.
BUILTIN = {
    "admin": "Quản trị hệ thống",
    "centre": "Trung tâm Giám sát, điều hành ĐTTM",
    "handler": "Cán bộ xử lý",
    "leader": "Lãnh đạo phê duyệt",
    "viewer": "Theo dõi",
}


def upgrade():
    op.create_table(
        "role_code",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("declared", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["role_id"], ["ab_role.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code"),
        sa.UniqueConstraint("role_id"),
    )
    op.add_column("ab_user", sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.add_column("ab_user", sa.Column("initial_password", sa.String(length=256), nullable=True))
    conn = op.get_bind()
    for code, name in BUILTIN.items():
        role_id = conn.execute(sa.text("SELECT id FROM ab_role WHERE name = :n"), {"n": name}).scalar()
        if role_id is not None:
            conn.execute(sa.text("INSERT INTO role_code (code, role_id) VALUES (:c, :r)"),
                         {"c": code, "r": role_id})


def downgrade():
    op.drop_table("role_code")
    with op.batch_alter_table("ab_user") as batch_op:
        batch_op.drop_column("initial_password")
        batch_op.drop_column("locked_until")
