#include "goldensignals/consensus/consensus.h"

#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace gs::consensus {
namespace {

using agents::Action;
using agents::AgentDef;
using agents::AgentResult;
using agents::Category;

AgentResult never(const market::BarsView&, agents::Workspace&) {
    return {};
}
void no_series(const market::BarsView&, agents::SeriesSet&) {}

const AgentDef kTrendA{"trend_a", Category::kTrend, "{}", 1, never, no_series};
const AgentDef kTrendB{"trend_b", Category::kTrend, "{}", 1, never, no_series};
const AgentDef kMomA{"mom_a", Category::kMomentum, "{}", 1, never, no_series};
const AgentDef kMomB{"mom_b", Category::kMomentum, "{}", 1, never, no_series};
const AgentDef kMomC{"mom_c", Category::kMomentum, "{}", 1, never, no_series};
const AgentDef kVolA{"vol_a", Category::kVolatility, "{}", 1, never, no_series};

struct Vote {
    const AgentDef* def;
    AgentResult result;
};

Consensus run(const std::vector<Vote>& votes, const Config& config = {}) {
    std::vector<const AgentDef*> defs;
    std::vector<AgentResult> results;
    for (const auto& v : votes) {
        defs.push_back(v.def);
        results.push_back(v.result);
    }
    return build(results, defs, config);
}

TEST(ConsensusTest, UnanimousBuyIsStrongBuy) {
    auto c = run({{&kTrendA, agents::buy(0.9, "")}, {&kMomA, agents::buy(0.9, "")}});
    EXPECT_EQ(c.action, Action::kBuy);
    EXPECT_NEAR(c.score, 0.9, 1e-12);
    EXPECT_EQ(c.strength, Strength::kStrong);
    EXPECT_NEAR(c.confidence, 1.0, 1e-12);  // all weight agrees, |score| past 0.5
    EXPECT_EQ(c.votes.buy, 2);
}

TEST(ConsensusTest, CategoriesWeighEquallyWhateverTheirSize) {
    // Three momentum SELLs against one trend BUY of the same confidence: the two
    // categories have equal shares, so the score is 0, not -0.5.
    auto c = run({{&kTrendA, agents::buy(0.8, "")},
                  {&kMomA, agents::sell(0.8, "")},
                  {&kMomB, agents::sell(0.8, "")},
                  {&kMomC, agents::sell(0.8, "")}});
    EXPECT_NEAR(c.score, 0.0, 1e-12);
    EXPECT_EQ(c.action, Action::kHold);
    const auto& momentum = c.categories[static_cast<std::size_t>(Category::kMomentum)];
    EXPECT_NEAR(momentum.score, -0.8, 1e-12);
    EXPECT_EQ(momentum.action, Action::kSell);
    EXPECT_EQ(momentum.voters, 3);
}

TEST(ConsensusTest, AbstentionsAreLeftOutAndCounted) {
    auto c = run({{&kTrendA, agents::buy(0.6, "")},
                  {&kTrendB, agents::abstain("few bars")},
                  {&kMomA, agents::abstain("few bars")}});
    EXPECT_NEAR(c.score, 0.6, 1e-12);  // trend alone carries the vote
    EXPECT_EQ(c.votes.abstain, 2);
    EXPECT_EQ(c.categories[static_cast<std::size_t>(Category::kMomentum)].action, Action::kAbstain);
}

TEST(ConsensusTest, HoldVotesDiluteTheScore) {
    auto c = run({{&kTrendA, agents::buy(0.6, "")}, {&kTrendB, agents::hold(0.8, 0.0, "")}});
    EXPECT_NEAR(c.score, 0.3, 1e-12);
    EXPECT_EQ(c.action, Action::kBuy);
    EXPECT_EQ(c.strength, Strength::kModerate);
    // Half the weight agrees; |score| 0.3 is 0.6 of the way to strong.
    EXPECT_NEAR(c.confidence, 0.5 * (0.5 + 0.5 * 0.6), 1e-12);
}

TEST(ConsensusTest, ThresholdsAreInclusive) {
    auto at_buy = run({{&kTrendA, agents::buy(0.1, "")}});
    EXPECT_EQ(at_buy.action, Action::kBuy);
    EXPECT_EQ(at_buy.strength, Strength::kWeak);
    auto below = run({{&kTrendA, agents::buy(0.099, "")}});
    EXPECT_EQ(below.action, Action::kHold);
    auto at_sell = run({{&kTrendA, agents::sell(0.1, "")}});
    EXPECT_EQ(at_sell.action, Action::kSell);
    auto moderate = run({{&kTrendA, agents::sell(0.25, "")}});
    EXPECT_EQ(moderate.strength, Strength::kModerate);
    auto strong = run({{&kTrendA, agents::sell(0.5, "")}});
    EXPECT_EQ(strong.strength, Strength::kStrong);
}

TEST(ConsensusTest, NoVotersMeansHoldWithNoConfidence) {
    auto c = run({{&kTrendA, agents::abstain("x")}});
    EXPECT_EQ(c.action, Action::kHold);
    EXPECT_EQ(c.score, 0.0);
    EXPECT_EQ(c.confidence, 0.0);
    auto empty = run({});
    EXPECT_EQ(empty.action, Action::kHold);
}

TEST(ConsensusTest, CategoryAndAgentWeightsFromConfig) {
    Config config = parse_config(R"({
        "category_weights": {"trend": 3, "momentum": 1},
        "agent_weights": {"trend_b": 0}
    })");
    auto c = run({{&kTrendA, agents::buy(1.0, "")},
                  {&kTrendB, agents::sell(1.0, "")},
                  {&kMomA, agents::sell(1.0, "")}},
                 config);
    // trend has 3/4 of the weight and inside it trend_b weighs 0: 0.75 * 1 + 0.25 * -1.
    EXPECT_NEAR(c.score, 0.5, 1e-12);
    EXPECT_EQ(c.action, Action::kBuy);
}

