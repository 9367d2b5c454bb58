-- GoldenSignals schema, version 9: live_calls holds runs of calls, not one row per call (issue 12,
-- bench/RESULTS.md section 27).
--
-- One row per scored call meant ~21 rows for every signal (the consensus, its categories and each
-- agent that said BUY or SELL), two index entries each: at 1,900 signals/s that COPY was the
-- largest cost of the PostgreSQL behind the ingest path. Now the writer (gs::store::PgCallStore)
-- puts each batch's calls of one (timeframe, track) into one row of parallel arrays, in the
-- order they were scored; a busy service writes a few dozen rows per batch of thousands of
-- calls.
--
-- live_calls  one row per run of calls of one (timeframe, track). Element i of each array is
--             one call: symbol, bar t (signal_times), bar t + horizon (scored_times), BUY (true)
--             or SELL (false), hit, forward return close[t+h] / close[t] - 1. `calls` is the
--             arrays' length, so the restore can count without reading them. Calls are ordered
--             by (id, position). Partitioned by month of scored_at (when the run was written)
--             as before; retention drops whole months with the signals (docs/retention.md).
--             At start each (timeframe, track) window is refilled from its newest runs
--             (live_calls_track_idx): at most `window` rows are read per track.
--
-- Existing calls are moved: each (timeframe, track, UTC month) becomes runs of at most 1,000
-- calls in id order, in this migration's one transaction. Run again it does nothing.
DO $$
DECLARE
    p record;
    name text;
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = 'live_calls'
                  AND column_name = 'calls') THEN
        RAISE NOTICE 'live_calls already holds runs';
        RETURN;
    END IF;

    CREATE TEMP TABLE live_calls_v8 ON COMMIT DROP AS
        SELECT min(id) AS first_id, min(scored_at) AS scored_at, timeframe, track,
               count(*)::integer AS calls,
               array_agg(symbol ORDER BY id) AS symbols,
               array_agg(signal_time ORDER BY id) AS signal_times,
               array_agg(scored_time ORDER BY id) AS scored_times,
               array_agg(action = 'BUY' ORDER BY id) AS buys,
               array_agg(hit ORDER BY id) AS hits,
               array_agg(forward_return ORDER BY id) AS forward_returns
          FROM (SELECT c.*,
                       date_trunc('month', c.scored_at AT TIME ZONE 'UTC') AS month,
                       (row_number() OVER (PARTITION BY c.timeframe, c.track,
                                           date_trunc('month', c.scored_at AT TIME ZONE 'UTC')
                                           ORDER BY c.id) - 1) / 1000 AS run
                  FROM live_calls c) numbered
         GROUP BY timeframe, track, month, run;

    DROP TABLE live_calls;  -- its partitions and index go with it

    CREATE TABLE live_calls (
        id              bigint             GENERATED ALWAYS AS IDENTITY,
        scored_at       timestamptz        NOT NULL DEFAULT now(),
        timeframe       text               NOT NULL,
        track           text               NOT NULL,  -- consensus, category:<name>, agent:<name>
        calls           integer            NOT NULL CHECK (calls >= 1),
        symbols         text[]             NOT NULL,
        signal_times    bigint[]           NOT NULL,  -- bar t (epoch seconds)
        scored_times    bigint[]           NOT NULL,  -- bar t + horizon
        buys            boolean[]          NOT NULL,  -- BUY true, SELL false
        hits            boolean[]          NOT NULL,
        forward_returns double precision[] NOT NULL,  -- close[t+h] / close[t] - 1
        CONSTRAINT live_calls_runs_check CHECK (
            cardinality(symbols) = calls AND cardinality(signal_times) = calls
            AND cardinality(scored_times) = calls AND cardinality(buys) = calls
            AND cardinality(hits) = calls AND cardinality(forward_returns) = calls)
    ) PARTITION BY RANGE (scored_at);

    CREATE INDEX live_calls_track_idx ON live_calls (timeframe, track, id DESC);
    CREATE TABLE live_calls_default PARTITION OF live_calls DEFAULT;

    -- A partition for every month holding calls, named and bounded as
    -- gs::store::range_partition does.
    FOR p IN
        SELECT DISTINCT date_trunc('month', scored_at AT TIME ZONE 'UTC') AS start
          FROM live_calls_v8
         ORDER BY 1
    LOOP
        name := 'live_calls_y' || to_char(p.start, 'YYYY') || 'm' || to_char(p.start, 'MM');
        EXECUTE format('CREATE TABLE %I PARTITION OF live_calls FOR VALUES FROM (%L) TO (%L)',
                       name, to_char(p.start, 'YYYY-MM-DD HH24:MI:SS') || '+00',
                       to_char(p.start + interval '1 month', 'YYYY-MM-DD HH24:MI:SS') || '+00');
    END LOOP;

    INSERT INTO live_calls (scored_at, timeframe, track, calls, symbols, signal_times,
                            scored_times, buys, hits, forward_returns)
        SELECT scored_at, timeframe, track, calls, symbols, signal_times, scored_times, buys,
               hits, forward_returns
          FROM live_calls_v8
         ORDER BY first_id;
END
$$;
