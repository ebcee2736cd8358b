CREATE OR REPLACE FUNCTION public.roas_class(roas numeric)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT CASE WHEN roas IS NULL THEN NULL WHEN roas > 3 THEN 'good' WHEN roas >= 2 THEN 'average' ELSE 'poor' END $function$
