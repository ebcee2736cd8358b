"""Data for ``hk bench dashboard``, set-based: influencers with one contract each, posts, order lines (a few
refunded), the spend their contracts accrue, then the rollups derived from those facts, as the aggregator
would have left them. The ``raw`` schema holds the baseline: views with the rollups' names and columns that
GROUP BY the facts at every read."""
from __future__ import annotations

# Rows go in in time order, as the live pipeline appends them (the physical order that day-range scans see).
# Influencer i's brand, platform, category and basis follow from i, so no lookup is needed to generate facts;
# who gets the orders and posts is skewed (power of random()): a few creators carry most of the revenue.
FACTS = """
SET LOCAL work_mem = '512MB';
SELECT setseed(0.42);
INSERT INTO influencers
SELECT 'inf-' || i, 'creator ' || i, (ARRAY['Fitness','Nutrition','Wellness','Bodybuilding','Yoga'])[1 + i % 5],
       (ARRAY['F','M'])[1 + i % 2], 1000 + (5000000 * power(random(), 4))::bigint,
       (ARRAY['instagram','youtube','twitter'])[1 + i % 3], now()
FROM generate_series(1, :influencers) i;
INSERT INTO contracts
SELECT 'c-' || i, 'inf-' || i, (ARRAY['MuscleBlaze','HKVitals','Gritzo'])[1 + (i / 3) % 3],
       (ARRAY['post','order','revenue_share'])[1 + (i / 9) % 3],
       CASE (i / 9) % 3 WHEN 0 THEN 500 + (i % 40) * 100 WHEN 1 THEN 40 + i % 120 ELSE 0.05 + (i % 11) / 100.0 END,
       (business_today() - :days - 30)::timestamptz, NULL, ARRAY['HK' || i], ARRAY['L' || i], 'campaign-' || i % 50
FROM generate_series(1, :influencers) i;
-- two lines per order (the last order may have one); the volatile columns sit in subqueries so that each is
-- drawn once per order or per line
INSERT INTO attributed_orders
SELECT 'ord-' || x.n, x.no, 'cust-' || (x.n::bigint * 7919) % 3000000, CASE WHEN x.rule <> 'unattributed' THEN c.influencer_id END,
       CASE WHEN x.rule <> 'unattributed' THEN c.brand ELSE (ARRAY['MuscleBlaze','HKVitals','Gritzo'])[1 + x.n % 3] END,
       'sku-' || (x.n + x.no) % 400, x.qty, x.rev,
       CASE WHEN x.rr < 0.02 THEN x.rev WHEN x.rr < 0.03 THEN round(x.rev / 2, 2) ELSE 0 END,
       x.day_start + x.at * least(interval '1 day', now() - x.day_start),  -- today's lines: before now
       x.day, x.rule, CASE WHEN x.rule <> 'unattributed' THEN c.contract_id END,
       CASE WHEN x.rule IN ('click', 'last_click') THEN 'clk-' || x.n END,
       CASE WHEN x.rule <> 'unattributed' THEN f.platform ELSE (ARRAY['instagram','youtube','twitter'])[1 + x.n % 3] END,
       x.no = 1
FROM (SELECT o.*, l.no, round((149 + random() * 2850)::numeric, 2) AS rev, random() AS rr, 1 + (random() * 2)::int AS qty,
             o.day::timestamp AT TIME ZONE (SELECT value FROM app_config WHERE key = 'business_tz') AS day_start
      FROM (SELECT n, 1 + floor(:influencers * power(random(), 2))::int AS i, business_today() - floor(:days * power(random(), 1.3))::int AS day,
                   random() AS at,
                   (ARRAY['unattributed','unattributed','unattributed','coupon','coupon','click','click','last_click','explicit','explicit'])[1 + floor(random() * 10)::int] AS rule
            FROM generate_series(1, (:lines + 1) / 2) n) o
      CROSS JOIN LATERAL generate_series(1, least(2, :lines - 2 * (o.n - 1))) l(no)) x
JOIN contracts c ON c.contract_id = 'c-' || x.i
JOIN influencers f ON f.influencer_id = c.influencer_id
ORDER BY 10;
INSERT INTO refunds
SELECT 'ref-' || r.order_id, r.line_no, r.order_id, r.influencer_id, r.brand, r.platform, r.refunded, r.at,
       (r.at AT TIME ZONE (SELECT value FROM app_config WHERE key = 'business_tz'))::date
FROM (SELECT o.*, least(o.placed_at + (1 + floor(random() * 14)) * interval '1 day', now()) AS at
      FROM attributed_orders o WHERE o.refunded > 0) r
ORDER BY 8;
INSERT INTO posts
SELECT 'post-' || p.n, c.influencer_id, f.platform, c.brand, c.campaign, 'https://' || f.platform || '.com/p/' || p.n,
       'caption ' || p.n, p.at, (p.at AT TIME ZONE (SELECT value FROM app_config WHERE key = 'business_tz'))::date,
       (f.follower_count * p.reach)::bigint, (f.follower_count * p.reach * p.likes)::bigint,
       (f.follower_count * p.reach * p.likes * p.comments)::bigint, least(p.at + interval '1 day', now())
FROM (SELECT n, 1 + floor(:influencers * power(random(), 1.5))::int AS i, now() - random() * :days * interval '1 day' AS at,
             0.05 + random() * 0.3 AS reach, 0.005 + random() * 0.06 AS likes, random() * 0.1 AS comments
      FROM generate_series(1, :posts) n) p
JOIN contracts c ON c.contract_id = 'c-' || p.i
JOIN influencers f ON f.influencer_id = c.influencer_id
ORDER BY p.at;
-- what the contracts accrue (services/aggregator/spend.py): per post, per (order, brand), revenue share per line
INSERT INTO spend
SELECT 'post', p.post_id, c.contract_id, p.influencer_id, p.brand, p.platform, p.day, c.rate
FROM posts p JOIN contracts c ON c.influencer_id = p.influencer_id AND c.brand = p.brand WHERE c.basis = 'post'
UNION ALL
SELECT 'order', o.order_id || '|' || o.brand, c.contract_id, o.influencer_id, o.brand, o.platform, o.day, c.rate
FROM attributed_orders o JOIN contracts c ON c.contract_id = o.contract_id WHERE c.basis = 'order' AND o.counts_order
UNION ALL
SELECT 'order_line', o.order_id || '|' || o.line_no, c.contract_id, o.influencer_id, o.brand, o.platform, o.day,
       round(c.rate * o.revenue, 4)
FROM attributed_orders o JOIN contracts c ON c.contract_id = o.contract_id WHERE c.basis = 'revenue_share'
UNION ALL
SELECT 'refund_line', r.refund_id || '|' || r.line_no, c.contract_id, r.influencer_id, r.brand, r.platform, r.day,
       -round(c.rate * r.amount, 4)
FROM refunds r JOIN attributed_orders o ON o.order_id = r.order_id AND o.line_no = r.line_no
JOIN contracts c ON c.contract_id = o.contract_id WHERE c.basis = 'revenue_share'
ORDER BY 7;
INSERT INTO roas_alerts (influencer_id, brand, window_days, roas_before, roas_now, spend, orders, threshold,
                         drop_fraction, reason, fired_at, resolved_at, resolved_roas, resolved_reason)
SELECT a.influencer_id, a.brand, 7, 3.1, 1.2, 25000, 40, 2, 0.3, 'roas below threshold', a.fired,
       CASE WHEN a.r < 0.7 THEN a.fired + interval '2 days' END, CASE WHEN a.r < 0.7 THEN 2.4 END,
       CASE WHEN a.r < 0.7 THEN 'recovered' END
FROM (SELECT c.*, now() - random() * :days * interval '1 day' AS fired, random() AS r
      FROM contracts c WHERE abs(hashtext(c.contract_id)) % 50 = 0) a;
"""

