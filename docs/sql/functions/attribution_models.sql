CREATE OR REPLACE FUNCTION public.attribution_models()
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT ARRAY['first_touch', 'last_touch', 'linear', 'position_based', 'time_decay']
$function$
