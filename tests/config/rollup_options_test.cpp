#include <map>

#include <gtest/gtest.h>

#include "goldensignals/config/options.h"
#include "support/env_of.h"

namespace gs::config {
namespace {

using testing::env_of;

TEST(RollupOptionsTest, OnFromEveryTimeframeByDefault) {
    const auto options = parse({}, env_of({}));
    EXPECT_TRUE(options.rollup);
    EXPECT_TRUE(options.rollup_from.empty());
    EXPECT_EQ(options.rollup_grace, std::chrono::seconds(60));
}

TEST(RollupOptionsTest, ReadsTheListOfBaseTimeframesAndTheSwitch) {
    const auto options = parse({"--rollup-from=1m,1h,1m", "--rollup-grace-s=5"},
                               env_of({{"GS_ROLLUP", "false"}, {"GS_ROLLUP_FROM", "all"}}));
    EXPECT_FALSE(options.rollup);
    EXPECT_EQ(options.rollup_from,
              (std::vector<market::Timeframe>{market::Timeframe::k1m, market::Timeframe::k1h}));
    EXPECT_EQ(options.rollup_grace, std::chrono::seconds(5));
    EXPECT_TRUE(parse({"--rollup-from=all"}, env_of({})).rollup_from.empty());
}

TEST(RollupOptionsTest, RefusesAnUnknownTimeframeNamingIt) {
    try {
        parse({"--rollup-from=1m,2d"}, env_of({}));
        FAIL() << "accepted 2d";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'2d'"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse({"--rollup-from="}, env_of({})), Error);
    EXPECT_THROW(parse({"--rollup=maybe"}, env_of({})), Error);
}

}  // namespace
}  // namespace gs::config
