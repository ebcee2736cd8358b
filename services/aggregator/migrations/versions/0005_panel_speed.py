"""Board queries at scale (found by ``hk bench dashboard`` at 10M order lines, 100k influencers):

- day_in_range(d, p_from, p_to) used each bound twice (``p_from IS NULL OR d >= p_from``). Postgres does not
  inline a SQL function that uses a costly argument twice, and the boards pass ``business_day($__timeFrom())``:
  the filter ran as a function call per row, calling business_day() twice each time, and no index on day
  could serve it. Using each argument once, it inlines to ``d BETWEEN coalesce(…) AND coalesce(…)``: an index
  range whose bounds are computed once per scan. Same answers (every day column is NOT NULL).
- report_payout_comparison called reference_rate() three times per (influencer, brand); its fallbacks (the
  brand's and every brand's average rate) scanned all contracts on each call: quadratic, past Grafana's 10 s
  timeout at 100k contracts. Now each reference rate is computed once, set-based, with the same rules.
- report_orders_latest: the newest order lines first, for the board's "Revenue tracking"; report_orders keeps
  its oldest-first order (exports rely on it), which an outer ``ORDER BY … DESC LIMIT`` cannot use, so the
  panel sorted every line of the range twice.
- Indexes for the range and newest-first reads of posts, spend and order lines, and for the boards' brand and
  platform lists (services/dashboards/parts.py: each value one index probe, not a scan of influencer_daily).

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ORDERS_COLUMNS = """(day date, placed_at timestamptz, order_id text, line_no integer, customer_id text, influencer_id text,
               name text, category text, brand text, product text, quantity integer, revenue numeric,
               refunded numeric, net_revenue numeric, rule text, contract_id text, click_id text, platform text)"""

PAYOUT_COMPARISON_COLUMNS = """(influencer_id text, name text, brand text, current_basis text, posts integer, orders integer,
               revenue numeric, actual_payout numeric, post_rate numeric, cost_post_basis numeric, order_rate numeric,
               cost_order_basis numeric, revenue_share_rate numeric, cost_revenue_share_basis numeric,
               cheapest_basis text, saving numeric)"""

FILTER_PARAMS = """p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
  p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL"""

UPGRADE = f"""
CREATE OR REPLACE FUNCTION day_in_range(d date, p_from date, p_to date) RETURNS boolean IMMUTABLE LANGUAGE sql AS
  $$ SELECT d BETWEEN coalesce(p_from, '-infinity'::date) AND coalesce(p_to, 'infinity'::date) $$;

CREATE INDEX posts_day ON posts (day);
CREATE INDEX posts_published ON posts (published_at);
CREATE INDEX spend_day ON spend (day);
CREATE INDEX attributed_orders_placed ON attributed_orders (placed_at);
CREATE INDEX influencer_daily_brand ON influencer_daily (brand);
CREATE INDEX influencer_daily_platform ON influencer_daily (platform);

CREATE FUNCTION report_orders_latest({FILTER_PARAMS}, p_limit integer DEFAULT 500)
RETURNS TABLE {ORDERS_COLUMNS}
STABLE LANGUAGE sql AS $$
  SELECT o.day, o.placed_at, o.order_id, o.line_no, o.customer_id, o.influencer_id, i.name, i.category, o.brand,
         o.product, o.quantity, o.revenue, o.refunded, o.revenue - o.refunded, o.rule, o.contract_id, o.click_id,
         o.platform
  FROM attributed_orders o LEFT JOIN influencers i ON i.influencer_id = o.influencer_id
  WHERE day_in_range(o.day, p_from, p_to) AND in_filter(o.brand, p_brands) AND in_filter(o.platform, p_platforms)
    AND in_filter(i.category, p_categories)
  ORDER BY o.placed_at DESC, o.order_id, o.line_no
  LIMIT p_limit
$$;

