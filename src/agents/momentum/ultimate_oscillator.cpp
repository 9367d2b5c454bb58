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
#include "goldensignals/indicators/core.h"
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

// The band rule on the oscillator's value; `moved`: some true range over the last kShort bars.
AgentResult verdict(double value, bool moved) {
    AgentResult r =
        moved ? band_verdict(kParams.band, value,
                             [&](BandZone zone) { return band_reason(kReasons, zone, value); })
              : abstain(Reason("no true range over the last {} bars: Ultimate Oscillator undefined",
                               kShort));
    r.add("ultosc", value);
    return r;
}

bool has_range(double prev_close, double high, double low) {
    return std::max(high, prev_close) - std::min(low, prev_close) > 0.0;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // Windowed sums: the last kMinBars bars give the latest value, the oscillator's sums
    // started at the first of them.
    const auto recent = bars.last(kMinBars);
    const std::size_t m = recent.size();
    auto ult = ws.take(m);
    indicators::ultosc(recent.high, recent.low, recent.close, kShort, kMid, kLong, ult);
    bool moved = false;
    for (std::size_t i = m - kShort; i < m && !moved; ++i) {
        moved = has_range(recent.close[i - 1], recent.high[i], recent.low[i]);
    }
    return verdict(ult[m - 1], moved);
}

// Keeps the terms of the last kMinBars - 1 bars (each bar's buying pressure and true range)
// and replays the oscillator's windowed sums over them per evaluation, as ultosc() runs them
// over the batch form's kMinBars bars: the same additions and subtractions in the same order,
// so the same bits. Running sums over every bar seen would be O(1) but round differently from
// a window started kMinBars bars back.
class Stream {
  public:
    void update(const market::Bar& bar) {
        if (seen_) {
            const auto t = indicators::ultosc_terms(prev_close_, bar.high, bar.low, bar.close);
            pressure_.push(t.pressure);
            range_.push(t.range);
            bars_since_range_ =
                has_range(prev_close_, bar.high, bar.low) ? 0 : bars_since_range_ + 1;
        }
        seen_ = true;
        prev_close_ = bar.close;
    }
    AgentResult evaluate() const {
        const auto pressure = pressure_.values();
        const auto range = range_.values();
        const std::size_t n = pressure.size();  // kTerms once min_bars are taken
        constexpr std::array<std::size_t, 3> kPeriods = {kShort, kMid, kLong};  // sorted
        constexpr std::array<double, 3> kWeights = {4.0, 2.0, 1.0};
        std::array<double, 3> bp{};
        std::array<double, 3> tr{};
        for (std::size_t k = 0; k < 3; ++k) {
            // ultosc(): at term j, add it, then drop the one that left the window.
            for (std::size_t j = 0; j < n; ++j) {
                bp[k] += pressure[j];
                tr[k] += range[j];
                if (j >= kPeriods[k]) {
                    bp[k] -= pressure[j - kPeriods[k]];
                    tr[k] -= range[j - kPeriods[k]];
                }
            }
        }
        double sum = 0.0;
        for (std::size_t k = 0; k < 3; ++k) {
            if (!indicators::ta_is_zero(tr[k])) {
                sum += kWeights[k] * (bp[k] / tr[k]);
            }
        }
        return verdict(100.0 * (sum / 7.0), bars_since_range_ < static_cast<std::size_t>(kShort));
    }

  private:
    static constexpr std::size_t kTerms = kMinBars - 1;
    Tail<kTerms> pressure_;
    Tail<kTerms> range_;
    double prev_close_ = 0.0;
    bool seen_ = false;
    std::size_t bars_since_range_ = kShort;  // no range seen yet
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
