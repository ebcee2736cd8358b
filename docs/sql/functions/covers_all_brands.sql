CREATE OR REPLACE FUNCTION public.covers_all_brands(p_brands text[])
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
  WITH RECURSIVE v AS (SELECT min(brand) AS x FROM public.daily_totals UNION ALL
                       SELECT (SELECT min(brand) FROM public.daily_totals WHERE brand > v.x) FROM v WHERE v.x IS NOT NULL)
  SELECT coalesce(cardinality(p_brands), 0) = 0 OR NOT EXISTS (SELECT 1 FROM v WHERE v.x <> ALL(p_brands))
$function$
