#include "goldensignals/market/bar_series.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <numeric>
#include <vector>

namespace gs::market {

// Column storage shared by the versions of one epoch. Slots [0, used) are written; a version
// reads only its own [begin, end), which no later append touches, so readers need no lock.
// A writer claims the slots past a version's end with one compare-and-swap on `used`, so
// two versions made from the same one never write the same slots (the loser copies).
struct BarSeries::Columns {
    explicit Columns(std::size_t room)
        : room(room),
          time(new std::int64_t[room]),
          open(new double[room]),
          high(new double[room]),
          low(new double[room]),
          close(new double[room]),
          volume(new double[room]) {}

    void write(std::size_t i, const Bar& bar) noexcept {
        time[i] = bar.time;
        open[i] = bar.open;
        high[i] = bar.high;
        low[i] = bar.low;
        close[i] = bar.close;
        volume[i] = bar.volume;
    }

    const std::size_t room;
    std::atomic<std::size_t> used{0};
    std::unique_ptr<std::int64_t[]> time;
    std::unique_ptr<double[]> open;
    std::unique_ptr<double[]> high;
    std::unique_ptr<double[]> low;
    std::unique_ptr<double[]> close;
    std::unique_ptr<double[]> volume;
};

namespace {

std::atomic<std::uint64_t> next_epoch{1};

std::uint64_t mix(std::uint64_t x) noexcept {
    // splitmix64's finaliser: every input bit moves every output bit.
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

std::uint64_t bits(double x) noexcept {
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

// One bar's share of the content hash: chained over its six fields, so equal fields in
// different places hash apart.
std::uint64_t bar_hash(const Bar& bar) noexcept {
    std::uint64_t h = mix(static_cast<std::uint64_t>(bar.time) + 0x9e3779b97f4a7c15ull);
    for (double field : {bar.open, bar.high, bar.low, bar.close, bar.volume}) {
        h = mix(h ^ bits(field));
    }
    return h;
}

// Room for `needed` bars in new columns: twice what is needed while the series is short,
// then the capacity plus a quarter of it (at least 64), so the move of the newest `capacity`
// bars to new columns happens once every capacity / 4 appends.
std::size_t room_for(std::size_t needed, std::size_t capacity) {
    const std::size_t full = capacity + std::max<std::size_t>(64, capacity / 4);
    return std::min(full, std::max<std::size_t>(64, 2 * needed));
}

// The incoming bars sorted by time, the last of equal times kept (a later correction in the
// same post wins).
std::vector<Bar> sorted_unique(std::span<const Bar> bars) {
    std::vector<std::size_t> order(bars.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return bars[a].time < bars[b].time; });
    std::vector<Bar> out;
    out.reserve(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
        if (k + 1 < order.size() && bars[order[k + 1]].time == bars[order[k]].time) {
            continue;
        }
        out.push_back(bars[order[k]]);
    }
    return out;
}

}  // namespace

BarsView BarSeries::view() const noexcept {
    if (!columns_) {
        return {};
    }
    const std::size_t n = size();
    const Columns& c = *columns_;
    return {{c.time.get() + begin_, n}, {c.open.get() + begin_, n},  {c.high.get() + begin_, n},
            {c.low.get() + begin_, n},  {c.close.get() + begin_, n}, {c.volume.get() + begin_, n}};
}

std::size_t BarSeries::bytes() const noexcept {
    constexpr std::size_t kPerSlot = sizeof(std::int64_t) + 5 * sizeof(double);
    return sizeof(BarSeries) + (columns_ ? sizeof(Columns) + columns_->room * kPerSlot : 0);
}

std::int64_t BarSeries::last_time() const noexcept {
    return empty() ? 0 : columns_->time[end_ - 1];
}

Bar BarSeries::bar(std::size_t i) const noexcept {
    const Columns& c = *columns_;
    const std::size_t k = begin_ + i;
    return {c.time[k], c.open[k], c.high[k], c.low[k], c.close[k], c.volume[k]};
}

BarSeries BarSeries::built(std::size_t capacity, std::span<const Bar> bars) {
    const std::span<const Bar> kept = bars.size() > capacity ? bars.last(capacity) : bars;
    BarSeries out(capacity);
    out.columns_ = std::make_shared<Columns>(room_for(kept.size(), capacity));
    for (std::size_t i = 0; i < kept.size(); ++i) {
        out.columns_->write(i, kept[i]);
        out.content_hash_ += bar_hash(kept[i]);
    }
    out.columns_->used.store(kept.size(), std::memory_order_relaxed);
    out.end_ = kept.size();
    out.epoch_ = next_epoch.fetch_add(1, std::memory_order_relaxed);
    out.serial_ = kept.size();
    return out;
}

bool BarSeries::try_append(std::span<const Bar> bars, BarSeries& out) const {
    if (!columns_ || empty() || bars.empty() || bars.front().time <= last_time() ||
        end_ + bars.size() > columns_->room) {
        return false;
    }
    std::size_t expected = end_;
    if (!columns_->used.compare_exchange_strong(expected, end_ + bars.size(),
                                                std::memory_order_acq_rel)) {
        return false;  // another version already grew from this one: copy instead
    }
    out.columns_ = columns_;
    out.content_hash_ = content_hash_;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        columns_->write(end_ + i, bars[i]);
        out.content_hash_ += bar_hash(bars[i]);
    }
    out.end_ = end_ + bars.size();
    out.begin_ = begin_;
    while (out.end_ - out.begin_ > capacity_) {
        out.content_hash_ -= bar_hash(bar(out.begin_ - begin_));
        ++out.begin_;
    }
    out.epoch_ = epoch_;
    out.serial_ = serial_ + bars.size();
    return true;
}

BarSeries BarSeries::merged(std::span<const Bar> bars, std::size_t* distinct) const {
    const std::vector<Bar> incoming = sorted_unique(bars);
    if (distinct != nullptr) {
        *distinct = incoming.size();
    }
    BarSeries out(capacity_);
    if (try_append(incoming, out)) {
        return out;
    }
    if (!empty() && !incoming.empty() && incoming.front().time > last_time()) {
        // Only newer bars, but no room left in the columns: the newest `capacity` bars move
        // to new columns and the epoch goes on (the states derived from it stay valid).
        std::vector<Bar> all;
        const std::size_t keep = std::min(
            size(), capacity_ > incoming.size() ? capacity_ - incoming.size() : std::size_t{0});
        all.reserve(keep + incoming.size());
        for (std::size_t i = size() - keep; i < size(); ++i) {
            all.push_back(bar(i));
        }
        all.insert(all.end(), incoming.begin(), incoming.end());
        out = built(capacity_, all);
        out.epoch_ = epoch_;
        out.serial_ = serial_ + incoming.size();
        return out;
    }
    // Merge the two sorted runs; on equal times the incoming bar replaces the stored one.
    std::vector<Bar> all;
    all.reserve(size() + incoming.size());
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < size() || j < incoming.size()) {
        if (j == incoming.size() || (i < size() && bar(i).time < incoming[j].time)) {
            all.push_back(bar(i++));
        } else {
            if (i < size() && bar(i).time == incoming[j].time) {
                ++i;
            }
            all.push_back(incoming[j++]);
        }
    }
    return built(capacity_, all);
}

}  // namespace gs::market
