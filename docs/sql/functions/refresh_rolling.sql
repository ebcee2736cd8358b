CREATE OR REPLACE FUNCTION public.refresh_rolling(p_force boolean DEFAULT false, p_today date DEFAULT NULL::date)
 RETURNS date
 LANGUAGE plpgsql
AS $function$
DECLARE
  today date := coalesce(p_today, business_today());
  current date;
BEGIN
  -- FOR UPDATE waits for every batch that holds the state FOR SHARE, so the refresh sees all of them.
  SELECT as_of INTO current FROM rolling_state FOR UPDATE;
  IF current >= today AND NOT p_force THEN  -- never backwards: a refresh begun before midnight may commit late
    RETURN today;
  END IF;
  IF p_force OR today - current > (SELECT max(x) FROM unnest(rolling_windows()) x) THEN
    DELETE FROM rolling_sums;
    INSERT INTO rolling_sums (window_days, influencer_id, brand, orders, revenue, incremental_revenue, spend, posts,
                              reach, likes, comments, category)
    SELECT f.*, coalesce(i.category, '') FROM rolling_from_daily(today) f
    LEFT JOIN influencers i ON i.influencer_id = f.influencer_id;
    DELETE FROM contract_windows;
    INSERT INTO contract_windows SELECT * FROM contract_windows_from_spend(today);
    DELETE FROM model_windows;
    INSERT INTO model_windows SELECT * FROM model_windows_from_daily(today) ORDER BY 1, 2, 3, 4;
  ELSE
    PERFORM shift_windows(current, today);
    PERFORM shift_model_windows(current, today);
  END IF;
  UPDATE rolling_state SET as_of = today;
  RETURN today;
END $function$
