CREATE OR REPLACE FUNCTION public.report_top_influencers(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[], p_limit integer DEFAULT 10)
 RETURNS TABLE(influencer_id text, name text, roas numeric, roas_class text, revenue numeric, spend numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT r.influencer_id, r.name, r.roas, r.roas_class, r.revenue, r.spend
  FROM report_influencers(p_from, p_to, p_brands, p_platforms, p_categories, p_limit) r
  WHERE r.roas IS NOT NULL
  ORDER BY r.roas DESC, r.revenue DESC, r.influencer_id
  LIMIT p_limit
$function$
