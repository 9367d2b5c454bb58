#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/asio/awaitable.hpp>

#include "goldensignals/cache/lru_cache.h"
#include "goldensignals/cache/signal_tier.h"
#include "goldensignals/cache/single_flight.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/metrics/histogram.h"
#include "goldensignals/orchestrator/bar_sync.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal_entry.h"
#include "goldensignals/store/signal_archive.h"

namespace gs::orchestrator {

// Which tier answered: the X-Cache header.
enum class Tier : std::uint8_t { kL1, kL2, kL3, kMiss };
std::string_view to_string(Tier tier) noexcept;

// What a reader needs of a signal: the summary (streams, scans, lists, snapshots) or the full
// body with the agent list (GET /v1/signals/{symbol} with agents). The tiers keep the full body
// only when it was written before them (SignalEntry), so a summary a tier kept answers the
// first and a recompute of the agents completes it for the second.
enum class Need : std::uint8_t { kSummary, kWithAgents };

struct Lookup {
    std::shared_ptr<const SignalEntry> entry;  // nullptr: the symbol has no bars
    Tier tier = Tier::kMiss;
    // The verdicts behind `entry` when this lookup computed it (live accuracy scores them);
    // null when a tier answered.
    std::shared_ptr<const Signal> computed;
};

// A signal computed after an ingest, not yet given to the listener: the ingest publishes it
// once the series' new version is announced, so no subscriber hears of a signal before the
// instances can serve its bars.
struct IngestedSignal {
    Lookup lookup;
    std::shared_ptr<const SignalEntry> unpublished;  // null: nothing new to publish here
};

struct SignalServiceOptions {
    std::string key_prefix = "gs:";
    cache::LruOptions l1;
};

// What the signal service reads through behind its in-process L1, and the bar sync run before
// each read. Each outlives the service.
struct SignalTiers {
    cache::SignalTier& l2;     // RedisSignalCache, or NoSignalTier alone
    store::SignalArchive& l3;  // PgSignalStore, or NoSignalArchive without PostgreSQL
    BarSync& sync;             // inactive without PostgreSQL
};

// The current signal of a (symbol, timeframe): L1 in-process LRU, then the shared tier (L2,
// Redis), then the archive's latest signal (L3, PostgreSQL), then compute, with concurrent misses
// of one key computed once. The key holds symbol, timeframe, newest bar time, a fingerprint of the
// bars and the consensus config, so a new or corrected bar makes a new key and nothing is ever
// stale.
class SignalService final {
  public:
    using Listener = std::function<void(std::shared_ptr<const SignalEntry>)>;

    SignalService(market::BarStore& bars, Orchestrator& orchestrator, SignalServiceOptions options,
                  SignalTiers tiers);
    // Alone: L1 only, no shared tier, no archive, nothing to sync.
    SignalService(market::BarStore& bars, Orchestrator& orchestrator, SignalServiceOptions options);

    // Told of every newly computed signal (the live stream publishes it).
    void on_new_signal(Listener listener) { listener_ = std::move(listener); }

    // The entry answers `need`: with kWithAgents its full_json() is never null.
    boost::asio::awaitable<Lookup> current(std::string symbol, market::Timeframe timeframe,
                                           Need need = Need::kWithAgents);
    // The summary body of the series' latest kept signal (L3), its bars not loaded: the snapshot
    // of a stored series that is not resident (docs/memory.md "Catalog"). Null when none is
    // kept or the archive is unreachable.
    boost::asio::awaitable<std::shared_ptr<const std::string>> stored_summary(
        std::string symbol, market::Timeframe timeframe);
    // The signal right after this instance stored new bars of the series: the bars just
    // changed, so neither the version check nor the L2 and L3 lookups can hit (three round
    // trips per bar on the ingest path): L1, else compute, then cache, archive and publish
    // as current() does after a miss.
    boost::asio::awaitable<Lookup> ingested(std::string symbol, market::Timeframe timeframe);
    // The same without publishing: the caller hands `unpublished` to publish() when ready.
    boost::asio::awaitable<IngestedSignal> compute_ingested(std::string symbol,
                                                            market::Timeframe timeframe);
    // Gives a newly computed signal to the listener (nothing for null).
    void publish(const std::shared_ptr<const SignalEntry>& entry) const;

