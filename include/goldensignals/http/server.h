#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <memory_resource>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "goldensignals/config/options.h"
#include "goldensignals/http/request.h"
#include "goldensignals/http/router.h"
#include "goldensignals/metrics/http_metrics.h"

namespace gs::http {

namespace detail {
class ConnectionRegistry;
class Dispatcher;
struct Connection;
struct Exchange;
}  // namespace detail

// HTTP/1.1 server: one coroutine per connection (on its own strand when several threads run
// the loop), keep-alive, requests answered one at a time in order (pipelining-safe), a
// deadline on every read and write (swept, see Connection),
// limits on head, body, chunk lines and trailers, a connection cap, and a graceful shutdown.
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

    // Open connections allowed (the configured cap, or the one derived from the file limit).
    std::size_t max_connections() const noexcept;
    // Open connections waiting for their next request: the ones the cap may close.
    std::size_t idle_connections() const;

  private:
    boost::asio::awaitable<void> accept_loop();
    // Where a new session runs: a strand when several threads run the loop.
    boost::asio::any_io_executor session_executor();
    // Takes a new connection in, closing the longest-idle one at the cap; false when it was
    // refused instead.
    bool admit_connection(boost::asio::ip::tcp::socket& socket,
                          const std::shared_ptr<detail::Connection>& connection);
    // A connection's life: read -> dispatch (pure, detail::Dispatcher) -> write, until the
    // client or the server ends it or a stream takes the connection over.
    boost::asio::awaitable<void> run_session(boost::asio::ip::tcp::socket socket,
                                             std::shared_ptr<detail::Connection> connection);
    // Reads the next request: its head, admission (routing, auth, limits) and, when admitted,
    // its body. The exchange comes back answered already when the read failed or the request
    // was refused.
    boost::asio::awaitable<void> read_request(boost::asio::ip::tcp::socket& socket,
                                              boost::beast::flat_buffer& buffer,
                                              detail::Connection& connection, bool first_request,
                                              detail::Exchange& exchange,
                                              std::pmr::memory_resource& fields_arena);
    // Settles the connection's keep-alive for the exchange and serialises its response head
    // into `out`, the session's reused buffer (it writes it and the body in one gather write).
    void response_head(detail::Exchange& exchange, std::string& out) const;
    // Metrics and the access log line of an answered exchange.
    void record(const detail::Exchange& exchange, std::string_view remote, std::size_t written);
    // Hands the connection to the response's stream until it ends.
    boost::asio::awaitable<void> run_stream(boost::asio::ip::tcp::socket& socket,
                                            detail::Connection& connection,
                                            detail::Exchange& exchange);
    // Cancels the socket operations of every connection whose deadline has passed, every few
    // milliseconds, until the server has stopped and its last connection is gone.
    boost::asio::awaitable<void> sweep_deadlines();
    boost::asio::awaitable<void> wait_for_sessions(std::function<void()> done);

    boost::asio::io_context& io_;
    const config::ServerOptions options_;
    metrics::HttpMetrics& metrics_;
    std::unique_ptr<detail::Dispatcher> dispatcher_;
    std::unique_ptr<detail::ConnectionRegistry> connections_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> next_request_{1};
    std::uint32_t instance_tag_;
};

// The /metrics label of every route, in the router's order (what HttpMetrics takes).
std::vector<metrics::RouteLabel> metric_labels(const Router& router);

}  // namespace gs::http
