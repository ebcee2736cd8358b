-- The model stat panels from maintained state (issue 20), as daily_totals (0008) serves the rules' stat panels.
-- "Revenue / ROAS under a model" added up one model_windows row per influencer (100k at the benchmark's 1M
-- lines: 96-226 ms against the board's 100 ms). model_totals is model_daily without the influencer, per
-- (model, day, brand, platform, category): any range and filter is a few hundred rows per model.
-- The aggregator keeps it in the statement that writes the credits (model_credits.py), under each influencer's
-- category as stored then; when an influencer's category changes (or it becomes known) the same statement moves
-- its model_daily history from the old category to the new, as board_totals.py moves daily_totals.

-- category '' = an influencer the pipeline has not been told about yet (report_facts' NULL category)
CREATE TABLE model_totals (
  model text NOT NULL, day date NOT NULL, brand text NOT NULL, platform text NOT NULL, category text NOT NULL,
  orders numeric NOT NULL DEFAULT 0, revenue numeric(20,4) NOT NULL DEFAULT 0, spend numeric(20,4) NOT NULL DEFAULT 0,
  PRIMARY KEY (model, day, brand, platform, category));
GRANT SELECT ON model_totals TO hk_grafana;

-- model_totals as model_daily and the influencers define it: what hk rebuild writes and what the live table must equal.
CREATE FUNCTION model_totals_from_daily()
RETURNS TABLE (model text, day date, brand text, platform text, category text, orders numeric, revenue numeric,
               spend numeric)
STABLE LANGUAGE sql AS $$
  SELECT d.model, d.day, d.brand, d.platform, coalesce(i.category, ''), sum(d.orders), sum(d.revenue), sum(d.spend)
  FROM model_daily d LEFT JOIN influencers i ON i.influencer_id = d.influencer_id
  GROUP BY 1, 2, 3, 4, 5
$$;
INSERT INTO model_totals SELECT * FROM model_totals_from_daily() ORDER BY 1, 2, 3, 4, 5;

-- Per model over the range, every influencer together: orders (shares), credited revenue, spend and ROAS, what
-- report_model_figures' rows add up to (a test checks it for every filter). rules: daily_totals; every other
-- model: model_totals. One row per model asked for, zeros where nothing was credited.
CREATE FUNCTION report_model_totals(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                                    p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL,
                                    p_model text DEFAULT NULL)
RETURNS TABLE (model text, orders numeric, revenue numeric, spend numeric, roas numeric)
STABLE LANGUAGE sql AS $$
  -- the filters once, on both sources (Postgres pushes them into each branch of the UNION ALL)
  WITH totals AS (
    SELECT u.* FROM (SELECT 'rules' AS model, d.day, d.brand, d.platform, d.category, d.orders::numeric AS orders,
                            d.revenue, d.spend FROM daily_totals d
                     UNION ALL
                     SELECT m.model, m.day, m.brand, m.platform, m.category, m.orders, m.revenue, m.spend
                     FROM model_totals m) u
    WHERE (p_model IS NULL OR u.model = p_model) AND day_in_range(u.day, p_from, p_to) AND in_filter(u.brand, p_brands)
      AND in_filter(u.platform, p_platforms) AND in_filter(coalesce(nullif(u.category, ''), 'unknown'), p_categories))
  SELECT m.model, coalesce(sum(t.orders), 0), coalesce(sum(t.revenue), 0), coalesce(sum(t.spend), 0),
         round(sum(t.revenue) / nullif(sum(t.spend), 0), 2)
  FROM unnest('{rules}' || attribution_models()) WITH ORDINALITY AS m(model, n) LEFT JOIN totals t ON t.model = m.model
  WHERE p_model IS NULL OR m.model = p_model
  GROUP BY m.model, m.n ORDER BY m.n
$$;

-- The credits that carry no spend, per influencer and brand: an order or revenue_share contract that arrives after
-- the orders prices them (model_backfill.py). Partial, so a credit priced when it is written costs no index entry.
CREATE INDEX model_credits_unpriced ON model_credits (influencer_id, brand) WHERE spend = 0;
