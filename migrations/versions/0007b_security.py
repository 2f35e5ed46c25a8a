"""security: the database refuses what the forms refuse (CHECK constraints; one active
personnel row per e-mail)

Revision ID: 0007b_security
Revises: 0007_security
"""
from alembic import op
import sqlalchemy as sa

revision = "0007b_security"
down_revision = "0007_security"
branch_labels = None
depends_on = None

UNIT_KINDS = ("center", "department", "board", "district", "ward", "central", "enterprise")
LOGIN_METHODS = ("sso", "local")
CHANNELS = ("app", "facebook", "email", "portal", "phone", "other")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


CHECKS = {
    "unit": {
        "ck_unit_name_not_blank": "length(trim(name)) > 0",
        "ck_unit_kind": _in("kind", UNIT_KINDS),
        "ck_unit_login_method": _in("login_method", LOGIN_METHODS),
    },
    "field": {
        "ck_field_name_not_blank": "length(trim(name)) > 0",
        "ck_field_handling_days": "handling_days BETWEEN 1 AND 90",
    },
    "source": {
        "ck_source_name_not_blank": "length(trim(name)) > 0",
        "ck_source_channel": _in("channel", CHANNELS),
    },
    "personnel": {
        "ck_personnel_duty": _in("duty", ("leader", "handler")),
        "ck_personnel_full_name_not_blank": "length(trim(full_name)) > 0",
    },
}


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for name, condition in checks.items():
                batch_op.create_check_constraint(name, condition)
    op.create_index("uq_personnel_active_email", "personnel", [sa.text("lower(email)")],
                    unique=True, postgresql_where=sa.text("active"),
                    sqlite_where=sa.text("active"))


def downgrade():
    op.drop_index("uq_personnel_active_email", table_name="personnel")
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for name in checks:
                batch_op.drop_constraint(name, type_="check")
