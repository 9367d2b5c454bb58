// force_index (volume): Elder's Force Index 13 = EMA 13 (TA_EMA, SMA-seeded) of the raw force
// (close - prev close) x volume, which starts at bar 1.
//
// Units: unit = 1 % of the close x mean volume of the last 13 bars (a 1 % move on average
// volume).
//   strength = min(|force_index| / unit, 1)
//   fresh    = 1 - bars_since_zero_cross / 10, floored at 0 (a change of sign of the index in
//              the last 10 bars)
// Rule, on the latest bar:
//   strength >= 0.05 and force_index > 0: BUY, < 0: SELL,
//       confidence = 0.3 + 0.4 * strength + 0.3 * fresh
//   otherwise (under 5 % of the unit: no force) HOLD,
//       lean = 0.3 * sign(force_index) * strength / 0.05, confidence = 1 - strength / 0.05.
//   No volume over the last 13 bars (or a zero close): HOLD, confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "agents/agent_math.h"
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
    int period = 13;
    std::size_t fresh_window = 10;
    double dead_zone = 0.05;
    double unit_move = 0.01;  // a 1 % move on average volume is one unit
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"period", kParams.period}});
// The raw force starts on the second bar.
constexpr std::size_t kMinBars = 1 + lookback::bars_for(lookback::ema(kParams.period));
constexpr int kPeriod = kParams.period;
constexpr std::size_t kFreshWindow = kParams.fresh_window;
constexpr double kDeadZone = kParams.dead_zone;

void force_index(const market::BarsView& bars, std::span<double> raw, std::span<double> out) {
    const std::size_t n = bars.size();
    if (n == 0) {
        return;
    }
    raw[0] = indicators::kNaN;
    for (std::size_t i = 1; i < n; ++i) {
        raw[i] = (bars.close[i] - bars.close[i - 1]) * bars.volume[i];
    }
    indicators::ema(raw, kPeriod, out);
}

// The rule on the newest index values and volumes (both end at the latest bar; it reads the
// last fresh_window + 1 values and period volumes) and the latest close.
AgentResult verdict(std::span<const double> index, std::span<const double> volume, double close) {
    const double volume_sum = lane_sum(volume.last(static_cast<std::size_t>(kPeriod)));
    const double unit = kParams.unit_move * std::abs(close) * volume_sum / kPeriod;
    const double value = index.back();
    AgentResult r;
    const double strength = unit > 0.0 ? std::min(std::abs(value) / unit, 1.0) : 0.0;
    if (!(unit > 0.0)) {
        r = hold(1.0, 0.0, Reason("No volume over the last {} bars", kPeriod));
    } else if (strength < kDeadZone) {
        r = hold(1.0 - strength / kDeadZone, 0.3 * std::copysign(strength / kDeadZone, value),
                 Reason("Force Index {} near zero ({:.3f}x a 1% move on average volume)", kPeriod,
                        value / unit));
    } else {
        const std::size_t since = bars_since_zero_cross(index, kFreshWindow);
        const double fresh = 1.0 - static_cast<double>(since) / static_cast<double>(kFreshWindow);
        const double confidence = 0.3 + 0.4 * strength + 0.3 * fresh;
        const char* sign = value > 0.0 ? "positive" : "negative";
        const auto reason = since < kFreshWindow
                                ? Reason(
                                      "Force Index {} {} ({:.2f}x a 1% move on average volume), "
                                      "crossed zero {} bars ago",
                                      kPeriod, sign, std::abs(value) / unit, since)
                                : Reason("Force Index {} {} ({:.2f}x a 1% move on average volume)",
                                         kPeriod, sign, std::abs(value) / unit);
        r = value > 0.0 ? buy(confidence, reason) : sell(confidence, reason);
    }
    r.add("force_index", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto raw = ws.take(n);
    auto index = ws.take(n);
    force_index(bars, raw, index);
    return verdict(index, bars.volume, bars.close[n - 1]);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        // The raw force of the first bar is NaN, which the EMA skips as the batch one does.
        const double raw =
            count_++ == 0 ? indicators::kNaN : (bar.close - prev_close_) * bar.volume;
        prev_close_ = bar.close;
        index_.push(ema_.update(raw));
        volume_.push(bar.volume);
    }
    AgentResult evaluate() const { return verdict(index_.values(), volume_.values(), prev_close_); }

  private:
    indicators::streaming::Ema ema_{kPeriod};
    Tail<kFreshWindow + 1> index_;
    Tail<kPeriod> volume_;
    std::uint64_t count_ = 0;
    double prev_close_ = 0.0;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    std::vector<double> raw(n);
    force_index(bars, raw, out.add("force_index", n));
}

}  // namespace

extern const AgentDef kForceIndex = {
    "force_index", Category::kVolume,   kParamsJson.view(), kMinBars, evaluate,
    series,        &stream_ops<Stream>,
};

}  // namespace gs::agents
