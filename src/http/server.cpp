#include "goldensignals/http/server.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <random>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "goldensignals/http/client_error.h"
#include "http/request_id.h"

namespace gs::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// After answering an error we close; reading what the client still sends for a moment
// keeps the kernel from resetting the connection before the client has read our answer.
constexpr auto kLingerTime = std::chrono::milliseconds(500);
constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;

// Outcomes of a read that simply end the connection (not worth an answer or a log line).
bool is_disconnect(const boost::system::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::operation_aborted || ec == beast::error::timeout ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == bhttp::error::partial_message;
}

std::shared_ptr<spdlog::logger> access_logger() {
    static auto logger = [] {
        auto existing = spdlog::get("access");
        if (existing) {
            return existing;
        }
        auto created = spdlog::default_logger()->clone("access");
        spdlog::register_logger(created);
        return created;
    }();
    return logger;
}

asio::awaitable<void> linger_close(beast::tcp_stream& stream) {
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 16 * 1024> sink{};
    std::size_t drained = 0;
    stream.expires_after(kLingerTime);
    while (drained < kLingerBytes) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
        if (ec) {
            break;
        }
        drained += n;
    }
    stream.socket().close(ignored);
}

}  // namespace

// What shutdown needs to reach a session: its strand and, while it runs, its stream.
struct Server::Connection {
    enum class Phase { kIdle, kBusy, kStreaming };
    asio::any_io_executor executor;
    beast::tcp_stream* stream = nullptr;  // touched only on `executor`
    Phase phase = Phase::kIdle;           // touched only on `executor`
};

Server::Server(asio::io_context& io, const config::ServerOptions& options, const Router& router,
               metrics::HttpMetrics& metrics)
    : io_(io),
      options_(options),
      router_(router),
      metrics_(metrics),
      acceptor_(asio::make_strand(io)),
      instance_tag_(std::random_device{}()) {
    max_body_limit_ = options_.body_limit_bytes;
    for (const auto& route : router_.routes()) {
        max_body_limit_ = std::max(max_body_limit_, route.options.body_limit);
    }
}

Server::~Server() = default;

std::uint16_t Server::listen() {
    auto address = asio::ip::make_address(options_.bind_address);
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
    return port_;
}

void Server::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), [](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::error("accept loop ended: {}", ex.what());
            }
        }
    });
}

asio::awaitable<void> Server::accept_loop() {
    asio::steady_timer backoff(acceptor_.get_executor());
    while (!stopping()) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kUseTuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
                break;
            }
            // Out of descriptors or a transient error: pause rather than spin.
            spdlog::warn("accept failed: {}", ec.message());
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(kUseTuple);
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto executor = socket.get_executor();
        asio::co_spawn(executor, run_session(std::move(socket)), [](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    spdlog::error("session ended by an exception: {}", ex.what());
                }
            }
        });
    }
}