TEST(ConsensusTest, HoldConfidenceIsHighWhenClearlyNeutral) {
    auto neutral =
        run({{&kTrendA, agents::hold(0.9, 0.0, "")}, {&kMomA, agents::hold(0.9, 0.0, "")}});
    EXPECT_EQ(neutral.action, Action::kHold);
    EXPECT_NEAR(neutral.confidence, 1.0, 1e-12);
    auto leaning = run({{&kTrendA, agents::buy(0.18, "")}, {&kMomA, agents::hold(0.9, 0.0, "")}});
    EXPECT_EQ(leaning.action, Action::kHold);
    EXPECT_LT(leaning.confidence, neutral.confidence);
}

bool same_bits(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

// The default (uniform-weight) config takes a branch-free path; a config naming an agent that
// is not voting (weight 1 for everyone who is) takes the general one. They must agree to the bit
// on any votes, with categories interleaved, abstentions and zero confidences included.
TEST(ConsensusTest, TheUniformFastPathEqualsTheGeneralPathBitForBit) {
    const AgentDef* defs_pool[] = {&kTrendA, &kMomA, &kTrendB, &kVolA, &kMomB, &kMomC};
    Config general;
    general.agent_weights["not_an_agent"] = 1.0;
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> action(0, 3);
    std::uniform_int_distribution<int> pick(0, 5);
    std::uniform_real_distribution<double> confidence(0.0, 1.0);
    for (int round = 0; round < 2000; ++round) {
        std::vector<Vote> votes;
        const int n = 1 + round % 40;
        for (int i = 0; i < n; ++i) {
            const double conf = round % 7 == 0 ? 0.0 : confidence(rng);
            AgentResult r;
            switch (static_cast<Action>(action(rng))) {
                case Action::kBuy:
                    r = agents::buy(conf, "");
                    break;
                case Action::kSell:
                    r = agents::sell(conf, "");
                    break;
                case Action::kHold:
                    r = agents::hold(conf, 0.0, "");
                    break;
                case Action::kAbstain:
                    r = agents::abstain("");
                    break;
            }
            votes.push_back({defs_pool[pick(rng)], r});
        }
        const Consensus fast = run(votes);
        const Consensus slow = run(votes, general);
        ASSERT_EQ(fast.action, slow.action) << "round " << round;
        ASSERT_EQ(fast.strength, slow.strength) << "round " << round;
        ASSERT_TRUE(same_bits(fast.score, slow.score)) << "round " << round;
        ASSERT_TRUE(same_bits(fast.confidence, slow.confidence)) << "round " << round;
        ASSERT_EQ(fast.votes.buy, slow.votes.buy);
        ASSERT_EQ(fast.votes.sell, slow.votes.sell);
        ASSERT_EQ(fast.votes.hold, slow.votes.hold);
        ASSERT_EQ(fast.votes.abstain, slow.votes.abstain);
        for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
            ASSERT_EQ(fast.categories[c].action, slow.categories[c].action);
            ASSERT_EQ(fast.categories[c].voters, slow.categories[c].voters);
            ASSERT_TRUE(same_bits(fast.categories[c].score, slow.categories[c].score))
                << "round " << round << " category " << c;
        }
    }
}

