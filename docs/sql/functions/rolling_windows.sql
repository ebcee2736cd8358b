CREATE OR REPLACE FUNCTION public.rolling_windows()
 RETURNS integer[]
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT ARRAY[7, 30, 31, 366] $function$
