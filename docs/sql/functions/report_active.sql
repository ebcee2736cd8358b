CREATE OR REPLACE FUNCTION public.report_active(p_dimension text, p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date, p_brands text[] DEFAULT NULL::text[], p_platforms text[] DEFAULT NULL::text[], p_categories text[] DEFAULT NULL::text[])
 RETURNS TABLE(key text, influencers bigint)
 LANGUAGE sql
 STABLE
AS $function$
  SELECT a.key, sum(a.n)::bigint FROM (
    -- in all or per category: one row per influencer (the brand's or the all-brands row)
    SELECT CASE p_dimension WHEN 'category' THEN coalesce(nullif(r.category, ''), 'unknown') ELSE '' END AS key,
           count(*) AS n
    FROM rolling_sums r
    WHERE p_dimension IN ('', 'category') AND r.window_days = (SELECT report_window(p_from, p_to, p_platforms))
      AND r.brand = (SELECT window_brand(p_brands)) AND r.influencer_id <> ''
      AND in_filter(nullif(r.category, ''), p_categories)
    GROUP BY 1
    UNION ALL
    -- several brands: an influencer with rows for two of them counts once
    SELECT CASE p_dimension WHEN 'category' THEN coalesce(nullif(r.category, ''), 'unknown') ELSE '' END,
           count(DISTINCT r.influencer_id)
    FROM rolling_sums r
    WHERE p_dimension IN ('', 'category') AND r.window_days = (SELECT report_window(p_from, p_to, p_platforms))
      AND (SELECT window_brand(p_brands)) IS NULL AND r.brand = ANY(p_brands) AND r.influencer_id <> ''
      AND in_filter(nullif(r.category, ''), p_categories)
    GROUP BY 1
    UNION ALL
    SELECT r.brand, count(*)
    FROM rolling_sums r
    WHERE p_dimension = 'brand' AND r.window_days = (SELECT report_window(p_from, p_to, p_platforms))
      AND r.influencer_id <> '' AND r.brand <> '' AND in_filter(r.brand, p_brands)
      AND in_filter(nullif(r.category, ''), p_categories)
    GROUP BY 1
    UNION ALL
    SELECT CASE p_dimension WHEN 'brand' THEN f.brand WHEN 'platform' THEN f.platform
                            WHEN 'category' THEN coalesce(f.category, 'unknown') WHEN 'day' THEN f.day::text
                            ELSE '' END, count(DISTINCT f.influencer_id)
    FROM report_facts(p_from, p_to, p_brands, p_platforms, p_categories) f
    WHERE (p_dimension IN ('platform', 'day') OR (SELECT report_window(p_from, p_to, p_platforms)) IS NULL)
    GROUP BY 1) a
  GROUP BY a.key
$function$
