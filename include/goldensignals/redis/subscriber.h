#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>

#include "goldensignals/redis/client.h"

namespace gs::redis {

namespace detail {
class SubscriberConnection;
}  // namespace detail

// A pub/sub connection of its own (a subscribed connection cannot run other commands).
// Remembers every channel and pattern and subscribes to all of them again after a reconnect.
// Messages published while it was down are lost: on_state_change(false) then (true) tells the
// caller a gap may have happened.
class Subscriber final : public std::enable_shared_from_this<Subscriber> {
  public:
    // Called on the subscriber's strand. `channel` is the channel the message was published
    // to, also for pattern subscriptions. The views are valid during the call only.
    using MessageHandler = std::function<void(std::string_view channel, std::string_view payload)>;
    // A message whose payload is an array (Redis client-side caching's invalidations on
    // __redis__:invalidate: the keys) or null (`items` == nullptr: every key, after a flush).
    using ArrayMessageHandler =
        std::function<void(std::string_view channel, const std::vector<std::string_view>* items)>;

    // Throws std::invalid_argument for bad options (see validate()).
    static std::shared_ptr<Subscriber> create(boost::asio::any_io_executor executor,
                                              ClientOptions options);
    // Stops the connection (see stop()).
    ~Subscriber();
    Subscriber(const Subscriber&) = delete;
    Subscriber& operator=(const Subscriber&) = delete;

    // Set both handlers before start().
    void on_message(MessageHandler handler);
    void on_array_message(ArrayMessageHandler handler);
    // True after a (re)connect once every subscription is confirmed; false when the connection
    // drops. On the subscriber's strand.
    void on_state_change(std::function<void(bool up)> handler);

    // Starts connecting in the background. Call once.
    void start();
    // Closes the connection for good; no callback starts after stop() returns. Any thread.
    void stop();
    // True while connected with every subscription confirmed. Any thread.
    bool connected() const noexcept;
    // The connection's CLIENT ID (asked on every connect, before subscribing), the target of
    // CLIENT TRACKING ... REDIRECT. 0 until known; read it in on_state_change(true).
    std::int64_t client_id() const noexcept;

    // Server-assisted client-side caching in broadcast mode, carried by this connection: on
    // every connect, before subscribing, `CLIENT TRACKING on REDIRECT <own id> BCAST PREFIX
    // ...`, so Redis sends the invalidation of every key under the prefixes to this connection
    // (subscribe "__redis__:invalidate" to receive them). Set before start().
    void track_broadcast(std::vector<std::string> prefixes);
    // True while the current connection's CLIENT TRACKING was accepted (read it in
    // on_state_change(true)); false when Redis refused it or the connection is down.
    bool broadcast_tracking() const noexcept;

    // Adds channels (SUBSCRIBE) or patterns (PSUBSCRIBE). Takes effect at once when connected,
    // otherwise on the next connect. Any thread.
    void subscribe(std::vector<std::string> channels);
    void psubscribe(std::vector<std::string> patterns);
    // Removes channels or patterns. Any thread.
    void unsubscribe(std::vector<std::string> channels);
    void punsubscribe(std::vector<std::string> patterns);

    // A round trip on the subscribed connection: PING, completed once its reply is in. Redis
    // queues a connection's output in order, so by then every message Redis queued to this
    // connection before it ran the PING has been given to the handlers. Throws Error:
    // kNotConnected (down, or not every subscription confirmed), kTimeout (no reply within
    // command_timeout: the connection is then dropped and reconnects, so a late reply never
    // answers a later ping), kDisconnected, kClosed. Any executor; resumes on the caller's.
    // The first call adds the pattern kPingPattern (see subscriber.cpp: hiredis 0.14 routes
    // the reply by it); nothing is published to it.
    boost::asio::awaitable<void> ping();
    using PingHandler = boost::asio::any_completion_handler<void(std::exception_ptr)>;
    // The same round trip for callers without a coroutine (the read barrier): the handler gets
    // nullptr once the reply is in, or the Error as an exception_ptr; it runs on its associated
    // executor, never inside this call.
    template <typename CompletionToken>
    auto async_ping(CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(std::exception_ptr)>(
            [this](PingHandler handler) { start_ping(std::move(handler)); }, token);
    }
    static constexpr std::string_view kPingPattern = "__gs__:subscriber-ping";

  private:
    explicit Subscriber(std::shared_ptr<detail::SubscriberConnection> connection);
    void start_ping(PingHandler handler);

    std::shared_ptr<detail::SubscriberConnection> connection_;
};

}  // namespace gs::redis
