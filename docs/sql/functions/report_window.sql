CREATE OR REPLACE FUNCTION public.report_window(p_from date, p_to date, p_platforms text[])
 RETURNS integer
 LANGUAGE sql
 STABLE
AS $function$
  SELECT w FROM unnest(rolling_windows()) w
  WHERE p_to = business_today() AND p_from = p_to - w + 1 AND (SELECT as_of FROM rolling_state) = business_today()
    AND covers_all_platforms(p_platforms)
$function$
