-- Seed parity: per-brand incremental baseline, metric classes, maintained rolling windows and the
-- reporting functions every board and export reads. Filters: NULL or an empty array means "all".

INSERT INTO app_config VALUES ('incremental_baseline', '0.2'), ('underperforming_min_spend', '1000')
ON CONFLICT (key) DO NOTHING;
-- Per-brand overrides of the default incremental baseline (HK_BRAND_BASELINES, written by hk migrate).
CREATE TABLE brand_config (
  brand text PRIMARY KEY,
  incremental_baseline NUMERIC(6,4) NOT NULL CHECK (incremental_baseline >= 0 AND incremental_baseline <= 1));

-- ---------------------------------------------------------------- metric definitions (the seed's)
-- Every ratio is rounded to 4 places and NULL when its denominator is zero; classes read the rounded value,
-- so a shown figure and its class always agree.
CREATE FUNCTION ratio(n numeric, d numeric) RETURNS numeric IMMUTABLE LANGUAGE sql AS
  $$ SELECT round(n / nullif(d, 0), 4) $$;
CREATE FUNCTION roas_class(roas numeric) RETURNS text IMMUTABLE LANGUAGE sql AS
  $$ SELECT CASE WHEN roas IS NULL THEN NULL WHEN roas > 3 THEN 'good' WHEN roas >= 2 THEN 'average' ELSE 'poor' END $$;
CREATE FUNCTION engagement_class(rate numeric) RETURNS text IMMUTABLE LANGUAGE sql AS
  $$ SELECT CASE WHEN rate IS NULL THEN NULL WHEN rate > 3 THEN 'high' WHEN rate >= 1 THEN 'average' ELSE 'low' END $$;
CREATE FUNCTION in_filter(v text, allowed text[]) RETURNS boolean IMMUTABLE LANGUAGE sql AS
  $$ SELECT coalesce(cardinality(allowed), 0) = 0 OR v = ANY(allowed) $$;
CREATE FUNCTION day_in_range(d date, p_from date, p_to date) RETURNS boolean IMMUTABLE LANGUAGE sql AS
  $$ SELECT (p_from IS NULL OR d >= p_from) AND (p_to IS NULL OR d <= p_to) $$;

-- ROAS, incremental ROAS, engagement, CPM, cost per order from sums: the one place these formulas live.
CREATE FUNCTION derived_metrics(revenue numeric, incremental_revenue numeric, spend numeric, orders numeric,
                                reach numeric, likes numeric, comments numeric)
RETURNS TABLE (roas numeric, roas_class text, incremental_roas numeric, engagement_rate numeric,
               engagement_class text, cpm numeric, cost_per_order numeric)
IMMUTABLE LANGUAGE sql AS $$
  SELECT m.roas, roas_class(m.roas), m.incremental_roas, m.engagement_rate, engagement_class(m.engagement_rate),
         m.cpm, m.cost_per_order
  FROM (SELECT ratio(revenue, spend) AS roas, ratio(incremental_revenue, spend) AS incremental_roas,
               ratio((likes + comments) * 100, reach) AS engagement_rate, ratio(spend * 1000, reach) AS cpm,
               ratio(spend, orders) AS cost_per_order) m
$$;

-- ---------------------------------------------------------------- rolling windows, kept current
-- rolling_sums holds the 7- and 30-day sums ending rolling_state.as_of per (influencer, brand), plus the
-- rollups a board reads without aggregating: brand '' = the influencer over all brands, influencer_id '' =
-- the brand over all influencers ('' is never an id or a brand: the schemas require at least one character).
-- The aggregator adds each batch's deltas in the batch's transaction; refresh_rolling() rebuilds the sums when
-- the business day changes or a baseline does.
CREATE FUNCTION rolling_windows() RETURNS integer[] IMMUTABLE LANGUAGE sql AS $$ SELECT ARRAY[7, 30] $$;
CREATE FUNCTION incremental(revenue numeric, brand_baseline numeric, default_baseline numeric)
RETURNS numeric IMMUTABLE LANGUAGE sql AS $$ SELECT revenue * (1 - coalesce(brand_baseline, default_baseline)) $$;
CREATE TABLE rolling_state (id boolean PRIMARY KEY DEFAULT true CHECK (id), as_of date NOT NULL);
INSERT INTO rolling_state (as_of) VALUES (DATE '1970-01-01');
CREATE TABLE rolling_sums (
  window_days integer NOT NULL, influencer_id text NOT NULL, brand text NOT NULL,
  orders integer NOT NULL DEFAULT 0, revenue NUMERIC(20,4) NOT NULL DEFAULT 0,
  incremental_revenue numeric NOT NULL DEFAULT 0, spend NUMERIC(20,4) NOT NULL DEFAULT 0,
  posts integer NOT NULL DEFAULT 0, reach bigint NOT NULL DEFAULT 0, likes bigint NOT NULL DEFAULT 0,
  comments bigint NOT NULL DEFAULT 0, PRIMARY KEY (window_days, influencer_id, brand));
CREATE INDEX rolling_sums_brand ON rolling_sums (window_days, brand);

-- The windows ending p_today computed from the daily rows, in rolling_sums' shape.
CREATE FUNCTION rolling_from_daily(p_today date)
RETURNS TABLE (window_days integer, influencer_id text, brand text, orders integer, revenue numeric,
               incremental_revenue numeric, spend numeric, posts integer, reach bigint, likes bigint, comments bigint)
STABLE LANGUAGE sql AS $$
  SELECT w.n, CASE WHEN grouping(d.influencer_id) = 1 THEN '' ELSE d.influencer_id END,
         CASE WHEN grouping(d.brand) = 1 THEN '' ELSE d.brand END,
         sum(d.orders)::integer, sum(d.revenue), sum(incremental(d.revenue, b.incremental_baseline, dflt.v)),
         sum(d.spend), sum(d.posts)::integer, sum(d.reach)::bigint, sum(d.likes)::bigint, sum(d.comments)::bigint
  FROM influencer_daily d
  JOIN unnest(rolling_windows()) AS w(n) ON d.day > p_today - w.n
  LEFT JOIN brand_config b ON b.brand = d.brand
  CROSS JOIN (SELECT value::numeric AS v FROM app_config WHERE key = 'incremental_baseline') dflt
  WHERE d.day > p_today - (SELECT max(x) FROM unnest(rolling_windows()) x) AND d.day <= p_today
  GROUP BY GROUPING SETS ((w.n, d.influencer_id, d.brand), (w.n, d.influencer_id), (w.n, d.brand))
$$;

CREATE FUNCTION refresh_rolling(p_force boolean DEFAULT false) RETURNS date LANGUAGE plpgsql AS $$
DECLARE
  today date := business_today();
  current date;
BEGIN
  -- FOR UPDATE waits for every batch that holds the state FOR SHARE, so the rebuild sees all of them.
  SELECT as_of INTO current FROM rolling_state FOR UPDATE;
  IF current >= today AND NOT p_force THEN  -- never backwards: a refresh begun before midnight may commit late
    RETURN today;
  END IF;
  DELETE FROM rolling_sums;
  INSERT INTO rolling_sums (window_days, influencer_id, brand, orders, revenue, incremental_revenue, spend, posts,
                            reach, likes, comments)
  SELECT * FROM rolling_from_daily(today);
  UPDATE rolling_state SET as_of = today;
  RETURN today;
END $$;

-- The current windows: the maintained sums when they are for today, else computed from the daily rows
-- (only until the aggregator's next refresh; the one-time filters pick one branch).
CREATE VIEW rolling_current AS
SELECT r.window_days, r.influencer_id, r.brand, r.orders, r.revenue, r.incremental_revenue, r.spend, r.posts,
       r.reach, r.likes, r.comments
FROM rolling_sums r
WHERE (SELECT as_of FROM rolling_state) = (SELECT business_today())
UNION ALL
SELECT f.* FROM (SELECT business_today() AS today OFFSET 0) t CROSS JOIN LATERAL rolling_from_daily(t.today) f
WHERE (SELECT as_of FROM rolling_state) <> (SELECT business_today());

-- Per influencer: the all-brands rows as they are, or the chosen brands' rows summed.
CREATE FUNCTION report_rolling(p_window integer DEFAULT NULL, p_brands text[] DEFAULT NULL,
                               p_categories text[] DEFAULT NULL)
RETURNS TABLE (window_days integer, as_of date, influencer_id text, name text, category text, orders integer,
               revenue numeric, spend numeric, posts integer, reach bigint, likes bigint, comments bigint,
               roas numeric, roas_class text, incremental_roas numeric, engagement_rate numeric,
               engagement_class text, cpm numeric, cost_per_order numeric)
STABLE LANGUAGE sql AS $$
  SELECT s.window_days, (SELECT business_today()), s.influencer_id, i.name, i.category, s.orders, s.revenue, s.spend,
         s.posts, s.reach, s.likes, s.comments, m.*
  FROM (SELECT r.window_days, r.influencer_id, r.orders, r.revenue, r.incremental_revenue, r.spend, r.posts, r.reach,
               r.likes, r.comments
        FROM rolling_current r
        WHERE coalesce(cardinality(p_brands), 0) = 0 AND r.brand = '' AND r.influencer_id <> ''
          AND (p_window IS NULL OR r.window_days = p_window)
        UNION ALL
        SELECT r.window_days, r.influencer_id, sum(r.orders)::integer, sum(r.revenue), sum(r.incremental_revenue),
               sum(r.spend), sum(r.posts)::integer, sum(r.reach)::bigint, sum(r.likes)::bigint, sum(r.comments)::bigint
        FROM rolling_current r
        WHERE coalesce(cardinality(p_brands), 0) > 0 AND r.brand = ANY(p_brands) AND r.influencer_id <> ''
          AND (p_window IS NULL OR r.window_days = p_window)
        GROUP BY r.window_days, r.influencer_id) s
  LEFT JOIN influencers i ON i.influencer_id = s.influencer_id
  CROSS JOIN LATERAL derived_metrics(s.revenue, s.incremental_revenue, s.spend, s.orders, s.reach, s.likes, s.comments) m
  WHERE in_filter(i.category, p_categories)
  ORDER BY s.window_days, m.roas DESC NULLS LAST, s.revenue DESC, s.influencer_id
$$;

DROP VIEW influencer_rolling;
CREATE VIEW influencer_rolling AS SELECT * FROM report_rolling();

CREATE VIEW brand_rolling AS
SELECT r.window_days, (SELECT business_today()) AS as_of, r.brand, r.orders, r.revenue, r.spend, r.posts, r.reach,
       r.likes, r.comments, m.*
FROM rolling_current r
CROSS JOIN LATERAL derived_metrics(r.revenue, r.incremental_revenue, r.spend, r.orders, r.reach, r.likes, r.comments) m
WHERE r.influencer_id = '' AND r.brand <> '';

-- ---------------------------------------------------------------- reporting functions
-- influencer_daily rows under the common filters, with the influencer's attributes and incremental revenue.
CREATE FUNCTION report_facts(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                             p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL)
RETURNS TABLE (day date, influencer_id text, brand text, platform text, category text, orders integer,
               revenue numeric, incremental_revenue numeric, spend numeric, posts integer, reach bigint,
               likes bigint, comments bigint)
STABLE LANGUAGE sql AS $$
  SELECT d.day, d.influencer_id, d.brand, d.platform, i.category, d.orders, d.revenue,
         incremental(d.revenue, b.incremental_baseline, dflt.v), d.spend, d.posts, d.reach, d.likes, d.comments
  FROM influencer_daily d
  LEFT JOIN influencers i ON i.influencer_id = d.influencer_id
  LEFT JOIN brand_config b ON b.brand = d.brand
  CROSS JOIN (SELECT value::numeric AS v FROM app_config WHERE key = 'incremental_baseline') dflt
  WHERE day_in_range(d.day, p_from, p_to) AND in_filter(d.brand, p_brands) AND in_filter(d.platform, p_platforms)
    AND in_filter(i.category, p_categories)
$$;

-- The facts summed per one dimension (influencer, brand, platform, category or day) with every metric.
CREATE FUNCTION report_grouped(p_dimension text, p_from date DEFAULT NULL, p_to date DEFAULT NULL,
                               p_brands text[] DEFAULT NULL, p_platforms text[] DEFAULT NULL,
                               p_categories text[] DEFAULT NULL)
RETURNS TABLE (key text, influencers bigint, posts integer, reach bigint, likes bigint, comments bigint, orders integer,
               revenue numeric, spend numeric, roas numeric, roas_class text, incremental_roas numeric,
               engagement_rate numeric, engagement_class text, cpm numeric, cost_per_order numeric)
STABLE LANGUAGE sql AS $$
  SELECT s.key, s.influencers, s.posts, s.reach, s.likes, s.comments, s.orders, s.revenue, s.spend,
         m.roas, m.roas_class, m.incremental_roas, m.engagement_rate, m.engagement_class, m.cpm, m.cost_per_order
  FROM (SELECT CASE p_dimension WHEN 'influencer' THEN f.influencer_id WHEN 'brand' THEN f.brand
                                WHEN 'platform' THEN f.platform WHEN 'category' THEN coalesce(f.category, 'unknown')
                                WHEN 'day' THEN f.day::text END AS key,
               count(DISTINCT f.influencer_id) AS influencers, sum(f.posts)::integer AS posts,
               sum(f.reach)::bigint AS reach, sum(f.likes)::bigint AS likes, sum(f.comments)::bigint AS comments,
               sum(f.orders)::integer AS orders, coalesce(sum(f.revenue), 0) AS revenue,
               coalesce(sum(f.incremental_revenue), 0) AS incremental_revenue, coalesce(sum(f.spend), 0) AS spend
        FROM report_facts(p_from, p_to, p_brands, p_platforms, p_categories) f
        GROUP BY 1) s
  CROSS JOIN LATERAL derived_metrics(s.revenue, s.incremental_revenue, s.spend, s.orders, s.reach, s.likes, s.comments) m
$$;

CREATE FUNCTION report_posts(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                             p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL)
RETURNS TABLE (post_id text, day date, published_at timestamptz, influencer_id text, name text, category text,
               platform text, brand text, campaign text, url text, caption text, reach bigint, likes bigint,
               comments bigint, engagement_rate numeric, engagement_class text, observed_at timestamptz)
STABLE LANGUAGE sql AS $$
  SELECT p.post_id, p.day, p.published_at, p.influencer_id, i.name, i.category, p.platform, p.brand, p.campaign,
         p.url, p.caption, p.reach, p.likes, p.comments, m.engagement_rate, m.engagement_class, p.observed_at
  FROM posts p LEFT JOIN influencers i ON i.influencer_id = p.influencer_id
  CROSS JOIN LATERAL derived_metrics(0, 0, 0, 0, p.reach, p.likes, p.comments) m
  WHERE day_in_range(p.day, p_from, p_to) AND in_filter(p.brand, p_brands) AND in_filter(p.platform, p_platforms)
    AND in_filter(i.category, p_categories)
  ORDER BY p.published_at DESC, p.post_id
$$;

-- The seed's key metrics. avg_engagement_rate is the seed's mean of per-post rates (posts with reach);
-- engagement_rate is pooled: all likes and comments over all reach.
CREATE FUNCTION report_kpis(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                            p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL)
RETURNS TABLE (total_revenue numeric, total_spend numeric, overall_roas numeric, roas_class text,
               incremental_roas numeric, total_orders bigint, total_posts bigint, total_reach bigint,
               total_likes bigint, total_comments bigint, engagement_rate numeric, avg_engagement_rate numeric,
               influencers bigint, cpm numeric, cost_per_order numeric)
STABLE LANGUAGE sql AS $$
  SELECT s.revenue, s.spend, m.roas, m.roas_class, m.incremental_roas, s.orders, s.posts, s.reach, s.likes,
         s.comments, m.engagement_rate, p.avg_rate, s.influencers, m.cpm, m.cost_per_order
  FROM (SELECT coalesce(sum(f.revenue), 0) AS revenue, coalesce(sum(f.incremental_revenue), 0) AS incremental_revenue,
               coalesce(sum(f.spend), 0) AS spend, coalesce(sum(f.orders), 0)::bigint AS orders,
               coalesce(sum(f.posts), 0)::bigint AS posts, coalesce(sum(f.reach), 0)::bigint AS reach,
               coalesce(sum(f.likes), 0)::bigint AS likes, coalesce(sum(f.comments), 0)::bigint AS comments,
               count(DISTINCT f.influencer_id) AS influencers
        FROM report_facts(p_from, p_to, p_brands, p_platforms, p_categories) f) s
  CROSS JOIN LATERAL derived_metrics(s.revenue, s.incremental_revenue, s.spend, s.orders, s.reach, s.likes, s.comments) m
  CROSS JOIN (SELECT round(avg((rp.likes + rp.comments) * 100.0 / rp.reach), 4) AS avg_rate
              FROM report_posts(p_from, p_to, p_brands, p_platforms, p_categories) rp WHERE rp.reach > 0) p
$$;

-- Every influencer with activity under the filters: the seed's "top performers" table, best ROAS first.
CREATE FUNCTION report_influencers(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                                   p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL,
                                   p_limit integer DEFAULT NULL)
RETURNS TABLE (influencer_id text, name text, category text, platform text, follower_count bigint, posts integer,
               reach bigint, likes bigint, comments bigint, engagement_rate numeric, engagement_class text,
               orders integer, revenue numeric, spend numeric, roas numeric, roas_class text,
               incremental_roas numeric, cpm numeric, cost_per_order numeric)
STABLE LANGUAGE sql AS $$
  SELECT g.key, i.name, i.category, i.platform, i.follower_count, g.posts, g.reach, g.likes, g.comments,
         g.engagement_rate, g.engagement_class, g.orders, g.revenue, g.spend, g.roas, g.roas_class,
         g.incremental_roas, g.cpm, g.cost_per_order
  FROM report_grouped('influencer', p_from, p_to, p_brands, p_platforms, p_categories) g
  LEFT JOIN influencers i ON i.influencer_id = g.key
  ORDER BY g.roas DESC NULLS LAST, g.revenue DESC, g.key
  LIMIT p_limit
$$;

CREATE FUNCTION report_top_influencers(p_from date DEFAULT NULL, p_to date DEFAULT NULL,
                                       p_brands text[] DEFAULT NULL, p_platforms text[] DEFAULT NULL,
                                       p_categories text[] DEFAULT NULL, p_limit integer DEFAULT 10)
RETURNS TABLE (influencer_id text, name text, roas numeric, roas_class text, revenue numeric, spend numeric)
STABLE LANGUAGE sql AS $$
  SELECT r.influencer_id, r.name, r.roas, r.roas_class, r.revenue, r.spend
  FROM report_influencers(p_from, p_to, p_brands, p_platforms, p_categories) r
  WHERE r.roas IS NOT NULL
  ORDER BY r.roas DESC, r.revenue DESC, r.influencer_id
  LIMIT p_limit
$$;

-- Poor ROAS with at least a minimum spend (default: app_config underperforming_min_spend), worst first,
-- so tiny campaigns do not flood the list.
CREATE FUNCTION report_underperforming(p_from date DEFAULT NULL, p_to date DEFAULT NULL,
                                       p_brands text[] DEFAULT NULL, p_platforms text[] DEFAULT NULL,
                                       p_categories text[] DEFAULT NULL, p_min_spend numeric DEFAULT NULL)
RETURNS TABLE (influencer_id text, name text, category text, platform text, follower_count bigint, posts integer,
               reach bigint, likes bigint, comments bigint, engagement_rate numeric, engagement_class text,
               orders integer, revenue numeric, spend numeric, roas numeric, roas_class text,
               incremental_roas numeric, cpm numeric, cost_per_order numeric)
STABLE LANGUAGE sql AS $$
  SELECT r.* FROM report_influencers(p_from, p_to, p_brands, p_platforms, p_categories) r
  WHERE r.roas_class = 'poor'
    AND r.spend >= coalesce(p_min_spend, (SELECT value::numeric FROM app_config WHERE key = 'underperforming_min_spend'))
  ORDER BY r.roas, r.spend DESC, r.influencer_id
$$;

CREATE FUNCTION report_platforms(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                                 p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL)
RETURNS TABLE (platform text, revenue numeric, revenue_share_pct numeric, orders integer, spend numeric,
               roas numeric, roas_class text, incremental_roas numeric, posts integer, reach bigint,
               engagement_rate numeric, engagement_class text, influencers bigint)
STABLE LANGUAGE sql AS $$
  SELECT g.key, g.revenue, round(g.revenue * 100 / nullif(sum(g.revenue) OVER (), 0), 2), g.orders, g.spend,
         g.roas, g.roas_class, g.incremental_roas, g.posts, g.reach, g.engagement_rate, g.engagement_class,
         g.influencers
  FROM report_grouped('platform', p_from, p_to, p_brands, p_platforms, p_categories) g
  ORDER BY g.revenue DESC, g.key
$$;

CREATE FUNCTION report_daily(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                             p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL)
RETURNS TABLE (day date, revenue numeric, spend numeric, orders integer, roas numeric, incremental_roas numeric,
               posts integer, reach bigint, engagement_rate numeric)
STABLE LANGUAGE sql AS $$
  SELECT g.key::date, g.revenue, g.spend, g.orders, g.roas, g.incremental_roas, g.posts, g.reach, g.engagement_rate
  FROM report_grouped('day', p_from, p_to, p_brands, p_platforms, p_categories) g
  ORDER BY 1
$$;

CREATE FUNCTION report_brands(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                              p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL)
RETURNS TABLE (brand text, influencers bigint, posts integer, reach bigint, likes bigint, comments bigint,
               engagement_rate numeric, engagement_class text, orders integer, revenue numeric, spend numeric,
               roas numeric, roas_class text, incremental_roas numeric, cpm numeric, cost_per_order numeric)
STABLE LANGUAGE sql AS $$
  SELECT g.key, g.influencers, g.posts, g.reach, g.likes, g.comments, g.engagement_rate, g.engagement_class,
         g.orders, g.revenue, g.spend, g.roas, g.roas_class, g.incremental_roas, g.cpm, g.cost_per_order
  FROM report_grouped('brand', p_from, p_to, p_brands, p_platforms, p_categories) g
  ORDER BY g.revenue DESC, g.key
$$;

CREATE FUNCTION report_categories(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                                  p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL)
RETURNS TABLE (category text, influencers bigint, posts integer, reach bigint, likes bigint, comments bigint,
               engagement_rate numeric, engagement_class text, orders integer, revenue numeric, spend numeric,
               roas numeric, roas_class text, incremental_roas numeric, cpm numeric, cost_per_order numeric)
STABLE LANGUAGE sql AS $$
  SELECT g.key, g.influencers, g.posts, g.reach, g.likes, g.comments, g.engagement_rate, g.engagement_class,
         g.orders, g.revenue, g.spend, g.roas, g.roas_class, g.incremental_roas, g.cpm, g.cost_per_order
  FROM report_grouped('category', p_from, p_to, p_brands, p_platforms, p_categories) g
  ORDER BY g.revenue DESC, g.key
$$;

-- Order-level attribution: every order line (unattributed ones too) with the rule that won.
CREATE FUNCTION report_orders(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                              p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL)
RETURNS TABLE (day date, placed_at timestamptz, order_id text, line_no integer, customer_id text, influencer_id text,
               name text, category text, brand text, product text, quantity integer, revenue numeric,
               refunded numeric, net_revenue numeric, rule text, contract_id text, click_id text, platform text)
STABLE LANGUAGE sql AS $$
  SELECT o.day, o.placed_at, o.order_id, o.line_no, o.customer_id, o.influencer_id, i.name, i.category, o.brand,
         o.product, o.quantity, o.revenue, o.refunded, o.revenue - o.refunded, o.rule, o.contract_id, o.click_id,
         o.platform
  FROM attributed_orders o LEFT JOIN influencers i ON i.influencer_id = o.influencer_id
  WHERE day_in_range(o.day, p_from, p_to) AND in_filter(o.brand, p_brands) AND in_filter(o.platform, p_platforms)
    AND in_filter(i.category, p_categories)
  ORDER BY o.placed_at, o.order_id, o.line_no
$$;

-- The seed's payout table per contract, over the spend that accrued in the date range.
CREATE FUNCTION report_payouts(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                               p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL)
RETURNS TABLE (influencer_id text, name text, category text, contract_id text, brand text, basis text, rate numeric,
               valid_from timestamptz, valid_to timestamptz, orders integer, posts integer, total_payout numeric)
STABLE LANGUAGE sql AS $$
  SELECT c.influencer_id, i.name, i.category, c.contract_id, c.brand, c.basis, c.rate, c.valid_from, c.valid_to,
         count(s.source_id) FILTER (WHERE s.source_kind = 'order')::integer,
         count(s.source_id) FILTER (WHERE s.source_kind = 'post')::integer,
         coalesce(sum(s.amount), 0)
  FROM contracts c
  LEFT JOIN influencers i ON i.influencer_id = c.influencer_id
  LEFT JOIN spend s ON s.contract_id = c.contract_id AND day_in_range(s.day, p_from, p_to)
                   AND in_filter(s.platform, p_platforms)
  WHERE in_filter(c.brand, p_brands) AND in_filter(i.category, p_categories)
  GROUP BY c.contract_id, i.name, i.category
  ORDER BY 12 DESC, c.influencer_id, c.contract_id
$$;

-- The rate a basis would pay this influencer for this brand: its own latest contract of that basis, else
-- the brand's average contracted rate for the basis, else the average over all brands.
CREATE FUNCTION reference_rate(p_influencer text, p_brand text, p_basis text) RETURNS numeric STABLE LANGUAGE sql AS $$
  SELECT coalesce(
    (SELECT c.rate FROM contracts c WHERE c.influencer_id = p_influencer AND c.brand = p_brand AND c.basis = p_basis
     ORDER BY c.valid_from DESC, c.contract_id DESC LIMIT 1),
    (SELECT round(avg(c.rate), 6) FROM contracts c WHERE c.brand = p_brand AND c.basis = p_basis),
    (SELECT round(avg(c.rate), 6) FROM contracts c WHERE c.basis = p_basis))
$$;

-- The seed's payout optimisation: what each basis would have cost for the same posts, orders and revenue.
CREATE FUNCTION report_payout_comparison(p_from date DEFAULT NULL, p_to date DEFAULT NULL,
                                         p_brands text[] DEFAULT NULL, p_platforms text[] DEFAULT NULL,
                                         p_categories text[] DEFAULT NULL)
RETURNS TABLE (influencer_id text, name text, brand text, current_basis text, posts integer, orders integer,
               revenue numeric, actual_payout numeric, post_rate numeric, cost_post_basis numeric, order_rate numeric,
               cost_order_basis numeric, revenue_share_rate numeric, cost_revenue_share_basis numeric,
               cheapest_basis text, saving numeric)
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
