// mfi (volume): Money Flow Index 14 (TA_MFI), read as mean reversion with the band rule of
// band_oscillator.h: oversold 20, overbought 80, full confidence 15 past a threshold (5 / 95);
// HOLD confidence 1 at 50, lean (50 - mfi) / 60.
//
// No money flow in the window (typical price unchanged, or no volume; TA-Lib then reports 0):
// HOLD, confidence 1, instead of a false oversold BUY. min_bars: the lookback + 1.
#include <fmt/format.h>

#include "agents/band_oscillator.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
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
constexpr auto kPeriod = static_cast<std::size_t>(kParams.period);
// Reason formats with the numbers written in: "MFI 14 at {:.1f}: oversold (<= 20)".
constexpr FixedText kOversoldReason =
    format_text("MFI ", kParams.period, " at {:.1f}: oversold (<= ", kParams.band.oversold, ")");
constexpr FixedText kOverboughtReason = format_text(
    "MFI ", kParams.period, " at {:.1f}: overbought (>= ", kParams.band.overbought, ")");
constexpr FixedText kNeutralReason = format_text("MFI ", kParams.period, " at {:.1f}: neutral");

// Whether a bar moved money: non-zero volume and a typical price (TA-Lib's, / 3 included: two
// sums one ulp apart can divide to the same typical price, which TA-Lib counts as no flow)
// other than the previous bar's.
bool moves_money(double typical, double prev_typical, double volume) {
    return volume > 0.0 && typical != prev_typical;
}

// True when some bar of the latest window moved money.
bool money_moved(const market::BarsView& bars) {
    const std::size_t n = bars.size();
    auto typical = [&](std::size_t i) {
        return indicators::mfi_typical(bars.high[i], bars.low[i], bars.close[i]);
    };
    for (std::size_t i = n - kPeriod; i < n; ++i) {
        if (moves_money(typical(i), typical(i - 1), bars.volume[i])) {
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

AgentResult verdict(double mfi, bool moved) {
    AgentResult r =
        moved ? band_verdict(kParams.band, mfi, [&](BandZone zone) { return reason(zone, mfi); })
              : hold(1.0, 0.0, Reason("No money flow over the last {} bars", kParams.period));
    r.add("mfi", mfi);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    // Only the latest window matters: O(period) instead of a full-length pass.
    return verdict(indicators::mfi_at(bars.high, bars.low, bars.close, bars.volume, kParams.period,
                                      bars.size() - 1),
                   money_moved(bars));
}

// Keeps the flows of the last `period` bars, each computed once when its bar arrives, and sums
// them per evaluation in the order mfi_at() does: the same bits.
class Stream {
  public:
    void update(const market::Bar& bar) {
        const double typical = indicators::mfi_typical(bar.high, bar.low, bar.close);
        if (seen_) {
            const auto flow = indicators::money_flow(typical, prev_typical_, bar.volume);
            positive_.push(flow.positive);
            negative_.push(flow.negative);
            bars_since_money_ =
                moves_money(typical, prev_typical_, bar.volume) ? 0 : bars_since_money_ + 1;
        }
        seen_ = true;
        prev_typical_ = typical;
    }
    AgentResult evaluate() const {
        return verdict(indicators::mfi_of_flows(positive_.values(), negative_.values()),
                       bars_since_money_ < kPeriod);
    }

  private:
    Tail<kPeriod> positive_;
    Tail<kPeriod> negative_;
    double prev_typical_ = 0.0;
    bool seen_ = false;
    std::size_t bars_since_money_ = kPeriod;  // none yet
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::mfi(bars.high, bars.low, bars.close, bars.volume, kParams.period,
                    out.add("mfi", bars.size()));
}

}  // namespace

extern const AgentDef kMfi = {
    "mfi", Category::kVolume, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
