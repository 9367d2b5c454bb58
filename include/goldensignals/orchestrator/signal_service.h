#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/cache/lru_cache.h"
#include "goldensignals/cache/redis_signal_cache.h"
#include "goldensignals/cache/single_flight.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/metrics/histogram.h"
#include "goldensignals/orchestrator/bar_sync.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/store/pg_signal_store.h"

namespace gs::orchestrator {

// A signal's two response bodies, serialised once and shared by every reader and tier.
struct SignalEntry {
    std::string symbol;
    market::Timeframe timeframe = market::kDefaultTimeframe;
    std::int64_t as_of = 0;
    std::shared_ptr<const std::string> full_json;     // with the agent list
    std::shared_ptr<const std::string> summary_json;  // without it
};

// Which tier answered: the X-Cache header.
enum class Tier : std::uint8_t { kL1, kL2, kL3, kMiss };
std::string_view to_string(Tier tier) noexcept;

struct Lookup {
    std::shared_ptr<const SignalEntry> entry;  // nullptr: the symbol has no bars
    Tier tier = Tier::kMiss;
};

struct SignalServiceOptions {
    std::string key_prefix = "gs:";
    cache::LruOptions l1;
};

// The current signal of a (symbol, timeframe): L1 in-process LRU, then Redis (L2), then
// PostgreSQL's latest_signals (L3), then compute, with concurrent misses of one key computed
// once. The key holds symbol, timeframe, newest bar time, a fingerprint of the bars and the
// consensus config, so a new or corrected bar makes a new key and nothing is ever stale.
class SignalService final {
  public:
    using Listener = std::function<void(std::shared_ptr<const SignalEntry>)>;

    SignalService(market::BarStore& bars, Orchestrator& orchestrator, SignalServiceOptions options);

    // Optional tiers, attached before serving.
    void attach_redis(cache::RedisSignalCache* l2) { l2_ = l2; }
    void attach_store(store::PgSignalStore* l3) { l3_ = l3; }
    void attach_sync(BarSync* sync) { sync_ = sync; }
    // Told of every newly computed signal (the live stream publishes it).
    void on_new_signal(Listener listener) { listener_ = std::move(listener); }

    boost::asio::awaitable<Lookup> current(std::string symbol, market::Timeframe timeframe);

    static std::shared_ptr<const SignalEntry> make_entry(const Signal& signal);
    // The summary body derived from a full body (L3 keeps only the full one).
    static std::string summary_of(const std::string& full_json);
    std::string cache_key(const std::string& symbol, market::Timeframe timeframe,
                          const market::BarSeries& series) const;
    // What L3 rows are matched on: config fingerprint and bar fingerprint.
    std::string version_of(const market::BarSeries& series) const;

    Orchestrator& orchestrator() noexcept { return orchestrator_; }
    std::uint64_t computations() const noexcept { return computations_.load(); }
    void render_metrics(std::string& out) const;

  private:
    boost::asio::awaitable<Lookup> fill(std::string key, std::string symbol,
                                        market::Timeframe timeframe,
                                        std::shared_ptr<const market::BarSeries> series);
    void remember(const std::string& key, const std::shared_ptr<const SignalEntry>& entry);

    market::BarStore& bars_;
    Orchestrator& orchestrator_;
    SignalServiceOptions options_;
    std::string config_hex_;
    cache::LruCache<SignalEntry> l1_;
    cache::RedisSignalCache* l2_ = nullptr;
    store::PgSignalStore* l3_ = nullptr;
    BarSync* sync_ = nullptr;
    Listener listener_;
    cache::SingleFlight<Lookup> flights_;
    std::atomic<std::uint64_t> computations_{0};
    std::array<std::atomic<std::uint64_t>, 4> answered_{};
    std::array<metrics::Histogram, 4> latency_;
};

}  // namespace gs::orchestrator
