#include "goldensignals/backtest/figures.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>

namespace gs::backtest {

namespace {

using agents::Action;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio_or_nan(double num, std::size_t den) {
    return den == 0 ? kNaN : num / static_cast<double>(den);
}

int position_of(Action action, Mode mode) {
    if (action == Action::kBuy) {
        return 1;
    }
    return action == Action::kSell && mode == Mode::kLongShort ? -1 : 0;
}

// A value as an unsigned key in the same order (-0.0 taken as 0.0, so the two tie), with its
// index.
struct Keyed {
    std::uint64_t key;
    std::uint32_t index;
};

std::uint64_t ordered_bits(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x + 0.0);
    return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

// Sorted by key: LSD radix, 11 bits a pass, a pass skipped when every key has the same digit
// there. The IC sorts ~57 tracks of up to 5,000 bars per backtest, and a comparison sort of
// random doubles spent most of the figures' time on mispredicted branches.
std::vector<Keyed> sorted_keys(std::span<const double> v) {
    constexpr int kBits = 11;
    constexpr int kPasses = 6;  // 66 bits >= 64
    constexpr std::size_t kBuckets = std::size_t{1} << kBits;
    std::vector<Keyed> a(v.size());
    std::vector<std::array<std::uint32_t, kBuckets>> counts(kPasses);
    for (std::size_t i = 0; i < v.size(); ++i) {
        a[i] = {ordered_bits(v[i]), static_cast<std::uint32_t>(i)};
        for (int p = 0; p < kPasses; ++p) {
            ++counts[p][(a[i].key >> (p * kBits)) & (kBuckets - 1)];
        }
    }
    std::vector<Keyed> b(v.size());
    for (int p = 0; p < kPasses; ++p) {
        auto& count = counts[p];
        if (std::any_of(count.begin(), count.end(),
                        [n = v.size()](std::uint32_t c) { return c == n; })) {
            continue;
        }
        std::uint32_t sum = 0;
        for (auto& c : count) {
            sum += std::exchange(c, sum);
        }
        for (const Keyed& e : a) {
            b[count[(e.key >> (p * kBits)) & (kBuckets - 1)]++] = e;
        }
        a.swap(b);
    }
    return a;
}

// Average ranks (1-based) of `v`, ties sharing the mean of their positions.
std::vector<double> ranks(std::span<const double> v) {
    const auto sorted = sorted_keys(v);
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i + 1;
        while (j < sorted.size() && sorted[j].key == sorted[i].key) {
            ++j;
        }
        const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
        for (std::size_t k = i; k < j; ++k) {
            r[sorted[k].index] = mean_rank;
        }
        i = j;
    }
    return r;
}

// The bars [first, first + forward.size()) with a known forward return, ordered by it once per
// backtest; each track takes its own ranks from it in O(n) (its bars are a subset: those at
// which it did not abstain).
struct ForwardOrder {
    std::size_t first = 0;
    std::vector<double> forward;       // by bar - first
    std::vector<std::uint32_t> order;  // bar - first, by forward return
};

ForwardOrder forward_order(std::span<const double> close, std::size_t first, std::size_t end,
                           std::size_t horizon) {
    ForwardOrder out;
    out.first = first;
    for (std::size_t t = first; t + horizon < end; ++t) {
        out.forward.push_back(close[t + horizon] / close[t] - 1.0);
    }
    const auto sorted = sorted_keys(out.forward);
    out.order.reserve(sorted.size());
    for (const Keyed& e : sorted) {
        out.order.push_back(e.index);
    }
    return out;
}

double pearson(std::span<const double> x, std::span<const double> y) {
    const std::size_t n = x.size();
    if (n < 2) {
        return kNaN;
    }
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
    double sxy = 0.0;
    double sxx = 0.0;
    double syy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx <= 0.0 || syy <= 0.0) {
        return kNaN;
    }
    return sxy / std::sqrt(sxx * syy);
}

}  // namespace

double periods_per_year(market::Timeframe timeframe) noexcept {
    using market::Timeframe;
    constexpr double kDays = 252.0;
    constexpr double kSessionSeconds = 6.5 * 3600.0;
    switch (timeframe) {
        case Timeframe::k1d:
            return kDays;
        case Timeframe::k1w:
            return 52.0;
        default:
            return kDays * kSessionSeconds / static_cast<double>(market::seconds_of(timeframe));
    }
}

