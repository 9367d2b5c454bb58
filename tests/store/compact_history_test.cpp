#include "goldensignals/store/compact_history.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gs::store {
namespace {

// Bytes as gs_compact_signal writes them: gs_fixed4, value x 10000 as big-endian int2.
void put_fixed(std::string& out, double value) {
    const auto q = static_cast<std::uint16_t>(static_cast<std::int16_t>(std::lround(value * 1e4)));
    out.push_back(static_cast<char>(q >> 8));
    out.push_back(static_cast<char>(q & 0xff));
}

AgentRegistry registry_of_three() {
    return {7, {"sma", "rsi", "atr"}, {"trend", "momentum", "volatility"}};
}

// BUY 0.7 (score implied), HOLD 0.4 with lean -0.25 (score stored), ABSTAIN.
std::string three_agents() {
    std::string bytes = "\x01";
    bytes.push_back(static_cast<char>(0));
    bytes.push_back(static_cast<char>(2 | 0x80));
    bytes.push_back(static_cast<char>(3));
    put_fixed(bytes, 0.7);
    put_fixed(bytes, 0.4);
    put_fixed(bytes, 0.0);
    put_fixed(bytes, -0.25);
    return bytes;
}

TEST(CompactHistoryTest, DecodesVotesWithImpliedAndStoredScores) {
    std::string error;
    const auto votes = decode_agent_votes(three_agents(), registry_of_three(), error);
    ASSERT_TRUE(votes.has_value()) << error;
    ASSERT_EQ(votes->size(), 3u);
    EXPECT_EQ((*votes)[0].action, 0);
    EXPECT_EQ((*votes)[0].score, 0.7);
    EXPECT_EQ((*votes)[1].action, 2);
    EXPECT_EQ((*votes)[1].confidence, 0.4);
    EXPECT_EQ((*votes)[1].score, -0.25);
    EXPECT_EQ((*votes)[2].action, 3);
    EXPECT_EQ((*votes)[2].score, 0.0);
}

TEST(CompactHistoryTest, PackedAgentsAreTheBytesTheSqlPackerWrites) {
    // BUY 0.7 (implied), HOLD 0.4 lean -0.25 (stored), ABSTAIN: three_agents() spells out the
    // bytes gs_compact_signal writes for them.
    const std::vector<PackedVote> votes = {{0, 0.7, 0.7}, {2, 0.4, -0.25}, {3, 0.0, 0.0}};
    EXPECT_EQ(pack_agents(votes), three_agents());
    // Rounded half to even like PostgreSQL's round(float8) (0.5 x 1e-4 -> 0), clamped to
    // +-3.2767; NaN and infinities are null.
    const std::vector<PackedVote> edges = {
        {1, 0.00005, -0.00005}, {2, 0.5, 7.0}, {2, std::nan(""), -INFINITY}};
    std::string error;
    const auto decoded = decode_agent_votes(pack_agents(edges), registry_of_three(), error);
    ASSERT_TRUE(decoded.has_value()) << error;
    EXPECT_EQ((*decoded)[0].confidence, 0.0);
    EXPECT_EQ((*decoded)[0].score, -0.0);
    EXPECT_EQ((*decoded)[1].confidence, 0.5);
    EXPECT_EQ((*decoded)[1].score, 3.2767);
    EXPECT_TRUE(std::isnan((*decoded)[2].confidence));
    EXPECT_TRUE(std::isnan((*decoded)[2].score));
}

TEST(CompactHistoryTest, BytesThatDoNotFitTheRegistryAreAnError) {
    std::string error;
    auto bytes = three_agents();
    EXPECT_FALSE(decode_agent_votes(bytes.substr(0, bytes.size() - 1), registry_of_three(), error));
    EXPECT_NE(error.find("registry 7"), std::string::npos) << error;
    auto registry = registry_of_three();
    registry.agents.push_back("obv");
    registry.categories.push_back("volume");
    EXPECT_FALSE(decode_agent_votes(bytes, registry, error));
    bytes[0] = 2;
    EXPECT_FALSE(decode_agent_votes(bytes, registry_of_three(), error));
    EXPECT_NE(error.find("unknown format"), std::string::npos) << error;
    EXPECT_FALSE(decode_agent_votes("", registry_of_three(), error));
}

StoredSignal stored_row() {
    StoredSignal row;
    row.as_of = 1'700'000'000;
    row.computed_at = 1'700'000'060;
    row.action = 1;
    row.strength = 2;
    row.score = -0.61234567890123;
    row.confidence = 0.8;
    row.bars_used = 250;
    row.registry_id = 7;
    row.agents = three_agents();
    return row;
}

TEST(CompactHistoryTest, JsonHasTheSignalShapeWithFourPlaceAgentNumbers) {
    const auto registry = registry_of_three();
    const auto text = history_json("ACME", market::Timeframe::k1d, stored_row(), &registry);
    const auto body = nlohmann::json::parse(text);
    EXPECT_EQ(body.at("action"), "SELL");
    EXPECT_EQ(body.at("strength"), "strong");
    EXPECT_EQ(body.at("score").get<double>(), -0.61234567890123);
    EXPECT_EQ(body.at("as_of"), "2023-11-14T22:13:20Z");
    EXPECT_EQ(body.at("bars_used"), 250);
    ASSERT_EQ(body.at("agents").size(), 3u);
    EXPECT_EQ(body.at("agents")[1], (nlohmann::json{{"name", "rsi"},
                                                    {"category", "momentum"},
                                                    {"action", "HOLD"},
                                                    {"confidence", 0.4},
                                                    {"score", -0.25}}));
    // Served as the 4-place decimal it is.
    EXPECT_NE(text.find("\"confidence\":0.7,"), std::string::npos) << text;
    // Keys in the order orchestrator::to_json writes them.
    EXPECT_LT(text.find("\"symbol\""), text.find("\"as_of\""));
    EXPECT_LT(text.find("\"agents\""), text.find("\"computed_at\""));
    EXPECT_FALSE(body.contains("votes")) << "no summary stored";
}

TEST(CompactHistoryTest, NullSentinelIsServedAsNull) {
    auto row = stored_row();
    (*row.agents)[1 + 3 + 2] = static_cast<char>(0x80);  // second confidence: -32768
    (*row.agents)[1 + 3 + 3] = 0;
    const auto registry = registry_of_three();
    const auto body =
        nlohmann::json::parse(history_json("ACME", market::Timeframe::k1d, row, &registry));
    EXPECT_TRUE(body.at("agents")[1].at("confidence").is_null()) << body;
    EXPECT_EQ(body.at("agents")[1].at("score"), -0.25);
}

TEST(CompactHistoryTest, UnknownRegistryGivesAgentsErrorAndKeepsTheRest) {
    const auto body =
        nlohmann::json::parse(history_json("ACME", market::Timeframe::k1h, stored_row(), nullptr));
    EXPECT_FALSE(body.contains("agents"));
    EXPECT_NE(body.at("agents_error").get<std::string>().find("registry 7"), std::string::npos);
    EXPECT_EQ(body.at("timeframe"), "1h");
    EXPECT_EQ(body.at("confidence"), 0.8);
}

TEST(CompactHistoryTest, SummaryDecodesVotesAndCategories) {
    StoredSignal row = stored_row();
    std::string summary = "\x01";
    for (std::uint16_t count : {3, 1, 40, 7}) {
        summary.push_back(static_cast<char>(count >> 8));
        summary.push_back(static_cast<char>(count & 0xff));
    }
    for (int c = 0; c < 6; ++c) {
        summary.push_back(static_cast<char>(c == 0 ? 0 : 3));
        summary.push_back(0);
        summary.push_back(static_cast<char>(c == 0 ? 9 : 0));
        put_fixed(summary, c == 0 ? 0.125 : 0.0);
    }
    row.summary = summary;
    const auto body =
        nlohmann::json::parse(history_json("ACME", market::Timeframe::k1d, row, nullptr));
    EXPECT_EQ(body.at("votes").at("hold"), 40);
    EXPECT_EQ(body.at("categories").at("trend"),
              (nlohmann::json{{"score", 0.125}, {"action", "BUY"}, {"voters", 9}}));
    EXPECT_EQ(body.at("categories").at("statistical").at("action"), "ABSTAIN");
    row.summary = summary.substr(1);
    EXPECT_FALSE(nlohmann::json::parse(history_json("ACME", market::Timeframe::k1d, row, nullptr))
                     .contains("votes"));
}

}  // namespace
}  // namespace gs::store
