#pragma once

// Ichimoku Kinko Hyo lines (TA-Lib has no function; the lines are TA_MIDPRICE midpoints).

#include <span>

namespace gs::indicators {

// (highest high + lowest low) / 2 over the last `period` bars (TA_MIDPRICE); lookback
// period - 1.
void midprice(std::span<const double> high, std::span<const double> low, int period,
              std::span<double> out) noexcept;

// The four lines as computed at each bar, NOT shifted: tenkan = midprice(tenkan_period),
// kijun = midprice(kijun_period), senkou_a = (tenkan + kijun) / 2, senkou_b =
// midprice(senkou_b_period). Charting convention: senkou_a/b computed at bar i form the cloud
// of bar i + displacement (26), so the cloud over bar i is senkou_a/b[i - displacement].
// Lookbacks: period - 1 for each line, max(tenkan, kijun) - 1 for senkou_a (8, 25, 25, 51).
void ichimoku(std::span<const double> high, std::span<const double> low, int tenkan_period,
              int kijun_period, int senkou_b_period, std::span<double> tenkan,
              std::span<double> kijun, std::span<double> senkou_a,
              std::span<double> senkou_b) noexcept;

}  // namespace gs::indicators
