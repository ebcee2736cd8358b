CREATE VIEW payouts AS
 SELECT c.influencer_id,
    c.contract_id,
    c.brand,
    c.basis,
    c.rate,
    count(*) FILTER (WHERE s.source_kind = 'order'::text)::integer AS orders,
    count(*) FILTER (WHERE s.source_kind = 'post'::text)::integer AS posts,
    COALESCE(sum(s.amount), 0::numeric)::numeric(20,4) AS total_payout
   FROM contracts c
     LEFT JOIN spend s ON s.contract_id = c.contract_id
  GROUP BY c.influencer_id, c.contract_id, c.brand, c.basis, c.rate;
