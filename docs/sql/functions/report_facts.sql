CREATE OR REPLACE FUNCTION public.report_facts(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(day date, influencer_id text, brand text, platform text, category text, orders integer, revenue numeric, incremental_revenue numeric, spend numeric, posts integer, reach bigint, likes bigint, comments bigint)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT d.day, d.influencer_id, d.brand, d.platform, i.category, d.orders, d.revenue,
         incremental(d.revenue, b.incremental_baseline, dflt.v), d.spend, d.posts, d.reach, d.likes, d.comments
  FROM influencer_daily d
  LEFT JOIN influencers i ON i.influencer_id = d.influencer_id
  LEFT JOIN brand_config b ON b.brand = d.brand
  CROSS JOIN (SELECT value::numeric AS v FROM app_config WHERE key = 'incremental_baseline') dflt
  WHERE day_in_range(d.day, p_from, p_to) AND in_filter(d.brand, p_brands) AND in_filter(d.platform, p_platforms)
    AND in_filter(i.category, p_categories)
$function$
