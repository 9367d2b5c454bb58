#pragma once

// The wiring of lazy series (docs/memory.md): what the process does at start and per stream so
// that every stored series is listed and served while only some are held in memory.

#include <boost/asio/io_context.hpp>

#include "goldensignals/app/components.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/bar_sync.h"
#include "goldensignals/orchestrator/signal_board.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/sse/stream_route.h"

namespace gs::app {

// Reads the catalog of stored series into the board before anything is served, so that the
// listing, the scan and "*" cover every stored series, not only the resident ones. Small typed
// rows, never bars. Blocks the caller; PostgreSQL down: logged, the board covers the resident
// series until restart.
void load_catalog(orchestrator::BarSync& sync, orchestrator::SignalBoard& board);

// Registers the background warm-up of the most recently active series: started once the
// server listens (reads never wait for it), stopped at shutdown, and it stops by itself at
// half the memory budget.
void add_series_warm_up(Components& components, boost::asio::io_context& io,
                        orchestrator::BarSync& sync, market::MemoryBarStore& bars);

// A live stream's first event per series: the current signal, or for a stored series neither
// resident nor named by the stream (a symbols=* snapshot) its latest kept signal, without
// loading its bars. No snapshot when PostgreSQL is down; the live events still come.
sse::SnapshotFn stream_snapshot(orchestrator::SignalService& signals, market::MemoryBarStore& bars,
                                orchestrator::BarSync& sync);

// Keeps a stream's named series in memory while it is open (pins; never evicted).
sse::HoldFn stream_hold(market::MemoryBarStore& bars);

}  // namespace gs::app
