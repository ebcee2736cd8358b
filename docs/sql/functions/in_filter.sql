CREATE OR REPLACE FUNCTION public.in_filter(v text, allowed text[])
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT coalesce(cardinality(allowed), 0) = 0 OR v = ANY(allowed) $function$
