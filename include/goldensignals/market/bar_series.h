#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/bars_view.h"

namespace gs::market {

// The newest `capacity` bars of one symbol and timeframe as columns, sorted by time with
// unique times. Immutable once built: an update makes a new series, so a signal computation
// keeps reading a consistent snapshot while bars arrive.
//
// New versions share storage with the one they came from when they only add bars newer than
// its newest (the common case: a live feed): the new bars are written past the old version's
// end in shared columns, so an append costs O(bars added), not O(bars held). The columns keep
// some room beyond `capacity`; when it runs out the newest `capacity` bars move to new columns
// (O(capacity) once per that many appends). Anything else (a correction, a late bar, a
// reload) builds new columns and starts a new epoch.
class BarSeries final {
  public:
    explicit BarSeries(std::size_t capacity) : capacity_(capacity) {}

    // A new series with `bars` upserted: any order, later duplicates in `bars` win, and a bar
    // whose time already exists replaces it. Keeps the newest `capacity` bars. `distinct`, when
    // given, receives how many distinct times `bars` holds: the bars an upsert took.
    BarSeries merged(std::span<const Bar> bars, std::size_t* distinct = nullptr) const;

    BarsView view() const noexcept;
    std::size_t size() const noexcept { return end_ - begin_; }
    bool empty() const noexcept { return end_ == begin_; }
    std::size_t capacity() const noexcept { return capacity_; }
    std::int64_t last_time() const noexcept;
    // A 64-bit fingerprint of every bar held: two instances holding the same bars agree on
    // it, and a correction of any bar changes it. Part of a signal's cache key. The sum of a
    // hash of each bar, so an append or a bar leaving the window updates it in O(1).
    std::uint64_t content_hash() const noexcept { return content_hash_; }
    Bar bar(std::size_t i) const noexcept;
    // Bytes this snapshot keeps alive: its column storage (room for more bars than it holds,
    // shared with the other versions of its epoch) and the object itself. O(1); the memory
    // budget's estimate of the bars (docs/memory.md).
    std::size_t bytes() const noexcept;

    // Lineage, for whoever keeps state derived from the bars (the agents' streaming states):
    // versions of one epoch each hold every bar of the previous ones that is still in the
    // window plus newer bars, and `serial()` counts the bars the epoch has taken (its first
    // bars included). A state that took the first k of them is brought up to date by feeding
    // it the newest serial() - k bars. A version made any other way starts a new epoch
    // (numbers unique in the process).
    std::uint64_t epoch() const noexcept { return epoch_; }
    std::uint64_t serial() const noexcept { return serial_; }

  private:
    struct Columns;

    static BarSeries built(std::size_t capacity, std::span<const Bar> sorted_unique);
    // The fast path of merged(): false (and `out` untouched) when it does not apply.
    bool try_append(std::span<const Bar> sorted_unique, BarSeries& out) const;

    std::size_t capacity_;
    std::shared_ptr<Columns> columns_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    std::uint64_t content_hash_ = 0;
    std::uint64_t epoch_ = 0;
    std::uint64_t serial_ = 0;
};

}  // namespace gs::market
