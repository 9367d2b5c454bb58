-- GoldenSignals schema, version 8: a catalog of the stored series in latest_signals (issue 15
-- item 3, docs/memory.md "Catalog").
--
-- With lazy series only a working set is in memory, yet the listing (GET /v1/symbols), the scan,
-- a symbols=* stream and a "*" backtest must cover every stored series. latest_signals has one
-- row per series already; these columns make it the catalog read at start: small typed values
-- (the series' bar count and first bar as the service holds them, and the latest signal's scan
-- summary), never the bars or the signal's body. The write path fills them with the latest
-- signal (kUpsertLatestFromStage); as_of is the newest bar's time.
ALTER TABLE latest_signals
    ADD COLUMN IF NOT EXISTS bars            integer,
    ADD COLUMN IF NOT EXISTS first_time      bigint,    -- epoch seconds
    ADD COLUMN IF NOT EXISTS action          smallint,  -- gs_action_code
    ADD COLUMN IF NOT EXISTS strength        smallint,  -- gs_strength_code
    ADD COLUMN IF NOT EXISTS score           float8,
    ADD COLUMN IF NOT EXISTS confidence      float8,
    -- In agents::Category order: trend, momentum, volatility, volume, pattern, statistical.
    ADD COLUMN IF NOT EXISTS category_scores float8[],
    ADD COLUMN IF NOT EXISTS category_voters integer[];

-- Rows written before: the summary from the body (numbers round-trip exactly: the body prints
-- the shortest form of each double), the bar count and first bar from the stored bars (all of
-- them: a series holding more than --max-bars reports its stored total until its next signal).
UPDATE latest_signals l
   SET action = gs_action_code(j.b ->> 'action'),
       strength = gs_strength_code(j.b ->> 'strength'),
       score = (j.b ->> 'score')::float8,
       confidence = (j.b ->> 'confidence')::float8,
       category_scores = ARRAY[(j.b #>> '{categories,trend,score}')::float8,
                               (j.b #>> '{categories,momentum,score}')::float8,
                               (j.b #>> '{categories,volatility,score}')::float8,
                               (j.b #>> '{categories,volume,score}')::float8,
                               (j.b #>> '{categories,pattern,score}')::float8,
                               (j.b #>> '{categories,statistical,score}')::float8],
       category_voters = ARRAY[(j.b #>> '{categories,trend,voters}')::integer,
                               (j.b #>> '{categories,momentum,voters}')::integer,
                               (j.b #>> '{categories,volatility,voters}')::integer,
                               (j.b #>> '{categories,volume,voters}')::integer,
                               (j.b #>> '{categories,pattern,voters}')::integer,
                               (j.b #>> '{categories,statistical,voters}')::integer]
  FROM (SELECT symbol, timeframe, body::jsonb AS b FROM latest_signals WHERE action IS NULL) j
 WHERE l.symbol = j.symbol AND l.timeframe = j.timeframe;

UPDATE latest_signals l
   SET bars = s.n, first_time = s.first_time
  FROM (SELECT symbol, timeframe, count(*)::integer AS n,
               extract(epoch FROM min(time))::bigint AS first_time
          FROM bars GROUP BY symbol, timeframe) s
 WHERE l.bars IS NULL AND l.symbol = s.symbol AND l.timeframe = s.timeframe;
