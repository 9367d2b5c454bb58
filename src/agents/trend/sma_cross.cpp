// sma_cross (trend): SMA 50 vs SMA 200 of the close (TA_SMA), the "golden/death cross", with
// the cross rule of line_cross.h: gap = (sma_50 - sma_200) / sma_200, fresh over 20 bars,
// a 5 % gap is a fully opened cross. min_bars: the lookback + 1.
#include "agents/agent_math.h"
#include "agents/line_cross.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"

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

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto fast = ws.take(n);
    auto slow = ws.take(n);
    indicators::sma(bars.close, kParams.fast, fast);
    indicators::sma(bars.close, kParams.slow, slow);
    const double f = fast[n - 1];
    const double s = slow[n - 1];
    const std::size_t since =
        bars_since_sign_change(fast, slow, static_cast<std::size_t>(kParams.cross.fresh_window));
    AgentResult r = cross_verdict(kParams.cross, f, s, (f - s) / s, since, kFastLabel.view(),
                                  kSlowLabel.view());
    r.add("sma_50", f);
    r.add("sma_200", s);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::sma(bars.close, kParams.fast, out.add("sma_50", bars.size()));
    indicators::sma(bars.close, kParams.slow, out.add("sma_200", bars.size()));
}

}  // namespace

extern const AgentDef kSmaCross = {
    "sma_cross", Category::kTrend, kParamsJson.view(), kMinBars, evaluate, series,
};

}  // namespace gs::agents
