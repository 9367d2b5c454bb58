#pragma once

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "goldensignals/accuracy/live_accuracy.h"
#include "goldensignals/backtest/jobs.h"

#include "goldensignals/http/router.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/ingest_service.h"
#include "goldensignals/orchestrator/provisional_service.h"
#include "goldensignals/orchestrator/rollup_service.h"
#include "goldensignals/orchestrator/signal_board.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/store/pg_signal_store.h"
#include "goldensignals/webhooks/service.h"

namespace gs::http {

inline constexpr std::size_t kBarsBodyLimit = 10 * 1024 * 1024;

// POST, GET (JSON or ?format=csv) and DELETE /v1/bars/{symbol}. Parsing of large bodies runs
// on `compute`. With `rollup`, GET's `forming=true` adds the forming rolled-up bar. A POSTed
// JSON batch may end with a forming bar (`"final": false`): never stored, handed to
// `provisional` (ignored without it; the response says what became of it).
void add_bar_routes(Router& router, market::BarStore& store, orchestrator::IngestService& ingest,
                    boost::asio::any_io_executor compute,
                    const orchestrator::RollupService* rollup = nullptr,
                    orchestrator::ProvisionalService* provisional = nullptr);

// GET /v1/signals/{symbol}, /v1/signals, /v1/indicators/{symbol}, /v1/agents. The
// indicator series are computed on `compute`. With `provisional`, GET /v1/signals/{symbol}
// takes `provisional=true`: the series' provisional signal when it is newer than the final one.
// With `accuracy`, /v1/agents?timeframe= adds each agent's live accuracy and the consensus' and
// categories' ("live").
void add_signal_routes(Router& router, market::BarStore& store,
                       orchestrator::SignalService& signals, boost::asio::any_io_executor compute,
                       const orchestrator::ProvisionalService* provisional = nullptr,
                       const accuracy::LiveAccuracy* accuracy = nullptr);

// GET /v1/symbols (the series held, paged) and GET /v1/scan (their current signals, filtered
// and sorted; universe_routes.cpp).
void add_universe_routes(Router& router, market::BarStore& store, orchestrator::SignalBoard& board);
// GET /v1/backtest/{symbol}: a walk-forward backtest run on `compute` (docs/backtest.md). With
// `sync`, a series not in memory is loaded first (docs/memory.md).
void add_backtest_route(Router& router, market::BarStore& store,
                        const orchestrator::Orchestrator& orchestrator,
                        boost::asio::any_io_executor compute,
                        orchestrator::BarSync* sync = nullptr);
// The jobs of POST /v1/backtests: each symbol tested as GET /v1/backtest/{symbol} tests it, on
// `compute`. With an active `sync`, a symbol not in memory is loaded (single flight) and pinned
// before it runs (docs/memory.md).
std::shared_ptr<backtest::JobRegistry> make_backtest_jobs(
    market::BarStore& store, const orchestrator::Orchestrator& orchestrator,
    boost::asio::any_io_executor compute, backtest::JobLimits limits = {},
    orchestrator::BarSync* sync = nullptr);
// POST /v1/backtests, GET|DELETE /v1/backtests/{id}, GET /v1/backtests/{id}/events (SSE).
void add_backtest_job_routes(Router& router, market::BarStore& store,
                             std::shared_ptr<backtest::JobRegistry> jobs);

// GET /v1/signals/{symbol}/history from PostgreSQL; 503 without it.
void add_history_route(Router& router, store::PgSignalStore* history);

// POST and GET /v1/webhooks, GET and DELETE /v1/webhooks/{id}, GET
// /v1/webhooks/{id}/deliveries (docs/webhooks.md). All need the write token: a webhook's URL
// and delivery log are the operator's business.
void add_webhook_routes(Router& router, webhooks::Service& service);

}  // namespace gs::http
