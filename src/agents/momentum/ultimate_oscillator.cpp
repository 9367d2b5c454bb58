// ultimate_oscillator (momentum): Ultimate Oscillator 7 / 14 / 28 (TA_ULTOSC: buying
// pressure over true range, weighted 4 / 2 / 1), read as mean reversion with the band rule
// of band_oscillator.h: oversold 30, overbought 70, full confidence 15 past a threshold
// (15 / 85); HOLD confidence 1 at 50, lean (50 - ult) / 40.
//
// True range 0 on each of the last `short` bars: ABSTAIN (TA-Lib then drops the short term,
// or all terms, and prints a value biased towards 0). min_bars: the lookback + 1.
#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>

#include "agents/band_oscillator.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
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

// The rule on the last kMinBars bars' high, low and close (`ult` is scratch of that length).
// The oscillator's sums start at the first of these bars: both forms add and remove the same
// terms in the same order, so they agree to the bit.
AgentResult verdict(std::span<const double> high, std::span<const double> low,
                    std::span<const double> close, std::span<double> ult) {
    const std::size_t m = close.size();
    indicators::ultosc(high, low, close, kShort, kMid, kLong, ult);
    const double value = ult[m - 1];
    bool moved = false;
    for (std::size_t i = m - kShort; i < m && !moved; ++i) {
        const double prev = close[i - 1];
        moved = std::max(high[i], prev) - std::min(low[i], prev) > 0.0;
    }
    AgentResult r =
        moved ? band_verdict(kParams.band, value,
                             [&](BandZone zone) { return band_reason(kReasons, zone, value); })
              : abstain(Reason("no true range over the last {} bars: Ultimate Oscillator undefined",
                               kShort));
    r.add("ultosc", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // Windowed sums: the last kMinBars bars give the latest value.
    const auto recent = bars.last(kMinBars);
    return verdict(recent.high, recent.low, recent.close, ws.take(recent.size()));
}

// Keeps the last kMinBars bars and replays the oscillator's windowed sums over them per
// evaluation (~30 bars): running sums over every bar seen would round differently from the
// batch form's sums started at its window's first bar.
class Stream {
  public:
    void update(const market::Bar& bar) {
        high_.push(bar.high);
        low_.push(bar.low);
        close_.push(bar.close);
    }
    AgentResult evaluate() const {
        std::array<double, kMinBars> ult;
        const auto close = close_.values();
        return verdict(high_.values(), low_.values(), close,
                       std::span<double>(ult).first(close.size()));
    }

  private:
    Tail<kMinBars> high_;
    Tail<kMinBars> low_;
    Tail<kMinBars> close_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::ultosc(bars.high, bars.low, bars.close, kShort, kMid, kLong,
                       out.add("ultosc", bars.size()));
}

}  // namespace

extern const AgentDef kUltimateOscillator = {
    "ultimate_oscillator", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate, series,
    &stream_ops<Stream>,
};

}  // namespace gs::agents
