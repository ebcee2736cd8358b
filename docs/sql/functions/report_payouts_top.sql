CREATE OR REPLACE FUNCTION public.report_payouts_top(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[], p_limit integer DEFAULT NULL::integer)
 RETURNS TABLE(influencer_id text, name text, category text, contract_id text, brand text, basis text, rate numeric, valid_from timestamp with time zone, valid_to timestamp with time zone, orders integer, posts integer, total_payout numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
#variable_conflict use_column
DECLARE
  w integer := report_window(p_from, p_to, p_platforms);
  wanted integer := p_limit;
  got bigint;
BEGIN
  IF w IS NULL THEN
    RETURN QUERY SELECT * FROM report_payouts(p_from, p_to, p_brands, p_platforms, p_categories) LIMIT p_limit;
    RETURN;
  END IF;
  RETURN QUERY
    SELECT c.influencer_id, i.name, i.category, c.contract_id, c.brand, c.basis, c.rate, c.valid_from, c.valid_to,
           k.orders, k.posts, k.amount
    FROM contract_windows k JOIN contracts c ON c.contract_id = k.contract_id
    LEFT JOIN influencers i ON i.influencer_id = c.influencer_id
    WHERE k.window_days = w AND k.amount > 0 AND in_filter(c.brand, p_brands) AND in_filter(i.category, p_categories)
    ORDER BY k.amount DESC, k.influencer_id, k.contract_id
    LIMIT wanted;
  GET DIAGNOSTICS got = ROW_COUNT;
  wanted := wanted - got;
  IF wanted <= 0 THEN RETURN; END IF;
  RETURN QUERY
    SELECT c.influencer_id, i.name, i.category, c.contract_id, c.brand, c.basis, c.rate, c.valid_from, c.valid_to,
           coalesce(k.orders, 0), coalesce(k.posts, 0), coalesce(k.amount, 0)
    FROM contracts c LEFT JOIN influencers i ON i.influencer_id = c.influencer_id
    LEFT JOIN contract_windows k ON k.window_days = w AND k.contract_id = c.contract_id
    WHERE coalesce(k.amount, 0) = 0 AND in_filter(c.brand, p_brands) AND in_filter(i.category, p_categories)
    ORDER BY c.influencer_id, c.contract_id
    LIMIT wanted;
  GET DIAGNOSTICS got = ROW_COUNT;
  wanted := wanted - got;
  IF wanted <= 0 THEN RETURN; END IF;
  RETURN QUERY
    SELECT c.influencer_id, i.name, i.category, c.contract_id, c.brand, c.basis, c.rate, c.valid_from, c.valid_to,
           k.orders, k.posts, k.amount
    FROM contract_windows k JOIN contracts c ON c.contract_id = k.contract_id
    LEFT JOIN influencers i ON i.influencer_id = c.influencer_id
    WHERE k.window_days = w AND k.amount < 0 AND in_filter(c.brand, p_brands) AND in_filter(i.category, p_categories)
    ORDER BY k.amount DESC, k.influencer_id, k.contract_id
    LIMIT wanted;
END $function$
