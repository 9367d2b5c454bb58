#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/market/timeframe.h"

namespace gs::market {

// Series a store holds unless told otherwise: a series of 300 bars costs about 32 KB with its
// cached signal (the bars alone take 48 bytes each, 240 KB at 5,000), so 100,000 series is a
// few GB, room for every US equity in several timeframes.
inline constexpr std::size_t kDefaultMaxSeries = 100'000;

// Bars for a new (symbol, timeframe) series would take the store past its limit; nothing was
// stored. Existing series still take bars.
class SeriesLimitError final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Room for one series, held while its bars are written to the durable store first, so that
// write never succeeds for a series the memory store then refuses. Released on destruction.
class SeriesSlot final {
  public:
    SeriesSlot() = default;
    explicit SeriesSlot(std::function<void()> release) : release_(std::move(release)) {}
    SeriesSlot(SeriesSlot&& other) noexcept : release_(std::exchange(other.release_, nullptr)) {}
    SeriesSlot(const SeriesSlot&) = delete;
    SeriesSlot& operator=(const SeriesSlot&) = delete;
    SeriesSlot& operator=(SeriesSlot&&) = delete;
    ~SeriesSlot() {
        if (release_) {
            release_();
        }
    }

  private:
    std::function<void()> release_;
};

// Keeps one series from being evicted while held (a write, a computation, a stream naming it);
// released on destruction. The same RAII shape as a slot; empty for a store that never evicts.
using SeriesPin = SeriesSlot;

// The memory budget's estimate of one resident series beyond its bars (docs/memory.md): the
// 51 agents' streaming states (measured: SeriesBudgetTest) and the store's own entry.
inline constexpr std::size_t kAgentStatesBytes = 64 * 1024;
inline constexpr std::size_t kSeriesEntryBytes = 160;
// The estimate of a resident series: its bars' storage plus the two above.
inline std::size_t resident_bytes_of(const BarSeries& series) noexcept {
    return series.bytes() + kAgentStatesBytes + kSeriesEntryBytes;
}

struct UpsertResult {
    // Distinct bar times taken (a time sent twice in one batch counts once: the last wins).
    std::size_t accepted = 0;
    std::int64_t last_time = 0;  // newest bar time of the series after the upsert
    std::shared_ptr<const BarSeries> series;
};

// One series a store holds: a snapshot, as get() returns it.
struct SeriesRef {
    std::string symbol;
    Timeframe timeframe = kDefaultTimeframe;
    std::shared_ptr<const BarSeries> series;
};

// A series the durable store holds and memory does not (evicted, or never loaded), as the
// catalog knows it (docs/memory.md): what GET /v1/symbols says of it.
struct StoredSeries {
    std::size_t bars = 0;  // 0: unknown (listed without figures)
    std::int64_t first = 0;
    std::int64_t last = 0;
};

// One series of the catalog: resident (`series` set) or only stored (`stored`).
struct CatalogRef {
    std::string symbol;
    Timeframe timeframe = kDefaultTimeframe;
    std::shared_ptr<const BarSeries> series;
    StoredSeries stored;
};

// Where the bars of each (symbol, timeframe) live. The in-memory store is the embedded
// default; the PostgreSQL-backed store plugs in behind the same interface.
class BarStore {
  public:
    virtual ~BarStore() = default;
    // A snapshot that stays valid and unchanged however many upserts follow; nullptr when
    // the symbol has no bars in that timeframe.
    virtual std::shared_ptr<const BarSeries> get(const std::string& symbol,
                                                 Timeframe timeframe) const = 0;
    // Upserts already validated bars. Throws SeriesLimitError, storing nothing, when the
    // series is new, the store is full and no slot was reserved for it.
    virtual UpsertResult upsert(const std::string& symbol, Timeframe timeframe,
                                std::span<const Bar> bars) = 0;
    // Holds room for the series until the slot is destroyed, so an upsert of it meanwhile
    // cannot hit the limit. Throws SeriesLimitError when the series is new and the store is
    // full; an existing series needs no room (an empty slot).
    virtual SeriesSlot reserve(const std::string& symbol, Timeframe timeframe) = 0;
    // Replaces the whole series (a reload from the durable store); returns the new snapshot.
    // Never refused for the limit: what PostgreSQL or another instance already holds is served.
    virtual std::shared_ptr<const BarSeries> replace(const std::string& symbol, Timeframe timeframe,
                                                     std::span<const Bar> bars) = 0;
    // Symbols that have bars in `timeframe`, resident or stored (the catalog), sorted.
    virtual std::vector<std::string> symbols(Timeframe timeframe) const = 0;
    // Every series resident (only those of `timeframe` when given), in no particular order.
    virtual std::vector<SeriesRef> list_series(std::optional<Timeframe> timeframe) const = 0;
    // Every series resident or stored (the catalog, docs/memory.md), in no particular order:
    // the universe listing and the scan walk it.
    virtual std::vector<CatalogRef> list_catalog(std::optional<Timeframe> timeframe) const = 0;
    // A series the durable store holds (the catalog read at start): listed while it is not
    // resident. Ignored when it is resident.
    virtual void add_stored(const std::string& /*symbol*/, Timeframe /*timeframe*/,
                            StoredSeries /*stored*/) {}
    // Removes the series (DELETE /v1/bars); returns what it held, nullptr when nothing.
    virtual std::shared_ptr<const BarSeries> erase(const std::string& symbol,
                                                   Timeframe timeframe) = 0;
    // Keeps the series (resident now or loaded later) from eviction until the pin is
    // destroyed. A store that never evicts returns an empty pin.
    virtual SeriesPin pin(const std::string& /*symbol*/, Timeframe /*timeframe*/) { return {}; }
};

// Bars in process memory, newest `capacity` per series, at most `max_series` series (each
// costs memory, and a client could otherwise make one per made-up symbol). Readers take a
// snapshot under a shared lock; writers build the merged series outside the lock and swap it in.
//
// With a budget and eviction enabled (PostgreSQL configured, docs/memory.md), the least
// recently used series leave memory when the estimated bytes of the resident series pass the
// budget; pinned series and series held before eviction was enabled (memory-only ones, such
// as the demo bars) never do. Without eviction the budget is only reported.
class MemoryBarStore final : public BarStore {
  public:
    explicit MemoryBarStore(std::size_t capacity, std::size_t max_series = kDefaultMaxSeries)
        : capacity_(capacity), max_series_(max_series) {}

