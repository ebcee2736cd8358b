CREATE OR REPLACE FUNCTION public.report_model_totals(p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[], p_model text DEFAULT NULL::text)
 RETURNS TABLE(model text, orders numeric, revenue numeric, spend numeric, roas numeric)
 LANGUAGE sql
 STABLE
AS $function$
  -- the filters once, on both sources (Postgres pushes them into each branch of the UNION ALL)
  WITH totals AS (
    SELECT u.* FROM (SELECT 'rules' AS model, d.day, d.brand, d.platform, d.category, d.orders::numeric AS orders,
                            d.revenue, d.spend FROM daily_totals d
                     UNION ALL
                     SELECT m.model, m.day, m.brand, m.platform, m.category, m.orders, m.revenue, m.spend
                     FROM model_totals m) u
    WHERE (p_model IS NULL OR u.model = p_model) AND day_in_range(u.day, p_from, p_to) AND in_filter(u.brand, p_brands)
      AND in_filter(u.platform, p_platforms) AND in_filter(coalesce(nullif(u.category, ''), 'unknown'), p_categories))
  SELECT m.model, coalesce(sum(t.orders), 0), coalesce(sum(t.revenue), 0), coalesce(sum(t.spend), 0),
         round(sum(t.revenue) / nullif(sum(t.spend), 0), 2)
  FROM unnest('{rules}' || attribution_models()) WITH ORDINALITY AS m(model, n) LEFT JOIN totals t ON t.model = m.model
  WHERE p_model IS NULL OR m.model = p_model
  GROUP BY m.model, m.n ORDER BY m.n
$function$
