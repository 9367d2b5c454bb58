-- GoldenSignals schema, version 6: bars partitioned by timeframe, then by time (issue 15,
-- item 2, retention; docs/retention.md).
--
-- One bars table grew without bound: a month of 1-minute bars for 5,000 series is ~200 M
-- rows, and the only way to forget old ones was a DELETE of each row. Now:
--
--   bars                       PARTITION BY LIST (timeframe), one partition per timeframe
--     bars_1m ... bars_1w      PARTITION BY RANGE (time)
--       bars_1m_y2026m12       one per UTC month for 1m, 5m, 15m, 30m and 1h bars
--       bars_1d_y2026          one per UTC year for 4h, 1d and 1w bars
--       bars_1m_default        DEFAULT: any time no period partition covers
--
-- so a timeframe's retention drops whole partitions (gs::store::run_retention), and the
-- service creates the partitions ahead of time at start and on its retention timer
-- (gs::store::ensure_range_partitions). The primary key (symbol, timeframe, time) holds both
-- partition keys, so it stays as it was, and so do the statements on `bars`.
--
-- Existing bars are moved: a partition is created for every period that holds any, then the
-- rows are copied through the new parent and the old table dropped, in this migration's one
-- transaction (an ACCESS EXCLUSIVE lock on the old table meanwhile; ~2 s per million bars on
-- the test machine, bench/RESULTS.md). Run again on a partitioned table it does nothing.
DO $$
DECLARE
    tf text;
    p record;
    name text;
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = to_regclass('bars')) = 'p' THEN
        RAISE NOTICE 'bars is already partitioned';
        RETURN;
    END IF;

    ALTER TABLE bars RENAME TO bars_v5;
    ALTER TABLE bars_v5 RENAME CONSTRAINT bars_pkey TO bars_v5_pkey;

    -- As in 0001; the CHECKs mirror gs::market::validate_bar.
    CREATE TABLE bars (
        symbol    text             NOT NULL,
        timeframe text             NOT NULL,
        time      timestamptz      NOT NULL,
        open      double precision NOT NULL,
        high      double precision NOT NULL,
        low       double precision NOT NULL,
        close     double precision NOT NULL,
        volume    double precision NOT NULL,
        PRIMARY KEY (symbol, timeframe, time),
        CONSTRAINT bars_symbol_check CHECK (symbol ~ '^[A-Z0-9.^=_-]{1,20}$'),
        CONSTRAINT bars_timeframe_check
            CHECK (timeframe IN ('1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w')),
        CONSTRAINT bars_time_check
            CHECK (time >= '1970-01-01 00:00:00+00' AND time < '2200-01-01 00:00:00+00'),
        CONSTRAINT bars_prices_positive_check
            CHECK (open > 0 AND high > 0 AND low > 0 AND close > 0),
        CONSTRAINT bars_prices_finite_check
            CHECK (open < 'Infinity' AND high < 'Infinity' AND low < 'Infinity'
                   AND close < 'Infinity'),
        CONSTRAINT bars_high_check CHECK (high >= greatest(open, close)),
        CONSTRAINT bars_low_check CHECK (low <= least(open, close)),
        CONSTRAINT bars_volume_check CHECK (volume >= 0 AND volume < 'Infinity')
    ) PARTITION BY LIST (timeframe);

    FOREACH tf IN ARRAY ARRAY['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'] LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF bars FOR VALUES IN (%L)'
                       ' PARTITION BY RANGE (time)', 'bars_' || tf, tf);
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT',
                       'bars_' || tf || '_default', 'bars_' || tf);
    END LOOP;

    -- A partition for every period holding bars, named and bounded as
    -- gs::store::range_partition does (UTC months, or UTC years from 4h up).
    FOR p IN
        SELECT DISTINCT timeframe,
               date_trunc(CASE WHEN timeframe IN ('4h', '1d', '1w') THEN 'year' ELSE 'month' END,
                          time AT TIME ZONE 'UTC') AS start,
               timeframe IN ('4h', '1d', '1w') AS yearly
          FROM bars_v5
         ORDER BY 1, 2
    LOOP
        name := 'bars_' || p.timeframe || '_y' || to_char(p.start, 'YYYY')
                || CASE WHEN p.yearly THEN '' ELSE 'm' || to_char(p.start, 'MM') END;
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                       name, 'bars_' || p.timeframe,
                       to_char(p.start, 'YYYY-MM-DD HH24:MI:SS') || '+00',
                       to_char(p.start + CASE WHEN p.yearly THEN interval '1 year'
                                              ELSE interval '1 month' END,
                               'YYYY-MM-DD HH24:MI:SS') || '+00');
    END LOOP;

    INSERT INTO bars (symbol, timeframe, time, open, high, low, close, volume)
        SELECT symbol, timeframe, time, open, high, low, close, volume FROM bars_v5;
    DROP TABLE bars_v5;
END
$$;
