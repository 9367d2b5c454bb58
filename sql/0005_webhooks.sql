-- GoldenSignals schema, version 5: alert webhooks (issue 14, docs/webhooks.md).
--
-- webhooks          the registered receivers (the secret signs each delivery).
-- webhook_series    each series' newest signal seen, so that every instance agrees which
--                   signal is new and whether its action changed (one row per series).
-- webhook_outbox    events waiting for delivery, one row per (webhook, event). A claim takes
--                   due rows with FOR UPDATE SKIP LOCKED and moves next_attempt_at past its
--                   lease, so one instance at a time tries a row and a lost instance's rows
--                   come due again. Delivered and failed rows are deleted.
-- webhook_attempts  the recent attempts per webhook (GET /v1/webhooks/{id}/deliveries).
CREATE TABLE IF NOT EXISTS webhooks (
    id         text PRIMARY KEY,
    url        text NOT NULL,
    secret     text NOT NULL,
    symbols    text[] NOT NULL,
    timeframes text[] NOT NULL,
    trigger    text NOT NULL CHECK (trigger IN ('action_change', 'every_signal')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS webhook_series (
    symbol    text NOT NULL,
    timeframe text NOT NULL,
    as_of     bigint NOT NULL,
    action    text NOT NULL,
    PRIMARY KEY (symbol, timeframe)
);

CREATE TABLE IF NOT EXISTS webhook_outbox (
    seq             bigserial PRIMARY KEY,
    webhook_id      text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        text NOT NULL,
    body            text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease           text,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (next_attempt_at);

CREATE TABLE IF NOT EXISTS webhook_attempts (
    id         bigserial PRIMARY KEY,
    webhook_id text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id   text NOT NULL,
    attempt    integer NOT NULL,
    started_at timestamptz NOT NULL,
    result     text NOT NULL CHECK (result IN ('delivered', 'retry', 'failed')),
    status     integer,
    latency_ms integer NOT NULL,
    error      text
);
CREATE INDEX IF NOT EXISTS webhook_attempts_recent ON webhook_attempts (webhook_id, id DESC);
