-- The model panels from maintained state (issue 20), as 0008 did for the rules' panels. Opened, the model panels
-- summed model_daily over the range for every influencer under every model, 10-50x the board's 100 ms panel
-- target at 1M lines (docs/benchmarks.md). Now:
--  * model_daily carries the post contracts' spend under every model (it is the same under every model), so one
--    table holds a model's whole figures and the reports no longer add spend's post rows at each read;
--  * model_windows: model_daily summed per rolling window (model_window_days(): 31 and 366 days ending
--    rolling_state.as_of), per (model, influencer, brand) and per (model, influencer) over all brands ('').
--    Each batch adds what it inserted in the statement that writes its credits (model_credits.py);
--    refresh_rolling() moves the windows when the business day turns, as it moves rolling_sums.
-- report_model_figures reads the windows when the range is one (report_window), else the daily rows: same
-- answers, only slower.

-- The credited models, in their order (services/attribution/credits.py CREDITED; a test checks the two agree).
CREATE FUNCTION attribution_models() RETURNS text[] IMMUTABLE LANGUAGE sql AS $$
  SELECT ARRAY['first_touch', 'last_touch', 'linear', 'position_based', 'time_decay']
$$;

-- model_daily as the facts define it: each model's credits, and the post contracts' spend under every model.
CREATE FUNCTION model_daily_from_facts()
RETURNS TABLE (model text, day date, influencer_id text, brand text, platform text, orders numeric, revenue numeric,
               spend numeric)
STABLE LANGUAGE sql AS $$
  SELECT k.model, k.day, k.influencer_id, k.brand, k.platform, sum(k.orders), sum(k.revenue), sum(k.spend)
  FROM (SELECT c.model, c.day, c.influencer_id, c.brand, c.platform, c.orders, c.revenue, c.spend FROM model_credits c
        UNION ALL
        SELECT m.model, s.day, s.influencer_id, s.brand, s.platform, 0, 0, s.amount
        FROM spend s CROSS JOIN unnest(attribution_models()) AS m(model) WHERE s.source_kind = 'post') k
  GROUP BY k.model, k.day, k.influencer_id, k.brand, k.platform
$$;
DELETE FROM model_daily;
INSERT INTO model_daily SELECT * FROM model_daily_from_facts() ORDER BY 1, 2, 3, 4, 5;
-- one influencer's days under a model: the drill-down's daily rows, and the windows' "any day left?" probe
CREATE INDEX model_daily_influencer ON model_daily (influencer_id, model, day);
DROP INDEX spend_posts;  -- the reports no longer read spend's post rows per range

-- The windows kept per model: Grafana's "last 30 days" and "last 365 days" (31 and 366 business days: the boards'
-- ranges). Each window kept costs every batch a row per model, influencer and brand (hk bench aggregator: with all
-- four of rolling_windows(), 0.53x the rules-only rate); the 7- and 30-day ranges read model_daily.
CREATE FUNCTION model_window_days() RETURNS integer[] STABLE LANGUAGE sql AS $$
  SELECT ARRAY(SELECT w FROM unnest(rolling_windows()) w WHERE w IN (31, 366) ORDER BY w)
$$;

CREATE TABLE model_windows (
  window_days integer NOT NULL,
  model text NOT NULL,
  brand text NOT NULL,                  -- '' = all brands
  influencer_id text NOT NULL,
  orders numeric NOT NULL DEFAULT 0,
  revenue numeric(20,4) NOT NULL DEFAULT 0,
  spend numeric(20,4) NOT NULL DEFAULT 0,
  PRIMARY KEY (window_days, model, brand, influencer_id)
);
GRANT SELECT ON model_windows TO hk_grafana;
-- the ranked model panels walk these in revenue order and stop at their limit (report_model_top)
CREATE INDEX model_windows_revenue ON model_windows (window_days, model, brand, revenue DESC, influencer_id);
CREATE INDEX rolling_sums_revenue ON rolling_sums (window_days, brand, revenue DESC, influencer_id);

