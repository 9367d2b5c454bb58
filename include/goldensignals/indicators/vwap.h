#pragma once

// Rolling volume-weighted average price with volume-weighted standard-deviation bands.
// TA-Lib has no VWAP.

#include <cstddef>
#include <span>

namespace gs::indicators {

// Over the last `period` bars, with typical price tp = (high + low + close) / 3:
//   middle = sum(tp * v) / sum(v)
//   sigma  = sqrt(sum(v * (tp - middle)^2) / sum(v))
//   upper/lower = middle +/- k * sigma
// Lookback period - 1. NaN where the window holds no volume (the price is undefined).
void vwap(std::span<const double> high, std::span<const double> low, std::span<const double> close,
          std::span<const double> volume, int period, double k, std::span<double> upper,
          std::span<double> middle, std::span<double> lower) noexcept;

struct VwapBands {
    double upper;
    double middle;
    double lower;
};

// The VWAP and bands at bar `i` alone, from its own window (two passes, O(period)): what an
// agent needs for the latest bars. NaN as vwap(). vwap() is this at every bar.
VwapBands vwap_at(std::span<const double> high, std::span<const double> low,
                  std::span<const double> close, std::span<const double> volume, int period,
                  double k, std::size_t i) noexcept;

// A bar's typical price, as vwap() computes it.
inline double vwap_typical(double high, double low, double close) noexcept {
    return (high + low + close) / 3.0;
}

// vwap_at() from the bars' typical prices (vwap_typical) and volumes: the same value, for a
// streaming form that keeps one typical price per bar instead of recomputing it per window.
VwapBands vwap_at(std::span<const double> typical, std::span<const double> volume, int period,
                  double k, std::size_t i) noexcept;

}  // namespace gs::indicators
