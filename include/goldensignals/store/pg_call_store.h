#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "goldensignals/accuracy/live_accuracy.h"
#include "goldensignals/store/pg_pool.h"

namespace gs::store {

struct PgCallStoreOptions {
    std::size_t max_batch = 5'000;     // calls per COPY
    std::size_t max_queued = 200'000;  // beyond it the oldest queued calls are dropped (counted)
    std::chrono::milliseconds retry{1000};  // after a failed write
    // After a write, before the next batch is taken (unless max_batch are queued): calls
    // gather into fewer, larger runs. A restart can lose at most this much more.
    std::chrono::milliseconds linger{250};
    bool maintain_partitions = true;  // live_calls' monthly partitions, once a day
    int partition_months_ahead = 3;
};

// Live accuracy's scored calls in PostgreSQL (live_calls, sql/0007_live_accuracy.sql and
// sql/0009_live_call_runs.sql). keep() only queues: the ingest path never waits for PostgreSQL.
// A writer on its own strand COPYs what is queued in batches, one row per (timeframe, track) of
// a batch (calls that arrive while one is in flight or during the linger after it go in the
// next), retries while PostgreSQL is down and drops the oldest calls past max_queued. load()
// refills the windows at start.
class PgCallStore final : public accuracy::CallSink {
  public:
    PgCallStore(PgPool& pool, boost::asio::any_io_executor executor,
                PgCallStoreOptions options = {});

    void keep(std::vector<accuracy::ScoredCall> calls) override;
    // Waits until every row queued before the call is written or `timeout` passes; returns the
    // rows still queued. Later keep()s are refused (dropped) once `stop` was asked.
    boost::asio::awaitable<std::size_t> flush(std::chrono::milliseconds timeout);
    boost::asio::awaitable<std::size_t> stop(std::chrono::milliseconds timeout);
    // The newest `window` calls of every (timeframe, track) of `tracks`, oldest first (by the
    // order they were written). Throws store::Error.
    boost::asio::awaitable<std::vector<accuracy::ScoredCall>> load(std::vector<std::string> tracks,
                                                                   std::size_t window);

    // gs_live_calls_written_total, gs_live_calls_dropped_total, gs_live_calls_queued.
    void render_metrics(std::string& out) const;

  private:
    boost::asio::awaitable<void> drain();
    std::size_t queued() const;

    PgPool& pool_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    PgCallStoreOptions options_;
    mutable std::mutex mutex_;
    std::deque<accuracy::ScoredCall> queue_;  // guarded by mutex_
    std::size_t in_flight_ = 0;               // taken by the writer, not yet written
    bool draining_ = false;                   // guarded by mutex_
    bool stopped_ = false;                    // guarded by mutex_
    bool failing_ = false;                    // the writer's own: log once per state change
    std::chrono::sys_days partitions_day_{};
    std::atomic<std::uint64_t> written_{0};
    std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace gs::store
