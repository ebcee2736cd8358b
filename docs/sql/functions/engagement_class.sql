CREATE OR REPLACE FUNCTION public.engagement_class(rate numeric)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT CASE WHEN rate IS NULL THEN NULL WHEN rate > 3 THEN 'high' WHEN rate >= 1 THEN 'average' ELSE 'low' END $function$
