"""The model panels from maintained state: post spend carried in model_daily under every model, the models'
rolling windows (model_windows) kept by the batches and moved by refresh_rolling, and report_model_figures
reading them when the range is a window; the SQL and why are in 0010_model_windows.sql.

Revision ID: 0010
Revises: 0009
"""
import re
from pathlib import Path

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

HERE = Path(__file__).parent
SQL = Path(__file__).with_suffix(".sql")


def _function(path: str, name: str) -> str:
    """One CREATE [OR REPLACE] FUNCTION statement of an earlier migration, as CREATE OR REPLACE."""
    found = re.search(rf"CREATE (?:OR REPLACE )?FUNCTION {name}\(.*?\$\$;", (HERE / path).read_text(), re.S)
    return "CREATE OR REPLACE FUNCTION" + found.group(0).split("FUNCTION", 1)[1]


def _refresh_rolling() -> str:
    """0008's refresh_rolling, also moving (or, forced, rebuilding) the model windows."""
    body = _function("0008_board_rollups.sql", "refresh_rolling")
    steps = {"    INSERT INTO contract_windows SELECT * FROM contract_windows_from_spend(today);\n":
             "    DELETE FROM model_windows;\n"
             "    INSERT INTO model_windows SELECT * FROM model_windows_from_daily(today) ORDER BY 1, 2, 3, 4;\n",
             "    PERFORM shift_windows(current, today);\n": "    PERFORM shift_model_windows(current, today);\n"}
    for after, step in steps.items():
        assert body.count(after) == 1, after
        body = body.replace(after, after + step)
    return body


def _report_models() -> str:
    """0009's report_models, also taking p_influencers (passed on to report_model_figures)."""
    body = _function("0009_attribution_models.sql", "report_models")
    steps = {"p_limit integer DEFAULT NULL)": "p_limit integer DEFAULT NULL, p_influencers text[] DEFAULT NULL)",
             "report_model_figures(p_from, p_to, p_brands, p_platforms, p_categories) f":
             "report_model_figures(p_from, p_to, p_brands, p_platforms, p_categories, p_influencers => p_influencers) f"}
    for before, after in steps.items():
        assert body.count(before) == 1, before
        body = body.replace(before, after)
    return "DROP FUNCTION report_models(date, date, text[], text[], text[], integer);\n" + body


def upgrade() -> None:
    sql = SQL.read_text()
    at = sql.index("INSERT INTO model_windows SELECT * FROM model_windows_from_daily((SELECT as_of")
    op.execute(sql[:at] + _refresh_rolling() + "\n" + sql[at:] + "\n" + _report_models())


def downgrade() -> None:
    op.execute("DROP FUNCTION report_model_top; DROP INDEX rolling_sums_revenue;\n"
               "DROP FUNCTION report_models(date, date, text[], text[], text[], integer, text[]);\n"
               + _function("0009_attribution_models.sql", "report_models") + "\n"
               "DROP FUNCTION report_model_figures(date, date, text[], text[], text[], text, text[]);\n"
               + _function("0009_attribution_models.sql", "report_model_figures") + "\n"
               + _function("0008_board_rollups.sql", "refresh_rolling") + "\n"
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
