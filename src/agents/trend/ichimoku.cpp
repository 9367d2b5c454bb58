// ichimoku (trend): Ichimoku Kinko Hyo 9 / 26 / 52, cloud displaced 26 bars.
//
// Lines at bar i (TA_MIDPRICE midpoints of the highest high and lowest low): tenkan over 9
// bars, kijun over 26, senkou_a = (tenkan + kijun) / 2, senkou_b over 52. The cloud over the
// latest bar is the senkou pair computed 26 bars earlier: top / bottom = max / min of
// senkou_a[n-27], senkou_b[n-27]. The `indicators` values (and series) are the lines as
// computed at each bar, not shifted: senkou_a / senkou_b of the latest bar are the cloud
// projected 26 bars ahead; a chart shifts them right by 26.
//
// Rule, on the latest bar (c = close):
//   c > top and tenkan > kijun: BUY,  c < bottom and tenkan < kijun: SELL,
//       confidence = 0.3 + 0.3 * min(distance from the cloud / (0.05 * c), 1)
//                        + 0.2 * min(|tenkan - kijun| / (0.02 * c), 1)
//                        + 0.2 * (projected cloud has the same colour: senkou_a > senkou_b
//                                 for BUY, < for SELL)
//   bottom <= c <= top (in the cloud): HOLD, position = (c - bottom) / (top - bottom) (0.5
//       for a flat cloud), confidence = 1 - |position - 0.5|, lean = position - 0.5
//   otherwise (out of the cloud, tenkan / kijun disagree): HOLD, lean = 0.3 * side (+1
//       above, -1 below), confidence = 0.3 + 0.2 * (1 - min(distance / (0.05 * c), 1)).
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/ichimoku.h"
#include "goldensignals/indicators/streaming/trend.h"

namespace gs::agents {
namespace {

struct Params {
    int tenkan = 9;
    int kijun = 26;
    int senkou_b = 52;
    int displacement = 26;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"tenkan", kParams.tenkan},
                                               {"kijun", kParams.kijun},
                                               {"senkou_b", kParams.senkou_b},
                                               {"displacement", kParams.displacement}});
// The cloud over the latest bar was computed `displacement` bars earlier.
constexpr std::size_t kMinBars =
    lookback::bars_for(lookback::midprice(kParams.senkou_b)) + kParams.displacement;
constexpr auto kTenkan = static_cast<std::size_t>(kParams.tenkan);
constexpr auto kKijun = static_cast<std::size_t>(kParams.kijun);
constexpr auto kSenkouB = static_cast<std::size_t>(kParams.senkou_b);
constexpr auto kDisplacement = static_cast<std::size_t>(kParams.displacement);

double clamp01(double x) {
    return std::clamp(x, 0.0, 1.0);
}

// The midpoint of the `period` bars ending at `end`: the value midprice() gives at `end`.
// evaluate() needs six of these, far cheaper than three full series.
double midpoint_at(const market::BarsView& bars, std::size_t end, std::size_t period) {
    double highest = bars.high[end];
    double lowest = bars.low[end];
    for (std::size_t i = end + 1 - period; i < end; ++i) {
        highest = std::max(highest, bars.high[i]);
        lowest = std::min(lowest, bars.low[i]);
    }
    return (highest + lowest) / 2.0;
}

AgentResult verdict(double t, double k, double span_a_now, double span_b_now, double cloud_a,
                    double cloud_b, double c);

AgentResult evaluate(const market::BarsView& bars, Workspace& /*ws*/) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    const std::size_t now = n - 1;
    const std::size_t cloud = now - kDisplacement;
    const double t = midpoint_at(bars, now, kTenkan);
    const double k = midpoint_at(bars, now, kKijun);
    const double span_a_now = (t + k) / 2.0;
    const double span_b_now = midpoint_at(bars, now, kSenkouB);
    const double cloud_a =
        (midpoint_at(bars, cloud, kTenkan) + midpoint_at(bars, cloud, kKijun)) / 2.0;
    const double cloud_b = midpoint_at(bars, cloud, kSenkouB);
    return verdict(t, k, span_a_now, span_b_now, cloud_a, cloud_b, bars.close[now]);
}

