CREATE OR REPLACE FUNCTION public.incremental(revenue numeric, brand_baseline numeric, default_baseline numeric)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT revenue * (1 - coalesce(brand_baseline, default_baseline)) $function$