CallOutcome score_call(Action action, double close_t, double close_later) noexcept {
    CallOutcome out;
    out.forward_return = close_later / close_t - 1.0;
    if (action == Action::kBuy) {
        out.scored = true;
        out.hit = close_later > close_t;
        out.follow_return = out.forward_return;
    } else if (action == Action::kSell) {
        out.scored = true;
        out.hit = close_later < close_t;
        out.follow_return = -out.forward_return;
    }
    return out;
}

double spearman(std::span<const double> x, std::span<const double> y) {
    if (x.size() < 2 || x.size() != y.size()) {
        return kNaN;
    }
    const auto rx = ranks(x);
    const auto ry = ranks(y);
    return pearson(rx, ry);
}

std::vector<std::size_t> downsample(std::size_t n, std::size_t limit) {
    std::vector<std::size_t> out;
    if (n <= limit || limit < 2) {
        out.resize(std::min(n, limit));
        std::iota(out.begin(), out.end(), std::size_t{0});
        return out;
    }
    out.reserve(limit);
    for (std::size_t j = 0; j < limit; ++j) {
        out.push_back(j * (n - 1) / (limit - 1));
    }
    return out;
}

namespace {

// Signals, hit rate, average return of following the calls and IC of one track over the bars of
// `fo` (docs/backtest.md).
TrackFigures track_figures(const Track& track, std::span<const double> close,
                           const ForwardOrder& fo, std::size_t horizon) {
    TrackFigures out;
    const std::size_t m = fo.forward.size();
    std::size_t hits = 0;
    double follow_sum = 0.0;
    std::vector<double> scores;
    scores.reserve(m);
    std::vector<std::uint32_t> slot(m, ~std::uint32_t{0});  // bar -> its place among the voted
    for (std::size_t i = 0; i < m; ++i) {
        const std::size_t t = fo.first + i;
        const Action a = track.action[t];
        if (a == Action::kAbstain) {
            continue;
        }
        slot[i] = static_cast<std::uint32_t>(scores.size());
        scores.push_back(track.score[t]);
        const CallOutcome call = score_call(a, close[t], close[t + horizon]);
        if (call.scored) {
            ++out.signals;
            follow_sum += call.follow_return;
            hits += call.hit ? 1 : 0;
        }
    }
    out.hit_rate = ratio_or_nan(static_cast<double>(hits), out.signals);
    out.avg_forward_return = ratio_or_nan(follow_sum, out.signals);
    if (scores.size() < 2) {
        out.ic = kNaN;
        return out;
    }
    // The forward returns' average ranks among the voted bars, from the shared order.
    std::vector<std::uint32_t> voted_order;
    voted_order.reserve(scores.size());
    for (const std::uint32_t i : fo.order) {
        if (slot[i] != ~std::uint32_t{0}) {
            voted_order.push_back(i);
        }
    }
    std::vector<double> forward_ranks(scores.size());
    for (std::size_t i = 0; i < voted_order.size();) {
        std::size_t j = i + 1;
        while (j < voted_order.size() && fo.forward[voted_order[j]] == fo.forward[voted_order[i]]) {
            ++j;
        }
        const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
        for (std::size_t k = i; k < j; ++k) {
            forward_ranks[slot[voted_order[k]]] = mean_rank;
        }
        i = j;
    }
    out.ic = pearson(ranks(scores), forward_ranks);
    return out;
}

}  // namespace

