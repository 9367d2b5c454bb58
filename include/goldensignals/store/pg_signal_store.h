#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <pqxx/connection>

#include "goldensignals/async/waiter.h"
#include "goldensignals/market/timeframe.h"
#include "goldensignals/store/compact_history.h"
#include "goldensignals/store/history_cursor.h"
#include "goldensignals/store/pg_pool.h"
#include "goldensignals/store/signal_archive.h"

namespace gs::store {

// One computed signal to keep: the columns the history is searched by, and the JSON body (kept
// whole in latest_signals; the history keeps its compact form, compact_history.h).
struct SignalRow {
    std::string symbol;
    market::Timeframe timeframe = market::kDefaultTimeframe;
    std::int64_t as_of = 0;  // epoch seconds: time of the newest bar used
    std::string action;      // BUY / SELL / HOLD
    std::string strength;    // weak / moderate / strong
    double score = 0.0;
    double confidence = 0.0;
    std::string config_version;  // consensus config fingerprint
    std::string body;            // the signal's JSON (orchestrator::to_json)
    // The same text shared with the cache entry that holds it: the service sets this instead
    // of copying ~12 KB per signal (a large allocation each), and `body` stays empty.
    std::shared_ptr<const std::string> shared_body;
    // The history's packed form, made by the service from the signal; without it the write
    // path packs the body in SQL (gs_compact_signal), which costs a JSON parse per row.
    std::optional<PackedSignal> packed;
    // The catalog columns of latest_signals (sql/0008, docs/memory.md): the series as held when
    // the signal was computed, and each category's score and voters in agents::Category order
    // (empty: NULL).
    std::int64_t bars = 0;
    std::int64_t first_time = 0;  // epoch seconds
    std::vector<double> category_scores;
    std::vector<int> category_voters;
    // Set by PgSignalStore when a newer signal of the series was queued behind this packed row:
    // its body was released (the history needs only the packed form), so it is never its
    // series' latest (latest_rows passes it over).
    bool superseded = false;

    // The body, wherever it is held.
    std::string_view body_text() const noexcept { return shared_body ? *shared_body : body; }
    const char* body_c_str() const noexcept {
        return shared_body ? shared_body->c_str() : body.c_str();
    }
    // Lets the body go (both forms).
    void release_body() noexcept {
        std::string().swap(body);
        shared_body.reset();
    }
};

struct LatestSignal {
    std::int64_t as_of = 0;  // epoch seconds
    std::string config_version;
    std::string body;  // byte for byte what was enqueued
};

inline constexpr std::size_t kMaxHistoryLimit = 1000;

struct HistoryQuery {
    std::string symbol;
    market::Timeframe timeframe = market::kDefaultTimeframe;
    // Bounds on created_at (when the signal was stored), epoch seconds: from <= t < to.
    std::optional<std::int64_t> from;
    std::optional<std::int64_t> to;
    std::size_t limit = 100;            // clamped to 1..kMaxHistoryLimit
    std::optional<std::string> cursor;  // next_cursor of the previous page
};

struct HistoryRow {
    std::int64_t id = 0;
    std::int64_t created_at_us = 0;  // epoch microseconds
    std::int64_t as_of = 0;          // epoch seconds
    std::string body;                // JSON rebuilt from the compact row (history_json)
};

struct HistoryPage {
    std::vector<HistoryRow> rows;            // newest first
    std::optional<std::string> next_cursor;  // nullopt on the last page
};

// Blocking building blocks (throw store::Error), for PgPool::run and tests.

// The rows of a batch that the latest_signals upsert keeps: per series (symbol, timeframe)
// the newest as_of, among equals the later row, of the rows not `superseded` (a series whose
// rows all are gets no upsert: its newer row is in a later batch). result[i] says whether
// rows[i] is one.
std::vector<bool> latest_rows(std::span<const SignalRow> rows);

// Inserts the rows into `signals` and upserts `latest_signals` (only where the row's as_of is
// the same or newer than the stored one; among equals the later row wins), in one
// transaction through COPY. Only the rows latest_rows() keeps send their body, and those the
// service did not pack (the history packs them from it): the others' bodies would be
// replaced within the same statement, and an 11 KB body is most of a row's cost.
void insert_signals(pqxx::connection& connection, std::span<const SignalRow> rows);
std::optional<LatestSignal> latest_signal(pqxx::connection& connection, const std::string& symbol,
                                          market::Timeframe timeframe);
// kBadData for a cursor that does not decode.
HistoryPage signal_history(pqxx::connection& connection, const HistoryQuery& query);

struct PgSignalStoreOptions {
    std::size_t queue_capacity = 10'000;
    // Rows per transaction at most. Large, so that a backlog is written in few transactions
    // and, with many signals of a series in one batch, only the newest sends its body.
    std::size_t batch_size = 5'000;
    // Back-off between failed batch writes, doubling up to retry_max.
    std::chrono::milliseconds retry_initial{100};
    std::chrono::milliseconds retry_max{5'000};
    // Run ensure_partitions at the first write and whenever the UTC day changes.
    bool maintain_partitions = true;
    int partition_months_ahead = 3;
    // After each write the writer waits this long (unless the queue reaches half its
    // capacity or batch_size, or flush() or stop() is called) so that the next batch gathers
    // many signals: per series only the newest sends its ~12 KB body, which was 85 % of
    // PostgreSQL's cost of a signal (bench/RESULTS.md 30). The history and latest_signals lag
    // the computation by about this much; nothing reads them as fresher (an L3 read checks
    // as_of against the series' bars).
    std::chrono::milliseconds linger{1000};
};

// Write-behind store of computed signals. enqueue() puts a row in a bounded in-memory queue
// and a single writer coroutine drains it in batches (one transaction per batch), lingering
// between them (options.linger). A packed row's body is released as soon as a newer signal of
// its series is queued behind it, so the queue holds about one body per series, not one per
// row (should that newer row be refused, the series keeps its older latest_signals row).
// While Postgres is down the rows stay queued and the batch is retried with back-off; nothing
// is dropped while the process lives, except a row Postgres itself refuses (invalid JSON,
// say), which is logged and counted in rejected(). Reads go straight to the pool.
class PgSignalStore final : public SignalArchive {
  public:
    PgSignalStore(PgPool& pool, boost::asio::any_io_executor executor,
                  PgSignalStoreOptions options = {});
    // stop() must have completed if start() was called.
    ~PgSignalStore();
    PgSignalStore(const PgSignalStore&) = delete;
    PgSignalStore& operator=(const PgSignalStore&) = delete;

