CREATE OR REPLACE FUNCTION public.contract_rates_from_contracts(p_influencers text[] DEFAULT NULL::text[])
 RETURNS TABLE(influencer_id text, brand text, basis text, post_rate numeric, order_rate numeric, rs_rate numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT l.influencer_id, l.brand, (array_agg(l.basis ORDER BY l.valid_from DESC, l.contract_id DESC))[1],
         min(l.rate) FILTER (WHERE l.basis = 'post'), min(l.rate) FILTER (WHERE l.basis = 'order'),
         min(l.rate) FILTER (WHERE l.basis = 'revenue_share')
  FROM (SELECT DISTINCT ON (k.influencer_id, k.brand, k.basis) k.influencer_id, k.brand, k.basis, k.rate, k.valid_from,
               k.contract_id
        FROM contracts k WHERE p_influencers IS NULL OR k.influencer_id = ANY(p_influencers)
        ORDER BY k.influencer_id, k.brand, k.basis, k.valid_from DESC, k.contract_id DESC) l
  GROUP BY l.influencer_id, l.brand
$function$
