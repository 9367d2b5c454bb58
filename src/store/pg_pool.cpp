#include "goldensignals/store/pg_pool.h"

#include <algorithm>

#include <pqxx/except>
#include <pqxx/nontransaction>

#include "store/log.h"

namespace gs::store {

namespace {

bool is_url(const std::string& text) {
    return text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0;
}

}  // namespace

// The idle check: a statement on the thread's connection (connection_for connects first when
// there is none). Its outcome reaches healthy() as any work's does; nobody awaits it.
class PgPool::ProbeJob final : public PgPool::Job {
  public:
    void execute(pqxx::connection& connection) override {
        pqxx::nontransaction tx(connection);
        tx.exec0("SELECT 1");
    }
    void complete(std::exception_ptr) override {}
};

std::string PgPool::connection_string(const std::string& url,
                                      std::chrono::seconds connect_timeout) {
    if (url.find("connect_timeout") != std::string::npos) {
        return url;
    }
    // libpq rounds a timeout below 2 s up to 2 s anyway.
    const std::string value = std::to_string(std::max<long long>(1, connect_timeout.count()));
    if (is_url(url)) {
        return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=" + value;
    }
    return url + (url.empty() ? "" : " ") + "connect_timeout=" + value;
}

PgPool::PgPool(PgPoolOptions options)
    : options_(std::move(options)),
      conninfo_(connection_string(options_.url, options_.connect_timeout)) {
    options_.connections = std::max<std::size_t>(1, options_.connections);
    options_.queue_capacity = std::max<std::size_t>(1, options_.queue_capacity);
    threads_.reserve(options_.connections);
    for (std::size_t i = 0; i < options_.connections; ++i) {
        threads_.emplace_back([this, i] { worker_loop(i); });
    }
}

PgPool::~PgPool() {
    std::deque<std::unique_ptr<Job>> orphans;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        orphans.swap(queue_);
        for (auto& job : waiting_) {
            orphans.push_back(std::move(job));
        }
        waiting_.clear();
    }
    work_ready_.notify_all();
    for (auto& job : orphans) {
        job->complete(std::make_exception_ptr(
            Error(ErrorKind::kUnavailable, "postgres pool is shutting down")));
    }
    for (auto& thread : threads_) {
        thread.join();
    }
}

void PgPool::on_state_change(std::function<void(bool up)> hook) {
    std::lock_guard lock(state_mutex_);
    hook_ = std::move(hook);
    // The first connects may have happened already: report the state known so far.
    if (hook_ && known_.load(std::memory_order_acquire)) {
        hook_(up_.load(std::memory_order_acquire));
    }
}

std::size_t PgPool::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

std::size_t PgPool::waiting() const {
    std::lock_guard lock(mutex_);
    return waiting_.size();
}

void PgPool::submit(std::unique_ptr<Job> job) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            if (queue_.size() < options_.queue_capacity && waiting_.empty()) {
                queue_.push_back(std::move(job));
            } else {
                // The caller stays suspended until a pool thread admits its work.
                waiting_.push_back(std::move(job));
            }
        }
    }
    if (job) {
        job->complete(std::make_exception_ptr(
            Error(ErrorKind::kUnavailable, "postgres pool is shutting down")));
        return;
    }
    work_ready_.notify_one();
}

std::unique_ptr<PgPool::Job> PgPool::next_job() {
    std::unique_lock lock(mutex_);
    const auto ready = [this] { return stopping_ || !queue_.empty(); };
    if (options_.probe_interval.count() <= 0) {
        work_ready_.wait(lock, ready);
    } else {
        // Every thread waits for the same due time; the first to see it takes the check.
        while (!work_ready_.wait_until(lock, last_taken_ + options_.probe_interval, ready)) {
            if (std::chrono::steady_clock::now() >= last_taken_ + options_.probe_interval) {
                last_taken_ = std::chrono::steady_clock::now();
                return std::make_unique<ProbeJob>();
            }
        }
    }
    if (queue_.empty()) {
        return nullptr;
    }
    last_taken_ = std::chrono::steady_clock::now();
    auto job = std::move(queue_.front());
    queue_.pop_front();
    if (!waiting_.empty()) {
        queue_.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
    }
    return job;
}

