CREATE OR REPLACE FUNCTION public.model_window_days()
 RETURNS integer[]
 LANGUAGE sql
 STABLE
AS $function$
  SELECT ARRAY(SELECT w FROM unnest(rolling_windows()) w WHERE w IN (31, 366) ORDER BY w)
$function$
