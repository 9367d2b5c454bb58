// pvo (volume): Percentage Volume Oscillator 12 / 26 / 9 (TA_PPO with EMAs applied to volume;
// signal = EMA 9 of PVO from its first value) read with the 5-bar price move.
//
//   surge = pvo > 0 and pvo > pvo_signal (volume above its long average and expanding)
//   move  = close[n-1] / close[n-6] - 1
// Rule, on the latest bar:
//   surge and move > 0: BUY,  surge and move < 0: SELL,
//       confidence = 0.3 + 0.4 * min(pvo / 25, 1) + 0.3 * min(|move| / 3 %, 1)
//       (volume 25 % above its average, or a 3 % move, is full strength)
//   otherwise HOLD, lean = 0.3 * clamp(move / 3 %, -1, 1) * clamp(pvo / 25, 0, 1),
//       confidence = 1 - clamp(pvo / 25, 0, 1) (quiet volume is clearly neutral).
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/pvo.h"
#include "goldensignals/indicators/streaming/momentum.h"

namespace gs::agents {
namespace {

struct Params {
    int fast = 12;
    int slow = 26;
    int signal = 9;
    std::size_t move_bars = 5;  // the price move read with the volume
    double full_pvo = 25;
    double full_move = 0.03;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"fast", kParams.fast},
                                               {"slow", kParams.slow},
                                               {"signal", kParams.signal},
                                               {"move_bars", static_cast<int>(kParams.move_bars)}});
constexpr std::size_t kMinBars = std::max(
    lookback::bars_for(lookback::pvo_signal(kParams.slow, kParams.signal)), kParams.move_bars + 1);
constexpr int kFast = kParams.fast;
constexpr int kSlow = kParams.slow;
constexpr int kSignal = kParams.signal;
constexpr std::size_t kMoveBars = kParams.move_bars;
constexpr double kFullPvo = kParams.full_pvo;
constexpr double kFullMove = kParams.full_move;

// The rule on the latest PVO and signal and the newest closes (ending at the latest bar; it
// reads the last move_bars + 1).
AgentResult verdict(double p, double s, std::span<const double> close) {
    const std::size_t n = close.size();
    const double then = close[n - 1 - kMoveBars];
    const double move = then != 0.0 ? close[n - 1] / then - 1.0 : 0.0;
    const double volume_part = std::clamp(p / kFullPvo, 0.0, 1.0);
    AgentResult r;
    if (p > 0.0 && p > s && move != 0.0) {
        const double confidence =
            0.3 + 0.4 * volume_part + 0.3 * std::min(std::abs(move) / kFullMove, 1.0);
        const auto reason =
            Reason("Volume surge (PVO {:.1f}% over signal {:.1f}%) behind a {:+.2f}% {}-bar move",
                   p, s, move * 100.0, kMoveBars);
        r = move > 0.0 ? buy(confidence, reason) : sell(confidence, reason);
    } else {
        r = hold(1.0 - volume_part, 0.3 * std::clamp(move / kFullMove, -1.0, 1.0) * volume_part,
                 Reason("No volume surge behind the move (PVO {:.1f}%, signal {:.1f}%)", p, s));
    }
    r.add("pvo", p);
    r.add("pvo_signal", s);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto line = ws.take(n);
    auto signal = ws.take(n);
    indicators::pvo(bars.volume, kFast, kSlow, kSignal, line, signal);
    return verdict(line[n - 1], signal[n - 1], bars.close);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        value_ = pvo_.update(bar.volume);
        close_.push(bar.close);
    }
    AgentResult evaluate() const { return verdict(value_.pvo, value_.signal, close_.values()); }

  private:
    indicators::streaming::Pvo pvo_{kFast, kSlow, kSignal};
    indicators::streaming::PvoValue value_{indicators::kNaN, indicators::kNaN};
    Tail<kMoveBars + 1> close_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    auto line = out.add("pvo", n);
    auto signal = out.add("pvo_signal", n);
    indicators::pvo(bars.volume, kFast, kSlow, kSignal, line, signal);
}

}  // namespace

extern const AgentDef kPvo = {
    "pvo", Category::kVolume, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
