#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "goldensignals/redis/error.h"
#include "goldensignals/redis/reply.h"
#include "goldensignals/redis/url.h"

namespace gs::redis {

struct ClientOptions {
    Url url;
    // TCP connect plus the AUTH/SELECT/PING handshake.
    std::chrono::milliseconds connect_timeout{1000};
    // Per command, or per pipeline batch.
    std::chrono::milliseconds command_timeout{250};
    // Back-off between reconnect attempts: doubles from min up to max. Kept short so the
    // connection is back within a fraction of a second of Redis (a refused connect is cheap).
    std::chrono::milliseconds reconnect_min{25};
    std::chrono::milliseconds reconnect_max{250};
    // A command (or request_reconnect()) that finds the connection down cuts the back-off
    // short, but attempts still start at most once per this interval.
    std::chrono::milliseconds demand_interval{50};
    // Sent as CLIENT SETNAME and shown in log lines; empty: no name.
    std::string name;
};

// Throws std::invalid_argument naming the bad field (non-positive durations, min > max, a
// name with spaces).
void validate(const ClientOptions& options);

namespace detail {
class Connection;
}  // namespace detail

// An asynchronous Redis connection over hiredis, driven by Asio. One TCP connection, run on its
// own strand; commands from any executor are multiplexed (pipelined) on it. Connects in the
// background and reconnects with exponential back-off whenever the connection drops. While it
// is down, commands fail at once with ErrorKind::kNotConnected (nothing is queued) and ask
// for a reconnect attempt now, so the first commands after Redis returns find it up.
class Client final : public std::enable_shared_from_this<Client> {
  public:
    // Throws std::invalid_argument for bad options (see validate()).
    static std::shared_ptr<Client> create(boost::asio::any_io_executor executor,
                                          ClientOptions options);
    // Stops the connection (see stop()).
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Starts connecting in the background. Call once.
    void start();
    // Closes the connection for good. Commands in flight fail with ErrorKind::kClosed; no
    // state-change callback starts after stop() returns. Idempotent, any thread.
    void stop();
    // True while connected and past the handshake. Any thread.
    bool connected() const noexcept;
    // While down: attempt to reconnect now instead of waiting out the back-off (at most one
    // attempt per demand_interval). For callers that skip commands while !connected(). Any
    // thread; no-op when connected or stopped.
    void request_reconnect();
    // Called with true on each transition to up and false on each transition to down, on the
    // client's strand. Set it before start().
    void on_state_change(std::function<void(bool up)> handler);

    // Sends one command (binary-safe arguments, e.g. {"SET", key, value}) and returns its reply.
    // An error reply from Redis is returned as a Reply of type kError. Throws Error when not
    // connected, on timeout, on disconnect mid-flight, or after stop(). Callable from any
    // executor; the caller resumes on its own executor.
    boost::asio::awaitable<Reply> command(std::vector<std::string> args);
    // Sends every command in one write and returns their replies in order; one timeout covers
    // the whole batch. Throws Error as command().
    boost::asio::awaitable<std::vector<Reply>> pipeline(
        std::vector<std::vector<std::string>> commands);

  private:
    explicit Client(std::shared_ptr<detail::Connection> connection);

    std::shared_ptr<detail::Connection> connection_;
};

}  // namespace gs::redis
