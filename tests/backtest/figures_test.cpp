// The backtest figures (src/backtest/figures.cpp) against an independent computation: the cases
// of tests/backtest/data/expected.json, written by tests/backtest/reference.py (Python, from
// docs/backtest.md) over tests/backtest/data/fixture.csv, and hand-worked fixtures.
#include "goldensignals/backtest/figures.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/reference_data.h"

namespace gs::backtest {
namespace {

using agents::Action;
using nlohmann::json;

Action action_of(const std::string& text) {
    if (text == "BUY") {
        return Action::kBuy;
    }
    if (text == "SELL") {
        return Action::kSell;
    }
    return text == "HOLD" ? Action::kHold : Action::kAbstain;
}

Track track_of(const testing::ReferenceTable& table, const std::string& prefix) {
    Track track;
    for (const auto& a : table.text_column(prefix + "action")) {
        track.action.push_back(action_of(a));
    }
    track.score = table.column(prefix + "score");
    return track;
}

// `got` equals `want` (null = NaN) to 1e-11 relative.
void expect_figure(double got, const json& want, const std::string& what) {
    if (want.is_null()) {
        EXPECT_TRUE(std::isnan(got)) << what << " is " << got << ", expected null";
        return;
    }
    const double w = want.get<double>();
    EXPECT_NEAR(got, w, 1e-11 * std::max(1.0, std::abs(w))) << what;
}

struct Fixture {
    testing::ReferenceTable table = testing::ReferenceTable::load(
        std::string(GS_SOURCE_DIR) + "/tests/backtest/data/fixture.csv");
    std::vector<std::int64_t> time;
    Trace trace;

