CREATE OR REPLACE FUNCTION public.report_rolling(p_window integer DEFAULT NULL::integer, p_brands text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(window_days integer, as_of date, influencer_id text, name text, category text, orders integer, revenue numeric, spend numeric, posts integer, reach bigint, likes bigint, comments bigint, roas numeric, roas_class text, incremental_roas numeric, engagement_rate numeric, engagement_class text, cpm numeric, cost_per_order numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT s.window_days, (SELECT business_today()), s.influencer_id, i.name, i.category, s.orders, s.revenue, s.spend,
         s.posts, s.reach, s.likes, s.comments, m.*
  FROM window_influencers(p_window, p_brands) s
  LEFT JOIN influencers i ON i.influencer_id = s.influencer_id
  CROSS JOIN LATERAL derived_metrics(s.revenue, s.incremental_revenue, s.spend, s.orders, s.reach, s.likes, s.comments) m
  WHERE in_filter(i.category, p_categories)
  ORDER BY s.window_days, m.roas DESC NULLS LAST, s.revenue DESC, s.influencer_id
$function$
