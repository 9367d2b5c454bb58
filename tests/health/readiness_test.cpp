#include "goldensignals/health/readiness.h"

#include <string>

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

TEST(ReadinessTest, MetricsGiveEachConfiguredDependencyAndTheOverallAnswer) {
    Readiness readiness;
    readiness.set("redis", State::kDisabled);
    readiness.set("postgres", State::kUp);
    std::string out;
    readiness.render_metrics(out);
    EXPECT_NE(out.find("\ngs_dependency_up{dependency=\"postgres\"} 1\n"), std::string::npos)
        << out;
    EXPECT_EQ(out.find("dependency=\"redis\""), std::string::npos) << out;  // not configured
    EXPECT_NE(out.find("\ngs_ready 1\n"), std::string::npos) << out;

    readiness.set("postgres", State::kDown);
    out.clear();
    readiness.render_metrics(out);
    EXPECT_NE(out.find("\ngs_dependency_up{dependency=\"postgres\"} 0\n"), std::string::npos)
        << out;
    EXPECT_NE(out.find("\ngs_ready 0\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace gs::health