asio::awaitable<void> Server::run_session(tcp::socket socket) {
    auto connection = std::make_shared<Connection>();
    connection->executor = socket.get_executor();
    beast::tcp_stream stream(std::move(socket));
    connection->stream = &stream;
    {
        std::lock_guard lock(connections_mutex_);
        connections_.insert(connection);
    }
    metrics_.connection_opened();
    struct Cleanup {
        Server* server;
        std::shared_ptr<Connection> connection;
        ~Cleanup() {
            connection->stream = nullptr;
            server->metrics_.connection_closed();
            std::lock_guard lock(server->connections_mutex_);
            server->connections_.erase(connection);
        }
    } cleanup{this, connection};

    boost::system::error_code remote_ec;
    const auto remote = stream.socket().remote_endpoint(remote_ec);
    const std::string remote_text = remote_ec ? "-" : remote.address().to_string();

    beast::flat_buffer buffer;
    bool close_with_linger = false;
    for (;;) {
        connection->phase = Connection::Phase::kIdle;
        if (stopping()) {
            break;
        }
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options_.header_limit_bytes));
        // Beast checks Content-Length against the limit while reading the head, before we
        // know the route: allow the largest any route takes, then narrow it below.
        parser.body_limit(max_body_limit_);
        // Waiting for the next request on a kept-alive connection may take longer than
        // reading one that has begun.
        stream.expires_after(buffer.size() == 0 ? options_.idle_timeout : options_.read_timeout);
        auto [read_ec, head_bytes] =
            co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
        connection->phase = Connection::Phase::kBusy;
        const auto started = Clock::now();
        const std::uint64_t sequence = next_request_.fetch_add(1, std::memory_order_relaxed);

        Response response;
        std::size_t route_index = metrics_.unmatched_route();
        Request request;
        bool keep_alive = false;
        bool head_only = false;
        unsigned version = 11;

        if (read_ec) {
            if (is_disconnect(read_ec)) {
                break;
            }
            if (read_ec == bhttp::error::body_limit) {
                response = Response::error(bhttp::status::payload_too_large, "body_too_large",
                                           "request body exceeds the limit of " +
                                               std::to_string(max_body_limit_) + " bytes");
            } else if (read_ec == bhttp::error::header_limit) {
                response = Response::error(bhttp::status::request_header_fields_too_large,
                                           "header_too_large", "request head exceeds the limit");
            } else {
                response = Response::error(bhttp::status::bad_request, "malformed_request",
                                           "malformed HTTP request: " + read_ec.message());
            }
            close_with_linger = true;
        } else {
            auto& head = parser.get();
            version = head.version();
            keep_alive = head.keep_alive();
            head_only = head.method() == bhttp::verb::head;
            request.request_id = detail::request_id_from(head, instance_tag_, sequence);
            Router::Match match;
            const bool target_ok = parse_target(head.target(), request.path, request.query);
            if (target_ok) {
                match = router_.match(head.method(), request.path);
            }
            std::size_t body_limit = options_.body_limit_bytes;
            if (match.route != nullptr && match.route->options.body_limit != 0) {
                body_limit = match.route->options.body_limit;
            }
            parser.body_limit(body_limit);
            const auto declared = parser.content_length();
            if (declared && *declared > body_limit) {
                response = Response::error(bhttp::status::payload_too_large, "body_too_large",
                                           "request body of " + std::to_string(*declared) +
                                               " bytes exceeds the limit of " +
                                               std::to_string(body_limit) + " bytes");
                close_with_linger = true;
            } else {
                if (!parser.is_done()) {
                    if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
                        static constexpr std::string_view kContinue =
                            "HTTP/1.1 100 Continue\r\n\r\n";
                        stream.expires_after(options_.write_timeout);
                        co_await asio::async_write(stream, asio::buffer(kContinue), kUseTuple);
                    }
                    stream.expires_after(options_.read_timeout);
                    auto [body_ec, body_bytes] =
                        co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
                    if (body_ec == bhttp::error::body_limit) {
                        response =
                            Response::error(bhttp::status::payload_too_large, "body_too_large",
                                            "request body exceeds the limit of " +
                                                std::to_string(body_limit) + " bytes");
                        close_with_linger = true;
                    } else if (body_ec && is_disconnect(body_ec)) {
                        break;
                    } else if (body_ec) {
                        response =
                            Response::error(bhttp::status::bad_request, "malformed_request",
                                            "malformed HTTP request body: " + body_ec.message());
                        close_with_linger = true;
                    }
                }
                if (!close_with_linger) {
                    request.message = parser.release();
                    if (!target_ok) {
                        response = Response::error(bhttp::status::bad_request, "bad_target",
                                                   "request target is not a valid path");
                    } else if (match.route != nullptr && match.route->options.write &&
                               !authorized(request.message)) {
                        route_index =
                            static_cast<std::size_t>(match.route - router_.routes().data());
                        response =
                            Response::error(bhttp::status::unauthorized, "unauthorized",
                                            "this route needs Authorization: Bearer <token>");
                        response.header("WWW-Authenticate", "Bearer");
                    } else if (match.route != nullptr) {
                        route_index =
                            static_cast<std::size_t>(match.route - router_.routes().data());
                        request.path_params = std::move(match.params);
                        try {
                            response = co_await match.route->handler(request);
                        } catch (const ClientError& e) {
                            response = Response::error(e.status(), e.code(), e.what());
                        } catch (const std::exception& e) {
                            spdlog::error("[{}] {} {} failed: {}", request.request_id,
                                          std::string_view(request.message.method_string()),
                                          request.path, e.what());
                            response = Response::error(bhttp::status::internal_server_error,
                                                       "internal", "internal server error");
                        }
                    } else if (!match.allow.empty()) {
                        response =
                            Response::error(bhttp::status::method_not_allowed, "method_not_allowed",
                                            "method not allowed; allowed: " + match.allow);
                        response.header("Allow", match.allow);
                    } else {
                        response = Response::error(bhttp::status::not_found, "not_found",
                                                   "no route for " + request.path);
                    }
                }
            }
        }
        if (close_with_linger || stopping()) {
            keep_alive = false;
        }
        if (response.stream) {
            // A stream answers once and then owns the connection until it ends.
            keep_alive = true;
        }

        const std::string head_text =
            serialize_head(response, version, keep_alive, request.request_id);
        std::array<asio::const_buffer, 2> buffers{asio::buffer(head_text), asio::const_buffer{}};
        if (response.body && !head_only) {
            buffers[1] = asio::buffer(*response.body);
        }
        stream.expires_after(options_.write_timeout);
        auto [write_ec, written] = co_await asio::async_write(stream, buffers, kUseTuple);

        const auto elapsed = Clock::now() - started;
        metrics_.record(route_index, static_cast<unsigned>(response.status), elapsed);
        if (options_.access_log) {
            access_logger()->info(
                "[{}] {} \"{} {}\" {} {}B {}us", request.request_id, remote_text,
                request.message.method_string().empty()
                    ? std::string_view("-")
                    : std::string_view(request.message.method_string()),
                request.path.empty() ? std::string_view("-") : std::string_view(request.path),
                static_cast<unsigned>(response.status), written,
                std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
        }
        if (write_ec) {
            break;
        }
        if (response.stream) {
            connection->phase = Connection::Phase::kStreaming;
            stream.expires_never();
            StreamContext context{stream, [this] { return stopping(); }};
            try {
                co_await response.stream(context);
            } catch (const std::exception& e) {
                spdlog::error("[{}] stream ended by an exception: {}", request.request_id,
                              e.what());
            }
            break;
        }
        if (!keep_alive) {
            break;
        }
    }
    if (close_with_linger) {
        co_await linger_close(stream);
    } else {
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.socket().close(ignored);
    }
}

