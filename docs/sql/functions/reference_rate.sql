CREATE OR REPLACE FUNCTION public.reference_rate(p_influencer text, p_brand text, p_basis text)
 RETURNS numeric
 LANGUAGE sql
 STABLE
AS $function$
  SELECT coalesce(
    (SELECT c.rate FROM contracts c WHERE c.influencer_id = p_influencer AND c.brand = p_brand AND c.basis = p_basis
     ORDER BY c.valid_from DESC, c.contract_id DESC LIMIT 1),
    (SELECT round(avg(c.rate), 6) FROM contracts c WHERE c.brand = p_brand AND c.basis = p_basis),
    (SELECT round(avg(c.rate), 6) FROM contracts c WHERE c.basis = p_basis))
$function$
