#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/async/waiter.h"
#include "goldensignals/market/bar.h"
#include "goldensignals/market/timeframe.h"
#include "goldensignals/metrics/histogram.h"
#include "goldensignals/store/bar_repository.h"

namespace gs::store {

struct BarCommitterOptions {
    // Bars one transaction takes at most. A single request is never split: one larger than
    // this is committed alone.
    std::size_t max_batch_bars = 20'000;
};

// Group commit of bar upserts. Concurrent callers enqueue their bars; one transaction at a
// time (BarRepository::upsert_batch) takes everything queued up to max_batch_bars and commits
// it, then completes every caller in it. No timer: a batch is whatever arrived while the
// previous transaction was in flight, so a lone request waits for nothing but its own commit.
// Why: a transaction per request costs a pool hop and several round trips each, and the
// requests of a busy instance queue behind each other for pool connections anyway.
//
// Guarantees: a caller returns only after its bars are committed (acked means durable). A
// failed transaction fails every caller in it and runs none of their `on_durable`. Batches
// commit in queue order, one at a time, and the later of two writes of one bar time wins, so
// the order of writes per series is the order of commit() calls. `on_durable` of the
// writes of a batch runs in queue order on the thread that saw the commit, before any of
// their callers resumes: what must follow the commit in the same order (the in-memory
// upsert) goes there.
class BarCommitter final {
  public:
    explicit BarCommitter(BarRepository& repository, BarCommitterOptions options = {});
    BarCommitter(const BarCommitter&) = delete;
    BarCommitter& operator=(const BarCommitter&) = delete;

    // Returns once the bars are committed and `on_durable` (if any) ran; throws the
    // repository's error otherwise, or what on_durable threw. `symbol` and `bars` must stay
    // alive until the call completes (they are read by the transaction, not copied).
    boost::asio::awaitable<void> commit(const std::string& symbol, market::Timeframe timeframe,
                                        std::span<const market::Bar> bars,
                                        std::function<void()> on_durable = {});

    // Transactions run so far (tests and metrics: with batching, fewer than commits).
    std::uint64_t transactions() const noexcept { return transactions_.load(); }

    // gs_bar_commit_transactions_total, gs_bar_commit_writes_total (the commit() calls they
    // carried: writes / transactions is the batch size), gs_bar_commit_queued (calls waiting
    // behind the transaction in flight) and gs_bar_commit_transaction_seconds (one
    // transaction, from its start to its commit or failure).
    void render_metrics(std::string& out) const;

  private:
    // One caller's write, parked until its batch is committed. Points into the caller's
    // coroutine frame, which stays put while it is parked.
    struct Pending {
        const std::string* symbol;
        market::Timeframe timeframe;
        std::span<const market::Bar> bars;
        std::function<void()>* on_durable;
        std::exception_ptr* error;
        async::Waiter waiter;
    };

    boost::asio::awaitable<void> drain();

    BarRepository& repository_;
    BarCommitterOptions options_;
    std::mutex mutex_;
    std::deque<Pending> queue_;
    bool draining_ = false;  // a drain() is running; it takes everything queued
    std::atomic<std::uint64_t> transactions_{0};
    std::atomic<std::uint64_t> writes_{0};
    std::atomic<std::uint64_t> queued_{0};
    metrics::Histogram transaction_seconds_;
};

}  // namespace gs::store
