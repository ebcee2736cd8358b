CREATE OR REPLACE FUNCTION public.window_influencers(p_window integer, p_brands text[])
 RETURNS TABLE(window_days integer, influencer_id text, orders integer, revenue numeric, incremental_revenue numeric, spend numeric, posts integer, reach bigint, likes bigint, comments bigint)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT r.window_days, r.influencer_id, r.orders, r.revenue, r.incremental_revenue, r.spend, r.posts, r.reach,
         r.likes, r.comments
  FROM rolling_current r
  WHERE (SELECT covers_all_brands(p_brands)) AND r.brand = '' AND r.influencer_id <> ''
    AND (p_window IS NULL OR r.window_days = p_window)
  UNION ALL
  SELECT r.window_days, r.influencer_id, sum(r.orders)::integer, sum(r.revenue), sum(r.incremental_revenue),
         sum(r.spend), sum(r.posts)::integer, sum(r.reach)::bigint, sum(r.likes)::bigint, sum(r.comments)::bigint
  FROM rolling_current r
  WHERE NOT (SELECT covers_all_brands(p_brands)) AND r.brand = ANY(p_brands) AND r.influencer_id <> ''
    AND (p_window IS NULL OR r.window_days = p_window)
  GROUP BY r.window_days, r.influencer_id
$function$
