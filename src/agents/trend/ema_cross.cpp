// ema_cross (trend): EMA 12 vs EMA 26 of the close (TA_EMA, SMA-seeded), with the cross rule
// of line_cross.h: gap = (ema_12 - ema_26) / |ema_26| (0 when ema_26 is 0), fresh over 10
// bars, a 2 % gap is a fully opened cross. min_bars: the lookback + 1.
#include <cmath>

#include <fmt/format.h>

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
    int fast = 12;
    int slow = 26;
    CrossRule cross{.fresh_window = 10, .full_gap = 0.02};
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"fast", kParams.fast}, {"slow", kParams.slow}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::ema(kParams.slow));
constexpr FixedText kFastLabel = label("EMA", kParams.fast);
constexpr FixedText kSlowLabel = label("EMA", kParams.slow);

AgentResult verdict(std::span<const double> fast, std::span<const double> slow);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    auto fast = ws.take(n);
    auto slow = ws.take(n);
    indicators::ema(bars.close, kParams.fast, fast);
    indicators::ema(bars.close, kParams.slow, slow);
    return verdict(fast, slow);
}

// The rule on the EMAs' newest values (the spans end at the latest bar; the rule reads at
// most fresh_window + 1 of them).
AgentResult verdict(std::span<const double> fast, std::span<const double> slow) {
    const double f = fast.back();
    const double s = slow.back();
    const double gap = s != 0.0 ? (f - s) / std::abs(s) : 0.0;
    const std::size_t since =
        bars_since_sign_change(fast, slow, static_cast<std::size_t>(kParams.cross.fresh_window));
    AgentResult r =
        cross_verdict(kParams.cross, f, s, gap, since, kFastLabel.view(), kSlowLabel.view());
    r.add("ema_12", f);
    r.add("ema_26", s);
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        fast_.push(fast_ema_.update(bar.close));
        slow_.push(slow_ema_.update(bar.close));
    }
    AgentResult evaluate() const { return verdict(fast_.values(), slow_.values()); }

  private:
    static constexpr std::size_t kTail = kParams.cross.fresh_window + 1;
    indicators::streaming::Ema fast_ema_{kParams.fast};
    indicators::streaming::Ema slow_ema_{kParams.slow};
    Tail<kTail> fast_;
    Tail<kTail> slow_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::ema(bars.close, kParams.fast, out.add("ema_12", bars.size()));
    indicators::ema(bars.close, kParams.slow, out.add("ema_26", bars.size()));
}

}  // namespace

extern const AgentDef kEmaCross = {
    "ema_cross", Category::kTrend, kParamsJson.view(),  kMinBars,
    evaluate,    series,           &stream_ops<Stream>,
};

}  // namespace gs::agents
