// bollinger_squeeze (volatility): Bollinger Bands 20 / 2 (SMA 20 +/- 2 population std)
// inside a Keltner Channel 20 / 1.5 (EMA 20 +/- 1.5 x ATR 20, Wilder): the TTM-style squeeze.
//
//   bb_width   = (bb_upper - bb_lower) / bb_middle
//   squeeze_on = 1 when bb_upper < kc_upper and bb_lower > kc_lower, else 0
//
// Rule, on the latest bar:
//   released k bars ago (k in 1..3: squeeze_on at bar n-1-k and off at every bar since):
//       trade the side of the close against bb_middle (SMA 20):
//       above: BUY, below: SELL, confidence = 0.4 + 0.3 * fresh + 0.3 * push, with
//       fresh = (4 - k) / 3 and push = min(|close - bb_middle| / (bb_upper - bb_middle), 1);
//       on the middle exactly: HOLD (confidence 0.5, lean 0).
//   squeeze on now: HOLD (energy building), lean 0,
//       confidence = 1 - bb_half / kc_half (how deep inside the channel the bands are).
//   no squeeze in the last 3 bars: HOLD, lean 0, confidence = min(bb_half / kc_half - 1, 1).
//   No volatility at all (kc_half 0, flat prices): HOLD, confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/bbands.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/keltner.h"
#include "goldensignals/indicators/streaming/core.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 20;  // Bollinger SMA, Keltner EMA and ATR alike
    double bb_nbdev = 2;
    double kc_multiplier = 1.5;
    std::size_t release_window = 3;  // bars a release counts
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"bb_period", kParams.period},
                 {"bb_nbdev", kParams.bb_nbdev},
                 {"kc_ema", kParams.period},
                 {"kc_atr", kParams.period},
                 {"kc_multiplier", kParams.kc_multiplier},
                 {"release_window", static_cast<int>(kParams.release_window)}});
// The squeeze state on the release_window bars before the latest too.
constexpr std::size_t kMinBars =
    std::max(lookback::bars_for(lookback::bbands(kParams.period)),
             lookback::bars_for(lookback::keltner(kParams.period, kParams.period))) +
    kParams.release_window;
constexpr int kPeriod = kParams.period;
constexpr double kBbDeviations = kParams.bb_nbdev;
constexpr double kKcMultiple = kParams.kc_multiplier;
constexpr std::size_t kReleaseWindow = kParams.release_window;
// The rule reads the bands of the latest bar and of the release_window bars before it.
constexpr std::size_t kLineTail = kReleaseWindow + 1;
constexpr std::size_t kCloseTail = static_cast<std::size_t>(kPeriod) + kReleaseWindow;

double squeeze_of(double bb_up, double bb_low, double kc_up, double kc_low) {
    if (std::isnan(bb_up) || std::isnan(kc_up)) {
        return indicators::kNaN;
    }
    return bb_up < kc_up && bb_low > kc_low ? 1.0 : 0.0;
}

double width_of(double upper, double middle, double lower) {
    return middle != 0.0 ? (upper - lower) / middle : 0.0;
}