-- reference_rate()'s rules, each rate computed once: the influencer's own latest contract of the basis for the
-- brand, else the brand's average contracted rate for the basis, else the average over all brands.
CREATE OR REPLACE FUNCTION report_payout_comparison({FILTER_PARAMS})
RETURNS TABLE {PAYOUT_COMPARISON_COLUMNS}
STABLE LANGUAGE sql AS $$
  WITH latest AS (SELECT DISTINCT ON (k.influencer_id, k.brand, k.basis) k.influencer_id, k.brand, k.basis, k.rate,
                         k.valid_from, k.contract_id
                  FROM contracts k ORDER BY k.influencer_id, k.brand, k.basis, k.valid_from DESC, k.contract_id DESC),
       own AS (SELECT l.influencer_id, l.brand, (array_agg(l.basis ORDER BY l.valid_from DESC, l.contract_id DESC))[1] AS basis,
                      min(l.rate) FILTER (WHERE l.basis = 'post') AS post_rate,
                      min(l.rate) FILTER (WHERE l.basis = 'order') AS order_rate,
                      min(l.rate) FILTER (WHERE l.basis = 'revenue_share') AS rs_rate
               FROM latest l GROUP BY l.influencer_id, l.brand),
       averages AS (SELECT k.brand, round(avg(k.rate) FILTER (WHERE k.basis = 'post'), 6) AS post_rate,
                           round(avg(k.rate) FILTER (WHERE k.basis = 'order'), 6) AS order_rate,
                           round(avg(k.rate) FILTER (WHERE k.basis = 'revenue_share'), 6) AS rs_rate
                    FROM contracts k GROUP BY GROUPING SETS ((k.brand), ())),  -- brand NULL: all brands
       activity AS (SELECT f.influencer_id, f.brand, sum(f.posts)::integer AS posts, sum(f.orders)::integer AS orders,
                           sum(f.revenue) AS revenue, sum(f.spend) AS spend
                    FROM report_facts(p_from, p_to, p_brands, p_platforms, p_categories) f
                    WHERE f.influencer_id IS NOT NULL
                    GROUP BY f.influencer_id, f.brand),
       rated AS (SELECT a.*, o.basis, coalesce(o.post_rate, b.post_rate, x.post_rate) AS post_rate,
                        coalesce(o.order_rate, b.order_rate, x.order_rate) AS order_rate,
                        coalesce(o.rs_rate, b.rs_rate, x.rs_rate) AS rs_rate
                 FROM activity a
                 LEFT JOIN own o ON o.influencer_id = a.influencer_id AND o.brand = a.brand
                 LEFT JOIN averages b ON b.brand = a.brand
                 LEFT JOIN averages x ON x.brand IS NULL)
  SELECT c.influencer_id, i.name, c.brand, c.basis, c.posts, c.orders, c.revenue, c.spend, c.post_rate, c.cost_post,
         c.order_rate, c.cost_order, c.rs_rate, c.cost_rs, best.basis, c.spend - best.cost
  FROM (SELECT r.*, r.posts * r.post_rate AS cost_post, r.orders * r.order_rate AS cost_order,
               round(r.revenue * r.rs_rate, 4) AS cost_rs
        FROM rated r) c
  LEFT JOIN influencers i ON i.influencer_id = c.influencer_id
  LEFT JOIN LATERAL (SELECT v.basis, v.cost FROM (VALUES ('post', c.cost_post), ('order', c.cost_order),
                                                         ('revenue_share', c.cost_rs)) v(basis, cost)
                     WHERE v.cost IS NOT NULL ORDER BY v.cost, v.basis LIMIT 1) best ON true
  ORDER BY c.spend - best.cost DESC NULLS LAST, c.influencer_id, c.brand
$$;
"""

# 0002's definitions, as they were
DOWNGRADE = f"""
DROP FUNCTION report_orders_latest;
DROP INDEX influencer_daily_platform; DROP INDEX influencer_daily_brand; DROP INDEX attributed_orders_placed; DROP INDEX spend_day; DROP INDEX posts_published; DROP INDEX posts_day;
CREATE OR REPLACE FUNCTION day_in_range(d date, p_from date, p_to date) RETURNS boolean IMMUTABLE LANGUAGE sql AS
  $$ SELECT (p_from IS NULL OR d >= p_from) AND (p_to IS NULL OR d <= p_to) $$;
CREATE OR REPLACE FUNCTION report_payout_comparison({FILTER_PARAMS})
RETURNS TABLE {PAYOUT_COMPARISON_COLUMNS}
STABLE LANGUAGE sql AS $$
  SELECT c.influencer_id, i.name, c.brand,
         (SELECT k.basis FROM contracts k WHERE k.influencer_id = c.influencer_id AND k.brand = c.brand
          ORDER BY k.valid_from DESC, k.contract_id DESC LIMIT 1),
         c.posts, c.orders, c.revenue, c.spend, c.post_rate, c.cost_post, c.order_rate, c.cost_order, c.rs_rate, c.cost_rs,
         best.basis, c.spend - best.cost
  FROM (SELECT r.*, r.posts * r.post_rate AS cost_post, r.orders * r.order_rate AS cost_order,
               round(r.revenue * r.rs_rate, 4) AS cost_rs
        FROM (SELECT f.influencer_id, f.brand, sum(f.posts)::integer AS posts, sum(f.orders)::integer AS orders,
                     sum(f.revenue) AS revenue, sum(f.spend) AS spend,
                     reference_rate(f.influencer_id, f.brand, 'post') AS post_rate,
                     reference_rate(f.influencer_id, f.brand, 'order') AS order_rate,
                     reference_rate(f.influencer_id, f.brand, 'revenue_share') AS rs_rate
              FROM report_facts(p_from, p_to, p_brands, p_platforms, p_categories) f
              WHERE f.influencer_id IS NOT NULL
              GROUP BY f.influencer_id, f.brand) r) c
  LEFT JOIN influencers i ON i.influencer_id = c.influencer_id
  LEFT JOIN LATERAL (SELECT v.basis, v.cost FROM (VALUES ('post', c.cost_post), ('order', c.cost_order),
                                                         ('revenue_share', c.cost_rs)) v(basis, cost)
                     WHERE v.cost IS NOT NULL ORDER BY v.cost, v.basis LIMIT 1) best ON true
  ORDER BY c.spend - best.cost DESC NULLS LAST, c.influencer_id, c.brand
$$;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