    Fixture() {
        for (double t : table.column("time")) {
            time.push_back(static_cast<std::int64_t>(t));
        }
        trace.consensus = track_of(table, "");
        for (double v : table.column("voters")) {
            trace.voters.push_back(static_cast<std::uint16_t>(v));
        }
        for (const std::string name : {"a0", "a1", "a2"}) {
            trace.agents.push_back(track_of(table, name + "_"));
        }
    }
};

TEST(BacktestFiguresTest, EqualTheIndependentPythonComputation) {
    const Fixture fixture;
    std::ifstream in(std::string(GS_SOURCE_DIR) + "/tests/backtest/data/expected.json");
    ASSERT_TRUE(in) << "tests/backtest/data/expected.json";
    const json expected = json::parse(in);
    ASSERT_EQ(expected.at("cases").size(), 6u);
    for (const json& c : expected.at("cases")) {
        const std::string name = c.at("name");
        SCOPED_TRACE(name);
        Options options;
        options.horizon = c.at("horizon");
        options.fee_bps = c.at("fee_bps");
        options.mode = c.at("mode") == "long_only" ? Mode::kLongOnly : Mode::kLongShort;
        options.periods_per_year = c.at("periods_per_year");
        const Report report = evaluate({fixture.time, fixture.table.column("close"), &fixture.trace,
                                        c.at("begin"), c.at("end")},
                                       options);
        EXPECT_EQ(report.bars, c.at("bars").get<std::size_t>());
        EXPECT_EQ(report.skipped, c.at("skipped").get<std::size_t>());
        const json& s = c.at("summary");
        expect_figure(report.summary.total_return, s.at("total_return"), "total_return");
        expect_figure(report.summary.buy_and_hold_return, s.at("buy_and_hold_return"),
                      "buy_and_hold_return");
        expect_figure(report.summary.cagr, s.at("cagr"), "cagr");
        expect_figure(report.summary.sharpe, s.at("sharpe"), "sharpe");
        expect_figure(report.summary.sortino, s.at("sortino"), "sortino");
        expect_figure(report.summary.max_drawdown, s.at("max_drawdown"), "max_drawdown");
        expect_figure(report.summary.hit_rate, s.at("hit_rate"), "hit_rate");
        EXPECT_EQ(report.summary.trades, s.at("trades").get<std::size_t>());
        expect_figure(report.summary.exposure, s.at("exposure"), "exposure");
        expect_figure(report.summary.turnover, s.at("turnover"), "turnover");
        for (const auto action : {Action::kBuy, Action::kSell, Action::kHold}) {
            const std::string key(agents::to_string(action));
            const auto& got = report.by_action[static_cast<std::size_t>(action)];
            const json& want = c.at("by_action").at(key);
            EXPECT_EQ(got.count, want.at("count").get<std::size_t>()) << key;
            expect_figure(got.hit_rate, want.at("hit_rate"), key + " hit_rate");
            expect_figure(got.avg_forward_return, want.at("avg_forward_return"),
                          key + " avg_forward_return");
        }
        ASSERT_EQ(report.agents.size(), c.at("tracks").size());
        for (std::size_t i = 0; i < report.agents.size(); ++i) {
            const json& want = c.at("tracks")[i];
            const std::string track = want.at("name");
            EXPECT_EQ(report.agents[i].signals, want.at("signals").get<std::size_t>()) << track;
            expect_figure(report.agents[i].hit_rate, want.at("hit_rate"), track + " hit_rate");
            expect_figure(report.agents[i].avg_forward_return, want.at("avg_forward_return"),
                          track + " avg_forward_return");
            expect_figure(report.agents[i].ic, want.at("ic"), track + " ic");
        }
        ASSERT_EQ(report.rows.size(), c.at("positions").size());
        for (std::size_t i = 0; i < report.rows.size(); ++i) {
            EXPECT_EQ(report.rows[i].position, c.at("positions")[i].get<int>()) << "row " << i;
            expect_figure(report.rows[i].forward_return, c.at("forward_returns")[i],
                          "forward_return row " + std::to_string(i));
            expect_figure(report.rows[i].equity, c.at("equity")[i],
                          "equity row " + std::to_string(i));
        }
    }
}

// Worked by hand (docs/backtest.md's example): closes 100, 110, 99, 99; BUY, SELL, HOLD, BUY;
// long_short, 10 bps, horizon 1.
TEST(BacktestFiguresTest, HandWorkedFourBars) {
    const std::vector<std::int64_t> time = {0, 86400, 172800, 259200};
    const std::vector<double> close = {100, 110, 99, 99};
    Trace trace;
    trace.consensus.action = {Action::kBuy, Action::kSell, Action::kHold, Action::kBuy};
    trace.consensus.score = {0.4, -0.3, 0.05, 0.2};
    trace.voters = {3, 3, 3, 3};
    const Report r = evaluate({time, close, &trace, 0, 4}, {.horizon = 1, .fee_bps = 10.0});
    // r1 = +1 x 10 % - 0.1 % x 1 = 0.099; r2 = -1 x -10 % - 0.1 % x 2 = 0.098;
    // r3 = 0 - 0.1 % x 1 = -0.001.
    EXPECT_EQ(r.bars, 4u);
    EXPECT_EQ(r.skipped, 0u);
    EXPECT_NEAR(r.summary.total_return, 1.099 * 1.098 * 0.999 - 1.0, 1e-15);
    EXPECT_NEAR(r.summary.buy_and_hold_return, -0.01, 1e-15);
    EXPECT_NEAR(r.summary.max_drawdown, 0.001, 1e-15);
    EXPECT_EQ(r.summary.trades, 3u);
    EXPECT_EQ(r.summary.turnover, 4.0);
    EXPECT_NEAR(r.summary.exposure, 2.0 / 3.0, 1e-15);
    EXPECT_EQ(r.summary.hit_rate, 1.0);  // BUY at 100 -> 110, SELL at 110 -> 99
    const double mean = (0.099 + 0.098 - 0.001) / 3.0;
    const double sd = std::sqrt(
        (std::pow(0.099 - mean, 2) + std::pow(0.098 - mean, 2) + std::pow(-0.001 - mean, 2)) / 2.0);
    EXPECT_NEAR(r.summary.sharpe, mean / sd * std::sqrt(252.0), 1e-12);
    EXPECT_NEAR(r.summary.sortino, mean / std::sqrt(0.001 * 0.001 / 3.0) * std::sqrt(252.0), 1e-9);
    EXPECT_NEAR(r.summary.cagr, std::pow(1.099 * 1.098 * 0.999, 252.0 / 3.0) - 1.0, 1e-6);
    const auto& buy = r.by_action[0];
    EXPECT_EQ(buy.count, 2u);  // the last BUY has no next bar: counted, not scored
    EXPECT_EQ(buy.hit_rate, 1.0);
    EXPECT_NEAR(buy.avg_forward_return, 0.1, 1e-15);
    EXPECT_NEAR(r.by_action[1].avg_forward_return, -0.1, 1e-15);
    EXPECT_TRUE(std::isnan(r.by_action[2].hit_rate));
    EXPECT_EQ(r.by_action[2].avg_forward_return, 0.0);
    ASSERT_EQ(r.rows.size(), 4u);
    EXPECT_EQ(r.rows[3].position, 1);
    EXPECT_TRUE(std::isnan(r.rows[3].forward_return));
    EXPECT_NEAR(r.rows[3].equity, 1.0 + r.summary.total_return, 1e-15);

    // long_only: the SELL is flat. r1 = 0.099, r2 = 0 - 0.1 % x 1, r3 = 0.
    const Report lo = evaluate({time, close, &trace, 0, 4},
                               {.horizon = 1, .fee_bps = 10.0, .mode = Mode::kLongOnly});
    EXPECT_NEAR(lo.summary.total_return, 1.099 * 0.999 - 1.0, 1e-15);
    EXPECT_EQ(lo.summary.trades, 2u);
    EXPECT_NEAR(lo.summary.exposure, 1.0 / 3.0, 1e-15);
}

TEST(BacktestFiguresTest, SpearmanAveragesTiedRanks) {
    // Ranks x = 1, 2.5, 2.5, 4 and y = 1, 3, 2, 4: 4.5 / sqrt(4.5 x 5).
    EXPECT_NEAR(spearman(std::vector<double>{1, 2, 2, 3}, std::vector<double>{1, 3, 2, 4}),
                4.5 / std::sqrt(22.5), 1e-15);
    EXPECT_TRUE(std::isnan(spearman(std::vector<double>{1, 1, 1}, std::vector<double>{1, 2, 3})));
    EXPECT_TRUE(std::isnan(spearman(std::vector<double>{1}, std::vector<double>{1})));
}

TEST(BacktestFiguresTest, DownsampleKeepsTheEndsAndTheLimit) {
    const auto all = downsample(10, 1000);
    ASSERT_EQ(all.size(), 10u);
    EXPECT_EQ(all.back(), 9u);
    const auto some = downsample(2500, 1000);
    ASSERT_EQ(some.size(), 1000u);
    EXPECT_EQ(some.front(), 0u);
    EXPECT_EQ(some.back(), 2499u);
    for (std::size_t i = 1; i < some.size(); ++i) {
        EXPECT_LT(some[i - 1], some[i]);
        EXPECT_LE(some[i] - some[i - 1], 3u);  // evenly spaced: steps of 2 or 3
    }
}

TEST(BacktestFiguresTest, AnnualisationFollowsTheTimeframe) {
    EXPECT_EQ(periods_per_year(market::Timeframe::k1d), 252.0);
    EXPECT_EQ(periods_per_year(market::Timeframe::k1w), 52.0);
    EXPECT_EQ(periods_per_year(market::Timeframe::k1h), 1638.0);
    EXPECT_EQ(periods_per_year(market::Timeframe::k4h), 409.5);
    EXPECT_EQ(periods_per_year(market::Timeframe::k1m), 98280.0);
}

}  // namespace
}  // namespace gs::backtest
