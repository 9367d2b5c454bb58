#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/bars_view.h"

namespace gs::market {

// The newest `capacity` bars of one symbol and timeframe as columns, sorted by time with
// unique times. Immutable once built: an update makes a new series (copy-on-write), so a
// signal computation keeps reading a consistent snapshot while bars arrive.
class BarSeries final {
  public:
    explicit BarSeries(std::size_t capacity) : capacity_(capacity) {}

    // A new series with `bars` upserted: any order, later duplicates in `bars` win, and a bar
    // whose time already exists replaces it. Keeps the newest `capacity` bars. `distinct`, when
    // given, receives how many distinct times `bars` holds: the bars an upsert took.
    BarSeries merged(std::span<const Bar> bars, std::size_t* distinct = nullptr) const;

    BarsView view() const noexcept { return {time_, open_, high_, low_, close_, volume_}; }
    std::size_t size() const noexcept { return time_.size(); }
    bool empty() const noexcept { return time_.empty(); }
    std::size_t capacity() const noexcept { return capacity_; }
    std::int64_t last_time() const noexcept { return time_.empty() ? 0 : time_.back(); }
    // A 64-bit fingerprint of every bar held: two instances holding the same bars agree on
    // it, and a correction of any bar changes it. Part of a signal's cache key.
    std::uint64_t content_hash() const noexcept { return content_hash_; }
    Bar bar(std::size_t i) const noexcept {
        return {time_[i], open_[i], high_[i], low_[i], close_[i], volume_[i]};
    }

  private:
    void push(const Bar& bar);
    void rehash() noexcept;

    std::size_t capacity_;
    std::uint64_t content_hash_ = 0;
    std::vector<std::int64_t> time_;
    std::vector<double> open_;
    std::vector<double> high_;
    std::vector<double> low_;
    std::vector<double> close_;
    std::vector<double> volume_;
};

}  // namespace gs::market
