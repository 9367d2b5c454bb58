-- GoldenSignals schema, version 1: bars, signal history (monthly partitions) and the
-- latest signal per (symbol, timeframe). Applied in one transaction by
-- gs::store::apply_migrations; see docs/postgres.md.

-- OHLCV bars; the CHECKs mirror gs::market::validate_bar so the database refuses what the
-- service would refuse. `x < 'Infinity'` also rules out NaN, which PostgreSQL sorts above
-- every other value.
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
);

-- Every signal computed, partitioned by month of created_at so old months can be detached
-- or dropped cheaply. gs::store::ensure_partitions creates the monthly partitions
-- (signals_yYYYYmMM) ahead of time; the DEFAULT partition takes anything else, so an insert
-- is never refused for want of a partition.
CREATE TABLE signals (
    id             bigint GENERATED ALWAYS AS IDENTITY,
    created_at     timestamptz      NOT NULL DEFAULT now(),
    symbol         text             NOT NULL,
    timeframe      text             NOT NULL,
    as_of          timestamptz      NOT NULL,
    action         text             NOT NULL,
    strength       text             NOT NULL,
    score          double precision NOT NULL,
    confidence     double precision NOT NULL,
    config_version text             NOT NULL,
    signal         jsonb            NOT NULL,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

-- History reads: newest first per series, keyset pagination on (created_at, id).
CREATE INDEX signals_series_created_idx ON signals (symbol, timeframe, created_at DESC, id DESC);

CREATE TABLE signals_default PARTITION OF signals DEFAULT;

-- The newest signal per series, upserted in the same transaction as the history insert and
-- only replaced by a signal whose as_of is the same or newer. `body` keeps the exact JSON
-- text the service produced (jsonb normalises it), so reads can send it as is.
CREATE TABLE latest_signals (
    symbol         text        NOT NULL,
    timeframe      text        NOT NULL,
    as_of          timestamptz NOT NULL,
    config_version text        NOT NULL,
    signal         jsonb       NOT NULL,
    body           text        NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, timeframe)
);
