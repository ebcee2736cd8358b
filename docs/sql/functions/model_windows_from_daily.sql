CREATE OR REPLACE FUNCTION public.model_windows_from_daily(p_today date)
 RETURNS TABLE(window_days integer, model text, brand text, influencer_id text, orders numeric, revenue numeric, spend numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT w.n, d.model, CASE WHEN grouping(d.brand) = 1 THEN '' ELSE d.brand END, d.influencer_id,
         sum(d.orders), sum(d.revenue), sum(d.spend)
  FROM model_daily d JOIN unnest(model_window_days()) AS w(n) ON d.day > p_today - w.n
  WHERE d.day > p_today - (SELECT max(x) FROM unnest(model_window_days()) x) AND d.day <= p_today
  GROUP BY GROUPING SETS ((w.n, d.model, d.influencer_id, d.brand), (w.n, d.model, d.influencer_id))
$function$
