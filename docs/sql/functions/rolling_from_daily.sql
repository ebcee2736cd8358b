CREATE OR REPLACE FUNCTION public.rolling_from_daily(p_today date)
 RETURNS TABLE(window_days integer, influencer_id text, brand text, orders integer, revenue numeric, incremental_revenue numeric, spend numeric, posts integer, reach bigint, likes bigint, comments bigint)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT w.n, CASE WHEN grouping(d.influencer_id) = 1 THEN '' ELSE d.influencer_id END,
         CASE WHEN grouping(d.brand) = 1 THEN '' ELSE d.brand END,
         sum(d.orders)::integer, sum(d.revenue), sum(incremental(d.revenue, b.incremental_baseline, dflt.v)),
         sum(d.spend), sum(d.posts)::integer, sum(d.reach)::bigint, sum(d.likes)::bigint, sum(d.comments)::bigint
  FROM influencer_daily d
  JOIN unnest(rolling_windows()) AS w(n) ON d.day > p_today - w.n
  LEFT JOIN brand_config b ON b.brand = d.brand
  CROSS JOIN (SELECT value::numeric AS v FROM app_config WHERE key = 'incremental_baseline') dflt
  WHERE d.day > p_today - (SELECT max(x) FROM unnest(rolling_windows()) x) AND d.day <= p_today
  GROUP BY GROUPING SETS ((w.n, d.influencer_id, d.brand), (w.n, d.influencer_id), (w.n, d.brand))
$function$
