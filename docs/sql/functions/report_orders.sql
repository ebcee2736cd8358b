CREATE OR REPLACE FUNCTION public.report_orders(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(day date, placed_at timestamp with time zone, order_id text, line_no integer, customer_id text, influencer_id text, name text, category text, brand text, product text, quantity integer, revenue numeric, refunded numeric, net_revenue numeric, rule text, contract_id text, click_id text, platform text, touchpoints jsonb)
 LANGUAGE sql
 STABLE
AS $function$ 
  SELECT o.day, o.placed_at, o.order_id, o.line_no, o.customer_id, o.influencer_id, i.name, i.category, o.brand,
         o.product, o.quantity, o.revenue, o.refunded, o.revenue - o.refunded, o.rule, o.contract_id, o.click_id,
         o.platform, o.touchpoints
  FROM order_lines o LEFT JOIN influencers i ON i.influencer_id = o.influencer_id
  WHERE day_in_range(o.day, p_from, p_to) AND in_filter(o.brand, p_brands) AND in_filter(o.platform, p_platforms)
    AND in_filter(i.category, p_categories)
  ORDER BY o.placed_at, o.order_id, o.line_no
$function$
