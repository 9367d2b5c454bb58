#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/bar_version_registry.h"
#include "goldensignals/store/bar_repository.h"

namespace gs::orchestrator {

// Keeps the in-memory bars of every instance in step with the durable bars. The instance that
// ingests bars records the series' version in the registry and announces it; before
// answering a signal, an instance compares its own version with that record and reloads the
// series from the repository when it is behind. So once a POST has returned, no instance
// answers from older bars (while the registry is reachable; without it, instances converge
// on the announcement or the next reload).
class BarSync final {
  public:
    BarSync(market::BarStore& bars, BarVersionRegistry& versions, store::BarRepository& repository,
            std::size_t capacity);
    // Memory-only bars: nothing to reload from, so every call returns at once (`versions`
    // only names the channel()).
    explicit BarSync(market::BarStore& bars, BarVersionRegistry& versions = no_bar_versions());

    // False alone: callers skip the calls (no coroutine on the cached read path).
    bool active() const noexcept { return active_; }

    // Makes the local series at least as new as the shared record (or loads a series this
    // instance lacks). Failures leave the local series as it is.
    boost::asio::awaitable<void> ensure_fresh(const std::string& symbol,
                                              market::Timeframe timeframe);
    // After a durable ingest: record the new version and tell the other instances.
    boost::asio::awaitable<void> announce(const std::string& symbol, market::Timeframe timeframe,
                                          const market::BarSeries& series);
    // After the series was deleted from the repository and memory: records the tombstone
    // (kRemovedVersion) and tells the other instances, which drop their copy.
    boost::asio::awaitable<void> announce_removed(const std::string& symbol,
                                                  market::Timeframe timeframe);
    // Where the registry's bar-update messages arrive (see BarVersionRegistry::channel).
    std::string channel() const { return versions_.channel(); }
    // Handles a bar-update message from another instance.
    boost::asio::awaitable<void> on_message(std::string payload);

    std::uint64_t reloads() const noexcept { return reloads_.load(); }
    // The registry's metrics (how versions were checked).
    void render_metrics(std::string& out) const { versions_.render_metrics(out); }

    static BarVersionRegistry& no_bar_versions();

  private:
    boost::asio::awaitable<void> reload(const std::string& symbol, market::Timeframe timeframe);

    market::BarStore& bars_;
    BarVersionRegistry& versions_;
    store::BarRepository& repository_;
    std::size_t capacity_;
    bool active_;
    std::atomic<std::uint64_t> reloads_{0};
    // Symbols the repository did not have, not asked again for a moment (unknown-symbol floods).
    std::mutex negative_mutex_;
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> negative_;
};

}  // namespace gs::orchestrator
