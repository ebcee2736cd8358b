"""Board queries at scale: a time-range filter Postgres can inline, and the indexes the boards' range and
newest-first reads need (measured by ``hk bench dashboard`` at 10M order lines).

day_in_range(d, p_from, p_to) used each bound twice (``p_from IS NULL OR d >= p_from``). Postgres does not
inline a SQL function that uses an argument twice when the argument is costly, and the boards pass
``business_day($__timeFrom())``: so the filter ran as a function call per row, each calling business_day()
twice, and no index on day could be used. With each argument used once it inlines to
``d BETWEEN coalesce(…) AND coalesce(…)``: an index range whose bounds are computed once per scan.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE OR REPLACE FUNCTION day_in_range(d date, p_from date, p_to date) RETURNS boolean IMMUTABLE LANGUAGE sql AS
  $$ SELECT d BETWEEN coalesce(p_from, '-infinity'::date) AND coalesce(p_to, 'infinity'::date) $$;
CREATE INDEX posts_day ON posts (day);
CREATE INDEX spend_day ON spend (day);
""")


def downgrade() -> None:
    op.execute("""
DROP INDEX spend_day; DROP INDEX posts_day;
CREATE OR REPLACE FUNCTION day_in_range(d date, p_from date, p_to date) RETURNS boolean IMMUTABLE LANGUAGE sql AS
  $$ SELECT (p_from IS NULL OR d >= p_from) AND (p_to IS NULL OR d <= p_to) $$;
""")
