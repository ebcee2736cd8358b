CREATE OR REPLACE FUNCTION public.report_posts(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(post_id text, day date, published_at timestamp with time zone, influencer_id text, name text, category text, platform text, brand text, campaign text, url text, caption text, reach bigint, likes bigint, comments bigint, engagement_rate numeric, engagement_class text, observed_at timestamp with time zone)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT p.post_id, p.day, p.published_at, p.influencer_id, i.name, i.category, p.platform, p.brand, p.campaign,
         p.url, p.caption, p.reach, p.likes, p.comments, m.engagement_rate, m.engagement_class, p.observed_at
  FROM posts p LEFT JOIN influencers i ON i.influencer_id = p.influencer_id
  CROSS JOIN LATERAL derived_metrics(0, 0, 0, 0, p.reach, p.likes, p.comments) m
  WHERE day_in_range(p.day, p_from, p_to) AND in_filter(p.brand, p_brands) AND in_filter(p.platform, p_platforms)
    AND in_filter(i.category, p_categories)
  ORDER BY p.published_at DESC, p.post_id
$function$
