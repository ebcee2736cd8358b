CREATE OR REPLACE FUNCTION public.report_grouped(p_dimension text, p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(key text, influencers bigint, posts integer, reach bigint, likes bigint, comments bigint, orders integer, revenue numeric, spend numeric, roas numeric, roas_class text, incremental_roas numeric, engagement_rate numeric, engagement_class text, cpm numeric, cost_per_order numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT s.key, s.influencers, s.posts, s.reach, s.likes, s.comments, s.orders, s.revenue, s.spend,
         m.roas, m.roas_class, m.incremental_roas, m.engagement_rate, m.engagement_class, m.cpm, m.cost_per_order
  FROM (SELECT w.influencer_id AS key, 1::bigint AS influencers, w.posts, w.reach, w.likes, w.comments, w.orders,
               w.revenue, w.incremental_revenue, w.spend
        FROM window_influencers((SELECT report_window(p_from, p_to, p_platforms)), p_brands) w
        LEFT JOIN influencers i ON i.influencer_id = w.influencer_id
        WHERE p_dimension = 'influencer' AND (SELECT report_window(p_from, p_to, p_platforms)) IS NOT NULL
          AND in_filter(i.category, p_categories)
        UNION ALL
        SELECT f.influencer_id, count(DISTINCT f.influencer_id), sum(f.posts)::integer, sum(f.reach)::bigint,
               sum(f.likes)::bigint, sum(f.comments)::bigint, sum(f.orders)::integer, coalesce(sum(f.revenue), 0),
               coalesce(sum(f.incremental_revenue), 0), coalesce(sum(f.spend), 0)
        FROM report_facts(p_from, p_to, p_brands, p_platforms, p_categories) f
        WHERE p_dimension = 'influencer' AND (SELECT report_window(p_from, p_to, p_platforms)) IS NULL
        GROUP BY f.influencer_id
        UNION ALL
        SELECT t.key, a.influencers, t.posts, t.reach, t.likes, t.comments, t.orders, t.revenue,
               t.incremental_revenue, t.spend
        FROM (SELECT CASE p_dimension WHEN 'brand' THEN f.brand WHEN 'platform' THEN f.platform
                                      WHEN 'category' THEN coalesce(f.category, 'unknown') WHEN 'day' THEN f.day::text
                                      END AS key,
                     sum(f.posts)::integer AS posts, sum(f.reach)::bigint AS reach, sum(f.likes)::bigint AS likes,
                     sum(f.comments)::bigint AS comments, sum(f.orders)::integer AS orders,
                     coalesce(sum(f.revenue), 0) AS revenue, coalesce(sum(f.incremental_revenue), 0) AS incremental_revenue,
                     coalesce(sum(f.spend), 0) AS spend
              FROM report_totals(p_from, p_to, p_brands, p_platforms, p_categories) f
              WHERE p_dimension <> 'influencer'
              GROUP BY 1) t
        LEFT JOIN report_active(p_dimension, p_from, p_to, p_brands, p_platforms, p_categories) a ON a.key = t.key) s
  CROSS JOIN LATERAL derived_metrics(s.revenue, s.incremental_revenue, s.spend, s.orders, s.reach, s.likes, s.comments) m
$function$
