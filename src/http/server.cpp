#include "goldensignals/http/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory_resource>
#include <random>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/string_body.hpp>

#include "goldensignals/log/logger.h"
#include "http/connection_registry.h"
#include "http/dispatcher.h"
#include "http/log_escape.h"
#include "http/request_id.h"
#include "http/socket_io.h"

namespace gs::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using detail::Admission;
using detail::Connection;
using detail::ConnectionRegistry;
using detail::RequestParser;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// After answering an error we close; reading what the client still sends for a moment
// keeps the kernel from resetting the connection before the client has read our answer.
constexpr auto kLingerTime = std::chrono::milliseconds(500);
constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;
// RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request line.
constexpr std::size_t kMaxLeadingEmptyLineBytes = 8;
// accept() failing (out of descriptors, mostly): back off from 10 ms up to 1 s, and say so
// in the log once and then at most every 10 s instead of on every failure.
constexpr auto kMinAcceptBackoff = std::chrono::milliseconds(10);
constexpr auto kMaxAcceptBackoff = std::chrono::milliseconds(1000);
constexpr auto kLogEvery = std::chrono::seconds(10);
// How often connection deadlines are looked at: a quarter of the shortest timeout, within
// these bounds. A deadline fires up to one period late.
constexpr auto kMinSweepPeriod = std::chrono::milliseconds(5);
constexpr auto kMaxSweepPeriod = std::chrono::milliseconds(250);

constexpr std::string_view kConnectionCapResponse =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 90\r\n"
    "Retry-After: 1\r\n"
    "Connection: close\r\n"
    "\r\n"
    R"({"error":{"code":"too_many_connections","message":"the server is at its connection cap"}})"
    "\n";
static_assert(kConnectionCapResponse.size() - kConnectionCapResponse.find("\r\n\r\n") - 4 == 90);

// Outcomes of a read that simply end the connection (not worth an answer or a log line).
bool is_disconnect(const boost::system::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::operation_aborted || ec == beast::error::timeout ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == bhttp::error::partial_message;
}

std::shared_ptr<spdlog::logger> access_logger() {
    static const auto logger = log::named_logger("access");
    return logger;
}

// Shuts our side, then drains what the client still sends until it closes, the linger time
// passes or enough has come, and closes.
asio::awaitable<void> linger_close(tcp::socket& socket, Connection& connection) {
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 16 * 1024> sink{};
    std::size_t drained = 0;
    connection.expires_after(kLingerTime);
    while (drained < kLingerBytes) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), kUseTuple);
        if (ec) {
            break;
        }
        drained += n;
    }
    socket.close(ignored);
}

// Reads the next request head, skipping a few empty lines before it (RFC 9112 2.2).
asio::awaitable<boost::system::error_code> read_head(tcp::socket& socket,
                                                     beast::flat_buffer& buffer,
                                                     RequestParser& parser) {
    std::size_t skipped = 0;
    for (;;) {
        if (buffer.size() == 0) {
            if (auto ec = co_await detail::read_more(socket, buffer)) {
                co_return ec == asio::error::eof ? bhttp::error::end_of_stream : ec;
            }
            continue;
        }
        const char first = *static_cast<const char*>(buffer.data().data());
        if ((first != '\r' && first != '\n') || skipped == kMaxLeadingEmptyLineBytes) {
            break;
        }
        buffer.consume(1);
        ++skipped;
    }
    co_return co_await detail::read_message(socket, buffer, parser, detail::ReadUntil::kHead);
}

// Reads an admitted request's body; sends 100 Continue first when the client waits for it.
asio::awaitable<boost::system::error_code> read_body(tcp::socket& socket, Connection& connection,
                                                     beast::flat_buffer& buffer,
                                                     RequestParser& parser,
                                                     const config::ServerOptions& options) {
    if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        connection.expires_after(options.write_timeout);
        auto [ec, n] =
            co_await detail::write_all(socket, {asio::buffer(kContinue), asio::const_buffer{}});
        if (ec) {
            co_return ec;
        }
    }
    connection.expires_after(options.read_timeout);
    // Parse all the buffered body bytes at once, as http::async_read does.
    parser.eager(true);
    co_return co_await detail::read_message(socket, buffer, parser,
                                            detail::ReadUntil::kWholeMessage);
}

