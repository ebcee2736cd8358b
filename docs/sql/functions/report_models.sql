CREATE OR REPLACE FUNCTION public.report_models(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[], p_limit integer DEFAULT NULL::integer, p_influencers text[] DEFAULT NULL::text[])
 RETURNS TABLE(influencer_id text, name text, category text, rules_revenue numeric, rules_roas numeric, first_touch_revenue numeric, first_touch_roas numeric, last_touch_revenue numeric, last_touch_roas numeric, linear_revenue numeric, linear_roas numeric, position_based_revenue numeric, position_based_roas numeric, time_decay_revenue numeric, time_decay_roas numeric, starts_minus_closes numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT f.influencer_id, min(f.name), min(f.category),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'rules'), 0), max(f.roas) FILTER (WHERE f.model = 'rules'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'first_touch'), 0), max(f.roas) FILTER (WHERE f.model = 'first_touch'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'last_touch'), 0), max(f.roas) FILTER (WHERE f.model = 'last_touch'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'linear'), 0), max(f.roas) FILTER (WHERE f.model = 'linear'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'position_based'), 0), max(f.roas) FILTER (WHERE f.model = 'position_based'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'time_decay'), 0), max(f.roas) FILTER (WHERE f.model = 'time_decay'),
         coalesce(sum(f.revenue) FILTER (WHERE f.model = 'first_touch'), 0) - coalesce(sum(f.revenue) FILTER (WHERE f.model = 'last_touch'), 0)
  FROM report_model_figures(p_from, p_to, p_brands, p_platforms, p_categories, p_influencers => p_influencers) f
  GROUP BY f.influencer_id
  ORDER BY 4 DESC, 6 DESC, 1
  LIMIT p_limit
$function$
