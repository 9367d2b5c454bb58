#pragma once

// Kept indicator columns for GET /v1/indicators (issue 12): per series and agent, the agent's
// series() outputs as columns aligned with the bars held, built once by the batch series()
// and then extended per new bar from the agent's streaming form, instead of running series()
// over every bar held on every request.
//
// What a column holds: at every bar, the value series() gives there over the bars the columns
// took since they were built (the bars held at that moment, then every newer bar). The
// indicators are causal (a value depends only on the bars up to it), so this is also the
// value at that bar of series() over the bars held, until the window of --max-bars slides past
// the bars the build saw; from then on recursive indicators remember the bars that left the
// window, as the signal's streaming states do (docs/streaming.md).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "goldensignals/agents/agent.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/market/timeframe.h"

namespace gs::orchestrator {

// The newest `count` values of every key of one agent, in series() order (a key may repeat
// when an agent adds it twice; a reader keeps the last, as a JSON object would).
struct IndicatorSlice {
    std::vector<std::string_view> keys;
    std::vector<double> values;  // keys.size() rows of `count`
    std::size_t count = 0;

    std::span<const double> column(std::size_t k) const noexcept {
        return {values.data() + k * count, count};
    }
};

// How an agent's columns are extended by a new bar.
enum class ColumnsMode : std::uint8_t {
    // From its streaming state: the verdict's indicator values are the series keys, in order.
    kStreamed,
    // series() over the bars held again for each new version (no streaming form, or values
    // that are not the series).
    kBatch,
};
ColumnsMode columns_mode(const agents::AgentDef& def) noexcept;

// One agent's columns over one series. Not thread-safe (the cache guards it).
class IndicatorColumns final {
  public:
    explicit IndicatorColumns(const agents::AgentDef& def);
    IndicatorColumns(const IndicatorColumns&) = delete;
    IndicatorColumns& operator=(const IndicatorColumns&) = delete;
    ~IndicatorColumns();

    enum class Step : std::uint8_t {
        kCurrent,   // already at this version
        kAppended,  // new bars appended
        kRebuilt,   // built from the bars held
        kOlder,     // `series` is older than the columns; nothing changed
    };
    // Brings the columns to `series`.
    Step update(const market::BarSeries& series);

    // The newest min(limit, bars) values of each key; the columns must be at `series`' version
    // (update() returned anything but kOlder).
    IndicatorSlice slice(std::size_t limit) const;

    std::size_t bars() const noexcept { return live_; }
    std::uint64_t epoch() const noexcept { return epoch_; }
    std::uint64_t serial() const noexcept { return serial_; }
    // Bars appended since the last build (tests, metrics).
    std::uint64_t appended() const noexcept { return appended_; }
    std::uint64_t builds() const noexcept { return builds_; }
    // Heap bytes held: the columns (with their slack) and the streaming state.
    std::size_t bytes() const noexcept;

  private:
    struct State;

    void rebuild(const market::BarSeries& series);
    bool append(const market::Bar& bar);
    void trim(std::size_t keep);

    const agents::AgentDef& def_;
    ColumnsMode mode_;
    std::vector<std::string_view> keys_;
    // Each column holds `dead_` values that left the window, then `live_` values aligned with
    // the newest bars; the dead prefix is dropped once it is as long as the live part, so a
    // column holds at most twice the bars held and an append costs O(1) amortised.
    std::vector<std::vector<double>> columns_;
    std::size_t dead_ = 0;
    std::size_t live_ = 0;
    std::unique_ptr<State> state_;
    std::uint64_t epoch_ = 0;
    std::uint64_t serial_ = 0;
    bool built_ = false;
    std::uint64_t appended_ = 0;
    std::uint64_t builds_ = 0;
};

// The columns of the agents asked for, per series: made on the first request for an agent
// (lazily, one build however many ask at once), dropped when a request sees that the series
// started a new epoch (their bars were corrected or reloaded), and at most `max_sets` kept
// (the least recently used go).
class IndicatorColumnsCache final {
  public:
    explicit IndicatorColumnsCache(std::size_t max_sets);

    // The newest `limit` values of `def`'s series over `series` (the bars of symbol/timeframe).
    // Thread-safe; requests for different series or agents run in parallel.
    IndicatorSlice slice(std::string_view symbol, market::Timeframe timeframe,
                         const agents::AgentDef& def, const market::BarSeries& series,
                         std::size_t limit);

    // The response body `render` makes of that slice, kept with the columns until their next
    // version (or a request with another limit): reads of a series that did not change since
    // the previous one (a dashboard polling its chart) only copy a pointer.
    // A body longer than kMaxKeptBody is not kept (a chart of 500 bars is 20-60 KB).
    using Render = std::function<std::string(const IndicatorSlice&)>;
    static constexpr std::size_t kMaxKeptBody = 128 * 1024;
    std::shared_ptr<const std::string> body(std::string_view symbol, market::Timeframe timeframe,
                                            const agents::AgentDef& def,
                                            const market::BarSeries& series, std::size_t limit,
                                            const Render& render);

    std::size_t sets() const;
    // Heap bytes of every set: columns, states and kept bodies.
    std::size_t bytes() const;
    // Columns built from the bars held so far, over every set (tests: one build per set).
    std::uint64_t builds() const noexcept { return builds_.load(std::memory_order_relaxed); }

  private:
    struct Entry {
        std::mutex mutex;
        IndicatorColumns columns;
        std::uint64_t last_used = 0;  // guarded by the cache's mutex
        // The last body rendered, of the columns at (epoch, serial), `limit` values.
        std::shared_ptr<const std::string> body;
        std::uint64_t body_epoch = 0;
        std::uint64_t body_serial = 0;
        std::size_t body_limit = 0;
        explicit Entry(const agents::AgentDef& def) : columns(def) {}
    };
    struct SeriesEntry {
        std::uint64_t epoch = 0;
        std::vector<std::pair<const agents::AgentDef*, std::shared_ptr<Entry>>> agents;
    };

    std::shared_ptr<Entry> entry(const std::string& key, const agents::AgentDef& def,
                                 std::uint64_t epoch);
    // Drops the least recently used set; never the entry of `keep` itself.
    void evict_one(const std::string& keep);

    std::size_t max_sets_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, SeriesEntry> series_;
    std::size_t sets_ = 0;
    std::uint64_t clock_ = 0;
    std::atomic<std::uint64_t> builds_{0};
};

}  // namespace gs::orchestrator
