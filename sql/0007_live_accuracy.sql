-- GoldenSignals schema, version 7: live accuracy (issue 13, docs/backtest.md "Live accuracy").
--
-- live_calls  one row per scored live call: a BUY or SELL of the consensus, a category or an
--             agent, judged `horizon` bars after its signal. Partitioned by month of scored_at
--             like signals (gs::store::ensure_range_partitions makes live_calls_yYYYYmMM
--             ahead of time, at start and in the retention job; the DEFAULT partition takes
--             anything else), so old months drop cheaply: they follow --signal-retention
--             (docs/retention.md).
--             At start each (timeframe, track) window is refilled from its newest rows
--             (live_calls_track_idx), so a restart loses no call that was written.
CREATE TABLE IF NOT EXISTS live_calls (
    id             bigint GENERATED ALWAYS AS IDENTITY,
    scored_at      timestamptz      NOT NULL DEFAULT now(),
    timeframe      text             NOT NULL,
    track          text             NOT NULL,  -- consensus, category:<name>, agent:<name>
    symbol         text             NOT NULL,
    signal_time    bigint           NOT NULL,  -- bar t (epoch seconds)
    scored_time    bigint           NOT NULL,  -- bar t + horizon
    action         text             NOT NULL CHECK (action IN ('BUY', 'SELL')),
    hit            boolean          NOT NULL,
    forward_return double precision NOT NULL,  -- close[t+h] / close[t] - 1
    PRIMARY KEY (id, scored_at)
) PARTITION BY RANGE (scored_at);

CREATE INDEX IF NOT EXISTS live_calls_track_idx ON live_calls (timeframe, track, id DESC);

CREATE TABLE IF NOT EXISTS live_calls_default PARTITION OF live_calls DEFAULT;
