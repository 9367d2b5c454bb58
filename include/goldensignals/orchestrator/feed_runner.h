#pragma once

#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/feed_spec.h"
#include "goldensignals/orchestrator/ingest_service.h"

namespace gs::orchestrator {

// Drives a feed: each new bar goes through IngestService, the same path as a posted bar
// (store, recompute, cache, publish). Runs until the executor stops.
//  - sim: a seeded geometric random walk per symbol (SIM01, SIM02, ...), documented as
//    synthetic; it starts with 300 bars of history so every agent has data at once.
//  - replay: the CSV's bars in order, one per interval, to the symbol named after the file.
boost::asio::awaitable<void> run_feed(market::FeedSpec spec, IngestService& ingest);

}  // namespace gs::orchestrator
