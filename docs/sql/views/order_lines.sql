CREATE VIEW order_lines AS
 SELECT order_id,
    line_no,
        CASE
            WHEN ( SELECT has_column_privilege('public.attributed_orders'::text, 'customer_id'::text, 'SELECT'::text) AS has_column_privilege) THEN customer_id
            ELSE NULL::text
        END AS customer_id,
    influencer_id,
    brand,
    product,
    quantity,
    revenue,
    refunded,
    placed_at,
    day,
    rule,
    contract_id,
    click_id,
    platform,
    counts_order,
    touchpoints
   FROM attributed_orders;
