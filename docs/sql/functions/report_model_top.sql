CREATE OR REPLACE FUNCTION public.report_model_top(p_from date, p_to date, p_brands text[], p_platforms text[], p_categories text[], p_model text, p_limit integer)
 RETURNS text[]
 LANGUAGE sql
 STABLE
AS $function$
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
$function$
