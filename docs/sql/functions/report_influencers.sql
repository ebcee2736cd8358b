CREATE OR REPLACE FUNCTION public.report_influencers(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[], p_limit integer DEFAULT NULL::integer)
 RETURNS TABLE(influencer_id text, name text, category text, platform text, follower_count bigint, posts integer, reach bigint, likes bigint, comments bigint, engagement_rate numeric, engagement_class text, orders integer, revenue numeric, spend numeric, roas numeric, roas_class text, incremental_roas numeric, cpm numeric, cost_per_order numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
#variable_conflict use_column
DECLARE
  w integer := report_window(p_from, p_to, p_platforms);
  b text := window_brand(p_brands);
BEGIN
  IF w IS NOT NULL AND b IS NOT NULL THEN
    RETURN QUERY
      SELECT r.influencer_id, i.name, i.category, i.platform, i.follower_count, r.posts, r.reach, r.likes, r.comments,
             m.engagement_rate, m.engagement_class, r.orders, r.revenue, r.spend, m.roas, m.roas_class,
             m.incremental_roas, m.cpm, m.cost_per_order
      FROM rolling_sums r LEFT JOIN influencers i ON i.influencer_id = r.influencer_id
      CROSS JOIN LATERAL derived_metrics(r.revenue, r.incremental_revenue, r.spend, r.orders, r.reach, r.likes, r.comments) m
      WHERE r.window_days = w AND r.brand = b AND r.influencer_id <> '' AND in_filter(i.category, p_categories)
      ORDER BY r.roas DESC NULLS LAST, r.revenue DESC, r.influencer_id
      LIMIT p_limit;
    RETURN;
  END IF;
  RETURN QUERY
    SELECT g.key, i.name, i.category, i.platform, i.follower_count, g.posts, g.reach, g.likes, g.comments,
           g.engagement_rate, g.engagement_class, g.orders, g.revenue, g.spend, g.roas, g.roas_class,
           g.incremental_roas, g.cpm, g.cost_per_order
    FROM report_grouped('influencer', p_from, p_to, p_brands, p_platforms, p_categories) g
    LEFT JOIN influencers i ON i.influencer_id = g.key
    ORDER BY g.roas DESC NULLS LAST, g.revenue DESC, g.key
    LIMIT p_limit;
END $function$
