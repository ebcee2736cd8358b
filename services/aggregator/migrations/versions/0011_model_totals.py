"""The model stat panels from maintained state: model_totals (model_daily per model, day, brand, platform and
category), kept by the batches, and report_model_totals reading it; the SQL and why are in 0011_model_totals.sql.
Also report_model_figures reading the rules' window rows of the chosen influencers only (below), and an index of
the credits without spend, for a contract arriving after its orders (model_backfill.py).

Revision ID: 0011
Revises: 0010
"""
from pathlib import Path

from alembic import op

from services.aggregator.migration_text import edited, function

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


# 0010's report_model_figures passed the rules' window to window_influencers as a scalar subquery, and Postgres
# does not inline a set-returning function whose arguments hold one: the ranked model panels and the drill-down
# read every influencer's window row (98k at 1M lines) to keep their 50 or 1 (EXPLAIN ANALYZE: 45-89 ms of
# 110). Called LATERAL on the CTE's row, the function is inlined and the chosen influencers are looked up by
# rolling_sums' key: 110 -> 30 ms, the drill-down's model panel 55 -> 1.3 ms (docs/benchmarks.md).
BEFORE = function("0010_model_windows.sql", "report_model_figures")
LATERAL = {"FROM window_influencers((SELECT n FROM win), p_brands) w":
           "FROM win CROSS JOIN LATERAL window_influencers(win.n, p_brands) w"}


def upgrade() -> None:
    op.execute(Path(__file__).with_suffix(".sql").read_text() + "\n" + edited(BEFORE, LATERAL, count=2))


def downgrade() -> None:
    op.execute("DROP INDEX model_credits_unpriced; DROP FUNCTION report_model_totals; DROP FUNCTION model_totals_from_daily; DROP TABLE model_totals;\n"
               + BEFORE)
