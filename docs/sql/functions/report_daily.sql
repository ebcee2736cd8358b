CREATE OR REPLACE FUNCTION public.report_daily(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(day date, revenue numeric, spend numeric, orders integer, roas numeric, incremental_roas numeric, posts integer, reach bigint, engagement_rate numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT g.key::date, g.revenue, g.spend, g.orders, g.roas, g.incremental_roas, g.posts, g.reach, g.engagement_rate
  FROM report_grouped('day', p_from, p_to, p_brands, p_platforms, p_categories) g
  ORDER BY 1
$function$
