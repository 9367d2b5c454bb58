// BarCommitter's group commit against a repository that records each batch and can hold one
// in flight: who shares a transaction, what a failure does, the order kept and the bound.
#include "goldensignals/store/bar_committer.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gs::store {
namespace {

namespace asio = boost::asio;
using market::Bar;
using market::Timeframe;

// What one upsert_batch call was given, copied out of the callers' views.
struct Write {
    std::string symbol;
    std::vector<Bar> bars;
};

class RecordingRepository final : public BarRepository {
  public:
    boost::asio::awaitable<std::size_t> upsert(std::string, Timeframe,
                                               std::span<const Bar>) override {
        throw std::logic_error("the committer must use upsert_batch");
    }
    boost::asio::awaitable<std::vector<Bar>> load(std::string, Timeframe, std::size_t) override {
        co_return std::vector<Bar>{};
    }
    boost::asio::awaitable<void> upsert_batch(std::vector<SeriesBars> writes) override {
        std::vector<Write> copy;
        for (const auto& write : writes) {
            copy.push_back({std::string(write.symbol), {write.bars.begin(), write.bars.end()}});
        }
        batches.push_back(std::move(copy));
        if (hold_next) {
            hold_next = false;
            asio::steady_timer timer(co_await asio::this_coro::executor,
                                     asio::steady_timer::time_point::max());
            held = &timer;
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            held = nullptr;
        }
        if (fail) {
            throw std::runtime_error("transaction failed");
        }
    }

    std::vector<std::vector<Write>> batches;
    bool hold_next = false;
    bool fail = false;
    asio::steady_timer* held = nullptr;
};

std::vector<Bar> bars_from(std::int64_t time, std::size_t n, double close = 10) {
    std::vector<Bar> bars;
    for (std::size_t i = 0; i < n; ++i) {
        bars.push_back({time + static_cast<std::int64_t>(i) * 60, 10, 12, 9, close, 1});
    }
    return bars;
}

// One commit() caller: its own symbol and bars (kept alive here), and how it ended.
struct Caller {
    std::string symbol;
    std::vector<Bar> bars;
    bool done = false;
    bool failed = false;
};

class BarCommitterTest : public ::testing::Test {
  protected:
    // Starts caller `i`'s commit on the io_context; on_durable appends i to `applied_`.
    void spawn(BarCommitter& committer, Caller& caller, int i) {
        asio::co_spawn(
            asio::make_strand(io_),
            [&, i]() -> asio::awaitable<void> {
                std::function<void()> on_durable = [this, i] { applied_.push_back(i); };
                try {
                    co_await committer.commit(caller.symbol, Timeframe::k1m, caller.bars,
                                              std::move(on_durable));
                } catch (const std::exception&) {
                    caller.failed = true;
                }
                caller.done = true;
            },
            [](std::exception_ptr e) {
                if (e) {
                    std::rethrow_exception(e);
                }
            });
    }

