#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <pqxx/connection>

#include "goldensignals/async/waiter.h"
#include "goldensignals/market/timeframe.h"
#include "goldensignals/store/partitions.h"
#include "goldensignals/store/pg_pool.h"

namespace gs::store {

// pg_try_advisory_lock key of the retention run ("gsretain" in ASCII): one session of a
// cluster runs it at a time.
inline constexpr std::int64_t kRetentionLockKey = 0x677372657461696e;

// How long rows are kept (docs/retention.md). A table without a retention keeps everything.
struct RetentionPolicy {
    // signals and live_calls (the live accuracy of those signals: kept as long as they are).
    std::optional<std::chrono::seconds> signals;
    std::map<market::Timeframe, std::chrono::seconds> bars;
    // Partitions are created this many months ahead of now.
    int months_ahead = 3;
    // The longest a maintenance statement waits for a table lock. Waiting longer would hold up
    // the reads and writes queued behind its lock; what times out is retried on the next run.
    std::chrono::milliseconds lock_timeout{1'000};

    std::optional<std::chrono::seconds> retention_of(const RangePartitionedTable& table) const;
};

// What one run did.
struct RetentionReport {
    // False when another session (another instance of the cluster) held the job's lock: this
    // run did nothing.
    bool ran = false;
    // (table label, partition name)
    std::vector<std::pair<std::string, std::string>> created;
    std::vector<std::pair<std::string, std::string>> dropped;
    // table label -> rows deleted from its DEFAULT partition
    std::map<std::string, std::int64_t> rows_deleted;
    // Steps that failed (retried on the next run).
    std::vector<std::string> errors;
};

// The partitions of `table` whose every row is older than `cutoff` (upper bound <= cutoff),
// oldest first. Never the DEFAULT partition.
std::vector<std::string> expired_partitions(pqxx::connection& connection,
                                            const RangePartitionedTable& table,
                                            std::chrono::sys_seconds cutoff);

// One retention run at `now`, if no other session runs one (pg_try_advisory_lock): creates
// the partitions ahead of `now` of every table (ensure_range_partitions), then for each table
// with a retention drops the partitions wholly older than now - retention (never the one
// holding now or anything newer) and deletes the rows older than that from its DEFAULT
// partition. Each step is its own transaction with policy.lock_timeout, so a step that cannot
// get its lock fails alone (listed in errors) and the others go on. Blocking.
RetentionReport run_retention(pqxx::connection& connection, const RetentionPolicy& policy,
                              std::chrono::sys_seconds now);

struct RetentionJobOptions {
    RetentionPolicy policy;
    // Time between runs; the first runs at start().
    std::chrono::milliseconds interval{std::chrono::hours(1)};
};

// The timer that runs run_retention on a pool connection every interval, and its /metrics.
// Every instance of a cluster runs one; the advisory lock lets one of them do the work.
class RetentionJob final {
  public:
    using Clock = std::function<std::chrono::sys_seconds()>;

    RetentionJob(PgPool& pool, boost::asio::any_io_executor executor, RetentionJobOptions options,
                 Clock clock = nullptr);
    RetentionJob(const RetentionJob&) = delete;
    RetentionJob& operator=(const RetentionJob&) = delete;

    void start();
    // Waits for a run in progress to end.
    boost::asio::awaitable<void> stop();

    // One run now (also what the timer calls). Throws store::Error when PostgreSQL cannot be
    // reached; counted as failed.
    boost::asio::awaitable<RetentionReport> run_once();

    void render_metrics(std::string& out) const;

  private:
    boost::asio::awaitable<void> loop();
    void record(const RetentionReport& report, std::chrono::sys_seconds now, double seconds);

    PgPool& pool_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    RetentionJobOptions options_;
    Clock clock_;
    boost::asio::steady_timer timer_;

    mutable std::mutex mutex_;
    bool started_ = false;
    bool stopping_ = false;
    bool done_ = false;
    std::vector<async::Waiter> exit_waiters_;
    std::map<std::string, std::uint64_t> dropped_;  // by table label
    std::map<std::string, std::uint64_t> created_;
    std::map<std::string, std::uint64_t> deleted_;
    std::uint64_t runs_done_ = 0;
    std::uint64_t runs_skipped_ = 0;
    std::uint64_t runs_failed_ = 0;
    std::int64_t last_run_ = 0;  // epoch seconds of the last run this instance completed
    double last_duration_ = 0;   // its length in seconds
};

}  // namespace gs::store