void PgPool::worker_loop(std::size_t index) {
    std::unique_ptr<pqxx::connection> connection;
    std::uint64_t generation = 0;
    // Connect at once, so healthy() tells the truth before the first query.
    try {
        connection_for(connection, generation);
    } catch (const std::exception& e) {
        logger()->debug("pool connection {} could not connect: {}", index, e.what());
    }
    while (auto job = next_job()) {
        std::exception_ptr error;
        try {
            job->execute(connection_for(connection, generation));
            mark_up();
        } catch (const std::exception& e) {
            const bool pqxx_error = dynamic_cast<const pqxx::pqxx_exception*>(&e) != nullptr;
            if (is_connection_failure(e) || (connection && !connection->is_open())) {
                connection.reset();
                generation_.fetch_add(1, std::memory_order_acq_rel);
                mark_down(e.what(), false);
            }
            error =
                pqxx_error ? std::make_exception_ptr(to_store_error(e)) : std::current_exception();
        } catch (...) {
            error = std::current_exception();
        }
        job->complete(error);
    }
}

pqxx::connection& PgPool::connection_for(std::unique_ptr<pqxx::connection>& connection,
                                         std::uint64_t& generation) {
    const auto current = generation_.load(std::memory_order_acquire);
    if (connection && generation == current) {
        return *connection;
    }
    connection.reset();
    bool gated = false;
    {
        std::lock_guard lock(state_mutex_);
        if (connect_failed_) {
            // Postgres was down at the last attempt: this work may try again (Postgres on
            // loopback refuses at once, so a try is cheap), but one at a time and not more
            // often than reconnect_interval; the rest fails fast instead of queueing behind
            // connects that may each take connect_timeout.
            if (connect_in_flight_) {
                throw Error(ErrorKind::kUnavailable,
                            "postgres unavailable (a reconnect attempt is in progress)");
            }
            const auto now = std::chrono::steady_clock::now();
            const auto next = last_attempt_ + options_.reconnect_interval;
            if (now < next) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - now);
                throw Error(ErrorKind::kUnavailable,
                            "postgres unavailable (next connect attempt in " +
                                std::to_string(left.count()) + " ms)");
            }
            connect_in_flight_ = true;
            gated = true;
        }
    }
    try {
        auto opened = std::make_unique<pqxx::connection>(conninfo_);
        if (options_.statement_timeout.count() > 0) {
            pqxx::nontransaction setup(*opened);
            setup.exec0("SET statement_timeout = " +
                        std::to_string(options_.statement_timeout.count()));
        }
        connection = std::move(opened);
        generation = current;
    } catch (const std::exception& e) {
        mark_down(e.what(), true);
        if (gated) {
            std::lock_guard lock(state_mutex_);
            connect_in_flight_ = false;
        }
        throw Error(ErrorKind::kUnavailable, std::string("postgres unavailable: ") + e.what());
    }
    if (gated) {
        std::lock_guard lock(state_mutex_);
        connect_in_flight_ = false;
    }
    mark_up();
    return *connection;
}

void PgPool::mark_up() {
    if (up_.load(std::memory_order_acquire)) {
        return;
    }
    std::lock_guard lock(state_mutex_);
    connect_failed_ = false;
    // Known from now on: a hook set later learns at once that the pool is up.
    known_.store(true, std::memory_order_release);
    if (!up_.exchange(true, std::memory_order_acq_rel)) {
        logger()->info("postgres is up");
        if (hook_) {
            hook_(true);
        }
    }
}

void PgPool::mark_down(const std::string& reason, bool connect_failed) {
    std::lock_guard lock(state_mutex_);
    if (connect_failed) {
        connect_failed_ = true;
        // Counted from the end of the attempt: a connect that took connect_timeout is still
        // followed by an interval of failing fast.
        last_attempt_ = std::chrono::steady_clock::now();
    }
    const bool was_known = known_.exchange(true, std::memory_order_acq_rel);
    if (up_.exchange(false, std::memory_order_acq_rel) || !was_known) {
        logger()->warn("postgres is down: {}", reason);
        if (hook_) {
            hook_(false);
        }
    }
}

}  // namespace gs::store
