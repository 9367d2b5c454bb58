#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/feed/feed_metrics.h"
#include "goldensignals/market/bar.h"
#include "goldensignals/market/timeframe.h"

namespace gs::feed {

// One bar from a live provider. `final` bars are closed periods; the others are the period
// still forming (the same open time may come many times, each newer than the last).
struct BarEvent {
    std::string symbol;  // as the service names it (upper-case, market::normalize_symbol)
    market::Timeframe timeframe = market::Timeframe::k1m;
    market::Bar bar;
    bool final = false;
    bool backfilled = false;         // from the provider's history endpoint after a gap
    std::int64_t event_time_ms = 0;  // when the provider produced it (0: unknown)
};

enum class FeedStatus { kConnecting, kBackfilling, kLive, kDisconnected, kStopped };

std::string_view to_string(FeedStatus status) noexcept;

// Where a live feed delivers. The feed awaits each call before it reads on, so a slow sink
// slows the feed (the provider's socket buffers) instead of queueing without bound.
class FeedSink {
  public:
    virtual ~FeedSink() = default;
    virtual boost::asio::awaitable<void> on_bar(BarEvent event) = 0;
    virtual void on_status(std::string_view feed, FeedStatus status, std::string_view detail) = 0;
};

// The seam between the service and a market data provider (docs/feeds.md). An implementation
// owns its connection, reconnects by itself, and guarantees to its sink:
//  - each closed bar once, in time order per series, none missing across a reconnect (it
//    backfills the gap from the provider's history before it streams again);
//  - forming bars only after the last closed bar of their series.
class LiveFeed {
  public:
    virtual ~LiveFeed() = default;
    virtual std::string_view name() const noexcept = 0;
    // Starts connecting in the background; returns at once.
    virtual void start() = 0;
    // Closes cleanly (a close frame, timers cancelled) and completes when the feed has ended.
    // Any thread; more than once is harmless.
    virtual boost::asio::awaitable<void> stop() = 0;
    // Rendered with name() as the `feed` label.
    virtual const FeedMetrics& metrics() const noexcept = 0;
};

}  // namespace gs::feed
