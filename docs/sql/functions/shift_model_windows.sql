CREATE OR REPLACE FUNCTION public.shift_model_windows(p_old date, p_new date)
 RETURNS void
 LANGUAGE sql
AS $function$
  INSERT INTO model_windows AS r (window_days, model, brand, influencer_id, orders, revenue, spend)
  SELECT m.n, m.model, CASE WHEN grouping(m.brand) = 1 THEN '' ELSE m.brand END, m.influencer_id,
         sum(m.sign * m.orders), sum(m.sign * m.revenue), sum(m.sign * m.spend)
  FROM (SELECT w.n, d.model, d.brand, d.influencer_id, d.orders, d.revenue, d.spend,
               CASE WHEN d.day <= p_old THEN -1 ELSE 1 END AS sign
        FROM unnest(model_window_days()) AS w(n)
        JOIN model_daily d ON (d.day > p_old - w.n AND d.day <= least(p_old, p_new - w.n))   -- leaving
                           OR (d.day > greatest(p_old, p_new - w.n) AND d.day <= p_new)) m   -- entering
  GROUP BY GROUPING SETS ((m.n, m.model, m.influencer_id, m.brand), (m.n, m.model, m.influencer_id))
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (window_days, model, brand, influencer_id) DO UPDATE SET
    orders = r.orders + EXCLUDED.orders, revenue = r.revenue + EXCLUDED.revenue, spend = r.spend + EXCLUDED.spend;
  DELETE FROM model_windows r
  USING (SELECT DISTINCT w.n, d.model, d.influencer_id FROM unnest(model_window_days()) AS w(n)
         JOIN model_daily d ON d.day > p_old - w.n AND d.day <= least(p_old, p_new - w.n)) k
  WHERE (r.window_days, r.model, r.influencer_id) = (k.n, k.model, k.influencer_id)
    AND NOT EXISTS (SELECT 1 FROM model_daily d WHERE d.influencer_id = r.influencer_id AND d.model = r.model
                    AND d.day > p_new - r.window_days AND d.day <= p_new AND (r.brand = '' OR d.brand = r.brand));
$function$
