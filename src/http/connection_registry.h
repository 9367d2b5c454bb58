#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <atomic>
#include <chrono>
#include <limits>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace gs::http::detail {

// What the server keeps of one connection: enough for shutdown and for closing it to make
// room for a new one.
struct Connection {
    using Clock = std::chrono::steady_clock;
    enum class Phase { kIdle, kBusy, kStreaming };
    boost::asio::any_io_executor executor;
    boost::asio::ip::tcp::socket* socket = nullptr;  // touched only on `executor`
    Phase phase = Phase::kIdle;                      // touched only on `executor`

    // When the pending read or write on the socket must be done by. One deadline per
    // connection, set on `executor` before each wait and swept by the server every few
    // milliseconds (which cancels the socket's operations once it has passed): no timer armed
    // and cancelled per operation.
    void expires_after(Clock::duration timeout) noexcept {
        deadline_.store((Clock::now() + timeout).time_since_epoch().count(),
                        std::memory_order_relaxed);
    }
    void expires_never() noexcept { deadline_.store(kNever, std::memory_order_relaxed); }
    bool expired(Clock::time_point now) const noexcept {
        return deadline_.load(std::memory_order_relaxed) <= now.time_since_epoch().count();
    }
    // Ends the socket's pending operations (they complete with operation_aborted); on
    // `executor` only.
    void cancel_socket() noexcept {
        if (socket != nullptr) {
            boost::system::error_code ignored;
            socket->cancel(ignored);
        }
    }

    // The idle list, guarded by the registry's mutex.
    Connection* idle_prev = nullptr;
    Connection* idle_next = nullptr;
    bool idle_listed = false;

  private:
    static constexpr Clock::rep kNever = std::numeric_limits<Clock::rep>::max();
    std::atomic<Clock::rep> deadline_{kNever};
};

// Every open connection, and the idle ones (waiting for a request) oldest first. Like
// nginx's reusable connections: at the cap, a new client takes the place of the connection
// that has waited longest for its next request, so idle clients cannot lock everyone out.
// Thread-safe.
class ConnectionRegistry final {
  public:
    explicit ConnectionRegistry(std::size_t capacity) : capacity_(capacity) {}

    enum class Admit {
        kAdmitted,
        // Admitted at the cap: `evicted` is the oldest idle connection, for the caller to close.
        kAdmittedEvicting,
        // At the cap with no idle connection to close: refuse the new one.
        kFull,
    };
    Admit add(const std::shared_ptr<Connection>& connection, std::shared_ptr<Connection>& evicted);
    void remove(const std::shared_ptr<Connection>& connection);

    // Waiting for a request (the back of the idle list) / handling one or streaming.
    void mark_idle(Connection& connection);
    void mark_busy(Connection& connection);

    std::size_t size() const;
    // Connections waiting for their next request (candidates for eviction at the cap).
    std::size_t idle_size() const;
    std::size_t capacity() const noexcept { return capacity_; }

    template <typename Fn>
    void for_each(Fn&& fn) const {
        std::lock_guard lock(mutex_);
        for (const auto& [raw, connection] : all_) {
            fn(connection);
        }
    }

  private:
    void unlink(Connection& connection);  // mutex_ held

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_map<Connection*, std::shared_ptr<Connection>> all_;
    Connection* idle_head_ = nullptr;  // oldest
    Connection* idle_tail_ = nullptr;  // newest
    std::size_t idle_count_ = 0;
};

// The connection cap when none is configured: the open-file limit less a reserve for the
// pools, Redis, log and static files (a tenth, at least 64), so accept() never runs into
// EMFILE and /healthz keeps answering under a flood of idle connections.
std::size_t default_connection_cap(std::size_t open_file_limit);

}  // namespace gs::http::detail
