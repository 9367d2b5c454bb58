#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/connection>

#include "goldensignals/store/error.h"

namespace gs::store {

struct PgPoolOptions {
    // libpq URL or key=value string; connect_timeout is added when it has none.
    std::string url;
    std::size_t connections = 4;
    // Work admitted to the pool's queue at once; more callers wait for room (never dropped).
    std::size_t queue_capacity = 256;
    std::chrono::seconds connect_timeout{2};
    // Set on every connection (0 = none), so a stuck statement cannot hold a thread forever.
    std::chrono::milliseconds statement_timeout{30'000};
    // Reconnects happen on demand: after a failed connect, the next work that needs a
    // connection tries again, but at most one attempt is in flight and at most one starts per
    // interval for the whole pool; other work fails fast (unavailable) meanwhile. No timer
    // waits out a back-off, so work is accepted again as soon as Postgres is.
    std::chrono::milliseconds reconnect_interval{50};
};

// N PostgreSQL connections, each owned by its own thread. `run(f)` queues f, a pool thread
// calls f(connection) and the awaiting coroutine resumes on its own executor: an Asio I/O
// thread never blocks on libpq. A broken connection is dropped and re-opened on next use;
// while Postgres is down, run() throws store::Error{kUnavailable} within connect_timeout, and
// the first run() after it is back (and reconnect_interval after the last attempt) succeeds.
class PgPool final {
  public:
    explicit PgPool(PgPoolOptions options);
    ~PgPool();  // fails queued work with kUnavailable, joins the threads
    PgPool(const PgPool&) = delete;
    PgPool& operator=(const PgPool&) = delete;

    // Runs f(pqxx::connection&) on a pool thread. libpq/libpqxx errors come out as
    // store::Error; other exceptions from f pass through unchanged. f must not keep the
    // connection beyond the call.
    template <typename F>
    boost::asio::awaitable<std::invoke_result_t<F&, pqxx::connection&>> run(F f);

    // Whether the last connect or statement found the server up. Refreshed by work only: with
    // no traffic it keeps the last outcome.
    bool healthy() const noexcept { return up_.load(std::memory_order_acquire); }
    // Called each time healthy() flips (on a pool thread, under a lock: keep it short and do
    // not call back into the pool), and at once with the current state if already known.
    void on_state_change(std::function<void(bool up)> hook);

    std::size_t queued() const;   // admitted, not yet started
    std::size_t waiting() const;  // waiting for room in the queue
    const PgPoolOptions& options() const noexcept { return options_; }

    // The URL with connect_timeout filled in (exposed for tests).
    static std::string connection_string(const std::string& url,
                                         std::chrono::seconds connect_timeout);

  private:
    class Job {
      public:
        virtual ~Job() = default;
        virtual void execute(pqxx::connection& connection) = 0;  // may throw
        virtual void complete(std::exception_ptr error) = 0;     // resumes the caller
    };

    template <typename F, typename R, typename Handler>
    class JobImpl;

    template <typename F>
    boost::asio::awaitable<std::invoke_result_t<F&, pqxx::connection&>> run_held(
        std::unique_ptr<F> f);

    void submit(std::unique_ptr<Job> job);
    void worker_loop(std::size_t index);
    std::unique_ptr<Job> next_job();
    // A usable connection for this worker, or throws Error{kUnavailable}.
    pqxx::connection& connection_for(std::unique_ptr<pqxx::connection>& connection,
                                     std::uint64_t& generation);
    void mark_up();
    // connect_failed: a connect attempt failed, so later connects are rate-limited.
    void mark_down(const std::string& reason, bool connect_failed);

    PgPoolOptions options_;
    std::string conninfo_;

    mutable std::mutex mutex_;
    std::condition_variable work_ready_;
    std::deque<std::unique_ptr<Job>> queue_;
    std::deque<std::unique_ptr<Job>> waiting_;
    bool stopping_ = false;

    std::mutex state_mutex_;
    std::function<void(bool)> hook_;
    // Set while the latest connect attempt failed: connects are then one at a time and at
    // most one per reconnect_interval, so a storm of requests cannot hammer a dead server.
    bool connect_failed_ = false;
    bool connect_in_flight_ = false;
    std::chrono::steady_clock::time_point last_attempt_{};
    std::atomic<bool> up_{false};
    std::atomic<bool> known_{false};
    // Bumped whenever a connection is found broken, so every worker re-opens its own.
    std::atomic<std::uint64_t> generation_{0};

    std::vector<std::thread> threads_;
};

template <typename F, typename R, typename Handler>
class PgPool::JobImpl final : public PgPool::Job {
  public:
    using Slot = std::conditional_t<std::is_void_v<R>, bool, R>;
    using WorkExecutor = std::decay_t<decltype(boost::asio::prefer(
        std::declval<boost::asio::associated_executor_t<Handler>>(),
        boost::asio::execution::outstanding_work.tracked))>;

    JobImpl(F f, std::optional<Slot>& out, Handler handler)
        : f_(std::move(f)),
          out_(out),
          handler_(std::move(handler)),
          work_(boost::asio::prefer(boost::asio::get_associated_executor(handler_),
                                    boost::asio::execution::outstanding_work.tracked)) {}

    void execute(pqxx::connection& connection) override {
        if constexpr (std::is_void_v<R>) {
            f_(connection);
            out_.emplace(true);
        } else {
            out_.emplace(f_(connection));
        }
    }

    void complete(std::exception_ptr error) override {
        // Resume the caller on its own executor, never on this pool thread.
        boost::asio::post(
            work_, [handler = std::move(handler_), error]() mutable { std::move(handler)(error); });
    }

  private:
    F f_;
    std::optional<Slot>& out_;
    Handler handler_;
    WorkExecutor work_;
};

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&, pqxx::connection&>> PgPool::run(F f) {
    // Not a coroutine itself: g++ 12 miscompiles a temporary closure passed into a coroutine
    // parameter in co_await (docs/coroutines.md). Moving f to the heap here keeps every
    // caller's call site safe.
    auto held = std::make_unique<F>(std::move(f));
    return run_held(std::move(held));
}

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&, pqxx::connection&>> PgPool::run_held(
    std::unique_ptr<F> f) {
    using R = std::invoke_result_t<F&, pqxx::connection&>;
    using Slot = std::conditional_t<std::is_void_v<R>, bool, R>;
    // Lives in this coroutine's frame, which stays put until the job completes.
    std::optional<Slot> out;
    co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                         void(std::exception_ptr)>(
        [this, &f, &out](auto handler) {
            using Handler = decltype(handler);
            submit(
                std::make_unique<JobImpl<F, R, Handler>>(std::move(*f), out, std::move(handler)));
        },
        boost::asio::use_awaitable);
    if constexpr (!std::is_void_v<R>) {
        co_return std::move(*out);
    }
}

}  // namespace gs::store
