"""search: the reporter's name and phone become marked words of report.search_text, so that the
public portal's search cannot find a report by who reported it (the staff's search still can);
on PostgreSQL the words' vector becomes a stored generated column (search_vector) under the GIN
index, instead of an expression index recomputed for every row a plan checks

Revision ID: 0013_reporter_words
Revises: 0007b_security
"""
from alembic import op

revision = "0013_reporter_words"
down_revision = "0007b_security"
branch_labels = None
depends_on = None


def upgrade():
    from app.services.search import create_search_index, drop_search_index, refill_search_text

    # Rewriting every row is faster without the index, which is built again at the end.
    connection = op.get_bind()
    drop_search_index(connection)
    refill_search_text(connection)
    create_search_index(connection)


def downgrade():
    from app.services.search import drop_search_index

    # The marked words lose their mark: the earlier form of the column and its index.
    drop_search_index(op.get_bind())
    op.execute("UPDATE report SET search_text = ltrim(replace(' ' || search_text, ' zq', ' '))")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_report_search_fts ON report "
                   "USING gin (to_tsvector('simple'::regconfig, search_text))")
    else:
        from app.services.search import create_search_index

        create_search_index(op.get_bind())
