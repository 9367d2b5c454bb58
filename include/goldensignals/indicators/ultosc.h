#pragma once

// Ultimate Oscillator (TA_ULTOSC), with TA-Lib's definition and lookback.

#include <algorithm>
#include <cmath>
#include <span>

namespace gs::indicators {

// Per bar (from the second on): buying pressure bp = close - min(low, prev close), true
// range tr = max(high - low, |prev close - high|, |prev close - low|). For each period
// (sorted, shortest first) a = sum(bp) / sum(tr) over that many bars, and
// ultosc = 100 * (4 a_short + 2 a_mid + a_long) / 7, in [0, 100]. As TA-Lib, a term whose
// sum(tr) is below TA-Lib's zero threshold (kTaEpsilon, 1e-14) is left out (not re-weighted), so
// flat prices give 0. Lookback = the longest period (28 for 7 / 14 / 28).
void ultosc(std::span<const double> high, std::span<const double> low,
            std::span<const double> close, int period1, int period2, int period3,
            std::span<double> out) noexcept;

// One bar's terms (the bar after `prev_close`), with TA-Lib's operation order: what ultosc()
// adds to its sums, for a streaming form that keeps the terms rather than the bars.
struct UltoscTerms {
    double pressure;  // bp
    double range;     // tr
};
inline UltoscTerms ultosc_terms(double prev_close, double high, double low, double close) noexcept {
    const double true_low = std::min(low, prev_close);
    double range = high - low;
    range = std::max(range, std::fabs(prev_close - high));
    range = std::max(range, std::fabs(prev_close - low));
    return {close - true_low, range};
}

}  // namespace gs::indicators
