"""the statistics by field and by source without the report table:
- report_assignment.field_id / source_id (the report's, copied, kept by a trigger): "Thống kê"
  by field or source and the charts grouped an assignment by its report's field or source by
  joining report, 160,000 index lookups for a year of the province (420 ms of the 960 ms of
  "Biểu đồ phản ánh" at 1,000,000 reports);
- ix_report_assignment_distributed (distributed_at): the charts' reports per month read the
  period's distributions along it

Revision ID: 0017_assignment_catalogue
Revises: 0016_rating_queue
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_assignment_catalogue"
down_revision = "0016_rating_queue"
branch_labels = None
depends_on = None

# The copy follows the report whatever writes it (the centre corrects a field or a source at
# any time; an import or a fix by hand must not leave the statistics behind).
FOLLOW_SQL = {
    "postgresql": [
        "CREATE FUNCTION report_assignment_catalogue() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN UPDATE report_assignment SET field_id = NEW.field_id, source_id = NEW.source_id "
        "WHERE report_id = NEW.id; RETURN NULL; END $$",
        "CREATE TRIGGER report_catalogue AFTER UPDATE OF field_id, source_id ON report "
        "FOR EACH ROW WHEN (OLD.field_id IS DISTINCT FROM NEW.field_id "
        "OR OLD.source_id IS DISTINCT FROM NEW.source_id) "
        "EXECUTE FUNCTION report_assignment_catalogue()",
    ],
    "sqlite": [
        "CREATE TRIGGER report_catalogue AFTER UPDATE OF field_id, source_id ON report "
        "WHEN OLD.field_id IS NOT NEW.field_id OR OLD.source_id IS NOT NEW.source_id BEGIN "
        "UPDATE report_assignment SET field_id = NEW.field_id, source_id = NEW.source_id "
        "WHERE report_id = NEW.id; END",
    ],
}
UNFOLLOW_SQL = {
    "postgresql": ["DROP TRIGGER IF EXISTS report_catalogue ON report",
                   "DROP FUNCTION IF EXISTS report_assignment_catalogue()"],
    "sqlite": ["DROP TRIGGER IF EXISTS report_catalogue"],
}


def upgrade():
    with op.batch_alter_table("report_assignment") as batch:
        batch.add_column(sa.Column("field_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
    op.execute("UPDATE report_assignment SET "
               "field_id = (SELECT field_id FROM report WHERE report.id = report_assignment.report_id), "
               "source_id = (SELECT source_id FROM report WHERE report.id = report_assignment.report_id)")
    op.create_index("ix_report_assignment_distributed", "report_assignment", ["distributed_at"])
    for statement in FOLLOW_SQL[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in UNFOLLOW_SQL[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index("ix_report_assignment_distributed", table_name="report_assignment")
    with op.batch_alter_table("report_assignment") as batch:
        batch.drop_column("source_id")
        batch.drop_column("field_id")
