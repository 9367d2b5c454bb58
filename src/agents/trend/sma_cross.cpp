// sma_cross (trend): SMA 50 vs SMA 200 of the close (TA_SMA), the "golden/death cross", with
// the cross rule of line_cross.h: gap = (sma_50 - sma_200) / |sma_200| (0 when sma_200 is 0),
// fresh over 20 bars, a 5 % gap is a fully opened cross. min_bars: the lookback + 1.
#include <cmath>

#include "agents/agent_math.h"
#include "agents/line_cross.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/streaming/core.h"

namespace gs::agents {
namespace {

struct Params {
    int fast = 50;
    int slow = 200;
    CrossRule cross{.fresh_window = 20, .full_gap = 0.05};
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"fast", kParams.fast}, {"slow", kParams.slow}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::sma(kParams.slow));
constexpr FixedText kFastLabel = label("SMA", kParams.fast);
constexpr FixedText kSlowLabel = label("SMA", kParams.slow);

// The rule on the SMAs' newest values (the spans end at the latest bar; the rule reads at
// most fresh_window + 1 of them).
AgentResult verdict(std::span<const double> fast, std::span<const double> slow) {
    const double f = fast.back();
    const double s = slow.back();
    const std::size_t since =
        bars_since_sign_change(fast, slow, static_cast<std::size_t>(kParams.cross.fresh_window));
    // Prices that cross zero (spreads, some futures) can put SMA 200 at 0: no slow level, no
    // relative gap (as in ema_cross), instead of an infinite one. |s| keeps the gap's sign
    // that of fast - slow when the level is negative.
    const double gap = s != 0.0 ? (f - s) / std::abs(s) : 0.0;
    AgentResult r =
        cross_verdict(kParams.cross, f, s, gap, since, kFastLabel.view(), kSlowLabel.view());
    r.add("sma_50", f);
    r.add("sma_200", s);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto fast = ws.take(n);
    auto slow = ws.take(n);
    indicators::sma(bars.close, kParams.fast, fast);
    indicators::sma(bars.close, kParams.slow, slow);
    return verdict(fast, slow);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        fast_.push(fast_sma_.update(bar.close));
        slow_.push(slow_sma_.update(bar.close));
    }
    AgentResult evaluate() const { return verdict(fast_.values(), slow_.values()); }

  private:
    static constexpr std::size_t kTail = kParams.cross.fresh_window + 1;
    indicators::streaming::Sma fast_sma_{kParams.fast};
    indicators::streaming::Sma slow_sma_{kParams.slow};
    Tail<kTail> fast_;
    Tail<kTail> slow_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::sma(bars.close, kParams.fast, out.add("sma_50", bars.size()));
    indicators::sma(bars.close, kParams.slow, out.add("sma_200", bars.size()));
}

}  // namespace

extern const AgentDef kSmaCross = {
    "sma_cross", Category::kTrend, kParamsJson.view(),  kMinBars,
    evaluate,    series,           &stream_ops<Stream>,
};

}  // namespace gs::agents
