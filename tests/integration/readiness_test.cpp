// Readiness against the real Redis and PostgreSQL that scripts/test.sh starts: /readyz follows
// the connection state of the clients the process itself uses (health/readiness.h).
#include <cstdlib>
#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "goldensignals/config/options.h"
#include "goldensignals/health/readiness.h"
#include "goldensignals/http/system_handlers.h"
#include "goldensignals/redis/client.h"
#include "goldensignals/redis/ping.h"
#include "goldensignals/store/pg_pool.h"
#include "support/redis_harness.h"
#include "support/test_server.h"

namespace gs {
namespace {

using namespace std::chrono_literals;
using redis::test_support::IoThread;
using redis::test_support::RedisProcess;

std::string required_env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        ADD_FAILURE() << name << " is not set: run the integration tests through scripts/test.sh";
        return {};
    }
    return value;
}

// Polls `condition` until it holds or `limit` passes; the condition's last value.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// /readyz's status and the state it reports for `dependency`.
std::pair<unsigned, std::string> readyz(const testing::TestServer& server,
                                        const std::string& dependency) {
    auto response = testing::request(server.port(), "GET", "/readyz");
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    std::string state;
    if (body.is_object() && body["dependencies"].contains(dependency)) {
        state = body["dependencies"][dependency].get<std::string>();
    }
    return {response.status, state};
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

TEST(ReadyzIntegrationTest, LiveDependenciesAreUpThroughThePoolAndTheClient) {
    testing::TestServer server;
    http::add_system_routes(server.router, server.readiness, server.registry);
    server.start();
    server.readiness.set("redis", health::State::kDown);
    server.readiness.set("postgres", health::State::kDown);

    IoThread io;
    redis::ClientOptions options;
    options.url = config::parse_redis_url(required_env("GS_TEST_REDIS_URL"));
    auto client = redis::Client::create(io.executor(), options);
    client->on_state_change(server.readiness.follow("redis"));
    client->start();
    store::PgPool pool({.url = required_env("GS_TEST_DATABASE_URL"), .connections = 1});
    // Set after the pool may already have connected: the hook still learns it is up.
    pool.on_state_change(server.readiness.follow("postgres"));

    EXPECT_TRUE(eventually([&] { return readyz(server, "redis").second == "up"; }));
    EXPECT_TRUE(eventually([&] { return readyz(server, "postgres").second == "up"; }));
    EXPECT_EQ(readyz(server, "redis").first, 200u);
    client->stop();
}

TEST(ReadyzIntegrationTest, UnreachablePostgresIsDownAnd503) {
    testing::TestServer server;
    http::add_system_routes(server.router, server.readiness, server.registry);
    server.start();
    server.readiness.set("postgres", health::State::kUp);
    store::PgPool pool({.url = "postgresql://postgres@127.0.0.1:1/postgres", .connections = 1});
    pool.on_state_change(server.readiness.follow("postgres"));
    EXPECT_TRUE(eventually([&] { return readyz(server, "postgres").second == "down"; }));
    EXPECT_EQ(readyz(server, "postgres").first, 503u);
}

// What the cluster test checks end to end: Redis stopped -> 503 with redis down, and 200
// again once it is back, with no command sent in between (the client reconnects by itself).
TEST(ReadyzIntegrationTest, RedisStoppedIsDownAndBackIsUpWithoutTraffic) {
    testing::TestServer server;
    http::add_system_routes(server.router, server.readiness, server.registry);
    server.start();
    server.readiness.set("redis", health::State::kDown);

    RedisProcess redis_server;
    IoThread io;
    redis::ClientOptions options;
    options.url = redis_server.url();
    auto client = redis::Client::create(io.executor(), options);
    client->on_state_change(server.readiness.follow("redis"));
    client->start();
    ASSERT_TRUE(eventually([&] { return readyz(server, "redis").first == 200; }));

    redis_server.stop();
    EXPECT_TRUE(eventually([&] { return readyz(server, "redis").second == "down"; }));
    EXPECT_EQ(readyz(server, "redis").first, 503u);

    redis_server.start();
    EXPECT_TRUE(eventually([&] { return readyz(server, "redis").second == "up"; }));
    EXPECT_EQ(readyz(server, "redis").first, 200u);
    client->stop();
}

}  // namespace
}  // namespace gs
