#pragma once

// GET /v1/stream?symbols=AAPL,MSFT&timeframe=1d (or symbols=*): new signals as Server-Sent
// Events. See docs/sse.md.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/http/router.h"
#include "goldensignals/market/timeframe.h"
#include "goldensignals/sse/hub.h"

namespace gs::sse {

struct StreamOptions {
    // Streams open at once on this instance; more are answered 503 before the stream opens.
    std::size_t max_streams = 20'000;
    // Symbols one stream may ask for; more are answered 400.
    std::size_t max_symbols = 100;
    // A `: ping` comment after this long without a write.
    std::chrono::milliseconds heartbeat{15'000};
    // Sent as `retry:` at connect: how long the client waits before reconnecting.
    std::chrono::milliseconds retry{3'000};
    // A write that takes longer marks the client as slow and ends the stream.
    std::chrono::milliseconds write_timeout{10'000};
    // Per-stream queue; a client that falls further behind is disconnected.
    QueueLimits queue;
    // When set, a stream needs `Authorization: Bearer <token>` or `?token=<token>`
    // (EventSource cannot send headers). Empty: streams are open.
    std::string token;
};

// The current signal (summary JSON, one line) of a symbol, or nullptr when it has none.
using SnapshotFn = std::function<boost::asio::awaitable<std::shared_ptr<const std::string>>(
    const std::string& symbol, market::Timeframe timeframe)>;
// The symbols a `symbols=*` snapshot covers.
using SymbolsFn = std::function<std::vector<std::string>(market::Timeframe timeframe)>;

// Adds GET /v1/stream. `hub` must outlive the server's sessions (and so their io_context).
void add_stream_route(http::Router& router, Hub& hub, SnapshotFn snapshot, SymbolsFn symbols,
                      StreamOptions options = {});

}  // namespace gs::sse
