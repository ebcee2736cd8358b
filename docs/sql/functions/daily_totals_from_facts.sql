CREATE OR REPLACE FUNCTION public.daily_totals_from_facts()
 RETURNS TABLE(day date, brand text, platform text, category text, orders bigint, revenue numeric, spend numeric, posts bigint, reach bigint, likes bigint, comments bigint, rated_posts bigint, post_rates numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT k.day, k.brand, k.platform, k.category, sum(k.orders)::bigint, sum(k.revenue), sum(k.spend),
         sum(k.posts)::bigint, sum(k.reach)::bigint, sum(k.likes)::bigint, sum(k.comments)::bigint,
         sum(k.rated_posts)::bigint, sum(k.post_rates)
  FROM (SELECT d.day, d.brand, d.platform, coalesce(i.category, '') AS category, d.orders, d.revenue, d.spend,
               d.posts, d.reach, d.likes, d.comments, 0 AS rated_posts, 0::numeric AS post_rates
        FROM influencer_daily d LEFT JOIN influencers i ON i.influencer_id = d.influencer_id
        UNION ALL
        SELECT p.day, p.brand, p.platform, coalesce(i.category, ''), 0, 0, 0, 0, 0, 0, 0, 1,
               (p.likes + p.comments) * 100.0 / p.reach
        FROM posts p LEFT JOIN influencers i ON i.influencer_id = p.influencer_id WHERE p.reach > 0) k
  GROUP BY k.day, k.brand, k.platform, k.category
$function$
