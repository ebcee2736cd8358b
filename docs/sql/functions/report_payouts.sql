CREATE OR REPLACE FUNCTION public.report_payouts(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(influencer_id text, name text, category text, contract_id text, brand text, basis text, rate numeric, valid_from timestamp with time zone, valid_to timestamp with time zone, orders integer, posts integer, total_payout numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT c.influencer_id, i.name, i.category, c.contract_id, c.brand, c.basis, c.rate, c.valid_from, c.valid_to,
         count(s.source_id) FILTER (WHERE s.source_kind = 'order')::integer,
         count(s.source_id) FILTER (WHERE s.source_kind = 'post')::integer,
         coalesce(sum(s.amount), 0)
  FROM contracts c
  LEFT JOIN influencers i ON i.influencer_id = c.influencer_id
  LEFT JOIN spend s ON s.contract_id = c.contract_id AND day_in_range(s.day, p_from, p_to)
                   AND in_filter(s.platform, p_platforms)
  WHERE in_filter(c.brand, p_brands) AND in_filter(i.category, p_categories)
  GROUP BY c.contract_id, i.name, i.category
  ORDER BY 12 DESC, c.influencer_id, c.contract_id
$function$
