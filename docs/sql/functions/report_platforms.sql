CREATE OR REPLACE FUNCTION public.report_platforms(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(platform text, revenue numeric, revenue_share_pct numeric, orders integer, spend numeric, roas numeric, roas_class text, incremental_roas numeric, posts integer, reach bigint, engagement_rate numeric, engagement_class text, influencers bigint)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT g.key, g.revenue, round(g.revenue * 100 / nullif(sum(g.revenue) OVER (), 0), 2), g.orders, g.spend,
         g.roas, g.roas_class, g.incremental_roas, g.posts, g.reach, g.engagement_rate, g.engagement_class,
         g.influencers
  FROM report_grouped('platform', p_from, p_to, p_brands, p_platforms, p_categories) g
  ORDER BY g.revenue DESC, g.key
$function$
