// aroon (trend): Aroon up / down over 25 bars (TA_AROON).
//
// Rule, on the latest bar (oscillator = up - down, in [-100, 100]):
//   up >= 70 and down <= 30: BUY,  down >= 70 and up <= 30: SELL,
//       confidence = 0.3 + 0.7 * min((|oscillator| - 40) / 60, 1)
//       (the weakest qualifying pair 70 / 30 gives 0.3, a fresh high with no low 1.0)
//   otherwise: HOLD, confidence = 1 - |oscillator| / 100, lean = 0.5 * oscillator / 100.
// Flat prices put both at 100 (ties go to the newest bar): HOLD of confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/aroon.h"
#include "goldensignals/indicators/streaming/trend.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 25;
    double strong = 70;  // the leading line at or above
    double weak = 30;    // while the other is at or below
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period}, {"strong", kParams.strong}, {"weak", kParams.weak}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::aroon(kParams.period));
constexpr auto kPeriod = static_cast<std::size_t>(kParams.period);
constexpr double kStrong = kParams.strong;
constexpr double kWeak = kParams.weak;

// Aroon up / down of the latest bar alone (what aroon() gives there, ties to the newest bar):
// evaluate() needs one value, not the series.
void latest_aroon(const market::BarsView& bars, double& up, double& down) {
    const std::size_t now = bars.size() - 1;
    std::size_t highest = now - kPeriod;
    std::size_t lowest = highest;
    for (std::size_t i = highest + 1; i <= now; ++i) {
        if (bars.high[i] >= bars.high[highest]) {
            highest = i;
        }
        if (bars.low[i] <= bars.low[lowest]) {
            lowest = i;
        }
    }
    up = 100.0 / static_cast<double>(kPeriod) * static_cast<double>(kPeriod - (now - highest));
    down = 100.0 / static_cast<double>(kPeriod) * static_cast<double>(kPeriod - (now - lowest));
}

AgentResult verdict(double u, double d);

AgentResult evaluate(const market::BarsView& bars, Workspace& /*ws*/) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    double u = 0.0;
    double d = 0.0;
    latest_aroon(bars, u, d);
    return verdict(u, d);
}

// The rule on the latest Aroon up `u` and down `d`.
AgentResult verdict(double u, double d) {
    const double osc = u - d;
    const double confidence = 0.3 + 0.7 * std::min((std::abs(osc) - 40.0) / 60.0, 1.0);
    AgentResult r;
    if (u >= kStrong && d <= kWeak) {
        r = buy(confidence, Reason("Aroon up {:.0f}, down {:.0f}: new highs lead", u, d));
    } else if (d >= kStrong && u <= kWeak) {
        r = sell(confidence, Reason("Aroon down {:.0f}, up {:.0f}: new lows lead", d, u));
    } else {
        r = hold(1.0 - std::abs(osc) / 100.0, 0.5 * osc / 100.0,
                 Reason("Aroon up {:.0f}, down {:.0f}: no clear lead", u, d));
    }
    r.add("aroon_up", u);
    r.add("aroon_down", d);
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) { value_ = aroon_.update(bar.high, bar.low); }
    AgentResult evaluate() const { return verdict(value_.up, value_.down); }

  private:
    indicators::streaming::Aroon aroon_{static_cast<int>(kPeriod)};
    indicators::streaming::AroonValue value_{indicators::kNaN, indicators::kNaN};
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    const auto [up, down] = out.add_all<2>({"aroon_up", "aroon_down"}, n);
    indicators::aroon(bars.high, bars.low, static_cast<int>(kPeriod), up, down);
}

}  // namespace

extern const AgentDef kAroon = {
    "aroon", Category::kTrend, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
