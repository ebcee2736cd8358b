CREATE OR REPLACE FUNCTION public.derived_metrics(revenue numeric, incremental_revenue numeric, spend numeric, orders numeric, reach numeric, likes numeric, comments numeric)
 RETURNS TABLE(roas numeric, roas_class text, incremental_roas numeric, engagement_rate numeric, engagement_class text, cpm numeric, cost_per_order numeric)
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT m.roas, roas_class(m.roas), m.incremental_roas, m.engagement_rate, engagement_class(m.engagement_rate),
         m.cpm, m.cost_per_order
  FROM (SELECT ratio(revenue, spend) AS roas, ratio(incremental_revenue, spend) AS incremental_roas,
               ratio((likes + comments) * 100, reach) AS engagement_rate, ratio(spend * 1000, reach) AS cpm,
               ratio(spend, orders) AS cost_per_order) m
$function$
