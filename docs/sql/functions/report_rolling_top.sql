CREATE OR REPLACE FUNCTION public.report_rolling_top(p_window integer, p_brands text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[], p_limit integer DEFAULT NULL::integer)
 RETURNS TABLE(window_days integer, as_of date, influencer_id text, name text, category text, orders integer, revenue numeric, spend numeric, posts integer, reach bigint, likes bigint, comments bigint, roas numeric, roas_class text, incremental_roas numeric, engagement_rate numeric, engagement_class text, cpm numeric, cost_per_order numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
#variable_conflict use_column
DECLARE
  b text := window_brand(p_brands);
BEGIN
  IF b IS NOT NULL AND (SELECT as_of FROM rolling_state) = business_today() THEN
    RETURN QUERY
      SELECT r.window_days, business_today(), r.influencer_id, i.name, i.category, r.orders, r.revenue, r.spend,
             r.posts, r.reach, r.likes, r.comments, m.*
      FROM rolling_sums r LEFT JOIN influencers i ON i.influencer_id = r.influencer_id
      CROSS JOIN LATERAL derived_metrics(r.revenue, r.incremental_revenue, r.spend, r.orders, r.reach, r.likes, r.comments) m
      WHERE r.window_days = p_window AND r.brand = b AND r.influencer_id <> '' AND in_filter(i.category, p_categories)
      ORDER BY r.roas DESC NULLS LAST, r.revenue DESC, r.influencer_id
      LIMIT p_limit;
    RETURN;
  END IF;
  RETURN QUERY SELECT * FROM report_rolling(p_window, p_brands, p_categories) LIMIT p_limit;
END $function$
