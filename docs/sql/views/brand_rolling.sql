CREATE VIEW brand_rolling AS
 SELECT r.window_days,
    ( SELECT business_today() AS business_today) AS as_of,
    r.brand,
    r.orders,
    r.revenue,
    r.spend,
    r.posts,
    r.reach,
    r.likes,
    r.comments,
    m.roas,
    m.roas_class,
    m.incremental_roas,
    m.engagement_rate,
    m.engagement_class,
    m.cpm,
    m.cost_per_order
   FROM rolling_current r
     CROSS JOIN LATERAL derived_metrics(r.revenue, r.incremental_revenue, r.spend, r.orders::numeric, r.reach::numeric, r.likes::numeric, r.comments::numeric) m(roas, roas_class, incremental_roas, engagement_rate, engagement_class, cpm, cost_per_order)
  WHERE r.influencer_id = ''::text AND r.brand <> ''::text;
