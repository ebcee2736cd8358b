CREATE OR REPLACE FUNCTION public.model_totals_from_daily()
 RETURNS TABLE(model text, day date, brand text, platform text, category text, orders numeric, revenue numeric, spend numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT d.model, d.day, d.brand, d.platform, coalesce(i.category, ''), sum(d.orders), sum(d.revenue), sum(d.spend)
  FROM model_daily d LEFT JOIN influencers i ON i.influencer_id = d.influencer_id
  GROUP BY 1, 2, 3, 4, 5
$function$
