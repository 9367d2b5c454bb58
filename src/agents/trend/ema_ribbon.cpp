// ema_ribbon (trend): EMA 8, 13, 21, 34, 55, 89 of the close (TA_EMA).
//
// Rule, on the latest bar: of the 5 neighbouring pairs (8/13, 13/21, ..., 55/89), `up` are
// ordered faster-above-slower and `down` the reverse; order = (up - down) / 5 in [-1, 1].
//   spread    = min(|ema_8 - ema_89| / ema_89 / 0.05, 1)    (a 5 % wide ribbon is full)
//   order >= 0.6 (at least 4 pairs up, none down): BUY,  order <= -0.6: SELL,
//       confidence = 0.3 + 0.5 * (|order| - 0.6) / 0.4 + 0.2 * spread
//       (fully ordered: 0.8 + 0.2 * spread; one pair out of line (order 0.6): 0.3 + 0.2 * spread)
//   otherwise (tangled ribbon, or flat prices): HOLD, confidence = 1 - |order|,
//       lean = 0.5 * order.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/streaming/core.h"

namespace gs::agents {
namespace {

struct Params {
    std::array<int, 6> periods = {8, 13, 21, 34, 55, 89};  // fastest first
    double qualifies = 0.6;                                // share of ordered pairs for a signal
    double full_spread = 0.05;                             // fastest vs slowest, of the slowest
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"periods", std::span<const int>(kParams.periods)}});
constexpr std::size_t kMinBars = lookback::bars_for(
    lookback::ema(*std::max_element(kParams.periods.begin(), kParams.periods.end())));
constexpr const auto& kPeriods = kParams.periods;
// The API keys of the EMAs (ema_<period>), in the order of `periods`.
constexpr std::array<std::string_view, 6> kKeys = {"ema_8",  "ema_13", "ema_21",
                                                   "ema_34", "ema_55", "ema_89"};
constexpr double kQualifies = kParams.qualifies;

AgentResult verdict(const std::array<double, 6>& last);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    std::array<double, 6> last{};
    auto buffer = ws.take(n);
    for (std::size_t k = 0; k < kPeriods.size(); ++k) {
        indicators::ema(bars.close, kPeriods[k], buffer);
        last[k] = buffer[n - 1];
    }
    return verdict(last);
}

// The rule on the EMAs' latest values, fastest first.
AgentResult verdict(const std::array<double, 6>& last) {
    int up = 0;
    int down = 0;
    for (std::size_t k = 0; k + 1 < last.size(); ++k) {
        up += last[k] > last[k + 1] ? 1 : 0;
        down += last[k] < last[k + 1] ? 1 : 0;
    }
    const double order = static_cast<double>(up - down) / 5.0;
    const double slowest = last[5];
    const double spread =
        slowest != 0.0
            ? std::min(std::abs(last[0] - slowest) / std::abs(slowest) / kParams.full_spread, 1.0)
            : 0.0;
    const double confidence = 0.3 + 0.5 * (std::abs(order) - kQualifies) / 0.4 + 0.2 * spread;
    AgentResult r;
    if (order >= kQualifies) {
        r = buy(confidence, Reason("EMA ribbon ordered up ({} of 5 pairs), {:.2f}% wide", up,
                                   (last[0] - slowest) / slowest * 100.0));
    } else if (order <= -kQualifies) {
        r = sell(confidence, Reason("EMA ribbon ordered down ({} of 5 pairs), {:.2f}% wide", down,
                                    (slowest - last[0]) / slowest * 100.0));
    } else {
        r = hold(1.0 - std::abs(order), 0.5 * order,
                 Reason("EMA ribbon tangled ({} pairs up, {} down)", up, down));
    }
    for (std::size_t k = 0; k < last.size(); ++k) {
        r.add(kKeys[k], last[k]);
    }
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        for (std::size_t k = 0; k < emas_.size(); ++k) {
            last_[k] = emas_[k].update(bar.close);
        }
    }
    AgentResult evaluate() const { return verdict(last_); }

  private:
    std::array<indicators::streaming::Ema, 6> emas_{
        indicators::streaming::Ema{kPeriods[0]}, indicators::streaming::Ema{kPeriods[1]},
        indicators::streaming::Ema{kPeriods[2]}, indicators::streaming::Ema{kPeriods[3]},
        indicators::streaming::Ema{kPeriods[4]}, indicators::streaming::Ema{kPeriods[5]}};
    std::array<double, 6> last_{};
};

void series(const market::BarsView& bars, SeriesSet& out) {
    for (std::size_t k = 0; k < kPeriods.size(); ++k) {
        indicators::ema(bars.close, kPeriods[k], out.add(kKeys[k], bars.size()));
    }
}

}  // namespace

extern const AgentDef kEmaRibbon = {
    "ema_ribbon", Category::kTrend, kParamsJson.view(),  kMinBars,
    evaluate,     series,           &stream_ops<Stream>,
};

}  // namespace gs::agents
