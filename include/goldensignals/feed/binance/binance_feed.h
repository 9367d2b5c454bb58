#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "goldensignals/feed/live_feed.h"
#include "goldensignals/market/timeframe.h"

namespace gs::feed::binance {

inline constexpr const char* kDefaultWsUrl = "wss://stream.binance.com:9443";
inline constexpr const char* kDefaultRestUrl = "https://api.binance.com";

struct BinanceOptions {
    std::vector<std::string> symbols;  // exchange symbols, upper-case (BTCUSDT)
    market::Timeframe timeframe = market::Timeframe::k1m;
    std::string ws_url = kDefaultWsUrl;                 // the combined stream is at <ws_url>/stream
    std::string rest_url = kDefaultRestUrl;             // klines at <rest_url>/api/v3/klines
    std::string ca_file;                                // PEM trust store; empty: the system's CAs
    std::chrono::milliseconds connect_timeout{10'000};  // each of DNS, TCP, TLS, upgrade, close
    std::chrono::milliseconds request_timeout{15'000};  // one history request
    // Binance sends a kline update every 2 s per stream: a silent connection is a dead one.
    std::chrono::milliseconds idle_timeout{30'000};
    std::chrono::milliseconds backoff_initial{500};
    std::chrono::milliseconds backoff_max{30'000};
    // A connection that streamed this long resets the backoff.
    std::chrono::milliseconds stable_after{60'000};
    std::size_t history_bars = 300;  // closed bars fetched at the first connection (0: none)
    std::size_t page_limit = 1000;   // klines per history request (Binance's maximum)
    std::size_t max_pages = 20;      // per symbol and gap
};

// The Binance spot kline feed (docs/feeds.md): the public combined stream over TLS, closed and
// forming klines to `sink`, reconnects with exponential backoff and jitter, and after each
// reconnect the missed closed klines from the REST history. Runs on a strand of `executor`.
// Throws std::invalid_argument for a bad URL or no symbols, std::runtime_error for a CA file
// that cannot be loaded.
std::shared_ptr<LiveFeed> make_binance_feed(boost::asio::any_io_executor executor,
                                            BinanceOptions options, FeedSink& sink);

}  // namespace gs::feed::binance