// The rule on the latest bars (shared by the batch and streaming forms): `close_tail` holds the
// last kCloseTail closes, `ema` and `atr` the last kLineTail values of EMA 20 and ATR 20, each
// ending at the latest bar.
AgentResult verdict(std::span<const double> close_tail, std::span<const double> ema,
                    std::span<const double> atr) {
    const std::size_t last = close_tail.size() - 1;
    const std::size_t line_last = ema.size() - 1;
    // Bar last - k of the closes is bar line_last - k of the lines.
    auto squeeze_with = [&](const indicators::Bands& bb, std::size_t k) {
        const double band = kKcMultiple * atr[line_last - k];
        return squeeze_of(bb.upper, bb.lower, ema[line_last - k] + band, ema[line_last - k] - band);
    };
    auto squeeze = [&](std::size_t k) {
        return squeeze_with(
            indicators::bbands_at(close_tail, kPeriod, kBbDeviations, kBbDeviations, last - k), k);
    };
    // The latest bands serve the squeeze test and the verdict: computed once.
    const auto bb = indicators::bbands_at(close_tail, kPeriod, kBbDeviations, kBbDeviations, last);
    const double on_now = squeeze_with(bb, 0);
    std::size_t released = 0;
    if (on_now == 0.0) {
        for (std::size_t k = 1; k <= kReleaseWindow && k <= last; ++k) {
            const double on = squeeze(k);
            if (on == 1.0) {
                released = k;
                break;
            }
            if (on != 0.0) {
                break;  // warm-up reached
            }
        }
    }
    const double mid = bb.middle;
    const double bb_half = (bb.upper - bb.lower) / 2.0;
    const double kc_half = kKcMultiple * atr[line_last];
    const double close = close_tail[last];
    AgentResult r;
    if (!(kc_half > 0.0)) {
        r = hold(1.0, 0.0, "No volatility: Keltner Channel has zero width");
    } else if (released > 0) {
        const double fresh = static_cast<double>(kReleaseWindow + 1 - released) /
                             static_cast<double>(kReleaseWindow);
        const double push = bb_half > 0.0 ? std::min(std::abs(close - mid) / bb_half, 1.0) : 0.0;
        const double confidence = 0.4 + 0.3 * fresh + 0.3 * push;
        if (close > mid) {
            r = buy(confidence, Reason("Squeeze released {} bar(s) ago with the close above SMA {}",
                                       released, kPeriod));
        } else if (close < mid) {
            r = sell(confidence,
                     Reason("Squeeze released {} bar(s) ago with the close below SMA {}", released,
                            kPeriod));
        } else {
            r = hold(0.5, 0.0, Reason("Squeeze released but the close sits on SMA {}", kPeriod));
        }
    } else if (on_now == 1.0) {
        r = hold(1.0 - bb_half / kc_half, 0.0,
                 Reason("Squeeze on: Bollinger Bands at {:.0f}% of the Keltner width",
                        100.0 * bb_half / kc_half));
    } else {
        r = hold(std::clamp(bb_half / kc_half - 1.0, 0.0, 1.0), 0.0,
                 Reason("No squeeze: Bollinger Bands at {:.0f}% of the Keltner width",
                        100.0 * bb_half / kc_half));
    }
    r.add("bb_width", width_of(bb.upper, mid, bb.lower));
    r.add("squeeze_on", std::isnan(on_now) ? 0.0 : on_now);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    // The EMA and ATR recurse over the whole history; the bands only need the last 4 windows.
    auto ema = ws.take(n);
    auto atr = ws.take(n);
    indicators::ema(bars.close, kPeriod, ema);
    indicators::atr(bars.high, bars.low, bars.close, kPeriod, atr);
    return verdict(bars.close.last(kCloseTail), std::span<const double>(ema).last(kLineTail),
                   std::span<const double>(atr).last(kLineTail));
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        closes_.push(bar.close);
        ema_.push(ema_state_.update(bar.close));
        atr_.push(atr_state_.update(bar.high, bar.low, bar.close));
    }
    AgentResult evaluate() const { return verdict(closes_.values(), ema_.values(), atr_.values()); }

  private:
    indicators::streaming::Ema ema_state_{kPeriod};
    indicators::streaming::Atr atr_state_{kPeriod};
    Tail<kCloseTail> closes_;
    Tail<kLineTail> ema_;
    Tail<kLineTail> atr_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    std::vector<double> scratch(6 * n);
    std::span<double> all(scratch);
    auto bb_up = all.subspan(0, n);
    auto bb_mid = all.subspan(n, n);
    auto bb_low = all.subspan(2 * n, n);
    auto kc_up = all.subspan(3 * n, n);
    auto kc_mid = all.subspan(4 * n, n);
    auto kc_low = all.subspan(5 * n, n);
    indicators::bbands(bars.close, kPeriod, kBbDeviations, kBbDeviations, bb_up, bb_mid, bb_low);
    indicators::keltner(bars.high, bars.low, bars.close, kPeriod, kPeriod, kKcMultiple, kc_up,
                        kc_mid, kc_low);
    auto width = out.add("bb_width", n);
    auto squeeze = out.add("squeeze_on", n);
    for (std::size_t i = 0; i < n; ++i) {
        width[i] =
            std::isnan(bb_mid[i]) ? indicators::kNaN : width_of(bb_up[i], bb_mid[i], bb_low[i]);
        squeeze[i] = squeeze_of(bb_up[i], bb_low[i], kc_up[i], kc_low[i]);
    }
}

}  // namespace

extern const AgentDef kBollingerSqueeze = {
    "bollinger_squeeze", Category::kVolatility, kParamsJson.view(), kMinBars, evaluate, series,
    &stream_ops<Stream>,
};

}  // namespace gs::agents