bool Server::authorized(const RawRequest& message) const {
    if (options_.api_token.empty()) {
        return true;
    }
    std::string_view header = message[bhttp::field::authorization];
    constexpr std::string_view kScheme = "Bearer ";
    if (header.size() <= kScheme.size() ||
        !beast::iequals(header.substr(0, kScheme.size()), kScheme)) {
        return false;
    }
    return detail::constant_time_equals(header.substr(kScheme.size()), options_.api_token);
}

void Server::shutdown(std::function<void()> done) {
    if (stopping_.exchange(true)) {
        return;
    }
    asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });
    {
        std::lock_guard lock(connections_mutex_);
        for (const auto& connection : connections_) {
            asio::post(connection->executor, [connection] {
                // Busy sessions finish their response and then see stopping().
                if (connection->stream != nullptr &&
                    connection->phase != Connection::Phase::kBusy) {
                    connection->stream->cancel();
                }
            });
        }
    }
    asio::co_spawn(io_, wait_for_sessions(std::move(done)), asio::detached);
}

asio::awaitable<void> Server::wait_for_sessions(std::function<void()> done) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = Clock::now() + options_.shutdown_grace;
    for (;;) {
        std::size_t remaining = 0;
        {
            std::lock_guard lock(connections_mutex_);
            remaining = connections_.size();
        }
        if (remaining == 0) {
            break;
        }
        if (Clock::now() >= deadline) {
            spdlog::warn("shutdown grace period over with {} connection(s) still open", remaining);
            break;
        }
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(kUseTuple);
    }
    done();
}

}  // namespace gs::http
