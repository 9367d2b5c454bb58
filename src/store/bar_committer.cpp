#include "goldensignals/store/bar_committer.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "store/log.h"

namespace gs::store {

namespace asio = boost::asio;

BarCommitter::BarCommitter(BarRepository& repository, BarCommitterOptions options)
    : repository_(repository), options_(options) {
    options_.max_batch_bars = std::max<std::size_t>(1, options_.max_batch_bars);
}

asio::awaitable<void> BarCommitter::commit(const std::string& symbol, market::Timeframe timeframe,
                                           std::span<const market::Bar> bars,
                                           std::function<void()> on_durable) {
    auto executor = co_await asio::this_coro::executor;
    // Lives in this frame, which stays put while parked; the drain writes it before resuming.
    std::exception_ptr error;
    co_await async::park([&](async::Waiter waiter) {
        bool start = false;
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(
                Pending{&symbol, timeframe, bars, &on_durable, &error, std::move(waiter)});
            queued_.store(queue_.size(), std::memory_order_relaxed);
            start = !std::exchange(draining_, true);
        }
        // The first caller with nothing in flight starts the drain on its own executor; later
        // ones just queue behind the transaction in flight.
        if (start) {
            asio::co_spawn(executor, drain(), asio::detached);
        }
    });
    if (error) {
        std::rethrow_exception(error);
    }
}

asio::awaitable<void> BarCommitter::drain() {
    // co_spawn may run this inline, inside the first caller's commit(): yield once, so the
    // commits that are ready to run on this thread join the first transaction.
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    for (;;) {
        std::vector<Pending> batch;
        {
            std::lock_guard lock(mutex_);
            std::size_t bars = 0;
            while (!queue_.empty() && (batch.empty() || bars + queue_.front().bars.size() <=
                                                            options_.max_batch_bars)) {
                bars += queue_.front().bars.size();
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            queued_.store(queue_.size(), std::memory_order_relaxed);
            if (batch.empty()) {
                draining_ = false;
                co_return;
            }
        }
        std::vector<SeriesBars> writes;
        writes.reserve(batch.size());
        for (const auto& pending : batch) {
            writes.push_back({*pending.symbol, pending.timeframe, pending.bars});
        }
        std::exception_ptr failure;
        const auto started = std::chrono::steady_clock::now();
        try {
            co_await repository_.upsert_batch(std::move(writes));
        } catch (...) {
            failure = std::current_exception();
        }
        transaction_seconds_.observe(std::chrono::steady_clock::now() - started);
        transactions_.fetch_add(1, std::memory_order_relaxed);
        writes_.fetch_add(batch.size(), std::memory_order_relaxed);
        if (failure) {
            logger()->debug("a batch of {} bar write(s) was not committed", batch.size());
        }
        // In queue order: the order of writes per series holds past the commit too.
        for (auto& pending : batch) {
            if (failure) {
                *pending.error = failure;
            } else if (*pending.on_durable) {
                try {
                    (*pending.on_durable)();
                } catch (...) {
                    *pending.error = std::current_exception();
                }
            }
        }
        for (auto& pending : batch) {
            std::move(pending.waiter).resume();
        }
    }
}

void BarCommitter::render_metrics(std::string& out) const {
    fmt::format_to(
        std::back_inserter(out),
        "# HELP gs_bar_commit_transactions_total PostgreSQL transactions that committed (or "
        "failed) bar writes.\n"
        "# TYPE gs_bar_commit_transactions_total counter\ngs_bar_commit_transactions_total {}\n"
        "# HELP gs_bar_commit_writes_total Bar writes (requests, feed ticks) those transactions "
        "carried.\n"
        "# TYPE gs_bar_commit_writes_total counter\ngs_bar_commit_writes_total {}\n"
        "# HELP gs_bar_commit_queued Bar writes waiting for the transaction in flight.\n"
        "# TYPE gs_bar_commit_queued gauge\ngs_bar_commit_queued {}\n"
        "# HELP gs_bar_commit_transaction_seconds One bar transaction, start to commit.\n"
        "# TYPE gs_bar_commit_transaction_seconds histogram\n",
        transactions_.load(std::memory_order_relaxed), writes_.load(std::memory_order_relaxed),
        queued_.load(std::memory_order_relaxed));
    transaction_seconds_.render(out, "gs_bar_commit_transaction_seconds", "");
}

}  // namespace gs::store
