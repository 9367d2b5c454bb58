// ultimate_oscillator (momentum): Ultimate Oscillator 7 / 14 / 28 (TA_ULTOSC: buying
// pressure over true range, weighted 4 / 2 / 1), read as mean reversion with the band rule
// of band_oscillator.h: oversold 30, overbought 70, full confidence 15 past a threshold
// (15 / 85); HOLD confidence 1 at 50, lean (50 - ult) / 40.
//
// True range 0 on each of the last `short` bars: ABSTAIN (TA-Lib then drops the short term,
// or all terms, and prints a value biased towards 0). min_bars: the lookback + 1.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "agents/band_oscillator.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/ultosc.h"

namespace gs::agents {
namespace {

struct Params {
    std::array<int, 3> periods = {7, 14, 28};  // short, mid, long
    BandRule band = {.oversold = 30, .overbought = 70, .full = 15};
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"periods", std::span<const int>(kParams.periods)},
                                               {"oversold", kParams.band.oversold},
                                               {"overbought", kParams.band.overbought}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::ultosc(kParams.periods[2]));
constexpr BandReasons kReasons = band_reasons("Ultimate Oscillator", kParams.band);
constexpr int kShort = kParams.periods[0];
constexpr int kMid = kParams.periods[1];
constexpr int kLong = kParams.periods[2];

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // Windowed sums: the last kMinBars bars give the latest value.
    const auto recent = bars.last(kMinBars);
    const std::size_t m = recent.size();
    auto ult = ws.take(m);
    indicators::ultosc(recent.high, recent.low, recent.close, kShort, kMid, kLong, ult);
    const double value = ult[m - 1];
    bool moved = false;
    for (std::size_t i = m - kShort; i < m && !moved; ++i) {
        const double prev = recent.close[i - 1];
        moved = std::max(recent.high[i], prev) - std::min(recent.low[i], prev) > 0.0;
    }
    AgentResult r =
        moved ? band_verdict(kParams.band, value,
                             [&](BandZone zone) { return band_reason(kReasons, zone, value); })
              : abstain(fmt::format(
                    "no true range over the last {} bars: Ultimate Oscillator undefined", kShort));
    r.add("ultosc", value);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::ultosc(bars.high, bars.low, bars.close, kShort, kMid, kLong,
                       out.add("ultosc", bars.size()));
}

}  // namespace

extern const AgentDef kUltimateOscillator = {
    "ultimate_oscillator", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate, series,
};

}  // namespace gs::agents
