CREATE OR REPLACE FUNCTION public.ratio(n numeric, d numeric)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT round(n / nullif(d, 0), 4) $function$
