#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/cache/redis_signal_cache.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/store/pg_bar_repository.h"

namespace gs::orchestrator {

// Keeps the in-memory bars of every instance in step with PostgreSQL. The instance that
// ingests bars records the series' version (newest time and bar fingerprint) in Redis and
// publishes it; before answering a signal, an instance compares its own version with that
// record and reloads the series from PostgreSQL when it is behind. So once a POST has
// returned, no instance answers from older bars (while Redis is reachable; without it,
// instances converge on the pub/sub message or the next reload).
class BarSync final {
  public:
    BarSync(market::BarStore& bars, cache::RedisSignalCache* redis,
            store::PgBarRepository* repository, std::string key_prefix, std::size_t capacity);

    // Makes the local series at least as new as the shared record (or loads a series this
    // instance lacks). Failures leave the local series as it is.
    boost::asio::awaitable<void> ensure_fresh(const std::string& symbol,
                                              market::Timeframe timeframe);
    // After a durable ingest: record the new version and tell the other instances.
    boost::asio::awaitable<void> announce(const std::string& symbol, market::Timeframe timeframe,
                                          const market::BarSeries& series);
    // The pub/sub channel bar-update messages go to: "<timeframe>|<symbol>|<version>".
    std::string channel() const { return prefix_ + "bars"; }
    // Handles a bar-update message from another instance.
    boost::asio::awaitable<void> on_message(std::string payload);

    static std::string version_of(const market::BarSeries& series);

    std::uint64_t reloads() const noexcept { return reloads_.load(); }

  private:
    std::string marker_key(const std::string& symbol, market::Timeframe timeframe) const;
    boost::asio::awaitable<void> reload(const std::string& symbol, market::Timeframe timeframe);

    market::BarStore& bars_;
    cache::RedisSignalCache* redis_;
    store::PgBarRepository* repository_;
    std::string prefix_;
    std::size_t capacity_;
    std::atomic<std::uint64_t> reloads_{0};
    // Symbols PostgreSQL did not have, not asked again for a moment (unknown-symbol floods).
    std::mutex negative_mutex_;
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> negative_;
};

}  // namespace gs::orchestrator
