// bollinger (volatility): Bollinger Bands 20, 2 / 2 (TA_BBANDS: SMA 20 middle, bands at
// +/- 2 population standard deviations) and %b = (close - lower) / (upper - lower).
//
// Rule (mean reversion), on the latest bar, pb = %b:
//   pb < 0 (close below the lower band): BUY,  confidence = 0.4 + 0.6 * min(-pb / 0.25, 1)
//   pb > 1 (close above the upper band): SELL, confidence = 0.4 + 0.6 * min((pb - 1) / 0.25, 1)
//   otherwise HOLD, lean = 0.5 - pb (towards the reversion side of the nearer band),
//       confidence = 1 - |2 pb - 1| (1 on the middle band, 0 on either band).
//   Collapsed bands (width <= 1e-9 of the middle: a flat window): HOLD, confidence 1, lean 0,
//   %b reported as 0.5.
// (A close a quarter of the band width outside a band is a full-strength signal.)
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/bbands.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 20;
    double nbdev = 2;           // both bands
    double full_excess = 0.25;  // %b beyond a band: full strength
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json(
    {{"period", kParams.period}, {"nbdev_up", kParams.nbdev}, {"nbdev_down", kParams.nbdev}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::bbands(kParams.period));
constexpr int kPeriod = kParams.period;
constexpr double kDeviations = kParams.nbdev;
constexpr double kFullExcess = kParams.full_excess;
constexpr auto kWindow = static_cast<std::size_t>(kParams.period);

// The rule on the latest window: `closes` are the last `period` closes, the latest last
// (shared by the batch and streaming forms, which keeps their bands bit-identical).
AgentResult verdict(std::span<const double> closes) {
    const std::size_t last = closes.size() - 1;
    // Only the latest window matters: O(period) instead of a full-length pass.
    const auto [u, m, l] = indicators::bbands_at(closes, kPeriod, kDeviations, kDeviations, last);
    const double close = closes[last];
    const double width = u - l;
    const bool collapsed = !(width > 1e-9 * std::abs(m));
    const double pb = collapsed ? 0.5 : (close - l) / width;
    AgentResult r;
    if (collapsed) {
        r = hold(1.0, 0.0,
                 Reason("Bollinger Bands collapsed: no price movement over {} bars", kPeriod));
    } else if (pb < 0.0) {
        r = buy(
            0.4 + 0.6 * std::min(-pb / kFullExcess, 1.0),
            Reason("Close {:.6g} below the lower Bollinger Band {:.6g} (%b {:.2f})", close, l, pb));
    } else if (pb > 1.0) {
        r = sell(
            0.4 + 0.6 * std::min((pb - 1.0) / kFullExcess, 1.0),
            Reason("Close {:.6g} above the upper Bollinger Band {:.6g} (%b {:.2f})", close, u, pb));
    } else {
        r = hold(1.0 - std::abs(2.0 * pb - 1.0), 0.5 - pb,
                 Reason("Close inside the Bollinger Bands (%b {:.2f})", pb));
    }
    r.add("bb_upper", u);
    r.add("bb_middle", m);
    r.add("bb_lower", l);
    r.add("bb_percent_b", pb);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    return verdict(bars.close.last(kWindow));
}

class Stream {
  public:
    void update(const market::Bar& bar) { closes_.push(bar.close); }
    AgentResult evaluate() const { return verdict(closes_.values()); }

  private:
    Tail<kWindow> closes_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    // add() may reallocate the set: reserve so the references below stay valid.
    auto upper = out.add("bb_upper", n);
    auto middle = out.add("bb_middle", n);
    auto lower = out.add("bb_lower", n);
    indicators::bbands(bars.close, kPeriod, kDeviations, kDeviations, upper, middle, lower);
    indicators::percent_b(bars.close, upper, lower, out.add("bb_percent_b", n));
}

}  // namespace

extern const AgentDef kBollinger = {
    "bollinger", Category::kVolatility, kParamsJson.view(), kMinBars, evaluate,
    series,      &stream_ops<Stream>,
};

}  // namespace gs::agents
