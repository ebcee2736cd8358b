CREATE OR REPLACE FUNCTION public.report_categories(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(category text, influencers bigint, posts integer, reach bigint, likes bigint, comments bigint, engagement_rate numeric, engagement_class text, orders integer, revenue numeric, spend numeric, roas numeric, roas_class text, incremental_roas numeric, cpm numeric, cost_per_order numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT g.key, g.influencers, g.posts, g.reach, g.likes, g.comments, g.engagement_rate, g.engagement_class,
         g.orders, g.revenue, g.spend, g.roas, g.roas_class, g.incremental_roas, g.cpm, g.cost_per_order
  FROM report_grouped('category', p_from, p_to, p_brands, p_platforms, p_categories) g
  ORDER BY g.revenue DESC, g.key
$function$