TEST(ConsensusConfigTest, RejectsBadValues) {
    EXPECT_THROW(parse_config("{"), std::runtime_error);
    EXPECT_THROW(parse_config(R"({"category_weights": {"astrology": 1}})"), std::runtime_error);
    EXPECT_THROW(parse_config(R"({"category_weights": {"trend": -1}})"), std::runtime_error);
    EXPECT_THROW(parse_config(R"({"thresholds": {"buy": 0}})"), std::runtime_error);
    EXPECT_THROW(parse_config(R"({"thresholds": {"strong": 0.2, "moderate": 0.3}})"),
                 std::runtime_error);
    EXPECT_THROW(parse_config(R"({"agent_weights": {"rsi": "big"}})"), std::runtime_error);
    // Beyond a double: nlohmann reports out_of_range, not parse_error (found by fuzzing).
    EXPECT_THROW(parse_config(R"({"thresholds": {"buy": 2e308}})"), std::runtime_error);
    EXPECT_THROW(parse_config(R"({"weighting": "hedge"})"), std::runtime_error);
    EXPECT_THROW(parse_config(R"({"weighting": true})"), std::runtime_error);
}

TEST(ConsensusConfigTest, WeightingIsStaticUnlessTheConfigSaysAdaptive) {
    EXPECT_FALSE(parse_config("{}").adaptive);
    const Config explicit_static = parse_config(R"({"weighting": "static"})");
    EXPECT_FALSE(explicit_static.adaptive);
    EXPECT_EQ(explicit_static.fingerprint(), Config{}.fingerprint());
    const Config adaptive = parse_config(R"({"weighting": "adaptive"})");
    EXPECT_TRUE(adaptive.adaptive);
    // Adaptive signals never answer for static ones: their cache keys differ.
    EXPECT_NE(adaptive.fingerprint(), Config{}.fingerprint());
}

TEST(ConsensusConfigTest, ShippedFileMatchesTheDefaults) {
    auto shipped = load_config(GS_SOURCE_DIR "/config/consensus.json");
    EXPECT_EQ(shipped.fingerprint(), Config{}.fingerprint());
}

TEST(ConsensusConfigTest, FingerprintChangesWithAnyWeight) {
    Config a;
    Config b;
    b.agent_weights["rsi"] = 2.0;
    Config c;
    c.category_weights[2] = 0.5;
    EXPECT_NE(a.fingerprint(), b.fingerprint());
    EXPECT_NE(a.fingerprint(), c.fingerprint());
}

}  // namespace
}  // namespace gs::consensus
