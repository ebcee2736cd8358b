CREATE OR REPLACE FUNCTION public.business_today()
 RETURNS date
 LANGUAGE sql
 STABLE
AS $function$ SELECT (now() AT TIME ZONE (SELECT value FROM app_config WHERE key = 'business_tz'))::date $function$
