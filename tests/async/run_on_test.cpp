#include "goldensignals/async/run_on.h"

#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

namespace gs::async {
namespace {

namespace asio = boost::asio;

// Where a coroutine runs, read so that no compiler can reuse an earlier answer: clang 14 -O2
// treats std::this_thread::get_id() (glibc declares pthread_self `const`) and thread-local
// addresses as unchanged across a co_await, so read inline it reports the thread the coroutine
// started on even after it has moved (docs/coroutines.md).
struct Place {
    std::thread::id thread;
    bool on_pool = false;
    bool on_strand = false;
};

template <typename Pool, typename Strand>
[[gnu::noinline]] Place place(const Pool& pool, const Strand& strand) {
    asm volatile("" ::: "memory");
    return {std::this_thread::get_id(), pool.running_in_this_thread(),
            strand.running_in_this_thread()};
}

class RunOnTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::promise<std::thread::id> id;
        asio::post(pool, [&] { id.set_value(std::this_thread::get_id()); });
        pool_thread = id.get_future().get();
    }
    void TearDown() override { pool.join(); }

    // Runs `body` as a coroutine on a strand of the io_context (a session), on this thread.
    template <typename Body>
    void run_session(Body body) {
        auto done = asio::co_spawn(strand, std::move(body), asio::use_future);
        io.run();
        done.get();
    }
    Place here() { return place(pool.get_executor(), strand); }

    asio::io_context io;
    asio::strand<asio::io_context::executor_type> strand = asio::make_strand(io);
    asio::thread_pool pool{1};
    std::thread::id pool_thread;
    const std::thread::id io_thread = std::this_thread::get_id();
};

TEST_F(RunOnTest, RunsTheWorkOnTheExecutorThenResumesTheCallerOnItsOwn) {
    Place before, during, after;
    int result = 0;
    run_session([&]() -> asio::awaitable<void> {
        before = here();
        auto work = [&] {
            during = here();
            return 42;
        };
        result = co_await run_on(pool.get_executor(), std::move(work));
        after = here();
    });

    EXPECT_EQ(result, 42);
    EXPECT_EQ(before.thread, io_thread);
    EXPECT_TRUE(before.on_strand);
    EXPECT_EQ(during.thread, pool_thread);
    EXPECT_NE(during.thread, io_thread);
    EXPECT_TRUE(during.on_pool);
    EXPECT_FALSE(during.on_strand);
    EXPECT_EQ(after.thread, io_thread);
    EXPECT_TRUE(after.on_strand);
    EXPECT_FALSE(after.on_pool);
}

TEST_F(RunOnTest, RethrowsTheWorksExceptionInTheCallerOnItsOwnExecutor) {
    Place during, after;
    std::string caught;
    run_session([&]() -> asio::awaitable<void> {
        auto work = [&]() -> std::string {
            during = here();
            throw std::runtime_error("no bars");
        };
        try {
            co_await run_on(pool.get_executor(), std::move(work));
        } catch (const std::runtime_error& e) {
            caught = e.what();
        }
        after = here();
    });

    EXPECT_EQ(caught, "no bars");
    EXPECT_TRUE(during.on_pool);
    EXPECT_EQ(after.thread, io_thread);
    EXPECT_TRUE(after.on_strand);
}

TEST_F(RunOnTest, RunsVoidWorkAndMoveOnlyResults) {
    Place during, after;
    std::unique_ptr<int> owned;
    run_session([&]() -> asio::awaitable<void> {
        auto effect = [&] { during = here(); };
        co_await run_on(pool.get_executor(), std::move(effect));
        auto make = [] { return std::make_unique<int>(7); };
        owned = co_await run_on(pool.get_executor(), std::move(make));
        after = here();
    });

    EXPECT_EQ(during.thread, pool_thread);
    EXPECT_TRUE(during.on_pool);
    ASSERT_NE(owned, nullptr);
    EXPECT_EQ(*owned, 7);
    EXPECT_TRUE(after.on_strand);
}

}  // namespace
}  // namespace gs::async
