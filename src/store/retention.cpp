#include "goldensignals/store/retention.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "goldensignals/store/error.h"
#include "store/log.h"

namespace gs::store {

namespace asio = boost::asio;

namespace {

// Holds the session advisory lock if it was free; releases it however the run ends (a lost
// connection releases it anyway).
class TryAdvisoryLock final {
  public:
    explicit TryAdvisoryLock(pqxx::connection& connection) : connection_(connection) {
        pqxx::nontransaction tx(connection_);
        held_ = tx.exec_params1("SELECT pg_try_advisory_lock($1)", kRetentionLockKey)[0].as<bool>();
    }
    ~TryAdvisoryLock() {
        if (!held_) {
            return;
        }
        try {
            if (connection_.is_open()) {
                pqxx::nontransaction tx(connection_);
                tx.exec_params("SELECT pg_advisory_unlock($1)", kRetentionLockKey);
            }
        } catch (const std::exception& e) {
            logger()->warn("could not release the retention lock: {}", e.what());
        }
    }
    TryAdvisoryLock(const TryAdvisoryLock&) = delete;
    TryAdvisoryLock& operator=(const TryAdvisoryLock&) = delete;

    bool held() const noexcept { return held_; }

  private:
    pqxx::connection& connection_;
    bool held_ = false;
};

std::string lock_timeout_sql(std::chrono::milliseconds timeout) {
    return fmt::format("SET LOCAL lock_timeout = {}", std::max<std::int64_t>(1, timeout.count()));
}

std::string text_of(std::chrono::sys_seconds time) {
    return timestamptz_text(std::chrono::sys_time<std::chrono::microseconds>{time});
}

}  // namespace

std::optional<std::chrono::seconds> RetentionPolicy::retention_of(
    const RangePartitionedTable& table) const {
    // Live accuracy's scored calls follow the signals they scored (docs/retention.md).
    if (&table == &signals_table() || &table == &live_calls_table()) {
        return signals;
    }
    for (const auto& [timeframe, keep] : bars) {
        if (&bars_table(timeframe) == &table) {
            return keep;
        }
    }
    return std::nullopt;
}

std::vector<std::string> expired_partitions(pqxx::connection& connection,
                                            const RangePartitionedTable& table,
                                            std::chrono::sys_seconds cutoff) {
    return with_store_errors([&] {
        pqxx::read_transaction tx(connection);
        // The upper bound as PostgreSQL prints it ('... +00' in the session's zone, with its
        // offset), read back as a timestamptz; DEFAULT and MAXVALUE bounds do not match.
        const auto result = tx.exec_params(
            "SELECT name FROM (SELECT c.relname::text AS name,"
            " (regexp_match(pg_get_expr(c.relpartbound, c.oid),"
            " 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS upper"
            " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = $1::regclass) p"
            " WHERE upper <= $2::timestamptz ORDER BY upper, name",
            table.parent, text_of(cutoff));
        std::vector<std::string> names;
        names.reserve(result.size());
        for (const auto& row : result) {
            names.push_back(row[0].as<std::string>());
        }
        return names;
    });
}

RetentionReport run_retention(pqxx::connection& connection, const RetentionPolicy& policy,
                              std::chrono::sys_seconds now) {
    RetentionReport report;
    const TryAdvisoryLock lock = with_store_errors([&] { return TryAdvisoryLock(connection); });
    if (!lock.held()) {
        return report;
    }
    report.ran = true;
    const auto today = std::chrono::floor<std::chrono::days>(now);
    const auto fail = [&report](const std::string& step, const std::exception& e) {
        const Error error = to_store_error(e);
        logger()->warn("retention: {} failed (retried next run): {}", step, error.what());
        report.errors.push_back(step + ": " + error.what());
        if (error.connection_lost()) {
            throw error;
        }
    };
    for (const auto* table : all_partitioned_tables()) {
        try {
            for (auto& name : ensure_range_partitions(connection, *table, today,
                                                      policy.months_ahead, policy.lock_timeout)) {
                report.created.emplace_back(table->label, std::move(name));
            }
        } catch (const std::exception& e) {
            fail("creating partitions of " + table->parent, e);
        }
        const auto keep = policy.retention_of(*table);
        if (!keep || keep->count() <= 0) {
            continue;
        }
        // Never the partition holding now, nor one with a row newer than the retention: only
        // partitions whose upper bound is at or before now - retention.
        const auto cutoff = std::min(now - *keep, now);
        std::vector<std::string> expired;
        try {
            expired = expired_partitions(connection, *table, cutoff);
        } catch (const std::exception& e) {
            fail("listing partitions of " + table->parent, e);
        }
        for (const auto& name : expired) {
            try {
                with_store_errors([&] {
                    pqxx::work tx(connection);
                    tx.exec0(lock_timeout_sql(policy.lock_timeout));
                    // DROP locks the parent before the partition, as queries do.
                    tx.exec0("DROP TABLE " + tx.quote_name(name));
                    tx.commit();
                });
                logger()->info("retention: dropped partition {} (older than {} s)", name,
                               keep->count());
                report.dropped.emplace_back(table->label, name);
            } catch (const std::exception& e) {
                fail("dropping " + name, e);
            }
        }
        // Rows no period partition covered (an import of old bars, say) sit in DEFAULT.
        try {
            const auto deleted = with_store_errors([&] {
                pqxx::work tx(connection);
                tx.exec0(lock_timeout_sql(policy.lock_timeout));
                const std::string default_partition =
                    tx.exec_params1(
                          "SELECT coalesce((SELECT partdefid::regclass::text FROM"
                          " pg_partitioned_table WHERE partrelid = $1::regclass"
                          " AND partdefid <> 0), '')",
                          table->parent)[0]
                        .as<std::string>();
                std::int64_t rows = 0;
                if (!default_partition.empty()) {
                    rows = tx.exec_params("DELETE FROM " + default_partition + " WHERE " +
                                              tx.quote_name(table->column) + " < $1::timestamptz",
                                          text_of(cutoff))
                               .affected_rows();
                }
                tx.commit();
                return rows;
            });
            if (deleted > 0) {
                logger()->info("retention: deleted {} rows of {} older than {} s", deleted,
                               table->label, keep->count());
            }
            report.rows_deleted[table->label] += deleted;
        } catch (const std::exception& e) {
            fail("deleting old rows of " + table->parent, e);
        }
    }
    return report;
}

RetentionJob::RetentionJob(PgPool& pool, asio::any_io_executor executor,
                           RetentionJobOptions options, Clock clock)
    : pool_(pool),
      strand_(asio::make_strand(std::move(executor))),
      options_(std::move(options)),
      clock_(std::move(clock)),
      timer_(strand_) {
    if (!clock_) {
        clock_ = [] {
            return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        };
    }
    for (const auto* table : all_partitioned_tables()) {
        dropped_[table->label] = 0;
        created_[table->label] = 0;
        deleted_[table->label] = 0;
    }
}

void RetentionJob::start() {
    {
        std::lock_guard lock(mutex_);
        if (started_) {
            return;
        }
        started_ = true;
    }
    asio::co_spawn(strand_, loop(), [](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                logger()->error("retention job failed: {}", e.what());
            }
        }
    });
}