// The rule on the latest tenkan `t`, kijun `k`, senkou pair and close `c`, and the senkou pair
// computed `displacement` bars earlier (the cloud over the latest bar).
AgentResult verdict(double t, double k, double span_a_now, double span_b_now, double cloud_a,
                    double cloud_b, double c) {
    const double top = std::max(cloud_a, cloud_b);
    const double bottom = std::min(cloud_a, cloud_b);
    const double scale = c > 0.0 ? 0.05 * c : 1.0;
    const double tk = c > 0.0 ? clamp01(std::abs(t - k) / (0.02 * c)) : 0.0;
    AgentResult r;
    if (c > top && t > k) {
        r = buy(0.3 + 0.3 * clamp01((c - top) / scale) + 0.2 * tk +
                    0.2 * (span_a_now > span_b_now ? 1.0 : 0.0),
                Reason("close {:.6g} above the cloud ({:.6g}), tenkan {:.6g} over kijun "
                       "{:.6g}",
                       c, top, t, k));
    } else if (c < bottom && t < k) {
        r = sell(0.3 + 0.3 * clamp01((bottom - c) / scale) + 0.2 * tk +
                     0.2 * (span_a_now < span_b_now ? 1.0 : 0.0),
                 Reason("close {:.6g} below the cloud ({:.6g}), tenkan {:.6g} under kijun "
                        "{:.6g}",
                        c, bottom, t, k));
    } else if (c >= bottom && c <= top) {
        const double position = top > bottom ? (c - bottom) / (top - bottom) : 0.5;
        r = hold(1.0 - std::abs(position - 0.5), position - 0.5,
                 Reason("close {:.6g} inside the cloud {:.6g}..{:.6g}", c, bottom, top));
    } else {
        const bool above = c > top;
        const double distance = above ? c - top : bottom - c;
        r = hold(0.3 + 0.2 * (1.0 - clamp01(distance / scale)), above ? 0.3 : -0.3,
                 Reason("close {} the cloud but tenkan {:.6g} {} kijun {:.6g}",
                        above ? "above" : "below", t, above ? "not over" : "not under", k));
    }
    r.add("tenkan", t);
    r.add("kijun", k);
    r.add("senkou_a", span_a_now);
    r.add("senkou_b", span_b_now);
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        last_ = ichimoku_.update(bar.high, bar.low);
        senkou_a_.push(last_.senkou_a);
        senkou_b_.push(last_.senkou_b);
        close_ = bar.close;
    }
    // Called with at least kMinBars > displacement + 1 bars taken: the oldest values of the
    // full tails were computed `displacement` bars before the latest.
    static_assert(kMinBars > kDisplacement + 1);
    AgentResult evaluate() const {
        return verdict(last_.tenkan, last_.kijun, last_.senkou_a, last_.senkou_b,
                       senkou_a_.values().front(), senkou_b_.values().front(), close_);
    }

  private:
    indicators::streaming::Ichimoku ichimoku_{kParams.tenkan, kParams.kijun, kParams.senkou_b};
    indicators::streaming::IchimokuValue last_{indicators::kNaN, indicators::kNaN, indicators::kNaN,
                                               indicators::kNaN};
    Tail<kDisplacement + 1> senkou_a_;
    Tail<kDisplacement + 1> senkou_b_;
    double close_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    const auto [tenkan, kijun, senkou_a, senkou_b] =
        out.add_all<4>({"tenkan", "kijun", "senkou_a", "senkou_b"}, n);
    indicators::ichimoku(bars.high, bars.low, static_cast<int>(kTenkan), static_cast<int>(kKijun),
                         static_cast<int>(kSenkouB), tenkan, kijun, senkou_a, senkou_b);
}

}  // namespace

extern const AgentDef kIchimoku = {
    "ichimoku", Category::kTrend, kParamsJson.view(),  kMinBars,
    evaluate,   series,           &stream_ops<Stream>,
};

}  // namespace gs::agents
