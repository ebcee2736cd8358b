"""The model panels from maintained state: post spend carried in model_daily under every model, the models'
rolling windows (model_windows) kept by the batches and moved by refresh_rolling, and report_model_figures
reading them when the range is a window; the SQL and why are in 0010_model_windows.sql.

Revision ID: 0010
Revises: 0009
"""
from pathlib import Path

from alembic import op

from services.aggregator.migration_text import edited, function

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def _refresh_rolling() -> str:
    """0008's refresh_rolling, also moving (or, forced, rebuilding) the model windows."""
    body = function("0008_board_rollups.sql", "refresh_rolling")
    after = {"    INSERT INTO contract_windows SELECT * FROM contract_windows_from_spend(today);\n":
             "    DELETE FROM model_windows;\n"
             "    INSERT INTO model_windows SELECT * FROM model_windows_from_daily(today) ORDER BY 1, 2, 3, 4;\n",
             "    PERFORM shift_windows(current, today);\n": "    PERFORM shift_model_windows(current, today);\n"}
    return edited(body, {line: line + step for line, step in after.items()})


def _report_models() -> str:
    """0009's report_models, also taking p_influencers (passed on to report_model_figures)."""
    body = function("0009_attribution_models.sql", "report_models")
    body = edited(body, {
        "p_limit integer DEFAULT NULL)": "p_limit integer DEFAULT NULL, p_influencers text[] DEFAULT NULL)",
        "report_model_figures(p_from, p_to, p_brands, p_platforms, p_categories) f":
        "report_model_figures(p_from, p_to, p_brands, p_platforms, p_categories, p_influencers => p_influencers) f"})
    return "DROP FUNCTION report_models(date, date, text[], text[], text[], integer);\n" + body


def upgrade() -> None:
    sql = SQL.read_text()
    at = sql.index("INSERT INTO model_windows SELECT * FROM model_windows_from_daily((SELECT as_of")
    op.execute(sql[:at] + _refresh_rolling() + "\n" + sql[at:] + "\n" + _report_models())


def downgrade() -> None:
    op.execute("DROP FUNCTION report_model_top; DROP INDEX rolling_sums_revenue;\n"
               "DROP FUNCTION report_models(date, date, text[], text[], text[], integer, text[]);\n"
               + function("0009_attribution_models.sql", "report_models") + "\n"
               "DROP FUNCTION report_model_figures(date, date, text[], text[], text[], text, text[]);\n"
               + function("0009_attribution_models.sql", "report_model_figures") + "\n"
               + function("0008_board_rollups.sql", "refresh_rolling") + "\n"
               + """
REVOKE EXECUTE ON FUNCTION refresh_rolling(boolean, date) FROM PUBLIC;
DROP FUNCTION shift_model_windows; DROP FUNCTION model_windows_from_daily; DROP TABLE model_windows;
DROP FUNCTION model_window_days;
CREATE INDEX spend_posts ON spend (day, influencer_id) WHERE source_kind = 'post';
DROP INDEX model_daily_influencer;
DELETE FROM model_daily;
INSERT INTO model_daily SELECT model, day, influencer_id, brand, platform, sum(orders), sum(revenue), sum(spend)
FROM model_credits GROUP BY 1, 2, 3, 4, 5;
DROP FUNCTION model_daily_from_facts; DROP FUNCTION attribution_models;""")
