#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/timeframe.h"

namespace gs::store {

// One series' bars in a batched upsert; views into the caller's data.
struct SeriesBars {
    std::string_view symbol;
    market::Timeframe timeframe = market::kDefaultTimeframe;
    std::span<const market::Bar> bars;
};

// A stored series, by name.
struct SeriesKey {
    std::string symbol;
    market::Timeframe timeframe = market::kDefaultTimeframe;
};

// A stored series as the catalog lists it (latest_signals, sql/0008, docs/memory.md): what the
// listing and the scan need of a series that is not in memory, never its bars.
struct CatalogRow {
    SeriesKey key;
    std::int64_t last = 0;  // newest bar (the latest signal's as_of), epoch seconds
    std::size_t bars = 0;   // bars held when the signal was computed; 0: unknown
    std::int64_t first = 0;
    // The latest signal's scan figures; codes as agents::Action and consensus::Strength.
    struct Summary {
        int action = 2;
        int strength = 0;
        double score = 0.0;
        double confidence = 0.0;
        std::array<double, 6> category_scores{};
        std::array<std::uint16_t, 6> category_voters{};
    };
    std::optional<Summary> summary;  // nullopt: a row without them
};

// Durable bars, as ingest (write first) and the bar sync (reload) use them.
class BarRepository {
  public:
    virtual ~BarRepository() = default;

    // Upserts the bars of several series (BarCommitter's group commit); returns once all are
    // committed. Of two bars of one series and time, the later in `writes` wins. The data
    // `writes` views must stay alive until the call completes. Throws when they are not
    // stored. This default calls upsert() once per write: all or nothing only for a repository
    // that overrides it (PgBarRepository: one transaction).
    virtual boost::asio::awaitable<void> upsert_batch(std::vector<SeriesBars> writes) {
        for (const auto& write : writes) {
            std::string symbol(write.symbol);
            co_await upsert(std::move(symbol), write.timeframe, write.bars);
        }
    }

    // Returns once the bars are committed (acknowledged means durable); the number of
    // distinct bars stored. `bars` must stay alive until the call completes. Throws when
    // they are not stored.
    virtual boost::asio::awaitable<std::size_t> upsert(std::string symbol,
                                                       market::Timeframe timeframe,
                                                       std::span<const market::Bar> bars) = 0;
    // The newest `newest_n` bars, oldest first; empty for an unknown series. Throws when
    // unreachable.
    virtual boost::asio::awaitable<std::vector<market::Bar>> load(std::string symbol,
                                                                  market::Timeframe timeframe,
                                                                  std::size_t newest_n) = 0;
    // Removes every stored bar of the series and what is kept of its current signal
    // (DELETE /v1/bars); returns the bars removed. Throws when unreachable. Nothing to remove
    // by default (no durable store).
    virtual boost::asio::awaitable<std::size_t> erase(std::string /*symbol*/,
                                                      market::Timeframe /*timeframe*/) {
        co_return 0;
    }
    // Up to `limit` stored series, the most recently active first (what the background
    // warm-up loads, docs/memory.md). Throws when unreachable. None by default.
    virtual boost::asio::awaitable<std::vector<SeriesKey>> recent_series(std::size_t /*limit*/) {
        co_return std::vector<SeriesKey>{};
    }
    // Every stored series the catalog knows (read at start, docs/memory.md). Throws when
    // unreachable. None by default.
    virtual boost::asio::awaitable<std::vector<CatalogRow>> catalog() {
        co_return std::vector<CatalogRow>{};
    }
};

// No durable store (one instance alone): bars live in memory only.
class NoBarRepository final : public BarRepository {
  public:
    boost::asio::awaitable<std::size_t> upsert(std::string, market::Timeframe,
                                               std::span<const market::Bar>) override {
        co_return 0;
    }
    boost::asio::awaitable<std::vector<market::Bar>> load(std::string, market::Timeframe,
                                                          std::size_t) override {
        co_return std::vector<market::Bar>{};
    }
};

}  // namespace gs::store