asio::awaitable<void> RetentionJob::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        if (!started_ || done_) {
            co_return;
        }
    }
    asio::post(strand_, [this] { timer_.cancel(); });
    co_await async::park([this](async::Waiter waiter) {
        std::unique_lock lock(mutex_);
        if (done_) {
            lock.unlock();
            std::move(waiter).resume();
            return;
        }
        exit_waiters_.push_back(std::move(waiter));
    });
}

asio::awaitable<void> RetentionJob::loop() {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) {
                break;
            }
        }
        try {
            co_await run_once();
        } catch (const std::exception& e) {
            logger()->warn("retention run failed: {}", e.what());
        }
        {
            std::lock_guard lock(mutex_);
            if (stopping_) {
                break;
            }
        }
        // stop() cancels the timer by a post to this strand, which cannot run between the
        // check above and the wait below.
        timer_.expires_after(options_.interval);
        boost::system::error_code ignored;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    std::vector<async::Waiter> ready;
    {
        std::lock_guard lock(mutex_);
        done_ = true;
        ready.swap(exit_waiters_);
    }
    async::resume_all(std::move(ready));
}

asio::awaitable<RetentionReport> RetentionJob::run_once() {
    const auto now = clock_();
    const auto started = std::chrono::steady_clock::now();
    RetentionReport report;
    // Named, then moved: a closure with a non-trivial destructor (the policy's map) made inside
    // the co_await expression is destroyed twice by g++ 12 (docs/coroutines.md).
    auto work = [policy = options_.policy, now](pqxx::connection& connection) {
        return run_retention(connection, policy, now);
    };
    try {
        report = co_await pool_.run(std::move(work));
    } catch (const std::exception&) {
        std::lock_guard lock(mutex_);
        ++runs_failed_;
        throw;
    }
    record(report, now,
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    co_return report;
}

void RetentionJob::record(const RetentionReport& report, std::chrono::sys_seconds now,
                          double seconds) {
    std::lock_guard lock(mutex_);
    if (!report.ran) {
        ++runs_skipped_;
        return;
    }
    for (const auto& [label, name] : report.created) {
        ++created_[label];
    }
    for (const auto& [label, name] : report.dropped) {
        ++dropped_[label];
    }
    for (const auto& [label, rows] : report.rows_deleted) {
        deleted_[label] += static_cast<std::uint64_t>(rows);
    }
    if (!report.errors.empty()) {
        ++runs_failed_;
        return;
    }
    ++runs_done_;
    last_run_ = now.time_since_epoch().count();
    last_duration_ = seconds;
}

void RetentionJob::render_metrics(std::string& out) const {
    std::lock_guard lock(mutex_);
    auto it = std::back_inserter(out);
    fmt::format_to(it,
                   "# HELP gs_retention_runs_total Retention runs of this instance, by result "
                   "(skipped: another instance held the job's lock).\n"
                   "# TYPE gs_retention_runs_total counter\n"
                   "gs_retention_runs_total{{result=\"done\"}} {}\n"
                   "gs_retention_runs_total{{result=\"skipped\"}} {}\n"
                   "gs_retention_runs_total{{result=\"failed\"}} {}\n"
                   "# HELP gs_retention_last_run_timestamp_seconds When this instance last "
                   "completed a retention run without errors (0: never; alert on the max over "
                   "instances).\n"
                   "# TYPE gs_retention_last_run_timestamp_seconds gauge\n"
                   "gs_retention_last_run_timestamp_seconds {}\n"
                   "# HELP gs_retention_last_run_duration_seconds How long that run took.\n"
                   "# TYPE gs_retention_last_run_duration_seconds gauge\n"
                   "gs_retention_last_run_duration_seconds {}\n",
                   runs_done_, runs_skipped_, runs_failed_, last_run_, last_duration_);
    const auto family = [&](const char* name, const char* help,
                            const std::map<std::string, std::uint64_t>& values) {
        fmt::format_to(it, "# HELP {} {}\n# TYPE {} counter\n", name, help, name);
        for (const auto& [label, value] : values) {
            fmt::format_to(it, "{}{{table=\"{}\"}} {}\n", name, label, value);
        }
    };
    family("gs_retention_partitions_dropped_total",
           "Partitions dropped by this instance's retention runs, by table.", dropped_);
    family("gs_retention_partitions_created_total",
           "Partitions created ahead by this instance's retention runs, by table.", created_);
    family("gs_retention_rows_deleted_total",
           "Rows older than the retention deleted from a DEFAULT partition, by table.", deleted_);
}

}  // namespace gs::store
