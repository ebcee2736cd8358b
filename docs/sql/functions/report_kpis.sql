CREATE OR REPLACE FUNCTION public.report_kpis(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(total_revenue numeric, total_spend numeric, overall_roas numeric, roas_class text, incremental_roas numeric, total_orders bigint, total_posts bigint, total_reach bigint, total_likes bigint, total_comments bigint, engagement_rate numeric, avg_engagement_rate numeric, influencers bigint, cpm numeric, cost_per_order numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT s.revenue, s.spend, m.roas, m.roas_class, m.incremental_roas, s.orders, s.posts, s.reach, s.likes,
         s.comments, m.engagement_rate, s.avg_rate, s.influencers, m.cpm, m.cost_per_order
  FROM (SELECT coalesce(sum(f.revenue), 0) AS revenue, coalesce(sum(f.incremental_revenue), 0) AS incremental_revenue,
               coalesce(sum(f.spend), 0) AS spend, coalesce(sum(f.orders), 0)::bigint AS orders,
               coalesce(sum(f.posts), 0)::bigint AS posts, coalesce(sum(f.reach), 0)::bigint AS reach,
               coalesce(sum(f.likes), 0)::bigint AS likes, coalesce(sum(f.comments), 0)::bigint AS comments,
               -- avg() is sum / count with numeric division: the mean of the per-post rates, as report_posts gives them
               round(sum(f.post_rates) / nullif(sum(f.rated_posts), 0), 4) AS avg_rate,
               (SELECT coalesce(sum(a.influencers), 0)::bigint
                FROM report_active('', p_from, p_to, p_brands, p_platforms, p_categories) a) AS influencers
        FROM report_totals(p_from, p_to, p_brands, p_platforms, p_categories) f) s
  CROSS JOIN LATERAL derived_metrics(s.revenue, s.incremental_revenue, s.spend, s.orders, s.reach, s.likes, s.comments) m
$function$
