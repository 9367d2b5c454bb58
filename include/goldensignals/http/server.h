#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_set>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "goldensignals/config/options.h"
#include "goldensignals/http/request.h"
#include "goldensignals/http/router.h"
#include "goldensignals/metrics/http_metrics.h"

namespace gs::http {

// HTTP/1.1 server: one coroutine per connection on its own strand, keep-alive, requests
// answered one at a time in order (pipelining-safe), a deadline on every read and write,
// limits on head and body, and a graceful shutdown.
class Server final {
  public:
    Server(boost::asio::io_context& io, const config::ServerOptions& options, const Router& router,
           metrics::HttpMetrics& metrics);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens; throws boost::system::system_error when the port is taken.
    // Returns the bound port (useful with port 0).
    std::uint16_t listen();
    // Starts accepting connections on the io_context.
    void start();
    // Stops accepting, closes idle connections and streams, lets in-flight requests finish,
    // then calls `done` once every connection is gone or the grace period has passed.
    void shutdown(std::function<void()> done);

    std::uint16_t port() const noexcept { return port_; }
    bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }

  private:
    struct Connection;

    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> run_session(boost::asio::ip::tcp::socket socket);
    boost::asio::awaitable<void> wait_for_sessions(std::function<void()> done);
    bool authorized(const RawRequest& message) const;

    boost::asio::io_context& io_;
    const config::ServerOptions options_;
    const Router& router_;
    metrics::HttpMetrics& metrics_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::size_t max_body_limit_ = 0;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> next_request_{1};
    std::uint32_t instance_tag_;

    std::mutex connections_mutex_;
    std::unordered_set<std::shared_ptr<Connection>> connections_;
};

}  // namespace gs::http
