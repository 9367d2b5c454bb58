#include "goldensignals/async/resume_on.h"

#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

namespace gs::async {
namespace {

namespace asio = boost::asio;

TEST(ResumeOnTest, MovesTheCoroutineToTheExecutorAndBack) {
    asio::io_context io;
    asio::thread_pool compute{1};
    std::thread::id compute_thread;
    std::promise<void> known;
    asio::post(compute, [&] {
        compute_thread = std::this_thread::get_id();
        known.set_value();
    });
    known.get_future().wait();

    std::thread::id before, during, after;
    auto done = asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            before = std::this_thread::get_id();
            const auto home = co_await asio::this_coro::executor;
            co_await resume_on(compute.get_executor());
            during = std::this_thread::get_id();
            co_await resume_on(home);
            after = std::this_thread::get_id();
        },
        asio::use_future);
    io.run();
    done.get();
    compute.join();

    EXPECT_EQ(before, std::this_thread::get_id());
    EXPECT_EQ(during, compute_thread);
    EXPECT_EQ(after, std::this_thread::get_id());
}

}  // namespace
}  // namespace gs::async
