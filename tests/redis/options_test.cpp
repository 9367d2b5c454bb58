// ClientOptions, the handshake and back-off policies, and what a client does with no server.
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "goldensignals/redis/client.h"
#include "goldensignals/redis/subscriber.h"
#include "redis/connection.h"

namespace gs::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Commands = std::vector<std::vector<std::string>>;

template <typename T>
T run_sync(asio::io_context& io, asio::awaitable<T> task) {
    auto future = asio::co_spawn(io, std::move(task), asio::use_future);
    io.restart();
    io.run();
    return future.get();
}

ErrorKind kind_of_failure(asio::io_context& io, asio::awaitable<Reply> task) {
    try {
        (void)run_sync(io, std::move(task));
    } catch (const Error& e) {
        return e.kind();
    }
    ADD_FAILURE() << "the command did not throw";
    return ErrorKind::kProtocol;
}

TEST(ClientOptionsTest, DefaultsMatchTheDesign) {
    ClientOptions options;
    EXPECT_EQ(options.connect_timeout, 1000ms);
    EXPECT_EQ(options.command_timeout, 250ms);
    // Short: the connection must be back within a fraction of a second of Redis.
    EXPECT_EQ(options.reconnect_min, 25ms);
    EXPECT_EQ(options.reconnect_max, 250ms);
    EXPECT_EQ(options.demand_interval, 50ms);
    EXPECT_EQ(options.url.host, "127.0.0.1");
    EXPECT_EQ(options.url.port, 6379);
    EXPECT_NO_THROW(validate(options));
}

TEST(ClientOptionsTest, ValidateRejectsBadValues) {
    auto bad = [](auto change) {
        ClientOptions options;
        change(options);
        return options;
    };
    EXPECT_THROW(validate(bad([](ClientOptions& o) { o.command_timeout = 0ms; })),
                 std::invalid_argument);
    EXPECT_THROW(validate(bad([](ClientOptions& o) { o.connect_timeout = -1ms; })),
                 std::invalid_argument);
    EXPECT_THROW(validate(bad([](ClientOptions& o) { o.reconnect_min = 0ms; })),
                 std::invalid_argument);
    EXPECT_THROW(validate(bad([](ClientOptions& o) { o.reconnect_max = 10ms; })),
                 std::invalid_argument);
    EXPECT_THROW(validate(bad([](ClientOptions& o) { o.demand_interval = 0ms; })),
                 std::invalid_argument);
    EXPECT_THROW(validate(bad([](ClientOptions& o) { o.name = "has space"; })),
                 std::invalid_argument);
    EXPECT_THROW(validate(bad([](ClientOptions& o) { o.url.host.clear(); })),
                 std::invalid_argument);
    EXPECT_NO_THROW(validate(bad([](ClientOptions& o) { o.name = "gs-cache"; })));
}

TEST(ClientOptionsTest, CreateRejectsBadOptions) {
    asio::io_context io;
    ClientOptions options;
    options.reconnect_max = 1ms;
    EXPECT_THROW(Client::create(io.get_executor(), options), std::invalid_argument);
    EXPECT_THROW(Subscriber::create(io.get_executor(), options), std::invalid_argument);
}

TEST(HandshakeTest, PlainUrlOnlyPings) {
    ClientOptions options;
    EXPECT_EQ(detail::handshake_commands(options), (Commands{{"PING"}}));
}

TEST(HandshakeTest, AuthenticatesSelectsAndNamesBeforePing) {
    ClientOptions options;
    options.url = redis::parse_url("redis://:s3cret@cache.internal:6380/4");
    options.name = "gs-l2";
    EXPECT_EQ(
        detail::handshake_commands(options),
        (Commands{{"AUTH", "s3cret"}, {"SELECT", "4"}, {"CLIENT", "SETNAME", "gs-l2"}, {"PING"}}));
}

TEST(BackoffTest, DoublesFromMinAndCapsAtMax) {
    ClientOptions options;
    std::vector<long> delays;
    for (unsigned attempt = 0; attempt < 9; ++attempt) {
        delays.push_back(static_cast<long>(detail::backoff_delay(options, attempt).count()));
    }
    EXPECT_EQ(delays, (std::vector<long>{25, 50, 100, 200, 250, 250, 250, 250, 250}));
    EXPECT_EQ(detail::backoff_delay(options, 1000), 250ms);
}

TEST(ClientTest, CommandBeforeStartFailsNotConnected) {
    asio::io_context io;
    auto client = Client::create(io.get_executor(), ClientOptions{});
    EXPECT_FALSE(client->connected());
    EXPECT_EQ(kind_of_failure(io, client->command({"PING"})), ErrorKind::kNotConnected);
}

TEST(ClientTest, CommandAfterStopFailsClosed) {
    asio::io_context io;
    auto client = Client::create(io.get_executor(), ClientOptions{});
    client->stop();
    EXPECT_EQ(kind_of_failure(io, client->command({"GET", "k"})), ErrorKind::kClosed);
}

TEST(ClientTest, RejectsEmptyAndPubSubCommands) {
    asio::io_context io;
    auto client = Client::create(io.get_executor(), ClientOptions{});
    EXPECT_EQ(kind_of_failure(io, client->command({})), ErrorKind::kProtocol);
    EXPECT_EQ(kind_of_failure(io, client->command({"subscribe", "news"})), ErrorKind::kProtocol);
    EXPECT_EQ(kind_of_failure(io, client->command({"MONITOR"})), ErrorKind::kProtocol);
}

TEST(ClientTest, EmptyPipelineReturnsNoReplies) {
    asio::io_context io;
    auto client = Client::create(io.get_executor(), ClientOptions{});
    EXPECT_TRUE(run_sync(io, client->pipeline({})).empty());
}

}  // namespace
}  // namespace gs::redis
