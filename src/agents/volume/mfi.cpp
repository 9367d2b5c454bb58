// mfi (volume): Money Flow Index 14 (TA_MFI), read as mean reversion with the band rule of
// band_oscillator.h: oversold 20, overbought 80, full confidence 15 past a threshold (5 / 95);
// HOLD confidence 1 at 50, lean (50 - mfi) / 60.
//
// No money flow in the window (typical price unchanged, or no volume; TA-Lib then reports 0):
// HOLD, confidence 1, instead of a false oversold BUY. min_bars: the lookback + 1.
#include <fmt/format.h>

#include "agents/band_oscillator.h"
#include "agents/bars_tail.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/mfi.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 14;
    BandRule band{.oversold = 20, .overbought = 80, .full = 15};
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"period", kParams.period},
                                               {"oversold", kParams.band.oversold},
                                               {"overbought", kParams.band.overbought}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::mfi(kParams.period));
// Reason formats with the numbers written in: "MFI 14 at {:.1f}: oversold (<= 20)".
constexpr FixedText kOversoldReason =
    format_text("MFI ", kParams.period, " at {:.1f}: oversold (<= ", kParams.band.oversold, ")");
constexpr FixedText kOverboughtReason = format_text(
    "MFI ", kParams.period, " at {:.1f}: overbought (>= ", kParams.band.overbought, ")");
constexpr FixedText kNeutralReason = format_text("MFI ", kParams.period, " at {:.1f}: neutral");

// True when some bar of the window moved the typical price on non-zero volume.
bool money_moved(const market::BarsView& bars) {
    const std::size_t n = bars.size();
    // TA-Lib's typical price, / 3 included: two sums one ulp apart can divide to the same
    // typical price, which TA-Lib counts as no flow.
    auto typical = [&](std::size_t i) {
        return (bars.high[i] + bars.low[i] + bars.close[i]) / 3.0;
    };
    for (std::size_t i = n - kParams.period; i < n; ++i) {
        if (bars.volume[i] > 0.0 && typical(i) != typical(i - 1)) {
            return true;
        }
    }
    return false;
}

Reason reason(BandZone zone, double mfi) {
    switch (zone) {
        case BandZone::kOversold:
            return Reason(kOversoldReason.view(), mfi);
        case BandZone::kOverbought:
            return Reason(kOverboughtReason.view(), mfi);
        case BandZone::kNeutral:
            break;
    }
    return Reason(kNeutralReason.view(), mfi);
}

// The rule on the newest bars; reads the last period + 1 of them (the Stream keeps those).
AgentResult verdict(const market::BarsView& bars) {
    // Only the latest window matters: O(period) instead of a full-length pass.
    const double mfi = indicators::mfi_at(bars.high, bars.low, bars.close, bars.volume,
                                          kParams.period, bars.size() - 1);
    AgentResult r =
        money_moved(bars)
            ? band_verdict(kParams.band, mfi, [&](BandZone zone) { return reason(zone, mfi); })
            : hold(1.0, 0.0, Reason("No money flow over the last {} bars", kParams.period));
    r.add("mfi", mfi);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    return verdict(bars);
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::mfi(bars.high, bars.low, bars.close, bars.volume, kParams.period,
                    out.add("mfi", bars.size()));
}

}  // namespace

extern const AgentDef kMfi = {
    "mfi",
    Category::kVolume,
    kParamsJson.view(),
    kMinBars,
    evaluate,
    series,
    &stream_ops<TailStream<kParams.period + 1, verdict>>,
};

}  // namespace gs::agents
