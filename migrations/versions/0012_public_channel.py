"""public channel: report tracking codes (old reports get one), citizens' feedback

Revision ID: 0012_public
Revises: 0004
"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = "0012_public"
down_revision = "0004"
branch_labels = None
depends_on = None

# As app/domain/tracking.py (a migration keeps its own copy: the app's code may change later).
PREFIX = "HUE-"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
LENGTH = 8


def _fill_codes(conn) -> None:
    report = sa.table("report", sa.column("id", sa.Integer), sa.column("tracking_code", sa.String))
    taken: set[str] = set()
    ids = [row[0] for row in conn.execute(sa.select(report.c.id).order_by(report.c.id))]
    for start in range(0, len(ids), 1000):
        batch = []
        for report_id in ids[start:start + 1000]:
            code = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
            while code in taken:
                code = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
            taken.add(code)
            batch.append({"rid": report_id, "code": code})
        conn.execute(
            report.update().where(report.c.id == sa.bindparam("rid"))
            .values(tracking_code=sa.bindparam("code")),
            batch,
        )


def upgrade():
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("tracking_code", sa.String(length=16), nullable=True))
    _fill_codes(op.get_bind())
    with op.batch_alter_table("report") as batch:
        batch.alter_column("tracking_code", existing_type=sa.String(length=16), nullable=False)
        batch.create_unique_constraint("uq_report_tracking_code", ["tracking_code"])

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.Column("answer_event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["report_event.id"]),
        sa.ForeignKeyConstraint(["answer_event_id"], ["report_event.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "published_at", name="uq_feedback_report_publication"),
    )
    op.create_index("ix_feedback_answered_created", "feedback", ["answered_at", "created_at"])
    op.create_index("ix_feedback_report", "feedback", ["report_id"])
    op.create_index("ix_feedback_created_unit", "feedback", ["created_at", "unit_id"])


def downgrade():
    op.drop_index("ix_feedback_created_unit", table_name="feedback")
    op.drop_index("ix_feedback_report", table_name="feedback")
    op.drop_index("ix_feedback_answered_created", table_name="feedback")
    op.drop_table("feedback")
    with op.batch_alter_table("report") as batch:
        batch.drop_constraint("uq_report_tracking_code", type_="unique")
        batch.drop_column("tracking_code")
