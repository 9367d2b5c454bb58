#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <stdexcept>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/cache/single_flight.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/bar_version_registry.h"
#include "goldensignals/store/bar_repository.h"

namespace gs::orchestrator {

// The durable store could not take the bars, or could not give a series that is not in memory;
// nothing was stored anywhere. HTTP: 503 storage_unavailable.
class StorageUnavailable final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

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
    // instance lacks, once for every concurrent caller). A failed reload leaves the local
    // series as it is; a failed first load throws StorageUnavailable.
    boost::asio::awaitable<void> ensure_fresh(const std::string& symbol,
                                              market::Timeframe timeframe);
    // ensure_fresh(), then the series' snapshot (null when it has no bars), the series pinned
    // in between so the budget cannot evict it before it is read.
    boost::asio::awaitable<std::shared_ptr<const market::BarSeries>> fresh(
        const std::string& symbol, market::Timeframe timeframe);
    // The series' snapshot, loaded first (single flight) when it is not in memory; null when
    // it has no bars. No version check: the routes that read bars (GET /v1/bars, indicators,
    // backtests) and the write path, which must merge new bars into the stored history.
    // Inactive: the store's snapshot. Throws StorageUnavailable when the load fails.
    boost::asio::awaitable<std::shared_ptr<const market::BarSeries>> resident(
        const std::string& symbol, market::Timeframe timeframe);
    // After this instance stored bars of the series: it exists, whatever an earlier load said.
    void stored(const std::string& symbol, market::Timeframe timeframe);

    // Loads, one at a time, the series the repository lists as most recently active
    // (BarRepository::recent_series) that are not resident, until `enough()` says so, `stop`
    // is set or the list ends; returns the series loaded. Failures end it quietly.
    boost::asio::awaitable<std::size_t> warm(std::size_t max_series, std::function<bool()> enough,
                                             std::shared_ptr<std::atomic<bool>> stop);
    // Reads the catalog of stored series (BarRepository::catalog, docs/memory.md "Catalog") into
    // the store, which lists each one while it is not resident, and hands every row to `each`
    // (the scan's summaries); returns the rows read. Inactive: none. Throws when the repository
    // fails.
    boost::asio::awaitable<std::size_t> load_catalog(
        std::function<void(const store::CatalogRow&)> each);
    // After a durable ingest: record the new version and tell the other instances.
    boost::asio::awaitable<void> announce(const std::string& symbol, market::Timeframe timeframe,
                                          const market::BarSeries& series);
    // After the series was deleted from the repository and memory: records the tombstone
    // (kRemovedVersion) and tells the other instances, which drop their copy.
    boost::asio::awaitable<void> announce_removed(const std::string& symbol,
                                                  market::Timeframe timeframe);
    // How long a write waits between its announce and its ack (BarVersionRegistry::ack_delay);
    // 0 when inactive.
    std::chrono::microseconds ack_delay() const {
        return active_ ? versions_.ack_delay() : std::chrono::microseconds{};
    }
    // Where the registry's bar-update messages arrive (see BarVersionRegistry::channel).
    std::string channel() const { return versions_.channel(); }
    // Handles a bar-update message from another instance.
    boost::asio::awaitable<void> on_message(std::string payload);

    std::uint64_t reloads() const noexcept { return reloads_.load(); }
    // Series loaded because they were not in memory (first use, warm-up): one per flight.
    std::uint64_t loads() const noexcept { return loads_.load(); }
    // The registry's metrics (how versions were checked) and gs_series_loads_total.
    void render_metrics(std::string& out) const;

    static BarVersionRegistry& no_bar_versions();

  private:
    // Replaces the series with the repository's newest bars; true when it did (false: the
    // repository failed or has none, and the series stays as it was).
    boost::asio::awaitable<bool> reload(const std::string& symbol, market::Timeframe timeframe);
    // The shared record is absent: reload, then seed the record with the reloaded version so
    // the next reads (here and on other instances) compare against it instead of reloading.
    boost::asio::awaitable<void> reload_and_seed(const std::string& symbol,
                                                 market::Timeframe timeframe);
    // Seeds the shared record with the version of bars just read from the repository.
    boost::asio::awaitable<void> seed(const std::string& symbol, market::Timeframe timeframe,
                                      const market::BarSeries& loaded);
    // Loads a series that is not in memory, one load for every concurrent caller; throws
    // StorageUnavailable when the repository fails. True when this call ran the load (it
    // began after the call did), false when it joined one already out.
    boost::asio::awaitable<bool> load_cold(const std::string& symbol, market::Timeframe timeframe);
    boost::asio::awaitable<bool> load_once(std::string symbol, market::Timeframe timeframe);
    // Known absent (an empty load less than 2 s ago).
    bool known_absent(const std::string& symbol, market::Timeframe timeframe);

    market::BarStore& bars_;
    BarVersionRegistry& versions_;
    store::BarRepository& repository_;
    std::size_t capacity_;
    bool active_;
    std::atomic<std::uint64_t> reloads_{0};
    std::atomic<std::uint64_t> loads_{0};
    cache::SingleFlight<bool> cold_loads_;
    // Symbols the repository did not have, not asked again for a moment (unknown-symbol floods).
    std::mutex negative_mutex_;
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> negative_;
};

}  // namespace gs::orchestrator
