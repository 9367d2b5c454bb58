#include "goldensignals/health/readiness.h"

#include <gtest/gtest.h>

namespace gs::health {
namespace {

TEST(ReadinessTest, FollowMapsAClientsStateChangesToItsEntry) {
    Readiness readiness;
    readiness.set("postgres", State::kDown);
    readiness.set("redis", State::kUp);
    auto postgres = readiness.follow("postgres");
    EXPECT_FALSE(readiness.ready());
    postgres(true);
    EXPECT_EQ(readiness.get("postgres"), State::kUp);
    EXPECT_TRUE(readiness.ready());
    postgres(false);
    EXPECT_EQ(readiness.get("postgres"), State::kDown);
    EXPECT_EQ(readiness.get("redis"), State::kUp);
    EXPECT_FALSE(readiness.ready());
}

TEST(ReadinessTest, DisabledDependenciesDoNotMakeItUnready) {
    Readiness readiness;
    readiness.set("redis", State::kDisabled);
    readiness.set("postgres", State::kUp);
    EXPECT_TRUE(readiness.ready());
}

}  // namespace
}  // namespace gs::health
