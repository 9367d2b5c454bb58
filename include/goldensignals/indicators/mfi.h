#pragma once

// Money Flow Index (TA_MFI).

#include <cstddef>
#include <span>

namespace gs::indicators {

// Typical price tp = (high + low + close) / 3, raw flow = tp * volume, counted positive when
// tp rose from the previous bar and negative when it fell (neither when unchanged).
// mfi = 100 * positive / (positive + negative) over `period` flows; TA-Lib writes 0 when the
// total flow is below 1 (no money moved). Lookback `period`.
void mfi(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         std::span<const double> volume, int period, std::span<double> out) noexcept;

// The MFI at bar `i` alone, from its own window (O(period)): what an agent needs for the
// latest bar. NaN while i < period. Agrees with mfi() to rounding.
double mfi_at(std::span<const double> high, std::span<const double> low,
              std::span<const double> close, std::span<const double> volume, int period,
              std::size_t i) noexcept;

// The pieces of both, for a streaming form that keeps each bar's flow instead of recomputing
// it per window: mfi_at() is mfi_of_flows() over the flows of its window's bars.
inline double mfi_typical(double high, double low, double close) noexcept {
    return (high + low + close) / 3.0;
}
struct MoneyFlow {
    double positive = 0.0;
    double negative = 0.0;
};
// A bar's flow from its typical price, the previous bar's and its volume.
inline MoneyFlow money_flow(double typical, double prev_typical, double volume) noexcept {
    const double raw = typical * volume;
    return {typical > prev_typical ? raw : 0.0, typical < prev_typical ? raw : 0.0};
}
// The MFI of these flows (oldest first), summed in order.
double mfi_of_flows(std::span<const double> positive, std::span<const double> negative) noexcept;

}  // namespace gs::indicators
