// keltner (volatility): Keltner Channel, middle EMA 20 (TA_EMA), bands +/- 2 x ATR 10
// (TA_ATR, Wilder).
//
// Rule (breakout), on the latest bar, atr = (kc_upper - kc_middle) / 2:
//   close > kc_upper: BUY,  confidence = 0.4 + 0.6 * min((close - kc_upper) / atr, 1)
//   close < kc_lower: SELL, confidence = 0.4 + 0.6 * min((kc_lower - close) / atr, 1)
//   otherwise HOLD, pos = (close - kc_middle) / (kc_upper - kc_middle) in [-1, 1],
//       lean = 0.5 * pos (towards the band it is heading for), confidence = 1 - |pos|.
//   Zero-width channel (flat prices): pos = 0, HOLD with confidence 1.
// (One ATR beyond the band is a full-strength breakout.)
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/keltner.h"
#include "goldensignals/indicators/streaming/volatility.h"

namespace gs::agents {
namespace {

struct Params {
    int ema = 20;
    int atr = 10;
    double multiplier = 2;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"ema", kParams.ema}, {"atr", kParams.atr}, {"multiplier", kParams.multiplier}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::keltner(kParams.ema, kParams.atr));
constexpr int kEmaPeriod = kParams.ema;
constexpr int kAtrPeriod = kParams.atr;
constexpr double kMultiple = kParams.multiplier;

// The rule on the latest channel and close (shared by the batch and streaming forms).
AgentResult verdict(double u, double m, double l, double close) {
    const double half = u - m;
    const double atr = half / kMultiple;
    AgentResult r;
    if (half > 0.0 && close > u) {
        r = buy(0.4 + 0.6 * std::min((close - u) / atr, 1.0),
                Reason("Close {:.6g} broke above the upper Keltner band {:.6g}", close, u));
    } else if (half > 0.0 && close < l) {
        r = sell(0.4 + 0.6 * std::min((l - close) / atr, 1.0),
                 Reason("Close {:.6g} broke below the lower Keltner band {:.6g}", close, l));
    } else if (half > 0.0) {
        const double pos = std::clamp((close - m) / half, -1.0, 1.0);
        r = hold(
            1.0 - std::abs(pos), 0.5 * pos,
            Reason("Close inside the Keltner Channel ({:+.0f}% of the half-width)", 100.0 * pos));
    } else {
        r = hold(1.0, 0.0, "Keltner Channel has zero width: no price movement");
    }
    r.add("kc_upper", u);
    r.add("kc_middle", m);
    r.add("kc_lower", l);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto upper = ws.take(n);
    auto middle = ws.take(n);
    auto lower = ws.take(n);
    indicators::keltner(bars.high, bars.low, bars.close, kEmaPeriod, kAtrPeriod, kMultiple, upper,
                        middle, lower);
    return verdict(upper[n - 1], middle[n - 1], lower[n - 1], bars.close[n - 1]);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        channel_ = keltner_.update(bar.high, bar.low, bar.close);
        close_ = bar.close;
    }
    AgentResult evaluate() const {
        return verdict(channel_.upper, channel_.middle, channel_.lower, close_);
    }

  private:
    indicators::streaming::Keltner keltner_{kEmaPeriod, kAtrPeriod, kMultiple};
    indicators::streaming::BandsValue channel_{indicators::kNaN, indicators::kNaN,
                                               indicators::kNaN};
    double close_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    // add() may reallocate the set: reserve so the references below stay valid.
    auto upper = out.add("kc_upper", n);
    auto middle = out.add("kc_middle", n);
    auto lower = out.add("kc_lower", n);
    indicators::keltner(bars.high, bars.low, bars.close, kEmaPeriod, kAtrPeriod, kMultiple, upper,
                        middle, lower);
}

}  // namespace

extern const AgentDef kKeltner = {
    "keltner", Category::kVolatility, kParamsJson.view(), kMinBars, evaluate,
    series,    &stream_ops<Stream>,
};

}  // namespace gs::agents
