-- Attribution models side by side (issue 20; definitions in docs/reporting.md, "Attribution models").
--
-- The attribution worker decides each order's touchpoints and each model's shares once and sends every order
-- line and refund line credited per model (services/attribution/credits.py). The aggregator keeps:
--   attributed_orders.touchpoints  the order's journey, oldest first (report_orders shows it);
--   model_credits                  one fact per (line or refund line, model, influencer): the credit, the share
--                                  of the order counted, and the spend an order / revenue_share contract owes on
--                                  that credit (priced when written, as the rules' spend is);
--   model_daily                    model_credits summed per day, influencer, brand and platform (the rollup the
--                                  reports read), kept by the batches from what their inserts changed.
-- "rules" is not in these tables: its figures are influencer_daily's, unchanged.

ALTER TABLE attributed_orders ADD COLUMN touchpoints jsonb;

CREATE TABLE model_credits (
  source_kind text NOT NULL,            -- order_line | refund_line
  source_id text NOT NULL,              -- order_id|line_no, refund_id|line_no (as in spend)
  model text NOT NULL,
  influencer_id text NOT NULL,
  order_id text NOT NULL,
  brand text NOT NULL,
  platform text NOT NULL,
  day date NOT NULL,                    -- the order's day, or the refund's
  orders numeric NOT NULL,              -- the influencer's share of the order, on the first line of each brand
  revenue numeric(20,4) NOT NULL,       -- the credit; a refund's is negative
  spend numeric(20,4) NOT NULL,
  PRIMARY KEY (source_kind, source_id, model, influencer_id)
);

CREATE TABLE model_daily (
  model text NOT NULL,
  day date NOT NULL,
  influencer_id text NOT NULL,
  brand text NOT NULL,
  platform text NOT NULL,
  orders numeric NOT NULL,
  revenue numeric(20,4) NOT NULL,
  spend numeric(20,4) NOT NULL,
  PRIMARY KEY (model, day, influencer_id, brand, platform)
);

-- what a post contract paid, per day and influencer: the same under every model
CREATE INDEX spend_posts ON spend (day, influencer_id) WHERE source_kind = 'post';

-- Per influencer and model over the range: orders counted, revenue credited (net of refunds), spend and ROAS.
-- rules reads influencer_daily (today's figures); every other model reads model_daily, plus the post spend.
CREATE FUNCTION report_model_figures(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                                     p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL,
                                     p_model text DEFAULT NULL)
RETURNS TABLE (influencer_id text, name text, category text, model text, orders numeric, revenue numeric,
               spend numeric, roas numeric)
STABLE LANGUAGE sql AS $$
  WITH figures AS (
    SELECT 'rules' AS model, d.influencer_id, sum(d.orders)::numeric AS orders, sum(d.revenue) AS revenue,
           sum(d.spend) AS spend
    FROM influencer_daily d
    WHERE (p_model IS NULL OR p_model = 'rules') AND day_in_range(d.day, p_from, p_to)
      AND in_filter(d.brand, p_brands) AND in_filter(d.platform, p_platforms)
    GROUP BY d.influencer_id
    UNION ALL
    SELECT m.model, m.influencer_id, sum(m.orders), sum(m.revenue), sum(m.spend)
    FROM model_daily m
    WHERE (p_model IS NULL OR m.model = p_model) AND day_in_range(m.day, p_from, p_to)
      AND in_filter(m.brand, p_brands) AND in_filter(m.platform, p_platforms)
    GROUP BY m.model, m.influencer_id
  ), posts AS (
    SELECT s.influencer_id, sum(s.amount) AS spend
    FROM spend s
    WHERE s.source_kind = 'post' AND day_in_range(s.day, p_from, p_to)
      AND in_filter(s.brand, p_brands) AND in_filter(s.platform, p_platforms)
    GROUP BY s.influencer_id
  ), models AS (
    SELECT unnest(ARRAY['rules', 'first_touch', 'last_touch', 'linear', 'position_based', 'time_decay']) AS model
  ), everyone AS (  -- an influencer with post spend only still has a (zero-revenue) row under every model
    SELECT f.influencer_id FROM figures f UNION SELECT p.influencer_id FROM posts p
  )
  SELECT e.influencer_id, i.name, coalesce(i.category, 'unknown'), ms.model, coalesce(f.orders, 0),
         coalesce(f.revenue, 0),
         coalesce(f.spend, 0) + CASE WHEN ms.model = 'rules' THEN 0 ELSE coalesce(p.spend, 0) END,
         round(coalesce(f.revenue, 0)
               / nullif(coalesce(f.spend, 0) + CASE WHEN ms.model = 'rules' THEN 0 ELSE coalesce(p.spend, 0) END, 0), 2)
  FROM everyone e
  CROSS JOIN models ms
  LEFT JOIN figures f ON f.influencer_id = e.influencer_id AND f.model = ms.model
  LEFT JOIN posts p ON p.influencer_id = e.influencer_id
  LEFT JOIN influencers i ON i.influencer_id = e.influencer_id
  WHERE (p_model IS NULL OR ms.model = p_model) AND in_filter(coalesce(i.category, 'unknown'), p_categories)
    -- a row where the influencer has something under that model (credit, or post spend, which every model
    -- carries), so one model's rows are the same whether it is asked for alone or with the others
    AND (f.influencer_id IS NOT NULL OR p.influencer_id IS NOT NULL)
$$;

-- "Models side by side": per influencer, revenue credited and ROAS under each model, with what they start
-- (first touch) and close (last touch); ranked by the rules' revenue, then first touch's.
CREATE FUNCTION report_models(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                              p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL,
                              p_limit integer DEFAULT NULL)
RETURNS TABLE (influencer_id text, name text, category text,
               rules_revenue numeric, rules_roas numeric, first_touch_revenue numeric, first_touch_roas numeric,
               last_touch_revenue numeric, last_touch_roas numeric, linear_revenue numeric, linear_roas numeric,
               position_based_revenue numeric, position_based_roas numeric, time_decay_revenue numeric,
               time_decay_roas numeric, starts_minus_closes numeric)
STABLE LANGUAGE sql AS $$
  SELECT f.influencer_id, min(f.name), min(f.category),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'rules'), 0), max(f.roas) FILTER (WHERE f.model = 'rules'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'first_touch'), 0), max(f.roas) FILTER (WHERE f.model = 'first_touch'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'last_touch'), 0), max(f.roas) FILTER (WHERE f.model = 'last_touch'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'linear'), 0), max(f.roas) FILTER (WHERE f.model = 'linear'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'position_based'), 0), max(f.roas) FILTER (WHERE f.model = 'position_based'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'time_decay'), 0), max(f.roas) FILTER (WHERE f.model = 'time_decay'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'first_touch'), 0) - coalesce(sum(f.revenue) FILTER (WHERE f.model = 'last_touch'), 0)
  FROM report_model_figures(p_from, p_to, p_brands, p_platforms, p_categories) f
  GROUP BY f.influencer_id
  ORDER BY 4 DESC, 6 DESC, 1
  LIMIT p_limit
$$;

GRANT SELECT ON model_daily TO hk_grafana;
