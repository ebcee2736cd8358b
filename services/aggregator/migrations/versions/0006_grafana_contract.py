"""Grafana's role reads the reporting contract only, and its limits hold against the viewer's own SQL.

Grafana does not vet the SQL a viewer sends, so what hk_grafana can do is what any viewer can do. 0003 let it
SELECT every table, today's and future ones: customer ids (attributed_orders.customer_id), the alert outbox,
alembic_version. Now it gets SELECT on what the boards and reports read, by name, and nothing else:

- tables: influencers, influencer_daily, posts, contracts, spend (payouts), roas_alerts (the boards' alerts
  table and annotations), app_config and brand_config (business_today(), business_day(), the baselines);
- views: rolling_current (report_rolling reads it), influencer_rolling and brand_rolling (docs/reporting.md);
- order_lines, a new view of attributed_orders whose customer_id is NULL unless the caller may read that
  column of the table. report_orders and report_orders_latest read it instead of the table: the reporting
  functions are SECURITY INVOKER, so they read as hk_grafana, and a column reference the role may not read
  fails the whole query, even inside a CASE. The boards keep their order tables (without customer ids); the
  owner's ``hk export orders`` keeps them.

Not granted: attributed_orders itself, refunds, rolling_sums and rolling_state (read through rolling_current,
as its owner), the payouts view (nothing reads it), alert_outbox, alembic_version. Functions keep PUBLIC's
EXECUTE: all of them are SECURITY INVOKER, so the table grants above are the boundary.

Read-only: 0003's ``default_transaction_read_only`` is a default a session may turn off. What holds is that
the role may write nothing: SELECT-only grants, no CREATE on schema public (0003), and now no TEMPORARY on
the database, which every role had through PUBLIC (the owner keeps it: an owner's privileges are its own).

Time: 0003's 10 s statement_timeout is a default a session may lift too; services/aggregator/query_watchdog.py
cancels the role's overlong statements from the aggregator. That needs the privileges of hk_grafana, which a
superuser has; a non-superuser owner is made a member of hk_grafana here when it can grant that (it created
the role, Postgres 16+), narrower than pg_signal_backend, which would signal every non-superuser and still
not show the role's queries in pg_stat_activity.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ROLE = "hk_grafana"
CONTRACT = ("influencers", "influencer_daily", "posts", "contracts", "spend", "roas_alerts", "app_config",
            "brand_config", "rolling_current", "influencer_rolling", "brand_rolling", "order_lines")

# The same rows and columns as attributed_orders. The privilege test sits in an uncorrelated subquery so it
# runs once per query, not once per row (exports read millions of lines).
ORDER_LINES = """
CREATE VIEW order_lines AS
SELECT order_id, line_no,
       CASE WHEN (SELECT has_column_privilege('public.attributed_orders', 'customer_id', 'SELECT'))
            THEN customer_id END AS customer_id,
       influencer_id, brand, product, quantity, revenue, refunded, placed_at, day, rule, contract_id, click_id,
       platform, counts_order
FROM attributed_orders;
"""

FILTER_PARAMS = """p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
  p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL"""
ORDERS_COLUMNS = """(day date, placed_at timestamptz, order_id text, line_no integer, customer_id text, influencer_id text,
               name text, category text, brand text, product text, quantity integer, revenue numeric,
               refunded numeric, net_revenue numeric, rule text, contract_id text, click_id text, platform text)"""


def order_reports(source: str) -> str:
    """report_orders (0002) and report_orders_latest (0005) as they were, reading ``source``."""
    select = f"""
  SELECT o.day, o.placed_at, o.order_id, o.line_no, o.customer_id, o.influencer_id, i.name, i.category, o.brand,
         o.product, o.quantity, o.revenue, o.refunded, o.revenue - o.refunded, o.rule, o.contract_id, o.click_id,
         o.platform
  FROM {source} o LEFT JOIN influencers i ON i.influencer_id = o.influencer_id
  WHERE day_in_range(o.day, p_from, p_to) AND in_filter(o.brand, p_brands) AND in_filter(o.platform, p_platforms)
    AND in_filter(i.category, p_categories)"""
    return f"""
CREATE OR REPLACE FUNCTION report_orders({FILTER_PARAMS})
RETURNS TABLE {ORDERS_COLUMNS}
STABLE LANGUAGE sql AS $$ {select}
  ORDER BY o.placed_at, o.order_id, o.line_no
$$;
CREATE OR REPLACE FUNCTION report_orders_latest({FILTER_PARAMS}, p_limit integer DEFAULT 500)
RETURNS TABLE {ORDERS_COLUMNS}
STABLE LANGUAGE sql AS $$ {select}
  ORDER BY o.placed_at DESC, o.order_id, o.line_no
  LIMIT p_limit
$$;
"""


def on_database(statement: str) -> str:
    """A statement naming this database, whatever it is called."""
    return f"DO $$ BEGIN EXECUTE format('{statement}', current_database()); END $$"


# Only when the owner lacks the privileges and may grant them to itself; otherwise the watchdog says so.
WATCHDOG_RIGHTS = f"""
DO $$ BEGIN
  IF pg_has_role(current_user, '{ROLE}', 'USAGE') THEN
    NULL;  -- a superuser, or already a member
  ELSIF pg_has_role(current_user, '{ROLE}', 'MEMBER WITH ADMIN OPTION') THEN
    GRANT {ROLE} TO CURRENT_USER;
  ELSE
    RAISE WARNING 'the watchdog needs GRANT {ROLE} TO %: it cannot cancel {ROLE}''s queries without it', current_user;
  END IF;
END $$
"""


def upgrade() -> None:
    op.execute(ORDER_LINES + order_reports("order_lines"))
    op.execute(f"""
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM {ROLE};
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {ROLE};
GRANT SELECT ON {", ".join(CONTRACT)} TO {ROLE};
""")
    op.execute(on_database(f"REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC, {ROLE}"))
    op.execute(WATCHDOG_RIGHTS)


def downgrade() -> None:
    # 0003's grants as they were; a membership WATCHDOG_RIGHTS granted stays: it lets the owner read and
    # signal the reader's sessions, less than the owner can do with its own tables.
    op.execute(order_reports("attributed_orders") + "DROP VIEW order_lines;")
    op.execute(f"""
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {ROLE};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {ROLE};
""")
    op.execute(on_database("GRANT TEMPORARY ON DATABASE %I TO PUBLIC"))
