// Readiness against the real Redis and PostgreSQL that scripts/test.sh starts.
#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "goldensignals/config/options.h"
#include "goldensignals/health/prober.h"
#include "goldensignals/http/system_handlers.h"
#include "goldensignals/redis/ping.h"
#include "goldensignals/store/ping.h"
#include "support/test_server.h"

namespace gs {
namespace {

std::string required_env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        ADD_FAILURE() << name << " is not set: run the integration tests through scripts/test.sh";
        return {};
    }
    return value;
}

TEST(RedisPingTest, LiveServerAnswers) {
    auto url = config::parse_redis_url(required_env("GS_TEST_REDIS_URL"));
    EXPECT_TRUE(redis::ping(url, std::chrono::seconds(2)));
}

TEST(RedisPingTest, ClosedPortIsDown) {
    auto url = config::parse_redis_url(required_env("GS_TEST_REDIS_URL"));
    url.port = 1;  // nothing listens on tcpmux here
    EXPECT_FALSE(redis::ping(url, std::chrono::milliseconds(500)));
}

TEST(PostgresPingTest, LiveServerAnswers) {
    EXPECT_TRUE(store::ping(required_env("GS_TEST_DATABASE_URL"), std::chrono::seconds(2)));
}

TEST(PostgresPingTest, ClosedPortIsDown) {
    EXPECT_FALSE(
        store::ping("postgresql://postgres@127.0.0.1:1/postgres", std::chrono::seconds(1)));
}

TEST(ReadyzIntegrationTest, ReportsLiveDependenciesUpAndDeadOnesDown) {
    testing::TestServer server;
    http::add_system_routes(server.router, server.readiness, server.registry);
    server.start();

    auto redis_url = config::parse_redis_url(required_env("GS_TEST_REDIS_URL"));
    auto database_url = required_env("GS_TEST_DATABASE_URL");
    {
        health::Prober prober(server.readiness, std::chrono::milliseconds(50));
        prober.add("redis", [&] { return redis::ping(redis_url, std::chrono::seconds(1)); });
        prober.add("postgres", [&] { return store::ping(database_url, std::chrono::seconds(1)); });
        // The first round of checks always completes before the prober's destructor returns.
        prober.start();
    }
    auto up = testing::request(server.port(), "GET", "/readyz");
    EXPECT_EQ(up.status, 200u) << up.body;
    auto body = nlohmann::json::parse(up.body);
    EXPECT_EQ(body["dependencies"]["redis"], "up");
    EXPECT_EQ(body["dependencies"]["postgres"], "up");

    {
        auto dead = redis_url;
        dead.port = 1;
        health::Prober prober(server.readiness, std::chrono::milliseconds(50));
        prober.add("redis", [&] { return redis::ping(dead, std::chrono::milliseconds(300)); });
        prober.start();
    }
    auto down = testing::request(server.port(), "GET", "/readyz");
    EXPECT_EQ(down.status, 503u);
    EXPECT_EQ(nlohmann::json::parse(down.body)["dependencies"]["redis"], "down");
}

}  // namespace
}  // namespace gs