-- model_windows as model_daily defines them, for windows ending p_today.
CREATE FUNCTION model_windows_from_daily(p_today date)
RETURNS TABLE (window_days integer, model text, brand text, influencer_id text, orders numeric, revenue numeric,
               spend numeric)
STABLE LANGUAGE sql AS $$
  SELECT w.n, d.model, CASE WHEN grouping(d.brand) = 1 THEN '' ELSE d.brand END, d.influencer_id,
         sum(d.orders), sum(d.revenue), sum(d.spend)
  FROM model_daily d JOIN unnest(model_window_days()) AS w(n) ON d.day > p_today - w.n
  WHERE d.day > p_today - (SELECT max(x) FROM unnest(model_window_days()) x) AND d.day <= p_today
  GROUP BY GROUPING SETS ((w.n, d.model, d.influencer_id, d.brand), (w.n, d.model, d.influencer_id))
$$;

-- The model windows ending p_old moved to end p_new, as shift_windows moves rolling_sums: per window n, the days
-- of (p_old - n, p_old] not in (p_new - n, p_new] leave, the days of the new window after p_old enter; a row
-- whose days all left is dropped, as a rebuild would not have it.
CREATE FUNCTION shift_model_windows(p_old date, p_new date) RETURNS void LANGUAGE sql AS $$
  INSERT INTO model_windows AS r (window_days, model, brand, influencer_id, orders, revenue, spend)
  SELECT m.n, m.model, CASE WHEN grouping(m.brand) = 1 THEN '' ELSE m.brand END, m.influencer_id,
         sum(m.sign * m.orders), sum(m.sign * m.revenue), sum(m.sign * m.spend)
  FROM (SELECT w.n, d.model, d.brand, d.influencer_id, d.orders, d.revenue, d.spend,
               CASE WHEN d.day <= p_old THEN -1 ELSE 1 END AS sign
        FROM unnest(model_window_days()) AS w(n)
        JOIN model_daily d ON (d.day > p_old - w.n AND d.day <= least(p_old, p_new - w.n))   -- leaving
                           OR (d.day > greatest(p_old, p_new - w.n) AND d.day <= p_new)) m   -- entering
  GROUP BY GROUPING SETS ((m.n, m.model, m.influencer_id, m.brand), (m.n, m.model, m.influencer_id))
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (window_days, model, brand, influencer_id) DO UPDATE SET
    orders = r.orders + EXCLUDED.orders, revenue = r.revenue + EXCLUDED.revenue, spend = r.spend + EXCLUDED.spend;
  DELETE FROM model_windows r
  USING (SELECT DISTINCT w.n, d.model, d.influencer_id FROM unnest(model_window_days()) AS w(n)
         JOIN model_daily d ON d.day > p_old - w.n AND d.day <= least(p_old, p_new - w.n)) k
  WHERE (r.window_days, r.model, r.influencer_id) = (k.n, k.model, k.influencer_id)
    AND NOT EXISTS (SELECT 1 FROM model_daily d WHERE d.influencer_id = r.influencer_id AND d.model = r.model
                    AND d.day > p_new - r.window_days AND d.day <= p_new AND (r.brand = '' OR d.brand = r.brand));
$$;

-- refresh_rolling (0008) moves or rebuilds the model windows with the rules' windows, under the same lock: its
-- new body is 0008's with those two steps added (0010_model_windows.py), then the windows are built once here.
INSERT INTO model_windows SELECT * FROM model_windows_from_daily((SELECT as_of FROM rolling_state)) ORDER BY 1, 2, 3, 4;

