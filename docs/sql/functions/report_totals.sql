CREATE OR REPLACE FUNCTION public.report_totals(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(day date, brand text, platform text, category text, orders bigint, revenue numeric, incremental_revenue numeric, spend numeric, posts bigint, reach bigint, likes bigint, comments bigint, rated_posts bigint, post_rates numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT t.day, t.brand, t.platform, nullif(t.category, ''), t.orders, t.revenue,
         incremental(t.revenue, b.incremental_baseline, dflt.v), t.spend, t.posts, t.reach, t.likes, t.comments,
         t.rated_posts, t.post_rates
  FROM daily_totals t
  LEFT JOIN brand_config b ON b.brand = t.brand
  CROSS JOIN (SELECT value::numeric AS v FROM app_config WHERE key = 'incremental_baseline') dflt
  WHERE day_in_range(t.day, p_from, p_to) AND in_filter(t.brand, p_brands) AND in_filter(t.platform, p_platforms)
    AND in_filter(nullif(t.category, ''), p_categories)
$function$
