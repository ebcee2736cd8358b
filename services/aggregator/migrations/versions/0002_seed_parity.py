"""Seed parity: per-brand incremental baseline, metric classes, maintained rolling windows, reporting functions.

Revision ID: 0002
Revises: 0001
"""
from pathlib import Path

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")
FUNCTIONS = ("report_payout_comparison", "reference_rate", "report_payouts", "report_orders", "report_categories",
             "report_brands", "report_daily", "report_platforms", "report_underperforming", "report_top_influencers",
             "report_influencers", "report_kpis", "report_posts", "report_grouped", "report_facts")


def upgrade() -> None:
    op.execute(SQL.read_text())
    op.execute("SELECT refresh_rolling()")  # windows for the data already there


def downgrade() -> None:
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}")
    op.execute("""
DROP VIEW brand_rolling; DROP VIEW influencer_rolling; DROP FUNCTION report_rolling; DROP FUNCTION incremental;
DROP VIEW rolling_current; DROP FUNCTION refresh_rolling; DROP FUNCTION rolling_from_daily; DROP TABLE rolling_sums; DROP TABLE rolling_state;
DROP FUNCTION rolling_windows; DROP FUNCTION derived_metrics; DROP FUNCTION day_in_range; DROP FUNCTION in_filter;
DROP FUNCTION engagement_class; DROP FUNCTION roas_class; DROP FUNCTION ratio; DROP TABLE brand_config;
DELETE FROM app_config WHERE key IN ('incremental_baseline', 'underperforming_min_spend');
CREATE VIEW influencer_rolling AS
SELECT w.window_days, d.influencer_id,
       sum(d.orders)::integer AS orders, sum(d.revenue) AS revenue, sum(d.spend) AS spend,
       sum(d.reach) AS reach, sum(d.likes) AS likes, sum(d.comments) AS comments,
       round(sum(d.revenue) / nullif(sum(d.spend), 0), 4) AS roas,
       round(sum(d.revenue) * 0.8 / nullif(sum(d.spend), 0), 4) AS incremental_roas,
       round((sum(d.likes) + sum(d.comments)) * 100.0 / nullif(sum(d.reach), 0), 4) AS engagement_rate
FROM (VALUES (7), (30)) AS w(window_days)
JOIN influencer_daily d ON d.day > business_today() - w.window_days AND d.day <= business_today()
GROUP BY w.window_days, d.influencer_id;""")