-- Per influencer and model over the range: orders counted, revenue credited (net of refunds), spend and ROAS.
-- rules: the rules' windows or influencer_daily (today's figures); every other model: its windows or model_daily.
-- p_influencers: only these (the drill-down's one). An influencer has a row under a model where it has something
-- there in the range (a credit, or post spend, which every model carries). report_models (0009) is recreated
-- with p_influencers too (0010_model_windows.py).
DROP FUNCTION report_model_figures(date, date, text[], text[], text[], text);
CREATE FUNCTION report_model_figures(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_brands text[] DEFAULT NULL,
                                     p_platforms text[] DEFAULT NULL, p_categories text[] DEFAULT NULL,
                                     p_model text DEFAULT NULL, p_influencers text[] DEFAULT NULL)
RETURNS TABLE (influencer_id text, name text, category text, model text, orders numeric, revenue numeric,
               spend numeric, roas numeric)
STABLE LANGUAGE sql AS $$
  -- p_influencers is read once, in win (Postgres inlines this function, and an argument used in a row's filter is
  -- evaluated per row: the ranked panels pass report_model_top(...)), and each source is read twice over: for
  -- everyone, or for the chosen by an index lookup (influencer_id = ANY(ids), which an OR with "ids IS NULL"
  -- would turn into a scan of every influencer's rows).
  -- n: the rules' window for the range, if any; mn: the models' (they keep fewer: model_window_days())
  WITH range AS (SELECT report_window(p_from, p_to, p_platforms) AS n),
  win AS (SELECT n, CASE WHEN n = ANY(model_window_days()) THEN n END AS mn, window_brand(p_brands) AS brand,
                 nullif(p_influencers, '{}') AS ids FROM range),
  windowed AS (  -- a window: the rules' rows and the models' (all brands or one as they are, several summed)
    SELECT 'rules' AS model, w.influencer_id, w.orders::numeric AS orders, w.revenue, w.spend
    FROM window_influencers((SELECT n FROM win), p_brands) w
    WHERE (p_model IS NULL OR p_model = 'rules') AND (SELECT n FROM win) IS NOT NULL AND (SELECT ids FROM win) IS NULL
    UNION ALL
    SELECT 'rules', w.influencer_id, w.orders::numeric, w.revenue, w.spend
    FROM window_influencers((SELECT n FROM win), p_brands) w
    WHERE (p_model IS NULL OR p_model = 'rules') AND (SELECT n FROM win) IS NOT NULL
      AND w.influencer_id = ANY(CAST((SELECT ids FROM win) AS text[]))
    UNION ALL
    SELECT m.model, m.influencer_id, m.orders, m.revenue, m.spend
    FROM model_windows m
    WHERE m.window_days = (SELECT mn FROM win) AND m.brand = (SELECT brand FROM win)
      AND (p_model IS NULL OR m.model = p_model) AND (SELECT ids FROM win) IS NULL
    UNION ALL
    SELECT m.model, m.influencer_id, m.orders, m.revenue, m.spend
    FROM model_windows m
    WHERE m.window_days = (SELECT mn FROM win) AND m.brand = (SELECT brand FROM win)
      AND (p_model IS NULL OR m.model = p_model) AND m.influencer_id = ANY(CAST((SELECT ids FROM win) AS text[]))
    UNION ALL
    SELECT m.model, m.influencer_id, sum(m.orders), sum(m.revenue), sum(m.spend)
    FROM model_windows m
    WHERE m.window_days = (SELECT mn FROM win) AND (SELECT brand FROM win) IS NULL AND m.brand = ANY(p_brands)
      AND (p_model IS NULL OR m.model = p_model) AND in_filter(m.influencer_id, (SELECT ids FROM win))
    GROUP BY m.model, m.influencer_id
  ), daily AS (  -- any other range: the daily rows summed
    SELECT 'rules' AS model, d.influencer_id, sum(d.orders)::numeric AS orders, sum(d.revenue) AS revenue,
           sum(d.spend) AS spend
    FROM influencer_daily d
    WHERE (p_model IS NULL OR p_model = 'rules') AND (SELECT n FROM win) IS NULL AND day_in_range(d.day, p_from, p_to)
      AND in_filter(d.brand, p_brands) AND in_filter(d.platform, p_platforms) AND (SELECT ids FROM win) IS NULL
    GROUP BY d.influencer_id
    UNION ALL
    SELECT 'rules', d.influencer_id, sum(d.orders)::numeric, sum(d.revenue), sum(d.spend)
    FROM influencer_daily d
    WHERE (p_model IS NULL OR p_model = 'rules') AND (SELECT n FROM win) IS NULL AND day_in_range(d.day, p_from, p_to)
      AND in_filter(d.brand, p_brands) AND in_filter(d.platform, p_platforms) AND d.influencer_id = ANY(CAST((SELECT ids FROM win) AS text[]))
    GROUP BY d.influencer_id
    UNION ALL
    SELECT m.model, m.influencer_id, sum(m.orders), sum(m.revenue), sum(m.spend)
    FROM model_daily m
    WHERE (SELECT mn FROM win) IS NULL AND (p_model IS NULL OR m.model = p_model) AND day_in_range(m.day, p_from, p_to)
      AND in_filter(m.brand, p_brands)
      AND in_filter(m.platform, p_platforms) AND (SELECT ids FROM win) IS NULL
    GROUP BY m.model, m.influencer_id
    UNION ALL
    SELECT m.model, m.influencer_id, sum(m.orders), sum(m.revenue), sum(m.spend)
    FROM model_daily m
    WHERE (SELECT mn FROM win) IS NULL AND (p_model IS NULL OR m.model = p_model) AND day_in_range(m.day, p_from, p_to)
      AND in_filter(m.brand, p_brands)
      AND in_filter(m.platform, p_platforms) AND m.influencer_id = ANY(CAST((SELECT ids FROM win) AS text[]))
    GROUP BY m.model, m.influencer_id
  ), figures AS (SELECT * FROM windowed UNION ALL SELECT * FROM daily)
  SELECT f.influencer_id, i.name, coalesce(i.category, 'unknown'), f.model, f.orders, f.revenue, f.spend,
         round(f.revenue / nullif(f.spend, 0), 2)
  FROM figures f LEFT JOIN influencers i ON i.influencer_id = f.influencer_id
  WHERE in_filter(coalesce(i.category, 'unknown'), p_categories)
  ORDER BY f.influencer_id, array_position('{rules}' || attribution_models(), f.model)  -- either path, one order
$$;

-- The influencers with the most revenue under p_model in the range, ties at the last place included, read from a
-- maintained window in revenue order; NULL where that is not exact (no window for the range, several brands,
-- fewer than p_limit, or a last place at 0 or less, which influencers without a row share). The ranked model
-- panels pass it as p_influencers: their top rows are among these, whatever ties them after revenue.
CREATE FUNCTION report_model_top(p_from date, p_to date, p_brands text[], p_platforms text[], p_categories text[],
                                 p_model text, p_limit integer)
RETURNS text[] STABLE LANGUAGE sql AS $$
  WITH range AS (SELECT report_window(p_from, p_to, p_platforms) AS n),
  win AS (SELECT n, CASE WHEN n = ANY(model_window_days()) THEN n END AS mn, window_brand(p_brands) AS brand FROM range),
  ranked AS (
    (SELECT r.influencer_id, r.revenue
     FROM rolling_sums r LEFT JOIN influencers i ON i.influencer_id = r.influencer_id
     WHERE p_model = 'rules' AND r.window_days = (SELECT n FROM win) AND r.brand = (SELECT brand FROM win)
       AND r.influencer_id <> '' AND in_filter(coalesce(i.category, 'unknown'), p_categories)
     ORDER BY r.revenue DESC FETCH FIRST p_limit ROWS WITH TIES)
    UNION ALL
    (SELECT m.influencer_id, m.revenue
     FROM model_windows m LEFT JOIN influencers i ON i.influencer_id = m.influencer_id
     WHERE m.model = p_model AND m.window_days = (SELECT mn FROM win) AND m.brand = (SELECT brand FROM win)
       AND in_filter(coalesce(i.category, 'unknown'), p_categories)
     ORDER BY m.revenue DESC FETCH FIRST p_limit ROWS WITH TIES))
  SELECT CASE WHEN count(*) >= p_limit AND min(revenue) > 0 THEN array_agg(influencer_id) END FROM ranked
$$;
