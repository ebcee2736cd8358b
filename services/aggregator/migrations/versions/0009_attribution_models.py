"""Attribution models side by side: each order's touchpoints, credits per (line, model, influencer), their daily
rollup and the reports over them; the SQL and why are in 0009_attribution_models.sql.

report_orders and report_orders_latest gain a last column, touchpoints (the order's journey); the order_lines
view the boards read them through gains it too.

Revision ID: 0009
Revises: 0008
"""
import importlib.util
from pathlib import Path

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")
spec = importlib.util.spec_from_file_location("grafana_contract", Path(__file__).with_name("0006_grafana_contract.py"))
contract = importlib.util.module_from_spec(spec)
spec.loader.exec_module(contract)

ORDER_LINES = contract.ORDER_LINES.replace("CREATE VIEW", "CREATE OR REPLACE VIEW").replace(
    "platform, counts_order\n", "platform, counts_order, touchpoints\n")
REPORTS = (contract.order_reports("order_lines")
           .replace("refunded numeric, net_revenue numeric, rule text, contract_id text, click_id text, platform text)",
                    "refunded numeric, net_revenue numeric, rule text, contract_id text, click_id text, platform text, "
                    "touchpoints jsonb)")
           .replace("o.click_id,\n         o.platform\n", "o.click_id,\n         o.platform, o.touchpoints\n"))
DROP_REPORTS = "DROP FUNCTION report_orders(date, date, text[], text[], text[]);\n" \
               "DROP FUNCTION report_orders_latest(date, date, text[], text[], text[], integer);\n"


def upgrade() -> None:
    op.execute(SQL.read_text())
    op.execute(ORDER_LINES + DROP_REPORTS + REPORTS)


def downgrade() -> None:
    op.execute(DROP_REPORTS + "DROP VIEW order_lines;" + contract.ORDER_LINES + contract.order_reports("order_lines")
               + f"GRANT SELECT ON order_lines TO {contract.ROLE};")
    op.execute("DROP FUNCTION report_models; DROP FUNCTION report_model_figures; DROP INDEX spend_posts; "
               "DROP TABLE model_daily; DROP TABLE model_credits; ALTER TABLE attributed_orders DROP COLUMN touchpoints;")
