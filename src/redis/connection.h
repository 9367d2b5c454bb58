#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <hiredis/async.h>
#include <spdlog/spdlog.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "goldensignals/redis/client.h"
#include "goldensignals/redis/error.h"
#include "redis/asio_adapter.h"

namespace gs::redis::detail {

// The component's named logger ("redis"), cloned from the default logger on first use.
std::shared_ptr<spdlog::logger> logger();

// Commands sent on every (re)connect before the connection counts as up: AUTH when the URL
// has a password, SELECT when the db is not 0, CLIENT SETNAME when named, then PING.
std::vector<std::vector<std::string>> handshake_commands(const ClientOptions& options);

// Delay before reconnect attempt `attempt` (0 = the first after a failure or a drop):
// reconnect_min doubled per attempt, capped at reconnect_max.
std::chrono::milliseconds backoff_delay(const ClientOptions& options, unsigned attempt);

// redisAsyncCommandArgv over binary-safe arguments; REDIS_OK when queued.
int send_command(redisAsyncContext* context, redisCallbackFn* callback, void* data,
                 const std::vector<std::string>& args);

struct AsyncContextDeleter {
    void operator()(redisAsyncContext* context) const noexcept { redisAsyncFree(context); }
};
using AsyncContextPtr = std::unique_ptr<redisAsyncContext, AsyncContextDeleter>;

// One hiredis connection and its life: resolve, connect, handshake, report up, notice the
// drop, back off, reconnect; until stop(). Everything but start/stop/connected runs on the
// strand. hiredis frees its context on any disconnect; the adapter's cleanup hook tells this
// object, which then holds no pointer to it.
class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(boost::asio::any_io_executor executor, ClientOptions options, std::string_view role);
    virtual ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start();
    void stop();
    // Any thread: cut a back-off wait short (see ClientOptions::demand_interval).
    void request_reconnect();
    bool connected() const noexcept { return up_.load(std::memory_order_acquire); }
    bool stop_requested() const noexcept { return stop_requested_.load(std::memory_order_acquire); }
    // Set before start().
    void on_state_change(std::function<void(bool up)> handler) {
        state_handler_ = std::move(handler);
    }
    const Strand& strand() const noexcept { return strand_; }
    const ClientOptions& options() const noexcept { return options_; }

    // On the strand: the context when ready for commands, else nullptr.
    redisAsyncContext* ready_context() const noexcept {
        return phase_ == Phase::kReady ? context_.get() : nullptr;
    }
    // On the strand: why a command cannot be sent now.
    ErrorKind unavailable_kind() const noexcept {
        return stopping_ || stop_requested() ? ErrorKind::kClosed : ErrorKind::kNotConnected;
    }
    // Inside a hiredis callback that got no reply: why.
    static ErrorKind failure_kind(const redisAsyncContext* context) noexcept;

  protected:
    // On the strand, inside a hiredis callback, once the handshake succeeded. Return true when
    // the connection is ready now; otherwise call mark_ready() later.
    virtual bool on_handshake_done(redisAsyncContext* context);
    // On the strand, after a ready connection was lost (its context is gone).
    virtual void on_connection_lost() {}

    // On the strand: the context once the handshake succeeded, else nullptr.
    redisAsyncContext* handshaken_context() const noexcept {
        return phase_ == Phase::kHandshaken || phase_ == Phase::kReady ? context_.get() : nullptr;
    }
    bool ready() const noexcept { return phase_ == Phase::kReady; }
    // On the strand: the handshaken connection is ready (no-op in any other phase).
    void mark_ready();
    // On the strand, also inside hiredis callbacks: drop this connection and reconnect.
    void fail(std::string reason);
    const std::string& label() const noexcept { return label_; }

  private:
    enum class Phase { kIdle, kConnecting, kHandshaking, kHandshaken, kReady, kFailed };

    static boost::asio::awaitable<void> run(std::shared_ptr<Connection> self);
    boost::asio::awaitable<std::string> resolve();
    bool open(const std::string& address);
    void close_context();
    void context_freed(redisAsyncContext* context);
    void notify(bool up);
    void wake();
    bool connecting() const noexcept {
        return phase_ == Phase::kConnecting || phase_ == Phase::kHandshaking ||
               phase_ == Phase::kHandshaken;
    }
    static void handle_connect(const redisAsyncContext* context, int status);
    static void handle_handshake_reply(redisAsyncContext* context, void* reply, void* data);

    Strand strand_;
    const ClientOptions options_;
    std::string label_;
    // Wakes the connection loop (cancel) and times its waits.
    boost::asio::steady_timer timer_;
    boost::asio::ip::tcp::resolver resolver_;
    AsyncContextPtr context_;
    Phase phase_ = Phase::kIdle;
    std::size_t handshake_pending_ = 0;
    bool stopping_ = false;
    std::string last_error_;
    // During a back-off wait: when the next attempt starts, and when the last one ended.
    bool backing_off_ = false;
    std::chrono::steady_clock::time_point retry_at_{};
    std::chrono::steady_clock::time_point last_attempt_{};
    std::atomic<bool> up_{false};
    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> started_{false};
    std::function<void(bool up)> state_handler_;
};

}  // namespace gs::redis::detail
