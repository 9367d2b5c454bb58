// The universe figures (backtest/universe.h) against values worked by hand.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "goldensignals/backtest/universe.h"

namespace gs::backtest {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

SymbolResult tested(std::string symbol, double total, double hold, double sharpe, double drawdown,
                    std::size_t calls, std::size_t hits, std::size_t trades) {
    SymbolResult r;
    r.symbol = std::move(symbol);
    r.bars = 100;
    r.summary.total_return = total;
    r.summary.buy_and_hold_return = hold;
    r.summary.sharpe = sharpe;
    r.summary.max_drawdown = drawdown;
    r.summary.trades = trades;
    r.calls = calls;
    r.hits = hits;
    return r;
}

SymbolResult failed(std::string symbol) {
    SymbolResult r;
    r.symbol = std::move(symbol);
    r.error = "no 1d bars for " + r.symbol;
    return r;
}

TEST(UniverseTest, AggregatesTheTestedSymbolsAndPoolsTheHitRate) {
    const std::vector<SymbolResult> results = {
        tested("AAA", 0.10, 0.05, 1.2, 0.08, 10, 6, 4),
        failed("BBB"),
        tested("CCC", -0.20, -0.10, kNaN, 0.30, 30, 12, 7),
        tested("DDD", 0.40, 0.50, 2.0, 0.10, 0, 0, 1),
    };
    const Aggregate a = aggregate(results);
    EXPECT_EQ(a.tested, 3u);
    EXPECT_EQ(a.failed, 1u);
    EXPECT_EQ(a.positive, 2u);           // AAA, DDD
    EXPECT_EQ(a.beat_buy_and_hold, 1u);  // AAA only (0.10 > 0.05); CCC -0.20 < -0.10
    EXPECT_NEAR(a.mean_total_return, (0.10 - 0.20 + 0.40) / 3, 1e-15);
    EXPECT_NEAR(a.median_total_return, 0.10, 1e-15);
    EXPECT_NEAR(a.mean_buy_and_hold_return, (0.05 - 0.10 + 0.50) / 3, 1e-15);
    EXPECT_NEAR(a.mean_sharpe, (1.2 + 2.0) / 2, 1e-15);  // CCC's is undefined
    EXPECT_NEAR(a.mean_max_drawdown, (0.08 + 0.30 + 0.10) / 3, 1e-15);
    EXPECT_EQ(a.calls, 40u);
    EXPECT_NEAR(a.hit_rate, 18.0 / 40.0, 1e-15);  // pooled, not the mean of 0.6 and 0.4
    EXPECT_EQ(a.trades, 12u);
}

TEST(UniverseTest, MedianOfAnEvenCountIsTheMeanOfTheMiddleTwo) {
    const std::vector<SymbolResult> results = {
        tested("A", 0.4, 0, 1, 0, 0, 0, 0), tested("B", -0.1, 0, 1, 0, 0, 0, 0),
        tested("C", 0.2, 0, 1, 0, 0, 0, 0), tested("D", 0.0, 0, 1, 0, 0, 0, 0)};
    EXPECT_NEAR(aggregate(results).median_total_return, (0.0 + 0.2) / 2, 1e-15);
}

TEST(UniverseTest, NothingTestedLeavesTheMeansUndefined) {
    const std::vector<SymbolResult> results = {failed("A")};
    const Aggregate a = aggregate(results);
    EXPECT_EQ(a.tested, 0u);
    EXPECT_EQ(a.failed, 1u);
    EXPECT_TRUE(std::isnan(a.mean_total_return));
    EXPECT_TRUE(std::isnan(a.median_total_return));
    EXPECT_TRUE(std::isnan(a.hit_rate));
}

TEST(UniverseTest, RanksByReturnThenSharpeThenSymbolAndLeavesFailuresOut) {
    const std::vector<SymbolResult> results = {
        tested("ZED", 0.10, 0, 0.5, 0, 0, 0, 0),   // 0
        failed("BAD"),                             // 1
        tested("ABC", 0.10, 0, 0.5, 0, 0, 0, 0),   // 2: ties ZED, earlier symbol
        tested("TOP", 0.30, 0, kNaN, 0, 0, 0, 0),  // 3
        tested("MID", 0.10, 0, 0.9, 0, 0, 0, 0),   // 4: same return, better Sharpe
        tested("NAN", kNaN, 0, 3.0, 0, 0, 0, 0),   // 5: undefined return: last
        tested("UND", 0.10, 0, kNaN, 0, 0, 0, 0),  // 6: same return, Sharpe undefined
    };
    EXPECT_EQ(ranking(results), (std::vector<std::size_t>{3, 4, 2, 0, 6, 5}));
}

TEST(UniverseTest, SummarizeCountsTheConsensusCallsTheForwardReturnProved) {
    Report report;
    report.bars = 5;
    report.skipped = 2;
    report.summary.total_return = 0.07;
    auto row = [](agents::Action action, double forward) {
        BarRow r;
        r.action = action;
        r.forward_return = forward;
        return r;
    };
    report.rows = {row(agents::Action::kBuy, 0.02),    // hit
                   row(agents::Action::kBuy, -0.01),   // miss
                   row(agents::Action::kSell, -0.03),  // hit
                   row(agents::Action::kHold, 0.05),   // not scored
                   row(agents::Action::kSell, kNaN)};  // horizon past the range
    const SymbolResult r = summarize("XYZ", report);
    EXPECT_EQ(r.symbol, "XYZ");
    EXPECT_EQ(r.bars, 5u);
    EXPECT_EQ(r.skipped, 2u);
    EXPECT_EQ(r.calls, 3u);
    EXPECT_EQ(r.hits, 2u);
    EXPECT_DOUBLE_EQ(r.summary.total_return, 0.07);
    EXPECT_FALSE(r.error);
}

}  // namespace
}  // namespace gs::backtest
