CREATE OR REPLACE FUNCTION public.report_model_figures(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[], p_model text DEFAULT NULL::text, p_influencers text[] DEFAULT NULL::text[])
 RETURNS TABLE(influencer_id text, name text, category text, model text, orders numeric, revenue numeric, spend numeric, roas numeric)
 LANGUAGE sql
 STABLE
AS $function$
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
    FROM win CROSS JOIN LATERAL window_influencers(win.n, p_brands) w
    WHERE (p_model IS NULL OR p_model = 'rules') AND (SELECT n FROM win) IS NOT NULL AND (SELECT ids FROM win) IS NULL
    UNION ALL
    SELECT 'rules', w.influencer_id, w.orders::numeric, w.revenue, w.spend
    FROM win CROSS JOIN LATERAL window_influencers(win.n, p_brands) w
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
$function$
