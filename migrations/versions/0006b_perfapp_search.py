"""keyword search by whole words: full-text index on the folded words, accented words

- report.search_accented: the case-folded words with their accents (typed accents narrow);
- report.search_text rewritten as folded words (+ the reporter's phone digits);
- PostgreSQL: a GIN index on to_tsvector('simple', search_text) replaces the trigram index;
- SQLite: the FTS5 table report_search over report.search_text, kept by triggers.

Revision ID: 0006b_perfapp
Revises: 0006_perfapp
"""
from alembic import op
import sqlalchemy as sa

revision = "0006b_perfapp"
down_revision = "0006_perfapp"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("report", sa.Column("search_accented", sa.Text(), nullable=False,
                                      server_default=""))
    from app.services.search import create_search_index, refill_search_text

    refill_search_text(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_report_search_trgm")
    create_search_index(op.get_bind())


def downgrade():
    from app.services.search import drop_search_index

    drop_search_index(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_report_search_trgm ON report USING gin "
                   "(search_text gin_trgm_ops)")
    op.drop_column("report", "search_accented")
