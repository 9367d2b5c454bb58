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

// Keeps the named series of a stream from leaving memory while the stream is open (the bar
// store's pins, docs/memory.md); the stream holds what it returns.
using HoldFn = std::function<std::shared_ptr<void>(const std::vector<std::string>& symbols,
                                                   market::Timeframe timeframe)>;

struct StreamOptions {
    // Streams open at once on this instance; more are answered 503 before the stream opens.
    std::size_t max_streams = 20'000;
    // Symbols one stream may ask for; more are answered 400.
    std::size_t max_symbols = 100;
    // A `: ping` comment after this long without a write.
    std::chrono::milliseconds heartbeat{15'000};
    // Sent as `retry:` at connect: how long the client waits before reconnecting.
    std::chrono::milliseconds retry{3'000};
    // A stream whose writes make no progress this long (the client takes no byte) is cut. Each
    // system call has this deadline, not the whole write: a slow client that keeps reading
    // stays.
    std::chrono::milliseconds stall_timeout{5'000};
    // SO_SNDBUF of the stream's socket (Linux doubles it). Bounded, what a client that does not
    // read pins in the kernel is small, and the rest stays in the queue, where the limit and
    // the stall cut see it. 0 = the kernel's autotuning (megabytes on loopback).
    std::size_t send_buffer = 64 * 1024;
    // Per-stream limits of unsent data (snapshot included); a client that falls further behind
    // is disconnected.
    QueueLimits queue;
    // Called once per stream that names its symbols (not `symbols=*`); empty: nothing held.
    HoldFn hold;
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