    // The summary body derived from a full body (an archive row written with its full body).
    static std::string summary_of(const std::string& full_json);
    // Whether a body a tier kept is the full one: the top-level "agents" key appears in no
    // summary, and in no string (a quote in a string is escaped).
    static bool has_agent_list(std::string_view body) noexcept {
        return body.find("\"agents\":[") != std::string_view::npos;
    }
    std::string cache_key(const std::string& symbol, market::Timeframe timeframe,
                          const market::BarSeries& series) const;
    // The same key written into `out`: an L1 hit looks it up without making a string.
    using KeyBuffer = fmt::basic_memory_buffer<char, 192>;
    std::string_view cache_key(const std::string& symbol, market::Timeframe timeframe,
                               const market::BarSeries& series, KeyBuffer& out) const;
    // An archived signal's config_version: "<consensus config fingerprint>-<bar fingerprint>"
    // (16 hex each). An L3 row answers when it and its as_of (the newest bar time) match.
    std::string archive_version(const market::BarSeries& series) const;

    Orchestrator& orchestrator() noexcept { return orchestrator_; }
    BarSync& bar_sync() noexcept { return sync_; }
    std::uint64_t computations() const noexcept { return computations_.load(); }
    void render_metrics(std::string& out) const;

  private:
    // `unpublished` (ingest only): where a signal this call computed goes instead of the
    // listener.
    boost::asio::awaitable<Lookup> lookup(std::string symbol, market::Timeframe timeframe,
                                          bool after_ingest,
                                          std::shared_ptr<const SignalEntry>* unpublished,
                                          Need need);
    // `need`: a reader that wants the agents has the full body written before the tiers
    // store the signal (so they keep it); an ingest (kSummary) leaves it to a first reader.
    boost::asio::awaitable<Lookup> computed(std::string key, std::string symbol,
                                            market::Timeframe timeframe,
                                            std::shared_ptr<const market::BarSeries> series,
                                            bool publish, Need need);
    boost::asio::awaitable<Lookup> fill(std::string key, std::string symbol,
                                        market::Timeframe timeframe,
                                        std::shared_ptr<const market::BarSeries> series, Need need);
    // A summary a tier kept, with the agent list recomputed from the same bars
    // (full_json_with_summary): cached in L1 and L2 under `key`, neither published nor
    // archived (the signal is not new). Answers as `tier`, the tier that held the summary.
    boost::asio::awaitable<Lookup> with_agents(std::string key, std::string symbol,
                                               market::Timeframe timeframe,
                                               std::shared_ptr<const market::BarSeries> series,
                                               std::shared_ptr<const SignalEntry> summary,
                                               Tier tier);
    void remember(const std::string& key, const std::shared_ptr<const SignalEntry>& entry);
    // After an ingest cached the series' signal under `key`: the entry of the series' previous
    // ingest leaves L1 (its key names bars the series no longer holds, so no lookup asks for
    // it again) instead of staying until the LRU evicts it.
    void retire_previous(std::string_view key, std::size_t series_part);
    boost::asio::awaitable<void> put_l2(const std::string& key, const SignalEntry& entry);
    // The L2 copy without waiting for Redis (a cache: a reader that misses it falls back to L3
    // or computes), up to kMaxL2Writes at once; past that the caller waits, so a slow Redis
    // holds memory bounded.
    boost::asio::awaitable<void> copy_to_l2(std::string key,
                                            std::shared_ptr<const SignalEntry> entry);
    static constexpr std::size_t kMaxL2Writes = 256;

    market::BarStore& bars_;
    Orchestrator& orchestrator_;
    std::unique_ptr<BarSync> own_sync_;  // alone: the inactive sync `sync_` refers to
    cache::SignalTier& l2_;
    store::SignalArchive& l3_;
    BarSync& sync_;
    SignalServiceOptions options_;
    std::string config_hex_;
    cache::LruCache<SignalEntry> l1_;
    // The L1 key of each series' newest ingested signal, by the key's series part (up to and
    // including "<symbol>:"); one entry per series the store holds.
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const noexcept {
            return std::hash<std::string_view>{}(key);
        }
    };
    std::mutex ingested_mutex_;
    std::unordered_map<std::string, std::string, KeyHash, std::equal_to<>> ingested_keys_;
    Listener listener_;
    cache::SingleFlight<Lookup> flights_;
    std::atomic<std::uint64_t> computations_{0};
    // By the consensus action (agents::Action's order): gs_signals_computed_total.
    std::array<std::atomic<std::uint64_t>, 4> computed_by_action_{};
    std::atomic<std::size_t> l2_writes_in_flight_{0};
    std::array<std::atomic<std::uint64_t>, 4> answered_{};
    std::array<metrics::Histogram, 4> latency_;
};

}  // namespace gs::orchestrator
