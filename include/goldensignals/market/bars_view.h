#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace gs::market {

// Bars of one symbol and timeframe as columns (struct of arrays), oldest first. All spans
// have the same length. Times are UTC epoch seconds. The pure analytics core reads only
// this view; who owns the columns is the market store's business.
struct BarsView {
    std::span<const std::int64_t> time;
    std::span<const double> open;
    std::span<const double> high;
    std::span<const double> low;
    std::span<const double> close;
    std::span<const double> volume;

    std::size_t size() const noexcept { return close.size(); }
    bool empty() const noexcept { return close.empty(); }

    // The newest `count` bars (all of them when there are fewer).
    BarsView last(std::size_t count) const noexcept {
        if (count >= size()) {
            return *this;
        }
        const std::size_t from = size() - count;
        return {time.subspan(from), open.subspan(from),  high.subspan(from),
                low.subspan(from),  close.subspan(from), volume.subspan(from)};
    }
};

}  // namespace gs::market
