CREATE OR REPLACE FUNCTION public.day_in_range(d date, p_from date, p_to date)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT d BETWEEN coalesce(p_from, '-infinity'::date) AND coalesce(p_to, 'infinity'::date) $function$
