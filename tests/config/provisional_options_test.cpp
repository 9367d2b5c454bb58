#include <map>

#include <gtest/gtest.h>

#include "goldensignals/config/options.h"
#include "support/env_of.h"

namespace gs::config {
namespace {

using testing::env_of;

TEST(ProvisionalOptionsTest, OneComputationPerSecondByDefault) {
    EXPECT_EQ(parse({}, env_of({})).provisional_interval, std::chrono::milliseconds(1000));
}

TEST(ProvisionalOptionsTest, FlagWinsOverTheEnvironmentAndZeroTurnsThemOff) {
    EXPECT_EQ(parse({}, env_of({{"GS_PROVISIONAL_INTERVAL_MS", "250"}})).provisional_interval,
              std::chrono::milliseconds(250));
    EXPECT_EQ(
        parse({"--provisional-interval-ms=0"}, env_of({{"GS_PROVISIONAL_INTERVAL_MS", "250"}}))
            .provisional_interval,
        std::chrono::milliseconds(0));
}

TEST(ProvisionalOptionsTest, RefusesNegativeHugeAndNonNumbers) {
    EXPECT_THROW(parse({"--provisional-interval-ms=-1"}, env_of({})), Error);
    EXPECT_THROW(parse({"--provisional-interval-ms=3600001"}, env_of({})), Error);
    EXPECT_THROW(parse({"--provisional-interval-ms=1s"}, env_of({})), Error);
}

TEST(ProvisionalOptionsTest, ATenthOfThePoolByDefaultAndAnyShareUpToAll) {
    EXPECT_DOUBLE_EQ(parse({}, env_of({})).provisional_share, 0.1);
    EXPECT_DOUBLE_EQ(parse({}, env_of({{"GS_PROVISIONAL_SHARE", "0.25"}})).provisional_share, 0.25);
    EXPECT_DOUBLE_EQ(parse({"--provisional-share=0"}, env_of({})).provisional_share, 0.0);
    EXPECT_DOUBLE_EQ(parse({"--provisional-share=1"}, env_of({})).provisional_share, 1.0);
}

TEST(ProvisionalOptionsTest, RefusesASharePastTheWholePoolAndNonNumbers) {
    EXPECT_THROW(parse({"--provisional-share=1.5"}, env_of({})), Error);
    EXPECT_THROW(parse({"--provisional-share=-0.1"}, env_of({})), Error);
    EXPECT_THROW(parse({"--provisional-share=10%"}, env_of({})), Error);
    EXPECT_THROW(parse({"--provisional-share=nan"}, env_of({})), Error);
    EXPECT_THROW(parse({"--provisional-share="}, env_of({})), Error);
}

}  // namespace
}  // namespace gs::config