# The baseline: the rollups as views over the facts, under the same names, for search_path = raw, public.
# raw.influencer_daily sums what the aggregator adds per fact (services/aggregator/writer.py); the rollup is
# loaded from this same view, so facts and rollups agree by construction. raw.rolling_current and raw.rolling_sums
# are the product's own rolling_from_daily(), whose body reads influencer_daily through the caller's search_path:
# the raw view; raw.daily_totals is daily_totals_from_facts() over it likewise, and the contracts' windows and
# rates are computed from spend and contracts at every read.
RAW = """
DROP SCHEMA IF EXISTS raw CASCADE;
CREATE SCHEMA raw;
CREATE VIEW raw.influencer_daily AS
SELECT f.day, f.influencer_id, f.brand, f.platform, sum(f.orders)::integer AS orders,
       sum(f.revenue)::numeric(20,4) AS revenue, sum(f.spend)::numeric(20,4) AS spend, sum(f.posts)::integer AS posts,
       sum(f.reach)::bigint AS reach, sum(f.likes)::bigint AS likes, sum(f.comments)::bigint AS comments
FROM (SELECT day, influencer_id, brand, platform, counts_order::integer AS orders, revenue, 0::numeric AS spend,
             0 AS posts, 0::bigint AS reach, 0::bigint AS likes, 0::bigint AS comments
      FROM public.attributed_orders WHERE influencer_id IS NOT NULL
      UNION ALL
      SELECT day, influencer_id, brand, platform, 0, -amount, 0, 0, 0, 0, 0 FROM public.refunds WHERE influencer_id IS NOT NULL
      UNION ALL
      SELECT day, influencer_id, brand, platform, 0, 0, amount, 0, 0, 0, 0 FROM public.spend
      UNION ALL
      SELECT day, influencer_id, brand, platform, 0, 0, 0, 1, reach, likes, comments FROM public.posts) f
GROUP BY f.day, f.influencer_id, f.brand, f.platform;
CREATE VIEW raw.rolling_current AS SELECT f.* FROM public.rolling_from_daily(business_today()) f;
CREATE VIEW raw.daily_totals AS SELECT f.* FROM public.daily_totals_from_facts() f;
CREATE VIEW raw.contract_windows AS SELECT f.* FROM public.contract_windows_from_spend(business_today()) f;
CREATE VIEW raw.contract_rates AS SELECT f.* FROM public.contract_rates_from_contracts() f;
CREATE VIEW raw.rolling_sums AS
SELECT f.*, coalesce(i.category, '') AS category, ratio(f.revenue, f.spend) AS roas
FROM public.rolling_from_daily(business_today()) f LEFT JOIN public.influencers i ON i.influencer_id = f.influencer_id;
-- the multi-touch models' daily rows (issue 20), synthetic: each influencer's daily figures under the five models,
-- scaled per model (the board reads model_daily's size and shape, not what a real journey would credit)
CREATE VIEW raw.model_daily AS
SELECT m.model, d.day, d.influencer_id, d.brand, d.platform, (d.orders * m.f)::numeric AS orders,
       (d.revenue * m.f)::numeric(20,4) AS revenue, (d.spend * m.f)::numeric(20,4) AS spend
FROM raw.influencer_daily d
CROSS JOIN (VALUES ('first_touch', 1.2), ('last_touch', 0.8), ('linear', 1.0), ('position_based', 1.05),
                   ('time_decay', 0.9)) m(model, f)
WHERE d.orders <> 0 OR d.revenue <> 0;
CREATE VIEW raw.model_windows AS SELECT f.* FROM public.model_windows_from_daily(business_today()) f;
CREATE VIEW raw.model_totals AS SELECT f.* FROM public.model_totals_from_daily() f;
GRANT USAGE ON SCHEMA raw TO hk_grafana;
GRANT SELECT ON ALL TABLES IN SCHEMA raw TO hk_grafana;
"""

