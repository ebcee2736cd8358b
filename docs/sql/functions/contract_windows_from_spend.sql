CREATE OR REPLACE FUNCTION public.contract_windows_from_spend(p_today date)
 RETURNS TABLE(window_days integer, contract_id text, influencer_id text, orders integer, posts integer, amount numeric)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT w.n, s.contract_id, coalesce(min(c.influencer_id), min(s.influencer_id)),
         (count(*) FILTER (WHERE s.source_kind = 'order'))::integer,
         (count(*) FILTER (WHERE s.source_kind = 'post'))::integer, sum(s.amount)
  FROM spend s JOIN unnest(rolling_windows()) AS w(n) ON s.day > p_today - w.n
  LEFT JOIN contracts c ON c.contract_id = s.contract_id  -- report_payouts orders by the contract's influencer
  WHERE s.day > p_today - (SELECT max(x) FROM unnest(rolling_windows()) x) AND s.day <= p_today
  GROUP BY w.n, s.contract_id
$function$
