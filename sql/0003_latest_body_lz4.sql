-- GoldenSignals schema, version 3: latest_signals.body compressed with lz4 (issue 12).
--
-- Under ingest every new bar's signal upserts its full JSON (~12 KB) here, and pglz
-- compression of it took most of PostgreSQL's CPU (perf, bench/RESULTS.md section 17). lz4
-- costs about half as much a row (5,000 upserts of a real body on PostgreSQL 15: ~75 us
-- against ~140 us), for values ~30 % larger in a table of one row per series. Rows written
-- before keep pglz until rewritten (PostgreSQL reads both). A server built without lz4 keeps
-- pglz, and says so in a notice.
DO $$
BEGIN
    ALTER TABLE latest_signals ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not available in this server: latest_signals.body stays pglz';
END
$$;