ROLLUPS = """
INSERT INTO influencer_daily SELECT * FROM raw.influencer_daily ORDER BY day;
INSERT INTO daily_totals SELECT * FROM daily_totals_from_facts() ORDER BY day;
INSERT INTO model_daily SELECT * FROM raw.model_daily ORDER BY day;
INSERT INTO model_totals SELECT * FROM model_totals_from_daily() ORDER BY day;
INSERT INTO contract_rates SELECT * FROM contract_rates_from_contracts();
SELECT refresh_rolling(true);
"""

COUNTED = ("attributed_orders", "posts", "refunds", "spend", "influencer_daily", "daily_totals", "rolling_sums",
           "model_daily", "model_windows", "model_totals")
BUSIEST = """SELECT influencer_id FROM rolling_sums WHERE window_days = 30 AND brand = '' AND influencer_id <> ''
             ORDER BY orders DESC, influencer_id LIMIT 1"""

# Bench database only: no WAL for the bulk tables (SET UNLOGGED rewrites a table, so do it while empty).
UNLOGGED = ("influencers", "contracts", "posts", "attributed_orders", "refunds", "spend", "influencer_daily", "daily_totals",
            "rolling_sums", "model_daily", "model_windows", "model_totals")


def statements(sql: str) -> list[str]:
    return [s for s in sql.split(";\n") if s.strip()]
