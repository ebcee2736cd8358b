CREATE VIEW rolling_current AS
 SELECT r.window_days,
    r.influencer_id,
    r.brand,
    r.orders,
    r.revenue,
    r.incremental_revenue,
    r.spend,
    r.posts,
    r.reach,
    r.likes,
    r.comments
   FROM rolling_sums r
  WHERE (( SELECT rolling_state.as_of
           FROM rolling_state)) = (( SELECT business_today() AS business_today))
UNION ALL
 SELECT f.window_days,
    f.influencer_id,
    f.brand,
    f.orders,
    f.revenue,
    f.incremental_revenue,
    f.spend,
    f.posts,
    f.reach,
    f.likes,
    f.comments
   FROM ( SELECT business_today() AS today
         OFFSET 0) t
     CROSS JOIN LATERAL rolling_from_daily(t.today) f(window_days, influencer_id, brand, orders, revenue, incremental_revenue, spend, posts, reach, likes, comments)
  WHERE (( SELECT rolling_state.as_of
           FROM rolling_state)) <> (( SELECT business_today() AS business_today));
