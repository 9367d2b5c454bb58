// chandelier_exit (volatility): Chandelier Exit 22 / 3 (Le Beau):
//   chandelier_long  = MAX(high, 22) - 3 x ATR 22   (the stop under a long position)
//   chandelier_short = MIN(low, 22)  + 3 x ATR 22   (the stop over a short position)
// with TA_MAX / TA_MIN over the last 22 bars including the latest and TA_ATR (Wilder).
//
// Rule, on the latest bar, up = close > chandelier_short, down = close < chandelier_long:
//   up and not down: BUY,  confidence = 0.3 + 0.7 * min((close - chandelier_short) / (3 atr), 1)
//   down and not up: SELL, confidence = 0.3 + 0.7 * min((chandelier_long - close) / (3 atr), 1)
//   otherwise (between the stops, or past both in a range wider than 6 ATR): HOLD, with
//       lo/hi = the lower/higher stop, pos = (close - lo) / (hi - lo) (0.5 when they meet),
//       lean = 0.5 * (pos - 0.5), confidence = 1 - |2 pos - 1|.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>
#include <cstdint>

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
    int period = 22;  // extremes and ATR
    double multiplier = 3;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period}, {"multiplier", kParams.multiplier}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::atr(kParams.period));
constexpr int kPeriod = kParams.period;
constexpr double kMultiple = kParams.multiplier;

// The rule on the latest ATR, extremes of the last `period` bars and close (shared by the
// batch and streaming forms).
AgentResult verdict(double atr, double highest, double lowest, double close) {
    const double long_stop = highest - kMultiple * atr;
    const double short_stop = lowest + kMultiple * atr;
    const bool up = close > short_stop;
    const bool down = close < long_stop;
    const double unit = kMultiple * atr;
    AgentResult r;
    if (up && !down) {
        r = buy(0.3 + 0.7 * std::min((close - short_stop) / unit, 1.0),
                Reason("Close {:.6g} above the short chandelier stop {:.6g}", close, short_stop));
    } else if (down && !up) {
        r = sell(0.3 + 0.7 * std::min((long_stop - close) / unit, 1.0),
                 Reason("Close {:.6g} below the long chandelier stop {:.6g}", close, long_stop));
    } else {
        const double lo = std::min(long_stop, short_stop);
        const double hi = std::max(long_stop, short_stop);
        const double pos = hi > lo ? std::clamp((close - lo) / (hi - lo), 0.0, 1.0) : 0.5;
        r = hold(
            1.0 - std::abs(2.0 * pos - 1.0), 0.5 * (pos - 0.5),
            Reason("Close {:.6g} between the chandelier stops {:.6g} and {:.6g}", close, lo, hi));
    }
    r.add("chandelier_long", long_stop);
    r.add("chandelier_short", short_stop);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto atr_series = ws.take(n);
    indicators::atr(bars.high, bars.low, bars.close, kPeriod, atr_series);
    double highest = bars.high[n - kPeriod];
    double lowest = bars.low[n - kPeriod];
    for (std::size_t i = n - kPeriod + 1; i < n; ++i) {
        highest = std::max(highest, bars.high[i]);
        lowest = std::min(lowest, bars.low[i]);
    }
    return verdict(atr_series[n - 1], highest, lowest, bars.close[n - 1]);
}

// The extremes from monotonic deques: a maximum is the same number whatever the order it is
// found in, so they equal the batch scan exactly.
class Stream {
  public:
    void update(const market::Bar& bar) {
        atr_ = atr_state_.update(bar.high, bar.low, bar.close);
        highest_.push(index_, bar.high);
        lowest_.push(index_, bar.low);
        ++index_;
        close_ = bar.close;
    }
    AgentResult evaluate() const {
        return verdict(atr_, highest_.value(), lowest_.value(), close_);
    }

  private:
    indicators::streaming::Atr atr_state_{kPeriod};
    indicators::streaming::RollingHigh highest_{static_cast<std::size_t>(kPeriod)};
    indicators::streaming::RollingLow lowest_{static_cast<std::size_t>(kPeriod)};
    std::uint64_t index_ = 0;
    double atr_ = indicators::kNaN;
    double close_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    auto long_stop = out.add("chandelier_long", n);
    auto short_stop = out.add("chandelier_short", n);
    std::vector<double> atr(n);
    indicators::atr(bars.high, bars.low, bars.close, kPeriod, atr);
    indicators::rolling_max(bars.high, kPeriod, long_stop);
    indicators::rolling_min(bars.low, kPeriod, short_stop);
    for (std::size_t i = 0; i < n; ++i) {
        long_stop[i] -= kMultiple * atr[i];
        short_stop[i] += kMultiple * atr[i];
    }
}

}  // namespace

extern const AgentDef kChandelierExit = {
    "chandelier_exit",   Category::kVolatility, kParamsJson.view(), kMinBars, evaluate, series,
    &stream_ops<Stream>,
};

}  // namespace gs::agents
