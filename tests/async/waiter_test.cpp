#include "goldensignals/async/waiter.h"

#include <atomic>
#include <exception>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

namespace gs::async {
namespace {

namespace asio = boost::asio;

// A list of parked coroutines, as the users of park() keep them.
struct Parking {
    std::mutex mutex;
    std::vector<Waiter> waiters;

    auto wait() {
        return park([this](Waiter waiter) {
            std::lock_guard lock(mutex);
            waiters.push_back(std::move(waiter));
        });
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return waiters.size();
    }
    void resume_all_now() {
        std::vector<Waiter> ready;
        {
            std::lock_guard lock(mutex);
            ready.swap(waiters);
        }
        resume_all(std::move(ready));
    }
};

TEST(WaiterTest, ResumesOnTheParkedCoroutinesStrandNotOnTheResumingThread) {
    asio::io_context io;
    auto strand = asio::make_strand(io);
    Parking parking;
    std::atomic<bool> on_strand{false};
    std::thread::id resumed_on;
    auto done = asio::co_spawn(
        strand,
        [&]() -> asio::awaitable<void> {
            co_await parking.wait();
            on_strand = strand.running_in_this_thread();
            resumed_on = std::this_thread::get_id();
        },
        asio::use_future);
    std::thread runner([&] { io.run(); });
    while (parking.size() == 0) {
        std::this_thread::yield();
    }
    std::thread resumer([&] { parking.resume_all_now(); });
    const auto resumer_id = resumer.get_id();
    resumer.join();
    done.get();
    runner.join();
    EXPECT_TRUE(on_strand.load());
    EXPECT_NE(resumed_on, resumer_id);
}

TEST(WaiterTest, AReadyConditionResumesAtOnceThroughAPost) {
    asio::io_context io;
    int steps = 0;
    auto done = asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await park([](Waiter waiter) { std::move(waiter).resume(); });
            ++steps;
        },
        asio::use_future);
    io.run();
    done.get();
    EXPECT_EQ(steps, 1);
}

TEST(WaiterTest, AnExceptionPassedToResumeIsRethrownInTheCoroutine) {
    asio::io_context io;
    auto done = asio::co_spawn(
        io,
        []() -> asio::awaitable<void> {
            co_await park<void(std::exception_ptr)>([](auto resumer) {
                std::move(resumer).resume(std::make_exception_ptr(std::runtime_error("boom")));
            });
        },
        asio::use_future);
    io.run();
    EXPECT_THROW(done.get(), std::runtime_error);
}

TEST(WaiterTest, AnEmptyWaiterIgnoresResume) {
    Waiter waiter;
    EXPECT_FALSE(waiter);
    std::move(waiter).resume();
}

}  // namespace
}  // namespace gs::async
