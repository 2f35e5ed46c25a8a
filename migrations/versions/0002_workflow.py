"""workflow: search and queue indexes

- ix_report_open_due: partial index on report.due_at for the reports still open at a unit
  (the "overdue, not processed" alerts and queues);
- ix_report_unit_open_follow: partial index on report_unit for the follow-ups not yet done
  (the "Thông tin theo dõi" queue and its alert);
- PostgreSQL only: the pg_trgm extension and a GIN trigram index on report.search_text, which
  serves the keyword search's ``LIKE '%…%'`` conditions (app.services.search);
- data: the folded search text of confidential reports no longer holds the reporter's name
  (app.models.report.Report.refresh_search_text), so a keyword cannot reveal who reported.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copies of the model's conditions (a migration must not change when the code does).
OPEN_AT_UNIT_SQL = "status IN ('assigned', 'in_progress', 'pending_approval')"
OPEN_FOLLOW_SQL = "kind = 'follow' AND done_at IS NULL"


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_index(
        "ix_report_open_due", "report", ["due_at"],
        sqlite_where=sa.text(OPEN_AT_UNIT_SQL), postgresql_where=sa.text(OPEN_AT_UNIT_SQL),
    )
    op.create_index(
        "ix_report_unit_open_follow", "report_unit", ["unit_id", "report_id"],
        sqlite_where=sa.text(OPEN_FOLLOW_SQL), postgresql_where=sa.text(OPEN_FOLLOW_SQL),
    )
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_report_search_trgm "
            "ON report USING gin (search_text gin_trgm_ops)"
        )
    _refold_confidential()


def _refold_confidential():
    """Rewrite search_text of confidential reports without the reporter's name."""
    from app.domain.text import fold

    bind = op.get_bind()
    report = sa.table(
        "report", sa.column("id", sa.Integer), sa.column("title", sa.String),
        sa.column("content", sa.Text), sa.column("location", sa.String),
        sa.column("confidential", sa.Boolean), sa.column("search_text", sa.Text),
    )
    rows = bind.execute(
        sa.select(report.c.id, report.c.title, report.c.content, report.c.location)
        .where(report.c.confidential.is_(True))
    ).all()
    for row in rows:
        text = fold(" ".join(part or "" for part in (row.title, row.content, row.location)))
        bind.execute(report.update().where(report.c.id == row.id).values(search_text=text))


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_report_search_trgm")
    op.drop_index("ix_report_unit_open_follow", table_name="report_unit")
    op.drop_index("ix_report_open_due", table_name="report")
