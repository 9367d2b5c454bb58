// zscore_reversion (statistical): z = (close - SMA 20) / population STDDEV 20 of the close.
// Mean reversion: a close two standard deviations from its mean tends to come back.
//
// Rule, on the latest bar:
//   z <= -2: BUY,  z >= 2: SELL,
//       confidence = 0.3 + 0.7 * min((|z| - 2) / 1.5, 1)     (|z| = 3.5 is an extreme)
//   otherwise HOLD: lean = -z / 4 (toward the mean, |lean| < 0.5),
//       confidence = 1 - |z| / 2 (1 at the mean, 0 at the bands)
//   a flat window (no dispersion) has z = 0: HOLD, confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/statistics.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 20;
    double threshold = 2.0;  // |z| for a signal
    double extra = 1.5;      // |z| past the threshold: full strength
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period}, {"threshold", kParams.threshold, Param::kPoint}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::zscore(kParams.period));
// Reason formats with the numbers written in (no per-evaluation formatting of constants).
constexpr FixedText kBelowReason =
    format_text("close {:.2f} standard deviations below its ", kParams.period, "-bar mean");
constexpr FixedText kAboveReason =
    format_text("close {:.2f} standard deviations above its ", kParams.period, "-bar mean");
constexpr FixedText kWithinReason =
    format_text("close within ", kParams.threshold, " standard deviations of its ", kParams.period,
                "-bar mean (z {:+.2f})");
constexpr int kPeriod = kParams.period;
constexpr double kThreshold = kParams.threshold;
constexpr double kExtra = kParams.extra;
constexpr auto kWindow = static_cast<std::size_t>(kParams.period);

// The rule on the last `period` closes, the latest last (shared by the batch and streaming
// forms). Only the latest window matters; a fresh sum over it is also the most accurate.
AgentResult verdict(std::span<const double> close) {
    std::array<double, kWindow> z;
    indicators::zscore(close, kPeriod, z);
    const double value = z.back();
    const double strength = std::min((std::abs(value) - kThreshold) / kExtra, 1.0);
    AgentResult r;
    if (value <= -kThreshold) {
        r = buy(0.3 + 0.7 * strength, Reason(kBelowReason.view(), -value));
    } else if (value >= kThreshold) {
        r = sell(0.3 + 0.7 * strength, Reason(kAboveReason.view(), value));
    } else {
        r = hold(1.0 - std::abs(value) / kThreshold, -value / (2.0 * kThreshold),
                 Reason(kWithinReason.view(), value));
    }
    r.add("zscore", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& /*ws*/) {
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
    indicators::zscore(bars.close, kPeriod, out.add("zscore", bars.size()));
}

}  // namespace

extern const AgentDef kZscoreReversion = {
    "zscore_reversion",  Category::kStatistical, kParamsJson.view(), kMinBars, evaluate, series,
    &stream_ops<Stream>,
};

}  // namespace gs::agents