    asio::io_context io_;
    RecordingRepository repository_;
    std::vector<int> applied_;
};

TEST_F(BarCommitterTest, ConcurrentCommitsShareOneTransaction) {
    BarCommitter committer(repository_);
    std::vector<Caller> callers(8);
    for (int i = 0; i < 8; ++i) {
        callers[i] = {"S" + std::to_string(i), bars_from(60, 2)};
        spawn(committer, callers[i], i);
    }
    io_.run();
    ASSERT_EQ(repository_.batches.size(), 1u);
    ASSERT_EQ(repository_.batches[0].size(), 8u);
    for (int i = 0; i < 8; ++i) {
        EXPECT_EQ(repository_.batches[0][i].symbol, "S" + std::to_string(i));
        EXPECT_TRUE(callers[i].done);
        EXPECT_FALSE(callers[i].failed);
    }
    EXPECT_EQ(applied_, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
    EXPECT_EQ(committer.transactions(), 1u);
}

TEST_F(BarCommitterTest, CommitsArrivingDuringATransactionShareTheNextOne) {
    BarCommitter committer(repository_);
    repository_.hold_next = true;
    std::vector<Caller> callers(4);
    callers[0] = {"A", bars_from(60, 1)};
    spawn(committer, callers[0], 0);
    io_.poll();
    ASSERT_NE(repository_.held, nullptr);
    for (int i = 1; i < 4; ++i) {
        callers[i] = {"B" + std::to_string(i), bars_from(60, 1)};
        spawn(committer, callers[i], i);
    }
    io_.poll();
    // Nobody is acked while the first transaction is in flight, not even the first caller.
    EXPECT_TRUE(applied_.empty());
    EXPECT_FALSE(callers[0].done);
    ASSERT_EQ(repository_.batches.size(), 1u);
    std::string during;
    committer.render_metrics(during);
    EXPECT_NE(during.find("\ngs_bar_commit_queued 3\n"), std::string::npos) << during;
    EXPECT_NE(during.find("\ngs_bar_commit_transactions_total 0\n"), std::string::npos) << during;
    repository_.held->cancel();
    io_.run();
    ASSERT_EQ(repository_.batches.size(), 2u);
    EXPECT_EQ(repository_.batches[0].size(), 1u);
    EXPECT_EQ(repository_.batches[1].size(), 3u);
    EXPECT_EQ(applied_, (std::vector<int>{0, 1, 2, 3}));
    // Two transactions carried the four writes; each was timed.
    std::string after;
    committer.render_metrics(after);
    EXPECT_NE(after.find("\ngs_bar_commit_transactions_total 2\n"), std::string::npos) << after;
    EXPECT_NE(after.find("\ngs_bar_commit_writes_total 4\n"), std::string::npos) << after;
    EXPECT_NE(after.find("\ngs_bar_commit_queued 0\n"), std::string::npos) << after;
    EXPECT_NE(after.find("\ngs_bar_commit_transaction_seconds_count 2\n"), std::string::npos)
        << after;
}

TEST_F(BarCommitterTest, AFailedTransactionFailsEveryCallerInItAndAppliesNothing) {
    BarCommitter committer(repository_);
    repository_.fail = true;
    std::vector<Caller> callers(5);
    for (int i = 0; i < 5; ++i) {
        callers[i] = {"S" + std::to_string(i), bars_from(60, 1)};
        spawn(committer, callers[i], i);
    }
    io_.run();
    ASSERT_EQ(repository_.batches.size(), 1u);
    for (const auto& caller : callers) {
        EXPECT_TRUE(caller.done);
        EXPECT_TRUE(caller.failed);
    }
    EXPECT_TRUE(applied_.empty());

    // The committer carries on: the next commit gets a transaction of its own and succeeds.
    repository_.fail = false;
    io_.restart();
    Caller next{"N", bars_from(60, 1)};
    spawn(committer, next, 9);
    io_.run();
    EXPECT_TRUE(next.done);
    EXPECT_FALSE(next.failed);
    EXPECT_EQ(applied_, std::vector<int>{9});
}

TEST_F(BarCommitterTest, WritesOfOneSeriesKeepTheirOrderInAndAcrossBatches) {
    BarCommitter committer(repository_);
    repository_.hold_next = true;
    std::vector<Caller> callers(4);
    // Same series, same bar time: what a later write says must win everywhere.
    callers[0] = {"ABC", bars_from(60, 1, 1.0)};
    spawn(committer, callers[0], 0);
    io_.poll();
    for (int i = 1; i < 4; ++i) {
        callers[i] = {"ABC", bars_from(60, 1, 1.0 + i)};
        spawn(committer, callers[i], i);
    }
    io_.poll();
    repository_.held->cancel();
    io_.run();
    ASSERT_EQ(repository_.batches.size(), 2u);
    ASSERT_EQ(repository_.batches[1].size(), 3u);
    for (int i = 1; i < 4; ++i) {
        EXPECT_EQ(repository_.batches[1][i - 1].bars[0].close, 1.0 + i);
    }
    EXPECT_EQ(applied_, (std::vector<int>{0, 1, 2, 3}));
}

TEST_F(BarCommitterTest, ABatchTakesAtMostMaxBatchBarsButNeverSplitsARequest) {
    BarCommitter committer(repository_, {.max_batch_bars = 4});
    std::vector<Caller> callers(11);
    for (int i = 0; i < 10; ++i) {
        callers[i] = {"S" + std::to_string(i), bars_from(60, 1)};
        spawn(committer, callers[i], i);
    }
    // Larger than the bound on its own: a batch of one.
    callers[10] = {"BIG", bars_from(60, 9)};
    spawn(committer, callers[10], 10);
    io_.run();
    ASSERT_EQ(repository_.batches.size(), 4u);
    EXPECT_EQ(repository_.batches[0].size(), 4u);
    EXPECT_EQ(repository_.batches[1].size(), 4u);
    EXPECT_EQ(repository_.batches[2].size(), 2u);
    ASSERT_EQ(repository_.batches[3].size(), 1u);
    EXPECT_EQ(repository_.batches[3][0].bars.size(), 9u);
    EXPECT_EQ(applied_.size(), 11u);
}

TEST_F(BarCommitterTest, WhatOnDurableThrowsReachesOnlyItsOwnCaller) {
    BarCommitter committer(repository_);
    Caller good{"G", bars_from(60, 1)};
    Caller bad{"B", bars_from(60, 1)};
    spawn(committer, good, 0);
    asio::co_spawn(
        asio::make_strand(io_),
        [&]() -> asio::awaitable<void> {
            std::function<void()> on_durable = [] { throw std::runtime_error("memory refused"); };
            try {
                co_await committer.commit(bad.symbol, Timeframe::k1m, bad.bars,
                                          std::move(on_durable));
            } catch (const std::runtime_error&) {
                bad.failed = true;
            }
            bad.done = true;
        },
        [](std::exception_ptr e) {
            if (e) {
                std::rethrow_exception(e);
            }
        });
    io_.run();
    EXPECT_EQ(repository_.batches.size(), 1u);
    EXPECT_TRUE(good.done);
    EXPECT_FALSE(good.failed);
    EXPECT_TRUE(bad.failed);
}

}  // namespace
}  // namespace gs::store
