CREATE OR REPLACE FUNCTION public.report_payout_comparison(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[], p_limit integer DEFAULT NULL::integer)
 RETURNS TABLE(influencer_id text, name text, brand text, current_basis text, posts integer, orders integer, revenue numeric, actual_payout numeric, post_rate numeric, cost_post_basis numeric, order_rate numeric, cost_order_basis numeric, revenue_share_rate numeric, cost_revenue_share_basis numeric, cheapest_basis text, saving numeric)
 LANGUAGE sql
 STABLE
AS $function$
  WITH averages AS (SELECT k.brand, round(avg(k.rate) FILTER (WHERE k.basis = 'post'), 6) AS post_rate,
                           round(avg(k.rate) FILTER (WHERE k.basis = 'order'), 6) AS order_rate,
                           round(avg(k.rate) FILTER (WHERE k.basis = 'revenue_share'), 6) AS rs_rate
                    FROM contracts k GROUP BY GROUPING SETS ((k.brand), ())),  -- brand NULL: all brands
       -- per (influencer, brand): the window's rows when the range is one, else the daily rows summed
       activity AS (SELECT r.influencer_id, r.brand, r.posts, r.orders, r.revenue, r.spend
                    FROM rolling_sums r
                    WHERE r.window_days = (SELECT report_window(p_from, p_to, p_platforms))
                      AND r.influencer_id <> '' AND r.brand <> '' AND in_filter(r.brand, p_brands)
                      AND in_filter(nullif(r.category, ''), p_categories)
                    UNION ALL
                    SELECT f.influencer_id, f.brand, sum(f.posts)::integer AS posts, sum(f.orders)::integer AS orders,
                           sum(f.revenue) AS revenue, sum(f.spend) AS spend
                    FROM report_facts(p_from, p_to, p_brands, p_platforms, p_categories) f
                    WHERE f.influencer_id IS NOT NULL AND (SELECT report_window(p_from, p_to, p_platforms)) IS NULL
                    GROUP BY f.influencer_id, f.brand),
       -- reference_rate()'s rules: the influencer's own, else the brand's average, else every brand's
       priced AS (SELECT a.*, o.basis, r.post_rate, r.order_rate, r.rs_rate, a.posts * r.post_rate AS cost_post,
                         a.orders * r.order_rate AS cost_order, round(a.revenue * r.rs_rate, 4) AS cost_rs
                  FROM activity a
                  LEFT JOIN contract_rates o ON o.influencer_id = a.influencer_id AND o.brand = a.brand
                  LEFT JOIN averages b ON b.brand = a.brand
                  LEFT JOIN averages x ON x.brand IS NULL
                  CROSS JOIN LATERAL (SELECT coalesce(o.post_rate, b.post_rate, x.post_rate) AS post_rate,
                                             coalesce(o.order_rate, b.order_rate, x.order_rate) AS order_rate,
                                             coalesce(o.rs_rate, b.rs_rate, x.rs_rate) AS rs_rate) r),
       -- the cheapest basis; ties go to the first name ('order', 'post', 'revenue_share')
       ranked AS (SELECT c.*, CASE least(c.cost_post, c.cost_order, c.cost_rs) WHEN c.cost_order THEN 'order'
                                   WHEN c.cost_post THEN 'post' WHEN c.cost_rs THEN 'revenue_share' END AS cheapest,
                         c.spend - least(c.cost_post, c.cost_order, c.cost_rs) AS saving
                  FROM priced c
                  ORDER BY c.spend - least(c.cost_post, c.cost_order, c.cost_rs) DESC NULLS LAST, c.influencer_id, c.brand
                  LIMIT p_limit)
  SELECT c.influencer_id, i.name, c.brand, c.basis, c.posts, c.orders, c.revenue, c.spend, c.post_rate, c.cost_post,
         c.order_rate, c.cost_order, c.rs_rate, c.cost_rs, c.cheapest, c.saving
  FROM ranked c LEFT JOIN influencers i ON i.influencer_id = c.influencer_id
  ORDER BY c.saving DESC NULLS LAST, c.influencer_id, c.brand
$function$