namespace {

// evaluate() with `tracks`, else the consensus' summary and by-action figures alone (no rows,
// no agent or category figures): what summarize() needs.
Report evaluate_parts(const Input& input, const Options& options, bool tracks) {
    const Trace& trace = *input.trace;
    const bool adaptive =
        options.weighting == Weighting::kAdaptive && !trace.adaptive_consensus.action.empty();
    const Track& consensus = adaptive ? trace.adaptive_consensus : trace.consensus;
    const std::vector<Track>& categories = adaptive ? trace.adaptive_categories : trace.categories;
    const std::size_t begin = input.begin;
    const std::size_t end = std::max(input.begin, input.end);
    const std::size_t h = options.horizon;
    Report report;

    // Bars before the first at which any agent voted are skipped (the warm-up).
    std::size_t first_vote = 0;
    while (first_vote < trace.voters.size() && trace.voters[first_vote] == 0) {
        ++first_vote;
    }
    const std::size_t first = std::min(end, std::max(begin, first_vote));
    report.skipped = first - begin;
    report.bars = end - first;

    // Positions, strategy returns, equity.
    Summary& s = report.summary;
    const double fee = options.fee_bps / 10'000.0;
    std::vector<double> returns;
    returns.reserve(report.bars);
    if (tracks) {
        report.rows.reserve(report.bars);
    }
    double equity = 1.0;
    double peak = 1.0;
    int previous = 0;
    std::size_t exposed = 0;
    for (std::size_t t = first; t < end; ++t) {
        const int position = position_of(consensus.action[t], options.mode);
        if (tracks) {
            report.rows.push_back({input.time[t], consensus.action[t], consensus.score[t], position,
                                   t + h < end ? input.close[t + h] / input.close[t] - 1.0 : kNaN,
                                   equity});
        }
        if (t + 1 == end) {
            break;  // the last position has no bar to be held over
        }
        const int change = std::abs(position - previous);
        const double r = position * (input.close[t + 1] / input.close[t] - 1.0) - fee * change;
        returns.push_back(r);
        s.turnover += change;
        s.trades += change != 0 ? 1 : 0;
        exposed += position != 0 ? 1 : 0;
        equity *= 1.0 + r;
        peak = std::max(peak, equity);
        s.max_drawdown = std::max(s.max_drawdown, 1.0 - equity / peak);
        previous = position;
    }
    const std::size_t n = returns.size();
    s.total_return = equity - 1.0;
    s.buy_and_hold_return =
        report.bars == 0 ? kNaN : input.close[end - 1] / input.close[first] - 1.0;
    s.exposure = ratio_or_nan(static_cast<double>(exposed), n);
    const double ppy = options.periods_per_year;
    s.cagr = n == 0 || equity <= 0.0 ? kNaN : std::pow(equity, ppy / static_cast<double>(n)) - 1.0;
    const double mean = ratio_or_nan(std::accumulate(returns.begin(), returns.end(), 0.0), n);
    double squares = 0.0;
    double downside = 0.0;
    for (double r : returns) {
        squares += (r - mean) * (r - mean);
        downside += r < 0.0 ? r * r : 0.0;
    }
    const double sd = n < 2 ? 0.0 : std::sqrt(squares / static_cast<double>(n - 1));
    s.sharpe = sd > 0.0 ? mean / sd * std::sqrt(ppy) : kNaN;
    const double dd = n == 0 ? 0.0 : std::sqrt(downside / static_cast<double>(n));
    s.sortino = dd > 0.0 ? mean / dd * std::sqrt(ppy) : kNaN;

    // The consensus' calls: by action, and its hit rate.
    std::array<std::size_t, 3> hits{};
    std::array<std::size_t, 3> scored{};
    std::array<double, 3> forward_sum{};
    for (std::size_t t = first; t < end; ++t) {
        const auto a = static_cast<std::size_t>(consensus.action[t]);
        if (a >= 3) {
            continue;  // the consensus never abstains
        }
        ++report.by_action[a].count;
        if (t + h >= end) {
            continue;
        }
        ++scored[a];
        const CallOutcome call =
            score_call(consensus.action[t], input.close[t], input.close[t + h]);
        forward_sum[a] += call.forward_return;
        hits[a] += call.hit ? 1 : 0;
    }
    for (std::size_t a = 0; a < 3; ++a) {
        report.by_action[a].avg_forward_return = ratio_or_nan(forward_sum[a], scored[a]);
        report.by_action[a].hit_rate = a == static_cast<std::size_t>(Action::kHold)
                                           ? kNaN
                                           : ratio_or_nan(static_cast<double>(hits[a]), scored[a]);
    }
    const auto buy = static_cast<std::size_t>(Action::kBuy);
    const auto sell = static_cast<std::size_t>(Action::kSell);
    s.hit_rate =
        ratio_or_nan(static_cast<double>(hits[buy] + hits[sell]), scored[buy] + scored[sell]);
    if (!tracks) {
        return report;
    }

    const ForwardOrder fo = forward_order(input.close, first, end, h);
    for (const Track& track : trace.agents) {
        report.agents.push_back(track_figures(track, input.close, fo, h));
    }
    for (const Track& track : categories) {
        report.categories.push_back(track_figures(track, input.close, fo, h));
    }
    return report;
}

}  // namespace

Report evaluate(const Input& input, const Options& options) {
    return evaluate_parts(input, options, true);
}

Summary summarize(const Input& input, const Options& options) {
    return evaluate_parts(input, options, false).summary;
}

}  // namespace gs::backtest
