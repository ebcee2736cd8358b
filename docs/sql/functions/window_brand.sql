CREATE OR REPLACE FUNCTION public.window_brand(p_brands text[])
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  SELECT CASE WHEN covers_all_brands(p_brands) THEN '' WHEN cardinality(p_brands) = 1 THEN p_brands[1] END
$function$
