// ad_line (volume): Chaikin's Accumulation/Distribution line (TA_AD) against the price, over
// the last 10 bars (divergence).
//
//   flow  = (ad[n-1] - ad[n-11]) / (volume of bars n-10 .. n-1)   (in [-1, 1]: the share of
//           the volume traded that was accumulated, negative when distributed)
//   move  = close[n-1] / close[n-11] - 1
// Rule, on the latest bar:
//   flow >= 0.1 and move < 0: BUY (accumulation while the price falls),
//   flow <= -0.1 and move > 0: SELL (distribution while the price rises),
//       confidence = 0.3 + 0.4 * min((|flow| - 0.1) / 0.4, 1) + 0.3 * min(|move| / 5 %, 1)
//   otherwise HOLD (no divergence), lean = 0.3 * clamp(flow / 0.5, -1, 1),
//       confidence = 1 - min(|flow| / 0.5, 1).
//   No volume over the 10 bars: HOLD, confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "agents/bars_tail.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/ad.h"
#include "goldensignals/indicators/streaming/volume.h"

namespace gs::agents {
namespace {

struct Params {
    std::size_t window = 10;
    double min_flow = 0.1;  // A/D change / volume for a divergence
    double full_extra_flow = 0.4;
    double full_move = 0.05;
    double hold_flow = 0.5;  // flow that leaves no neutrality in a HOLD
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"window", static_cast<int>(kParams.window)}, {"min_flow", kParams.min_flow}});
// The A/D line window bars back.
constexpr std::size_t kMinBars = lookback::bars_for(lookback::ad()) + kParams.window;
constexpr std::size_t kWindow = kParams.window;
constexpr double kMinFlow = kParams.min_flow;
constexpr double kFullExtraFlow = kParams.full_extra_flow;
constexpr double kFullMove = kParams.full_move;

// The rule on the newest bars and A/D values (both end at the latest bar; it reads the last
// window + 1 of each).
AgentResult verdict(std::span<const double> line, const market::BarsView& bars) {
    const std::size_t n = bars.size();
    const std::size_t m = line.size();
    const double volume_sum = lane_sum(bars.volume.last(kWindow));
    const double then = bars.close[n - 1 - kWindow];
    const double move = then != 0.0 ? bars.close[n - 1] / then - 1.0 : 0.0;
    AgentResult r;
    if (!(volume_sum > 0.0)) {
        r = hold(1.0, 0.0, Reason("No volume over the last {} bars", kWindow));
    } else {
        const double flow = (line[m - 1] - line[m - 1 - kWindow]) / volume_sum;
        const double confidence =
            0.3 + 0.4 * std::min((std::abs(flow) - kMinFlow) / kFullExtraFlow, 1.0) +
            0.3 * std::min(std::abs(move) / kFullMove, 1.0);
        if (flow >= kMinFlow && move < 0.0) {
            r = buy(confidence,
                    Reason("A/D accumulated {:.0f}% of {}-bar volume while price fell {:.2f}%",
                           flow * 100.0, kWindow, -move * 100.0));
        } else if (flow <= -kMinFlow && move > 0.0) {
            r = sell(confidence,
                     Reason("A/D distributed {:.0f}% of {}-bar volume while price rose {:.2f}%",
                            -flow * 100.0, kWindow, move * 100.0));
        } else {
            r = hold(1.0 - std::min(std::abs(flow) / kParams.hold_flow, 1.0),
                     0.3 * std::clamp(flow / kParams.hold_flow, -1.0, 1.0),
                     Reason("No A/D divergence: flow {:+.0f}% of volume, price {:+.2f}%",
                            flow * 100.0, move * 100.0));
        }
    }
    r.add("ad", line[m - 1]);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    auto line = ws.take(bars.size());
    indicators::ad(bars.high, bars.low, bars.close, bars.volume, line);
    return verdict(line, bars);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        line_.push(ad_.update(bar.high, bar.low, bar.close, bar.volume));
        recent_.push(bar);
    }
    AgentResult evaluate() const { return verdict(line_.values(), recent_.view()); }

  private:
    indicators::streaming::Ad ad_;
    Tail<kWindow + 1> line_;
    BarsTail<kWindow + 1> recent_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::ad(bars.high, bars.low, bars.close, bars.volume, out.add("ad", bars.size()));
}

}  // namespace

extern const AgentDef kAdLine = {
    "ad_line", Category::kVolume,   kParamsJson.view(), kMinBars, evaluate,
    series,    &stream_ops<Stream>,
};

}  // namespace gs::agents
