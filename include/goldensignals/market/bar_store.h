#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/market/timeframe.h"

namespace gs::market {

struct UpsertResult {
    std::size_t accepted = 0;
    std::int64_t last_time = 0;  // newest bar time of the series after the upsert
    std::shared_ptr<const BarSeries> series;
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
    // Upserts already validated bars.
    virtual UpsertResult upsert(const std::string& symbol, Timeframe timeframe,
                                std::span<const Bar> bars) = 0;
    // Replaces the whole series (a reload from the durable store); returns the new snapshot.
    virtual std::shared_ptr<const BarSeries> replace(const std::string& symbol, Timeframe timeframe,
                                                     std::span<const Bar> bars) = 0;
    // Symbols that have bars in `timeframe`, sorted.
    virtual std::vector<std::string> symbols(Timeframe timeframe) const = 0;
};

// Bars in process memory, newest `capacity` per series. Readers take a snapshot under a
// shared lock; writers build the merged series outside the lock and swap it in.
class MemoryBarStore final : public BarStore {
  public:
    explicit MemoryBarStore(std::size_t capacity) : capacity_(capacity) {}

    std::shared_ptr<const BarSeries> get(const std::string& symbol,
                                         Timeframe timeframe) const override;
    UpsertResult upsert(const std::string& symbol, Timeframe timeframe,
                        std::span<const Bar> bars) override;
    std::shared_ptr<const BarSeries> replace(const std::string& symbol, Timeframe timeframe,
                                             std::span<const Bar> bars) override;
    std::vector<std::string> symbols(Timeframe timeframe) const override;

    std::size_t capacity() const noexcept { return capacity_; }

  private:
    static std::string key_of(const std::string& symbol, Timeframe timeframe);

    std::size_t capacity_;
    mutable std::shared_mutex mutex_;
    // Serialises writers of the store so concurrent upserts of one series never lose bars.
    std::mutex write_mutex_;
    std::unordered_map<std::string, std::shared_ptr<const BarSeries>> series_;
};

}  // namespace gs::market
