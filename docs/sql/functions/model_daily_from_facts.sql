CREATE OR REPLACE FUNCTION public.model_daily_from_facts()
 RETURNS TABLE(model text, day date, influencer_id text, brand text, platform text, orders numeric, revenue numeric, spend numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT k.model, k.day, k.influencer_id, k.brand, k.platform, sum(k.orders), sum(k.revenue), sum(k.spend)
  FROM (SELECT c.model, c.day, c.influencer_id, c.brand, c.platform, c.orders, c.revenue, c.spend FROM model_credits c
        UNION ALL
        SELECT m.model, s.day, s.influencer_id, s.brand, s.platform, 0, 0, s.amount
        FROM spend s CROSS JOIN unnest(attribution_models()) AS m(model) WHERE s.source_kind = 'post') k
  GROUP BY k.model, k.day, k.influencer_id, k.brand, k.platform
$function$
