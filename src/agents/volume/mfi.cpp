// mfi (volume): Money Flow Index 14 (TA_MFI).
//
// Rule, on the latest bar:
//   mfi <= 20: BUY,  confidence = 0.3 + 0.7 * min((20 - mfi) / 15, 1)
//   mfi >= 80: SELL, confidence = 0.3 + 0.7 * min((mfi - 80) / 15, 1)
//       (5 or 95 is full strength)
//   otherwise HOLD, lean = (50 - mfi) / 60 (towards the reversal side),
//       confidence = 1 - |mfi - 50| / 30.
//   No money flow in the window (typical price unchanged, or no volume; TA-Lib then reports
//   0): HOLD, confidence 1, instead of a false oversold BUY.
// Needs 15 bars (lookback 14).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/mfi.h"

namespace gs::agents {
namespace {

constexpr int kPeriod = 14;
constexpr double kOversold = 20.0;
constexpr double kOverbought = 80.0;
constexpr double kFullExcess = 15.0;

// True when some bar of the window moved the typical price on non-zero volume.
bool money_moved(const market::BarsView& bars) {
    const std::size_t n = bars.size();
    auto typical = [&](std::size_t i) { return bars.high[i] + bars.low[i] + bars.close[i]; };
    for (std::size_t i = n - kPeriod; i < n; ++i) {
        if (bars.volume[i] > 0.0 && typical(i) != typical(i - 1)) {
            return true;
        }
    }
    return false;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    // Only the latest window matters: O(14) instead of a full-length pass.
    const double mfi =
        indicators::mfi_at(bars.high, bars.low, bars.close, bars.volume, kPeriod, bars.size() - 1);
    AgentResult r;
    if (!money_moved(bars)) {
        r = hold(1.0, 0.0, "No money flow over the last 14 bars");
    } else if (mfi <= kOversold) {
        r = buy(0.3 + 0.7 * std::min((kOversold - mfi) / kFullExcess, 1.0),
                fmt::format("MFI 14 at {:.1f}: oversold (<= 20)", mfi));
    } else if (mfi >= kOverbought) {
        r = sell(0.3 + 0.7 * std::min((mfi - kOverbought) / kFullExcess, 1.0),
                 fmt::format("MFI 14 at {:.1f}: overbought (>= 80)", mfi));
    } else {
        r = hold(1.0 - std::abs(mfi - 50.0) / 30.0, (50.0 - mfi) / 60.0,
                 fmt::format("MFI 14 at {:.1f}: neutral", mfi));
    }
    r.add("mfi", mfi);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::mfi(bars.high, bars.low, bars.close, bars.volume, kPeriod,
                    out.add("mfi", bars.size()));
}

}  // namespace

extern const AgentDef kMfi = {
    "mfi",       Category::kVolume, R"({"period":14,"oversold":20,"overbought":80})",
    kPeriod + 1, evaluate,          series,
};

}  // namespace gs::agents
