-- The peers' view of gpcloud's own notice table: what the public portal
-- shows (notices of unfinished legacy migrations are hidden), in peer-bench's column names.
-- Run by run.sh as a superuser; idempotent.
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'peerbench') THEN
    CREATE ROLE peerbench LOGIN PASSWORD 'peerbench';
  END IF;
END $$;
CREATE SCHEMA IF NOT EXISTS peer AUTHORIZATION peerbench;
CREATE OR REPLACE VIEW peer.notice AS
SELECT n.id,
       n.tenant_id AS region_code,
       n.city_code,
       n.kind AS notice_type,
       n.method AS procurement_method,
       n.title,
       n.purchaser_name,
       (n.amount_fen / 100.0)::numeric(18, 2) AS amount,
       n.published_on,
       n.published_at
FROM public.notice AS n
WHERE n.legacy_batch IS NULL
   OR n.legacy_batch IN (SELECT b.id FROM public.legacy_batch AS b WHERE b.status = 'completed');
COMMENT ON VIEW peer.notice IS E'@primaryKey id';
GRANT USAGE ON SCHEMA peer TO peerbench;
GRANT SELECT ON peer.notice TO peerbench;
