"""The campaign board from maintained state: daily_totals per (day, brand, platform, category), rolling windows
of 31 and 366 days (Grafana's "last 30 days" and "last 365 days"), and the report functions reading them when
the range and filters allow; the SQL and why are in 0008_board_rollups.sql.

Revision ID: 0008
Revises: 0007
"""
import importlib.util
import re
from pathlib import Path

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

HERE = Path(__file__).parent
SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text())
    op.execute("SELECT refresh_rolling(true)")  # the new windows, for the data already there


def _function(sql: str, name: str) -> str:
    """One CREATE FUNCTION statement of an earlier migration, as CREATE OR REPLACE (it also creates one dropped)."""
    found = re.search(rf"CREATE FUNCTION {name}\(.*?\$\$;", sql, re.S)
    return "CREATE OR REPLACE" + found.group(0)[len("CREATE"):]


def downgrade() -> None:
    seed = (HERE / "0002_seed_parity.sql").read_text()
    spec = importlib.util.spec_from_file_location("panel_speed", HERE / "0005_panel_speed.py")
    panel_speed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(panel_speed)
    comparison = re.search(r"CREATE OR REPLACE FUNCTION report_payout_comparison\(.*?\$\$;", panel_speed.UPGRADE, re.S)
    op.execute("""
DROP FUNCTION report_rolling_top; DROP FUNCTION report_payouts_top; DROP INDEX contracts_influencer;
DROP FUNCTION refresh_rolling(boolean, date); DROP FUNCTION shift_windows;
CREATE INDEX attributed_orders_influencer_brand ON attributed_orders (influencer_id, brand);
DROP INDEX attributed_orders_influencer_placed;
DROP FUNCTION report_payout_comparison(date, date, text[], text[], text[], integer);
DROP FUNCTION report_underperforming(date, date, text[], text[], text[], numeric, integer);""")
    op.execute("\n".join([_function(seed, "report_grouped"), _function(seed, "report_kpis"), _function(seed, "report_rolling"),
                           _function(seed, "report_influencers"), _function(seed, "report_underperforming"),
                           _function(seed, "report_top_influencers"), _function(seed, "refresh_rolling"),
                           comparison.group(0)]))
    op.execute("""
REVOKE SELECT ON rolling_sums, rolling_state FROM hk_grafana;
REVOKE EXECUTE ON FUNCTION refresh_rolling(boolean) FROM PUBLIC;
DROP INDEX rolling_sums_poor; DROP INDEX rolling_sums_rank; ALTER TABLE rolling_sums DROP COLUMN roas;
CREATE INDEX rolling_sums_brand ON rolling_sums (window_days, brand);
DROP INDEX rolling_sums_active; ALTER TABLE rolling_sums DROP COLUMN category;
DROP FUNCTION report_active; DROP FUNCTION report_totals; DROP FUNCTION window_influencers; DROP FUNCTION window_brand;
DROP FUNCTION report_window; DROP FUNCTION covers_all_platforms; DROP FUNCTION covers_all_brands;
DROP FUNCTION daily_totals_from_facts; DROP TABLE daily_totals;
DROP FUNCTION contract_windows_from_spend; DROP TABLE contract_windows;
DROP TABLE contract_rates; DROP FUNCTION contract_rates_from_contracts;
CREATE OR REPLACE FUNCTION rolling_windows() RETURNS integer[] IMMUTABLE LANGUAGE sql AS $$ SELECT ARRAY[7, 30] $$;
SELECT refresh_rolling(true);""")
