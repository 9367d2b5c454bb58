#include "goldensignals/backtest/universe.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gs::backtest {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfinity = std::numeric_limits<double>::infinity();

double mean(const std::vector<double>& values) {
    if (values.empty()) {
        return kNaN;
    }
    double sum = 0.0;
    for (double v : values) {
        sum += v;
    }
    return sum / static_cast<double>(values.size());
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return kNaN;
    }
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

}  // namespace

SymbolResult summarize(std::string symbol, const Report& report) {
    SymbolResult result;
    result.symbol = std::move(symbol);
    result.bars = report.bars;
    result.skipped = report.skipped;
    result.summary = report.summary;
    for (const auto& row : report.rows) {
        if (row.action == agents::Action::kHold || !std::isfinite(row.forward_return)) {
            continue;
        }
        ++result.calls;
        const bool right = row.action == agents::Action::kBuy ? row.forward_return > 0.0
                                                              : row.forward_return < 0.0;
        result.hits += right ? 1 : 0;
    }
    return result;
}

Aggregate aggregate(std::span<const SymbolResult> results) {
    Aggregate a;
    std::vector<double> total, hold, sharpe, drawdown;
    std::size_t hits = 0;
    for (const auto& r : results) {
        if (r.error) {
            ++a.failed;
            continue;
        }
        ++a.tested;
        const Summary& s = r.summary;
        total.push_back(s.total_return);
        hold.push_back(s.buy_and_hold_return);
        drawdown.push_back(s.max_drawdown);
        if (std::isfinite(s.sharpe)) {
            sharpe.push_back(s.sharpe);
        }
        a.positive += s.total_return > 0.0 ? 1 : 0;
        a.beat_buy_and_hold += s.total_return > s.buy_and_hold_return ? 1 : 0;
        a.calls += r.calls;
        hits += r.hits;
        a.trades += s.trades;
    }
    a.mean_total_return = mean(total);
    a.median_total_return = median(total);
    a.mean_buy_and_hold_return = mean(hold);
    a.mean_sharpe = mean(sharpe);
    a.mean_max_drawdown = mean(drawdown);
    a.hit_rate = a.calls == 0 ? kNaN : static_cast<double>(hits) / static_cast<double>(a.calls);
    return a;
}

std::vector<std::size_t> ranking(std::span<const SymbolResult> results) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (!results[i].error) {
            order.push_back(i);
        }
    }
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        const Summary& a = results[x].summary;
        const Summary& b = results[y].summary;
        // An undefined return ranks last (and NaN must not reach the comparison).
        const double ra = std::isfinite(a.total_return) ? a.total_return : -kInfinity;
        const double rb = std::isfinite(b.total_return) ? b.total_return : -kInfinity;
        if (ra != rb) {
            return ra > rb;
        }
        const bool a_defined = std::isfinite(a.sharpe);
        const bool b_defined = std::isfinite(b.sharpe);
        if (a_defined != b_defined) {
            return a_defined;
        }
        if (a_defined && a.sharpe != b.sharpe) {
            return a.sharpe > b.sharpe;
        }
        return results[x].symbol < results[y].symbol;
    });
    return order;
}

}  // namespace gs::backtest