    // Starts the writer on the executor given to the constructor.
    void start();
    // Stops the writer after it has written what is queued, or after `drain_timeout` if
    // Postgres does not take it; returns the number of rows left unwritten (and lost).
    boost::asio::awaitable<std::size_t> stop(std::chrono::milliseconds drain_timeout);

    // Queues a row, waiting for room while the queue is full (back-pressure, never a drop).
    // Throws store::Error: kBadData for a row that can never be stored (empty symbol or
    // body, non-finite score), kUnavailable once the store is stopped.
    boost::asio::awaitable<void> enqueue(SignalRow row) override;
    // Queues a row if there is room now; false (row untouched) when full or stopped.
    bool try_enqueue(SignalRow& row);
    // Waits until every row queued before the call is written (or rejected).
    boost::asio::awaitable<void> flush();

    boost::asio::awaitable<std::optional<LatestSignal>> latest(
        std::string symbol, market::Timeframe timeframe) override;
    boost::asio::awaitable<HistoryPage> history(HistoryQuery query);

    std::size_t queued() const;
    // Bytes of signal bodies held in the queue (the rest of a row is small).
    std::size_t queued_body_bytes() const;
    std::uint64_t written() const;
    std::uint64_t rejected() const;
    // gs_signal_archive_written_total, gs_signal_archive_rejected_total,
    // gs_signal_archive_queued and gs_signal_archive_queued_body_bytes.
    void render_metrics(std::string& out) const;

  private:
    struct FlushWaiter {
        std::uint64_t target = 0;  // rows removed from the queue to wait for
        async::Waiter waiter;
    };

    boost::asio::awaitable<void> enqueue_held(std::unique_ptr<SignalRow> row);
    boost::asio::awaitable<void> write_loop();
    // The rows at the front of the queue, each written alone (one of them is refused).
    boost::asio::awaitable<void> write_one_by_one(const std::vector<const SignalRow*>& queued);
    // A copy of queued rows to write, with a body only where insert_signals sends one.
    static std::vector<SignalRow> batch_of(const std::vector<const SignalRow*>& queued);
    boost::asio::awaitable<void> maintain_partitions();
    // Removes `count` rows from the front, wakes room and flush waiters.
    void remove_front(std::size_t count, std::size_t rejected);
    void wake_writer_locked();
    boost::asio::awaitable<void> sleep(std::chrono::milliseconds duration);
    bool push_locked(SignalRow& row);
    // Releases the body of the queued row of the same series that `newest` (at `seq`) makes
    // obsolete, if the writer has not taken it yet.
    void supersede_locked(const SignalRow& newest, std::uint64_t seq);
    // Queued rows at which a linger ends (half the capacity, at most batch_size).
    std::size_t linger_cut() const;
    // Ends the writer's linger (from any thread), e.g. for flush() or a full queue.
    void end_linger_locked();
    // Waits options_.linger, or less when end_linger_locked() is called meanwhile.
    boost::asio::awaitable<void> linger();
    static void validate(const SignalRow& row);

    // Plain functions returning async::park's operation, not coroutines (g++ 12:
    // docs/coroutines.md).
    auto wait_for_room();
    auto wait_until_removed(std::uint64_t target);
    auto wait_for_writer_exit();

    PgPool& pool_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    PgSignalStoreOptions options_;
    boost::asio::steady_timer timer_;  // the writer's sleeps; used on strand_ only

    mutable std::mutex mutex_;
    std::deque<SignalRow> queue_;
    std::uint64_t enqueued_ = 0;  // rows ever queued
    std::uint64_t removed_ = 0;   // rows ever taken off the queue (written or rejected)
    std::uint64_t handed_ = 0;    // rows ever handed to the writer (seq < handed_: not touched)
    std::size_t body_bytes_ = 0;  // bytes of the queued rows' bodies
    // Per series ("symbol|timeframe"), the sequence number of its newest queued row.
    std::unordered_map<std::string, std::uint64_t> newest_queued_;
    std::uint64_t written_ = 0;
    std::uint64_t rejected_ = 0;
    std::vector<async::Waiter> room_waiters_;
    std::vector<FlushWaiter> flush_waiters_;
    std::vector<async::Waiter> exit_waiters_;
    bool started_ = false;
    bool writer_idle_ = false;
    bool lingering_ = false;
    bool stopping_ = false;
    bool writer_done_ = false;
    std::chrono::steady_clock::time_point stop_deadline_{};
    std::optional<std::chrono::sys_days> partitions_day_;  // writer only
};

}  // namespace gs::store
