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

#include <boost/asio/awaitable.hpp>
#include <pqxx/connection>

#include "goldensignals/async/waiter.h"
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
    // While no work has been taken for this long, a pool thread checks its connection (a
    // SELECT 1, or a connect when it has none), so healthy() follows the server when idle too
    // (see healthy()). At most one check per interval for the whole pool; 0 = never.
    std::chrono::milliseconds probe_interval{2'000};
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

    // Whether the last connect or statement found the server up: the one source of /readyz's
    // "postgres" entry (main feeds on_state_change into health::Readiness). Refreshed by the
    // work itself and, while there is none, by a check every probe_interval, so it turns
    // false within about probe_interval of the server going away and true again at the first
    // check or work after it is back. Why the pool and not a probe of its own: readiness
    // means "this process can use PostgreSQL", which a fresh connection (PQping) cannot say
    // (bad credentials or a full pool pass a ping), and the pool knows it anyway.
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

    template <typename F, typename R, typename Resumer>
    class JobImpl;
    class ProbeJob;

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
    // When a pool thread last took work or a check; the next check is due probe_interval later.
    std::chrono::steady_clock::time_point last_taken_ = std::chrono::steady_clock::now();

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

// Resumer: the awaiting coroutine, parked by async::park until a pool thread completes the job.
template <typename F, typename R, typename Resumer>
class PgPool::JobImpl final : public PgPool::Job {
  public:
    using Slot = std::conditional_t<std::is_void_v<R>, bool, R>;

    JobImpl(F f, std::optional<Slot>& out, Resumer resumer)
        : f_(std::move(f)), out_(out), resumer_(std::move(resumer)) {}

    void execute(pqxx::connection& connection) override {
        if constexpr (std::is_void_v<R>) {
            f_(connection);
            out_.emplace(true);
        } else {
            out_.emplace(f_(connection));
        }
    }

    // Resumes the caller on its own executor, never on this pool thread.
    void complete(std::exception_ptr error) override { std::move(resumer_).resume(error); }

  private:
    F f_;
    std::optional<Slot>& out_;
    Resumer resumer_;
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
    // The job's exception (a store::Error, or f's own) is rethrown here.
    co_await async::park<void(std::exception_ptr)>([this, &f, &out](auto resumer) {
        using Resumer = decltype(resumer);
        submit(std::make_unique<JobImpl<F, R, Resumer>>(std::move(*f), out, std::move(resumer)));
    });
    if constexpr (!std::is_void_v<R>) {
        co_return std::move(*out);
    }
}

}  // namespace gs::store
