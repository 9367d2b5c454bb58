#include "goldensignals/cache/single_flight.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace gs::cache {
namespace {

namespace asio = boost::asio;

struct Outcome {
    std::atomic<int> ok{0};
    std::atomic<int> failed{0};
    std::atomic<int> wrong{0};
};

TEST(SingleFlightTest, ConcurrentCallersComputeOnce) {
    SingleFlight<int> flights;
    std::atomic<int> computations{0};
    Outcome outcome;
    asio::io_context io(2);
    for (int i = 0; i < 100; ++i) {
        asio::co_spawn(
            asio::make_strand(io),
            [&]() -> asio::awaitable<void> {
                int v = co_await flights.run("k", [&]() -> asio::awaitable<int> {
                    ++computations;
                    asio::steady_timer t(co_await asio::this_coro::executor);
                    t.expires_after(std::chrono::milliseconds(50));
                    co_await t.async_wait(asio::use_awaitable);
                    co_return 42;
                });
                (v == 42 ? outcome.ok : outcome.wrong)++;
            },
            asio::detached);
    }
    std::thread second([&] { io.run(); });
    io.run();
    second.join();
    EXPECT_EQ(computations.load(), 1);
    EXPECT_EQ(outcome.ok.load(), 100);
    EXPECT_EQ(outcome.wrong.load(), 0);
    EXPECT_EQ(flights.in_flight(), 0u);
}

TEST(SingleFlightTest, ErrorReachesEveryWaiterAndTheNextCallRetries) {
    SingleFlight<int> flights;
    std::atomic<int> computations{0};
    Outcome outcome;
    asio::io_context io;
    auto failing = [&]() -> asio::awaitable<int> {
        ++computations;
        asio::steady_timer t(co_await asio::this_coro::executor);
        t.expires_after(std::chrono::milliseconds(10));
        co_await t.async_wait(asio::use_awaitable);
        throw std::runtime_error("boom");
    };
    for (int i = 0; i < 10; ++i) {
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                try {
                    co_await flights.run("k", failing);
                    outcome.ok++;
                } catch (const std::runtime_error&) {
                    outcome.failed++;
                }
            },
            asio::detached);
    }
    io.run();
    EXPECT_EQ(computations.load(), 1);
    EXPECT_EQ(outcome.failed.load(), 10);

    io.restart();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            int v = co_await flights.run("k", []() -> asio::awaitable<int> { co_return 7; });
            (v == 7 ? outcome.ok : outcome.wrong)++;
        },
        asio::detached);
    io.run();
    EXPECT_EQ(outcome.ok.load(), 1);
}

TEST(SingleFlightTest, DifferentKeysRunSeparately) {
    SingleFlight<int> flights;
    std::atomic<int> computations{0};
    asio::io_context io;
    for (const char* key : {"a", "b", "c"}) {
        asio::co_spawn(
            io,
            [&, key]() -> asio::awaitable<void> {
                co_await flights.run(key, [&]() -> asio::awaitable<int> {
                    ++computations;
                    co_return 1;
                });
            },
            asio::detached);
    }
    io.run();
    EXPECT_EQ(computations.load(), 3);
}

}  // namespace
}  // namespace gs::cache