    std::shared_ptr<const BarSeries> get(const std::string& symbol,
                                         Timeframe timeframe) const override;
    UpsertResult upsert(const std::string& symbol, Timeframe timeframe,
                        std::span<const Bar> bars) override;
    std::shared_ptr<const BarSeries> replace(const std::string& symbol, Timeframe timeframe,
                                             std::span<const Bar> bars) override;
    std::vector<std::string> symbols(Timeframe timeframe) const override;
    std::vector<SeriesRef> list_series(std::optional<Timeframe> timeframe) const override;
    std::vector<CatalogRef> list_catalog(std::optional<Timeframe> timeframe) const override;
    void add_stored(const std::string& symbol, Timeframe timeframe, StoredSeries stored) override;
    std::shared_ptr<const BarSeries> erase(const std::string& symbol, Timeframe timeframe) override;
    SeriesSlot reserve(const std::string& symbol, Timeframe timeframe) override;
    SeriesPin pin(const std::string& symbol, Timeframe timeframe) override;

    // The budget in bytes (0: none). Reported always; enforced only after enable_eviction().
    void set_budget(std::size_t bytes);
    // From now on series that come into memory may be evicted (they are durable elsewhere);
    // the series held at this moment stay for good.
    void enable_eviction();
    // Told of each evicted series, outside the store's locks (the agents' states go with it).
    using EvictHook = std::function<void(const std::string& symbol, Timeframe timeframe)>;
    void on_evict(EvictHook hook) { evict_hook_ = std::move(hook); }

    std::size_t capacity() const noexcept { return capacity_; }
    std::size_t max_series() const noexcept { return max_series_; }
    std::size_t series_count() const;
    std::size_t budget() const noexcept { return budget_.load(std::memory_order_relaxed); }
    std::size_t resident_bytes() const noexcept {
        return resident_bytes_.load(std::memory_order_relaxed);
    }
    std::uint64_t evictions() const noexcept { return evictions_.load(std::memory_order_relaxed); }
    std::size_t pinned() const;
    bool pinned(const std::string& symbol, Timeframe timeframe) const;
    // Series held, the limit, refusals, the budget and evictions, in the Prometheus text format.
    void render_metrics(std::string& out) const;

  private:
    struct Entry {
        std::shared_ptr<const BarSeries> series;
        std::size_t bytes = 0;
        bool evictable = false;
        // Recency stamp (clock_ when last used); written under the shared lock.
        mutable std::atomic<std::uint64_t> used{0};
    };
    using Evicted = std::vector<std::pair<std::string, Timeframe>>;

    static std::string key_of(const std::string& symbol, Timeframe timeframe);
    // Throws SeriesLimitError unless one more series fits; the caller holds write_mutex_.
    void check_room_locked();
    void release(const std::string& key);
    void unpin(const std::string& key);
    void touch(const Entry& entry) const noexcept;
    // Puts `next` in the entry of `key` (made when new) and accounts its bytes; the caller holds
    // write_mutex_.
    void store_locked(const std::string& key, std::shared_ptr<const BarSeries> next);
    // Evicts least recently used series until the total is under the low mark; the caller
    // holds write_mutex_ (not mutex_).
    Evicted evict_locked();
    void after_write(Evicted evicted);

    std::size_t capacity_;
    std::size_t max_series_;
    std::atomic<std::uint64_t> refused_{0};
    mutable std::shared_mutex mutex_;
    // Serialises writers of the store so concurrent upserts of one series never lose bars.
    std::mutex write_mutex_;
    std::unordered_map<std::string, Entry> series_;
    // Series stored and not resident (the catalog: read at start, and evicted series), by the
    // same key; a key is in series_ or here, never both. Guarded by mutex_.
    std::unordered_map<std::string, StoredSeries> stored_;
    // Keys of new series reserved and not yet released, with how many holders each (several
    // POSTs may start the same series at once). Guarded by write_mutex_.
    std::unordered_map<std::string, std::size_t> reserved_;
    // Pins per series key. Taken after write_mutex_ and mutex_ when both are needed.
    mutable std::mutex pin_mutex_;
    std::unordered_map<std::string, std::size_t> pins_;
    mutable std::atomic<std::uint64_t> clock_{0};
    std::atomic<std::size_t> budget_{0};
    std::atomic<std::size_t> resident_bytes_{0};
    std::atomic<std::uint64_t> evictions_{0};
    bool eviction_ = false;     // guarded by write_mutex_
    bool over_budget_ = false;  // guarded by write_mutex_: warned once per crossing
    EvictHook evict_hook_;
};

}  // namespace gs::market
