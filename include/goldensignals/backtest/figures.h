#pragma once

// The figures of a backtest from a sequence of (bar, verdict): pure arithmetic over the closes
// and the walk-forward's tracks, no engine, no I/O. Every figure is defined in docs/backtest.md
// and checked against an independent computation (tests/backtest/reference.py).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "goldensignals/backtest/walk_forward.h"
#include "goldensignals/market/timeframe.h"

namespace gs::backtest {

enum class Mode : std::uint8_t { kLongShort, kLongOnly };
// static: the consensus configuration's weights; adaptive: each agent's weight also scaled by
// its trailing accuracy on the series (docs/backtest.md "Adaptive weighting").
enum class Weighting : std::uint8_t { kStatic, kAdaptive };

// Bounds of a request (GET /v1/backtest/{symbol}).
inline constexpr std::size_t kMaxHorizon = 1000;
inline constexpr double kMaxFeeBps = 1000.0;  // 10 % per unit of position changed
// Bars walked at most (the range and its warm-up): ~6 us each with the 51 agents, so ~0.3 s.
inline constexpr std::size_t kMaxBars = 50'000;
// Backtests running at once per process; more get 503 (each holds a compute thread).
inline constexpr std::size_t kMaxRunning = 2;

struct Options {
    std::size_t horizon = 1;  // bars ahead for hits and forward returns
    double fee_bps = 0.0;     // per unit of position changed
    Mode mode = Mode::kLongShort;
    double periods_per_year = 252.0;
    // kAdaptive: evaluate() reads the trace's adaptive consensus and categories.
    Weighting weighting = Weighting::kStatic;
};

// Bars per year the annualised figures assume (docs/backtest.md): 252 trading days, 52 weeks,
// and an intraday bar 252 x 6.5 trading hours divided by its length.
double periods_per_year(market::Timeframe timeframe) noexcept;

// What the figures are computed over: the closes and verdicts of the whole series (bar t at
// index t) and the selected range [begin, end) of it.
struct Input {
    std::span<const std::int64_t> time;
    std::span<const double> close;
    const Trace* trace = nullptr;
    std::size_t begin = 0;
    std::size_t end = 0;
};

// NaN stands for a figure that is undefined (no signals, no variance); it is served as null.
struct TrackFigures {
    std::size_t signals = 0;  // BUY and SELL verdicts with a known forward return
    double hit_rate = 0.0;
    double avg_forward_return = 0.0;  // of following the call: +fwd for BUY, -fwd for SELL
    double ic = 0.0;                  // Spearman of the signed score with the forward return
};

struct ActionFigures {
    std::size_t count = 0;  // verdicts of this action over the scored bars
    double hit_rate = 0.0;  // NaN for HOLD (not scored)
    double avg_forward_return = 0.0;
};

struct Summary {
    double total_return = 0.0;
    double buy_and_hold_return = 0.0;
    double cagr = 0.0;
    double sharpe = 0.0;
    double sortino = 0.0;
    double max_drawdown = 0.0;
    double hit_rate = 0.0;
    std::size_t trades = 0;
    double exposure = 0.0;
    double turnover = 0.0;
};

// One scored bar (detail=bars).
struct BarRow {
    std::int64_t time = 0;
    agents::Action action = agents::Action::kHold;
    double score = 0.0;
    int position = 0;
    double forward_return = 0.0;  // NaN when bar t + horizon is past the range
    double equity = 1.0;          // before the position taken at this bar
};

struct Report {
    std::size_t bars = 0;     // bars scored
    std::size_t skipped = 0;  // bars of the range before any agent could vote
    Summary summary;
    std::array<ActionFigures, 3> by_action{};  // BUY, SELL, HOLD
    std::vector<TrackFigures> agents;          // as trace.agents
    std::vector<TrackFigures> categories;      // by agents::Category
    std::vector<BarRow> rows;                  // every scored bar, oldest first
    // weighting=adaptive: the static consensus' summary over the same bars, side by side.
    std::optional<Summary> static_summary;
};

Report evaluate(const Input& input, const Options& options);
// evaluate()'s summary alone (the side-by-side static summary): the same figures, without the
// rows and the agents' and categories' figures.
Summary summarize(const Input& input, const Options& options);

// A verdict at bar t judged by the close h bars later (docs/backtest.md): the one definition of a
// hit and a forward return, shared by the backtest and live accuracy (accuracy::LiveScorer), so
// the two cannot drift apart.
struct CallOutcome {
    bool scored = false;          // BUY or SELL: a call; HOLD and ABSTAIN are not scored
    bool hit = false;             // BUY and close_later > close_t, SELL and close_later < close_t
    double forward_return = 0.0;  // close_later / close_t - 1, whatever the action
    double follow_return = 0.0;   // of following the call: +forward for BUY, -forward for SELL
};
CallOutcome score_call(agents::Action action, double close_t, double close_later) noexcept;

// Spearman's rank correlation (ties get their average rank); NaN for fewer than two points or
// a constant side.
double spearman(std::span<const double> x, std::span<const double> y);

// At most `limit` of the indices [0, n): all of them when n <= limit, else evenly spaced,
// the first and the last included.
std::vector<std::size_t> downsample(std::size_t n, std::size_t limit);

}  // namespace gs::backtest
