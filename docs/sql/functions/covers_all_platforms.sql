CREATE OR REPLACE FUNCTION public.covers_all_platforms(p_platforms text[])
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
  WITH RECURSIVE v AS (SELECT min(platform) AS x FROM public.daily_totals UNION ALL
                       SELECT (SELECT min(platform) FROM public.daily_totals WHERE platform > v.x) FROM v WHERE v.x IS NOT NULL)
  SELECT coalesce(cardinality(p_platforms), 0) = 0 OR NOT EXISTS (SELECT 1 FROM v WHERE v.x <> ALL(p_platforms))
$function$