Clock::duration deadline_sweep_period(const config::ServerOptions& options) {
    const Clock::duration shortest =
        std::min({Clock::duration(options.read_timeout), Clock::duration(options.write_timeout),
                  Clock::duration(options.idle_timeout), Clock::duration(kLingerTime)});
    return std::clamp(shortest / 4, Clock::duration(kMinSweepPeriod),
                      Clock::duration(kMaxSweepPeriod));
}

std::size_t open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return 1 << 20;
    }
    return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace

std::vector<metrics::RouteLabel> metric_labels(const Router& router) {
    std::vector<metrics::RouteLabel> labels;
    for (const auto& route : router.routes()) {
        labels.push_back({std::string(bhttp::to_string(route.method)), route.pattern});
    }
    return labels;
}

Server::Server(asio::io_context& io, const config::ServerOptions& options, const Router& router,
               metrics::HttpMetrics& metrics)
    : io_(io),
      options_(options),
      metrics_(metrics),
      dispatcher_(std::make_unique<detail::Dispatcher>(router, options_)),
      connections_(std::make_unique<ConnectionRegistry>(
          options_.max_connections != 0 ? options_.max_connections
                                        : detail::default_connection_cap(open_file_limit()))),
      acceptor_(asio::make_strand(io)),
      instance_tag_(std::random_device{}()) {}

Server::~Server() = default;

std::size_t Server::max_connections() const noexcept {
    return connections_->capacity();
}

std::size_t Server::idle_connections() const {
    return connections_->idle_size();
}

asio::any_io_executor Server::session_executor() {
    // One thread runs the loop: its handlers never run concurrently, so a strand would only
    // add its queue, lock and reference counts to every operation of every session.
    if (config::effective_threads(options_) == 1) {
        return io_.get_executor();
    }
    return asio::make_strand(io_);
}

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
    const auto report = [](const char* what) {
        return [what](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    spdlog::error("{} ended: {}", what, ex.what());
                }
            }
        };
    };
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), report("accept loop"));
    asio::co_spawn(acceptor_.get_executor(), sweep_deadlines(), report("deadline sweep"));
}

asio::awaitable<void> Server::sweep_deadlines() {
    asio::steady_timer timer(acceptor_.get_executor());
    const auto period = deadline_sweep_period(options_);
    std::vector<std::shared_ptr<Connection>> expired;
    // Until the last session is gone: a closing one may still linger on a deadline.
    while (!stopping() || connections_->size() != 0) {
        timer.expires_after(period);
        co_await timer.async_wait(kUseTuple);
        const auto now = Clock::now();
        connections_->for_each([&](const std::shared_ptr<Connection>& connection) {
            if (connection->expired(now)) {
                expired.push_back(connection);
            }
        });
        for (auto& connection : expired) {
            auto executor = connection->executor;
            asio::post(executor, [connection = std::move(connection)] {
                // Looked at again where the session runs: it may have moved on meanwhile.
                if (connection->expired(Clock::now())) {
                    connection->cancel_socket();
                }
            });
        }
        expired.clear();
    }
}

