CREATE OR REPLACE FUNCTION public.shift_windows(p_old date, p_new date)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
  CREATE TEMPORARY TABLE moved ON COMMIT DROP AS
  SELECT w.n AS window_days, d.influencer_id, d.brand, d.day,
         CASE WHEN d.day <= p_old THEN -1 ELSE 1 END AS sign, d.orders, d.revenue, d.spend, d.posts, d.reach, d.likes,
         d.comments
  FROM unnest(rolling_windows()) AS w(n)
  JOIN influencer_daily d ON (d.day > p_old - w.n AND d.day <= least(p_old, p_new - w.n))   -- leaving
                          OR (d.day > greatest(p_old, p_new - w.n) AND d.day <= p_new);    -- entering
  INSERT INTO rolling_sums AS r (window_days, influencer_id, brand, orders, revenue, incremental_revenue, spend, posts,
                                 reach, likes, comments, category)
  SELECT m.window_days, CASE WHEN grouping(m.influencer_id) = 1 THEN '' ELSE m.influencer_id END,
         CASE WHEN grouping(m.brand) = 1 THEN '' ELSE m.brand END,
         sum(m.sign * m.orders)::integer, sum(m.sign * m.revenue),
         sum(m.sign * incremental(m.revenue, b.incremental_baseline, dflt.v)), sum(m.sign * m.spend),
         sum(m.sign * m.posts)::integer, sum(m.sign * m.reach)::bigint, sum(m.sign * m.likes)::bigint,
         sum(m.sign * m.comments)::bigint,
         CASE WHEN grouping(m.influencer_id) = 1 THEN '' ELSE coalesce(min(i.category), '') END
  FROM moved m
  LEFT JOIN brand_config b ON b.brand = m.brand
  LEFT JOIN influencers i ON i.influencer_id = m.influencer_id
  CROSS JOIN (SELECT value::numeric AS v FROM app_config WHERE key = 'incremental_baseline') dflt
  GROUP BY GROUPING SETS ((m.window_days, m.influencer_id, m.brand), (m.window_days, m.influencer_id),
                          (m.window_days, m.brand))
  ORDER BY 1, 2, 3
  ON CONFLICT (window_days, influencer_id, brand) DO UPDATE SET
    orders = r.orders + EXCLUDED.orders, revenue = r.revenue + EXCLUDED.revenue,
    incremental_revenue = r.incremental_revenue + EXCLUDED.incremental_revenue, spend = r.spend + EXCLUDED.spend,
    posts = r.posts + EXCLUDED.posts, reach = r.reach + EXCLUDED.reach, likes = r.likes + EXCLUDED.likes,
    comments = r.comments + EXCLUDED.comments;
  -- a row whose days all left: dropped, as a rebuild would not have it (one statement per grouping, each probing
  -- influencer_daily on an index)
  DELETE FROM rolling_sums r USING (SELECT DISTINCT window_days, influencer_id, brand FROM moved WHERE sign = -1) k
  WHERE (r.window_days, r.influencer_id, r.brand) = (k.window_days, k.influencer_id, k.brand)
    AND NOT EXISTS (SELECT 1 FROM influencer_daily d WHERE d.influencer_id = r.influencer_id AND d.brand = r.brand
                    AND d.day > p_new - r.window_days AND d.day <= p_new);
  DELETE FROM rolling_sums r USING (SELECT DISTINCT window_days, influencer_id FROM moved WHERE sign = -1) k
  WHERE (r.window_days, r.influencer_id, r.brand) = (k.window_days, k.influencer_id, '')
    AND NOT EXISTS (SELECT 1 FROM influencer_daily d WHERE d.influencer_id = r.influencer_id
                    AND d.day > p_new - r.window_days AND d.day <= p_new);
  DELETE FROM rolling_sums r USING (SELECT DISTINCT window_days, brand FROM moved WHERE sign = -1) k
  WHERE (r.window_days, r.influencer_id, r.brand) = (k.window_days, '', k.brand)
    AND NOT EXISTS (SELECT 1 FROM influencer_daily d WHERE d.brand = r.brand
                    AND d.day > p_new - r.window_days AND d.day <= p_new);
  DROP TABLE moved;
  -- the contracts' windows likewise, from spend
  INSERT INTO contract_windows AS k (window_days, contract_id, influencer_id, orders, posts, amount)
  SELECT w.n, s.contract_id, coalesce(min(c.influencer_id), min(s.influencer_id)),
         sum(CASE WHEN s.source_kind = 'order' THEN sg.sign ELSE 0 END)::integer,
         sum(CASE WHEN s.source_kind = 'post' THEN sg.sign ELSE 0 END)::integer, sum(sg.sign * s.amount)
  FROM unnest(rolling_windows()) AS w(n)
  JOIN spend s ON (s.day > p_old - w.n AND s.day <= least(p_old, p_new - w.n))
               OR (s.day > greatest(p_old, p_new - w.n) AND s.day <= p_new)
  CROSS JOIN LATERAL (SELECT CASE WHEN s.day <= p_old THEN -1 ELSE 1 END AS sign) sg
  LEFT JOIN contracts c ON c.contract_id = s.contract_id
  GROUP BY w.n, s.contract_id
  ORDER BY 1, 2
  ON CONFLICT (window_days, contract_id) DO UPDATE SET
    orders = k.orders + EXCLUDED.orders, posts = k.posts + EXCLUDED.posts, amount = k.amount + EXCLUDED.amount;
  DELETE FROM contract_windows k
  WHERE NOT EXISTS (SELECT 1 FROM spend s WHERE s.contract_id = k.contract_id
                    AND s.day > p_new - k.window_days AND s.day <= p_new)
    AND k.contract_id IN (SELECT s.contract_id FROM unnest(rolling_windows()) AS w(n)
                          JOIN spend s ON s.day > p_old - w.n AND s.day <= least(p_old, p_new - w.n));
END $function$
