// roc (momentum): rate of change 12 of the close (TA_ROC, percent), judged against its own
// recent spread: a move beyond one standard deviation of the last 50 ROC values is momentum
// worth following.
//
// Rule, on the latest bar:
//   sigma = population standard deviation of the last 50 ROC values (latest included),
//   z     = roc / sigma
//   sigma = 0 (ROC did not vary): ABSTAIN
//   z > 1:  BUY,  confidence = 0.3 + 0.7 * min(z - 1, 1)    (full at two sigmas)
//   z < -1: SELL, confidence = 0.3 + 0.7 * min(-z - 1, 1)
//   otherwise: HOLD, confidence = 1 - |z| (1 at 0, 0 at one sigma), lean = z / 2
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/roc.h"
#include "goldensignals/indicators/streaming/momentum.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 12;
    std::size_t spread_window = 50;  // ROC values its spread is measured over
    double sigmas = 1;               // |z| for a signal
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period},
                 {"spread_window", static_cast<int>(kParams.spread_window)},
                 {"sigmas", kParams.sigmas}});
constexpr std::size_t kMinBars = lookback::roc(kParams.period) + kParams.spread_window;
// The reason's format with the window written in (no per-evaluation formatting of it).
constexpr FixedText kSpreadReason = format_text("ROC {:+.2f}% is {:.2f} sigmas of its ",
                                                kParams.spread_window, "-bar spread ({:.2f}%)");
constexpr int kPeriod = kParams.period;
constexpr std::size_t kSpreadWindow = kParams.spread_window;

// The rule on the last spread_window ROC values (`values`, the latest last).
AgentResult verdict(std::span<const double> values) {
    const double mean = lane_sum(values) / static_cast<double>(kSpreadWindow);
    const double variance =
        lane_sum_of(values, [mean](double v) { return (v - mean) * (v - mean); });
    const double sigma = std::sqrt(variance / static_cast<double>(kSpreadWindow));
    const double value = values.back();
    AgentResult r;
    if (!(sigma > 0.0)) {
        r = abstain(Reason("ROC did not vary over the last {} bars: no spread to judge it by",
                           kSpreadWindow));
    } else {
        const double z = value / sigma;
        constexpr double kSigmas = kParams.sigmas;
        if (z > kSigmas) {
            r = buy(0.3 + 0.7 * std::min(z - kSigmas, 1.0),
                    Reason(kSpreadReason.view(), value, z, sigma));
        } else if (z < -kSigmas) {
            r = sell(0.3 + 0.7 * std::min(-z - kSigmas, 1.0),
                     Reason(kSpreadReason.view(), value, z, sigma));
        } else {
            r = hold(1.0 - std::abs(z), z / 2.0,
                     Reason("ROC {:+.2f}% within one sigma ({:.2f}%)", value, sigma));
        }
    }
    r.add("roc", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // ROC is windowed: the last kMinBars closes give the last spread_window values.
    const auto close = bars.close.last(kMinBars);
    auto roc = ws.take(kMinBars);
    indicators::roc(close, kPeriod, roc);
    return verdict(std::span<const double>(roc).last(kSpreadWindow));
}

class Stream {
  public:
    void update(const market::Bar& bar) { roc_.push(state_.update(bar.close)); }
    AgentResult evaluate() const { return verdict(roc_.values()); }

  private:
    indicators::streaming::Roc state_{kPeriod};
    Tail<kSpreadWindow> roc_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::roc(bars.close, kPeriod, out.add("roc", bars.size()));
}

}  // namespace

extern const AgentDef kRoc = {
    "roc", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
