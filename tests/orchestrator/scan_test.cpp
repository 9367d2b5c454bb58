// The scan's pure core: filters, sorts, the page, and the summary read from a signal body.
#include "goldensignals/orchestrator/scan.h"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

namespace gs::orchestrator {
namespace {

using agents::Action;
using agents::Category;

SignalSummary summary(std::string symbol, Action action, double score, double confidence) {
    SignalSummary s;
    s.symbol = std::move(symbol);
    s.action = action;
    s.score = score;
    s.confidence = confidence;
    return s;
}

std::vector<std::string> symbols_of(const ScanResult& result) {
    std::vector<std::string> out;
    for (const auto* row : result.rows) {
        out.push_back(row->symbol);
    }
    return out;
}

class ScanTest : public ::testing::Test {
  protected:
    void SetUp() override {
        rows_ = {summary("AAA", Action::kBuy, 0.4, 0.6), summary("BBB", Action::kSell, -0.5, 0.9),
                 summary("CCC", Action::kHold, 0.05, 0.2), summary("DDD", Action::kBuy, 0.4, 0.3),
                 summary("EEE", Action::kBuy, 0.8, 0.7)};
        rows_[0].category_scores[static_cast<std::size_t>(Category::kTrend)] = -0.2;
        rows_[0].category_voters[static_cast<std::size_t>(Category::kTrend)] = 3;
        rows_[4].category_scores[static_cast<std::size_t>(Category::kTrend)] = 0.9;
        rows_[4].category_voters[static_cast<std::size_t>(Category::kTrend)] = 2;
        for (const auto& row : rows_) {
            pointers_.push_back(&row);
        }
    }
    ScanResult run(const ScanQuery& query) { return scan(pointers_, query); }

    std::vector<SignalSummary> rows_;
    std::vector<const SignalSummary*> pointers_;
};

TEST_F(ScanTest, SortsByScoreDescendingByDefaultWithTiesBySymbol) {
    auto result = run({});
    EXPECT_EQ(result.total, 5u);
    EXPECT_EQ(symbols_of(result), (std::vector<std::string>{"EEE", "AAA", "DDD", "CCC", "BBB"}));
}

TEST_F(ScanTest, EachSortOrder) {
    EXPECT_EQ(symbols_of(run({.sort = ScanSort::kScoreAscending})),
              (std::vector<std::string>{"BBB", "CCC", "AAA", "DDD", "EEE"}));
    EXPECT_EQ(symbols_of(run({.sort = ScanSort::kConfidence})),
              (std::vector<std::string>{"BBB", "EEE", "AAA", "DDD", "CCC"}));
    EXPECT_EQ(symbols_of(run({.sort = ScanSort::kSymbol})),
              (std::vector<std::string>{"AAA", "BBB", "CCC", "DDD", "EEE"}));
}

TEST_F(ScanTest, FiltersCombineAndTotalCountsBeforeTheLimit) {
    auto result = run({.action = Action::kBuy, .min_score = 0.3, .limit = 1});
    EXPECT_EQ(result.total, 3u);
    EXPECT_EQ(symbols_of(result), (std::vector<std::string>{"EEE"}));

    result = run({.min_score = -0.5, .max_score = 0.05, .min_confidence = 0.2});
    EXPECT_EQ(symbols_of(result), (std::vector<std::string>{"CCC", "BBB"}));
    EXPECT_EQ(run({.min_confidence = 0.95}).total, 0u);
}

TEST_F(ScanTest, CategoryFiltersAndSortsOnItsScoreAndDropsSeriesWithoutVoters) {
    auto result = run({.category = Category::kTrend});
    EXPECT_EQ(result.total, 2u);
    EXPECT_EQ(symbols_of(result), (std::vector<std::string>{"EEE", "AAA"}));
    // AAA's consensus score (0.4) passes min_score 0; its trend score (-0.2) does not.
    result = run({.min_score = 0.0, .category = Category::kTrend});
    EXPECT_EQ(symbols_of(result), (std::vector<std::string>{"EEE"}));
    EXPECT_DOUBLE_EQ(scan_score(rows_[0], {.category = Category::kTrend}), -0.2);
}

TEST_F(ScanTest, TheAnswerDoesNotDependOnTheOrderSummariesCome) {
    const auto expected = symbols_of(run({.limit = 3}));
    std::mt19937 random(7);
    for (int i = 0; i < 20; ++i) {
        std::shuffle(pointers_.begin(), pointers_.end(), random);
        EXPECT_EQ(symbols_of(run({.limit = 3})), expected);
    }
}

TEST(ScanSummaryTest, ReadsTheSummaryBodyOfASignal) {
    const std::string body =
        R"({"action":"SELL","as_of":"2024-01-03T00:00:00Z","bars_used":300,"categories":{)"
        R"("momentum":{"action":"SELL","score":-0.5,"voters":4},)"
        R"("pattern":{"action":"ABSTAIN","score":0,"voters":0},)"
        R"("statistical":{"action":"HOLD","score":0.1,"voters":2},)"
        R"("trend":{"action":"BUY","score":0.25,"voters":5},)"
        R"("volatility":{"action":"HOLD","score":0,"voters":1},)"
        R"("volume":{"action":"SELL","score":-0.75,"voters":3}},)"
        R"("computed_at":"2024-01-03T00:00:01Z","confidence":0.42,"score":-0.3,)"
        R"("strength":"moderate","symbol":"ABC","timeframe":"1d","votes":{}})";
    auto parsed = parse_summary(body);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->symbol, "ABC");
    EXPECT_EQ(parsed->action, Action::kSell);
    EXPECT_EQ(parsed->strength, consensus::Strength::kModerate);
    EXPECT_DOUBLE_EQ(parsed->score, -0.3);
    EXPECT_DOUBLE_EQ(parsed->confidence, 0.42);
    EXPECT_EQ(parsed->as_of, 1704240000);
    EXPECT_DOUBLE_EQ(parsed->category_scores[static_cast<std::size_t>(Category::kVolume)], -0.75);
    EXPECT_EQ(parsed->category_voters[static_cast<std::size_t>(Category::kTrend)], 5u);
    EXPECT_EQ(parsed->category_voters[static_cast<std::size_t>(Category::kPattern)], 0u);
}

TEST(ScanSummaryTest, RefusesABodyMissingAFieldOrWithAnUnknownValue) {
    EXPECT_FALSE(parse_summary("not json"));
    EXPECT_FALSE(parse_summary(R"({"action":"BUY"})"));
    EXPECT_FALSE(parse_summary(
        R"({"action":"MAYBE","as_of":"2024-01-03T00:00:00Z","categories":{},"confidence":0.1,)"
        R"("score":0.1,"strength":"weak","symbol":"A"})"));
    // Every category must be there.
    EXPECT_FALSE(parse_summary(
        R"({"action":"BUY","as_of":"2024-01-03T00:00:00Z","categories":{},"confidence":0.1,)"
        R"("score":0.1,"strength":"weak","symbol":"A"})"));
}

}  // namespace
}  // namespace gs::orchestrator
