CREATE OR REPLACE FUNCTION public.business_day(t timestamp with time zone)
 RETURNS date
 LANGUAGE sql
 STABLE
AS $function$ SELECT (t AT TIME ZONE (SELECT value FROM app_config WHERE key = 'business_tz'))::date $function$