asio::awaitable<void> Server::accept_loop() {
    asio::steady_timer backoff(acceptor_.get_executor());
    auto delay = kMinAcceptBackoff;
    std::uint64_t failures = 0;
    std::uint64_t unreported = 0;
    std::uint64_t refused_unreported = 0;
    auto last_report = Clock::now() - kLogEvery;
    auto last_cap_report = Clock::now() - kLogEvery;
    while (!stopping()) {
        auto [ec, accepted] = co_await acceptor_.async_accept(session_executor(), kUseTuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
                break;
            }
            metrics_.accept_failed();
            ++failures;
            ++unreported;
            if (Clock::now() - last_report >= kLogEvery) {
                spdlog::warn("accept failing: {} ({} time(s) since the last report); backing off",
                             ec.message(), unreported);
                unreported = 0;
                last_report = Clock::now();
            }
            backoff.expires_after(delay);
            co_await backoff.async_wait(kUseTuple);
            delay = std::min(delay * 2, kMaxAcceptBackoff);
            continue;
        }
        if (failures != 0) {
            spdlog::info("accept works again after {} failure(s)", failures);
            failures = unreported = 0;
            delay = kMinAcceptBackoff;
        }
        tcp::socket socket(std::move(accepted));
        auto connection = std::make_shared<Connection>();
        connection->executor = socket.get_executor();
        if (!admit_connection(socket, connection)) {
            ++refused_unreported;
        }
        if (refused_unreported != 0 && Clock::now() - last_cap_report >= kLogEvery) {
            spdlog::warn("at the connection cap of {} with none idle: refused {} connection(s)",
                         connections_->capacity(), refused_unreported);
            refused_unreported = 0;
            last_cap_report = Clock::now();
        }
        if (!socket.is_open()) {
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto executor = socket.get_executor();
        asio::co_spawn(executor, run_session(std::move(socket), std::move(connection)),
                       [](std::exception_ptr e) {
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

bool Server::admit_connection(tcp::socket& socket, const std::shared_ptr<Connection>& connection) {
    std::shared_ptr<Connection> evicted;
    switch (connections_->add(connection, evicted)) {
        case ConnectionRegistry::Admit::kAdmitted:
            return true;
        case ConnectionRegistry::Admit::kAdmittedEvicting:
            metrics_.connection_reused();
            asio::post(evicted->executor, [evicted] {
                // Only if it is still waiting: a request that began meanwhile finishes.
                if (evicted->phase == Connection::Phase::kIdle) {
                    evicted->cancel_socket();
                }
            });
            return true;
        case ConnectionRegistry::Admit::kFull:
            break;
    }
    // Answered without a session: one non-blocking send of a canned 503, then close. The
    // descriptor reserve below the open-file limit is what lets us accept it at all.
    metrics_.connection_refused();
    boost::system::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.send(asio::buffer(kConnectionCapResponse), 0, ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    return false;
}

// One request and its response, from the head's first byte to the access log line.
struct detail::Exchange {
    Request request;
    Admission admission;
    Response response;
    // Set when the read failed or the head was refused: `response` is the answer, and no
    // handler runs.
    bool answered = false;
    // The client went away (or timed out) mid-read: nothing to answer, nothing to log.
    bool disconnected = false;
    // Answer, then drain what the client still sends and close (see linger_close).
    bool close_with_linger = false;
    bool keep_alive = false;
    bool head_only = false;
    unsigned version = 11;
    std::string method = "-";
    Clock::time_point started;
};

namespace {

// Counts the session's connection while it lives and takes it out of the registry at the end.
class SessionScope {
  public:
    SessionScope(metrics::HttpMetrics& metrics, ConnectionRegistry& connections,
                 std::shared_ptr<Connection> connection, tcp::socket& socket)
        : metrics_(metrics), connections_(connections), connection_(std::move(connection)) {
        connection_->socket = &socket;
        metrics_.connection_opened();
    }
    ~SessionScope() {
        connection_->socket = nullptr;
        metrics_.connection_closed();
        connections_.remove(connection_);
    }
    SessionScope(const SessionScope&) = delete;
    SessionScope& operator=(const SessionScope&) = delete;

  private:
    metrics::HttpMetrics& metrics_;
    ConnectionRegistry& connections_;
    std::shared_ptr<Connection> connection_;
};

std::string remote_address(const tcp::socket& socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    return ec ? "-" : remote.address().to_string();
}

// Ends an exchange whose read failed: a disconnect ends the session quietly, anything else is
// answered (and the connection closed after it).
void fail_read(detail::Exchange& exchange, const boost::system::error_code& ec,
               std::size_t body_limit, std::size_t header_limit) {
    if (is_disconnect(ec)) {
        exchange.disconnected = true;
        return;
    }
    exchange.response = detail::read_error_response(ec, body_limit, header_limit);
    exchange.answered = true;
    exchange.close_with_linger = true;
}

}  // namespace

asio::awaitable<void> Server::run_session(tcp::socket socket,
                                          std::shared_ptr<Connection> connection) {
    SessionScope scope(metrics_, *connections_, connection, socket);
    const std::string remote = remote_address(socket);
    // Reads and writes are tried at once and wait only when the socket is not ready (see
    // socket_io.h).
    {
        boost::system::error_code ignored;
        socket.non_blocking(true, ignored);
    }
    // Holds one request head, chunk-size line or trailer section at a time (body bytes pass
    // through to the body): bounded like the head, so none of them can grow without limit.
    beast::flat_buffer buffer(options_.header_limit_bytes);
    // Every response head of the connection is serialised here: one allocation per session.
    std::string head_text;
    // The request head's fields live here (see FieldsAllocator), released between requests:
    // a usual head fits the inline block; a larger one (bounded by the head limit) borrows
    // from the heap until the request ends.
    std::array<std::byte, 4096> fields_block;
    std::pmr::monotonic_buffer_resource fields_arena(fields_block.data(), fields_block.size());
    // The path and request id strings of one exchange, handed to the next with their capacity.
    std::string kept_path;
    std::string kept_request_id;
    bool close_with_linger = false;
    for (bool first_request = true;; first_request = false) {
        connection->phase = Connection::Phase::kIdle;
        connections_->mark_idle(*connection);
        if (stopping()) {
            break;
        }
        // The previous exchange is gone: nothing points into the arena any more.
        fields_arena.release();
        // Filled in place, not returned: the exchange is not moved through a coroutine frame.
        detail::Exchange exchange;
        exchange.request.path = std::move(kept_path);
        exchange.request.path.clear();
        exchange.request.request_id = std::move(kept_request_id);
        exchange.request.request_id.clear();
        co_await read_request(socket, buffer, *connection, first_request, exchange, fields_arena);
        if (exchange.disconnected) {
            break;
        }
        if (!exchange.answered) {
            exchange.response =
                co_await dispatcher_->dispatch(exchange.request, exchange.admission);
        }
        close_with_linger = exchange.close_with_linger;
        // Written here rather than in a coroutine of its own: one frame less per request.
        response_head(exchange, head_text);
        std::array<asio::const_buffer, 2> buffers{asio::buffer(head_text), asio::const_buffer{}};
        if (exchange.response.body && !exchange.head_only) {
            buffers[1] = asio::buffer(*exchange.response.body);
        }
        connection->expires_after(options_.write_timeout);
        const auto [write_ec, written] = co_await detail::write_all(socket, buffers);
        record(exchange, remote, written);
        if (write_ec) {
            break;
        }
        if (exchange.response.stream) {
            co_await run_stream(socket, *connection, exchange);
            break;
        }
        if (!exchange.keep_alive) {
            break;
        }
        kept_path = std::move(exchange.request.path);
        kept_request_id = std::move(exchange.request.request_id);
    }
    if (close_with_linger) {
        co_await linger_close(socket, *connection);
    } else {
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        socket.close(ignored);
    }
}

asio::awaitable<void> Server::read_request(tcp::socket& socket, beast::flat_buffer& buffer,
                                           Connection& connection, bool first_request,
                                           detail::Exchange& exchange,
                                           std::pmr::memory_resource& fields_arena) {
    RequestParser parser(std::piecewise_construct, std::make_tuple(),
                         std::make_tuple(FieldsAllocator<char>(&fields_arena)));
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit_bytes));
    // Beast checks Content-Length against the limit while reading the head, before we know
    // the route: allow the largest any route takes; admission narrows it.
    parser.body_limit(dispatcher_->max_body_limit());
    // A new connection gets the read deadline for its first head; a kept-alive one may wait
    // the idle timeout for its next request.
    connection.expires_after(!first_request && buffer.size() == 0 ? options_.idle_timeout
                                                                  : options_.read_timeout);
    const auto head_ec = co_await read_head(socket, buffer, parser);
    // No deadline while the request is handled: the next read or write sets its own.
    connection.expires_never();
    connections_->mark_busy(connection);
    connection.phase = Connection::Phase::kBusy;
    exchange.started = Clock::now();
    const std::uint64_t sequence = next_request_.fetch_add(1, std::memory_order_relaxed);
    exchange.admission.route_index = dispatcher_->unmatched_index();
    if (head_ec) {
        fail_read(exchange, head_ec, dispatcher_->max_body_limit(), options_.header_limit_bytes);
        co_return;
    }

    const auto& head = parser.get();
    exchange.version = head.version();
    exchange.keep_alive = head.keep_alive();
    exchange.head_only = head.method() == bhttp::verb::head;
    exchange.method = std::string(head.method_string());
    detail::request_id_from(head, instance_tag_, sequence, exchange.request.request_id);
    std::optional<std::uint64_t> declared;
    if (auto length = parser.content_length()) {
        declared = *length;
    }
    exchange.admission = dispatcher_->admit(head, declared, exchange.request);
    if (exchange.admission.refusal) {
        exchange.response = std::move(*exchange.admission.refusal);
        exchange.answered = true;
        // Never read (or ask for) the body of a refused request: close after it.
        exchange.close_with_linger = exchange.admission.must_close || !parser.is_done();
        co_return;
    }
    if (!parser.is_done()) {
        parser.body_limit(exchange.admission.body_limit);
        const auto body_ec = co_await read_body(socket, connection, buffer, parser, options_);
        connection.expires_never();
        if (body_ec) {
            fail_read(exchange, body_ec, exchange.admission.body_limit,
                      options_.header_limit_bytes);
            co_return;
        }
    }
    exchange.request.message = parser.release();
}

void Server::response_head(detail::Exchange& exchange, std::string& out) const {
    if (exchange.close_with_linger || stopping()) {
        exchange.keep_alive = false;
    }
    if (exchange.response.stream) {
        // A stream answers once and then owns the connection until it ends.
        exchange.keep_alive = true;
    }
    serialize_head(exchange.response, exchange.version, exchange.keep_alive,
                   exchange.request.request_id, out);
}

void Server::record(const detail::Exchange& exchange, std::string_view remote,
                    std::size_t written) {
    const auto elapsed = Clock::now() - exchange.started;
    const auto status = static_cast<unsigned>(exchange.response.status);
    metrics_.record(exchange.admission.route_index, status, elapsed);
    if (!options_.access_log) {
        return;
    }
    const Request& request = exchange.request;
    // Views of the text itself when it needs no escaping (the usual line): no string per line.
    std::string method_scratch;
    std::string path_scratch;
    access_logger()->info(
        "[{}] {} \"{} {}\" {} {}B {}us", request.request_id, remote,
        detail::escape_for_log(exchange.method, 32, method_scratch),
        request.path.empty() ? std::string_view("-")
                             : detail::escape_for_log(request.path, 512, path_scratch),
        status, written, std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
}

asio::awaitable<void> Server::run_stream(tcp::socket& socket, Connection& connection,
                                         detail::Exchange& exchange) {
    connection.phase = Connection::Phase::kStreaming;
    connection.expires_never();
    StreamContext context{
        socket, [this] { return stopping(); },
        [&connection](Clock::duration timeout) { connection.expires_after(timeout); },
        [&connection] { connection.expires_never(); }};
    try {
        co_await exchange.response.stream(context);
    } catch (const std::exception& e) {
        spdlog::error("[{}] stream ended by an exception: {}", exchange.request.request_id,
                      e.what());
    }
}

void Server::shutdown(std::function<void()> done) {
    if (stopping_.exchange(true)) {
        return;
    }
    asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });
    connections_->for_each([](const std::shared_ptr<Connection>& connection) {
        asio::post(connection->executor, [connection] {
            // Busy sessions finish their response and then see stopping().
            if (connection->phase != Connection::Phase::kBusy) {
                connection->cancel_socket();
            }
        });
    });
    asio::co_spawn(io_, wait_for_sessions(std::move(done)), asio::detached);
}

asio::awaitable<void> Server::wait_for_sessions(std::function<void()> done) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = Clock::now() + options_.shutdown_grace;
    for (;;) {
        const std::size_t remaining = connections_->size();
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
