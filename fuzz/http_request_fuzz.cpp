// Raw bytes from a client through the whole request path of the real server: the session's
// reads and limits, the parser, admission (route, method, token, framing), the handlers of
// the bar, signal and system routes, and the write. The service runs once per process on a
// loopback port; each input is one connection that sends the bytes and then half-closes.
//
// Fails on: a response that is not valid HTTP, a 500 (a handler let an unexpected exception
// escape: every client error must be a 4xx), and a connection the server neither answers
// nor closes within 5 s of the client finishing (a hang).
#include <sys/socket.h>
#include <sys/time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/health/readiness.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/server.h"
#include "goldensignals/http/system_handlers.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/metrics/http_metrics.h"
#include "goldensignals/metrics/registry.h"
#include "goldensignals/orchestrator/ingest_service.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal_service.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

// Small limits, so the fuzzer reaches them with short inputs.
gs::config::ServerOptions server_options() {
    gs::config::ServerOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
    options.threads = 1;
    options.access_log = false;
    options.header_limit_bytes = 2048;
    options.body_limit_bytes = 16 * 1024;
    options.read_timeout = std::chrono::milliseconds(2000);
    options.max_connections = 64;
    options.api_token = "fuzz-token";
    return options;
}

// The standalone service (no Redis, no PostgreSQL), wired as main() wires it.
struct Service {
    gs::config::ServerOptions options = server_options();
    asio::io_context io{1};
    asio::thread_pool compute{1};
    gs::market::MemoryBarStore bars{600};
    gs::orchestrator::Orchestrator orchestrator{compute.get_executor(), 1, gs::agents::all_agents(),
                                                gs::consensus::Config{},
                                                gs::orchestrator::Options{}};
    gs::orchestrator::SignalService signals{bars, orchestrator,
                                            gs::orchestrator::SignalServiceOptions{}};
    gs::orchestrator::IngestService ingest{bars, signals};
    gs::health::Readiness readiness;
    gs::metrics::Registry registry;
    gs::http::Router router;
    std::unique_ptr<gs::metrics::HttpMetrics> metrics;
    std::unique_ptr<gs::http::Server> server;
    std::thread thread;

    Service() {
        spdlog::set_level(spdlog::level::off);
        gs::http::add_system_routes(router, readiness, registry);
        gs::http::add_bar_routes(router, bars, ingest, compute.get_executor());
        gs::http::add_signal_routes(router, bars, signals, compute.get_executor());
        metrics = std::make_unique<gs::metrics::HttpMetrics>(gs::http::metric_labels(router));
        server = std::make_unique<gs::http::Server>(io, options, router, *metrics);
        server->listen();
        server->start();
        thread = std::thread([this] { io.run(); });
    }
};

Service& service() {
    // Never destroyed: libFuzzer exits the process without unwinding.
    static Service* instance = new Service();
    return *instance;
}

[[noreturn]] void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "http_request_fuzz: %s\n%s\n", what, detail.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& svc = service();
    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code ec;
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), svc.server->port());
    // libFuzzer's timer signal (-timeout) can interrupt a blocking connect that waits for room
    // in the listen backlog (seen once in CI: "Interrupted system call"): start over on a
    // fresh socket, which connect() opens again.
    for (int attempt = 0;; ++attempt) {
        socket.connect(endpoint, ec);
        if (ec != asio::error::interrupted || attempt == 100) {
            break;
        }
        boost::system::error_code ignored;
        socket.close(ignored);
    }
    if (ec) {
        fail("cannot connect", ec.message());
    }
    timeval deadline{};
    deadline.tv_sec = 5;
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
    // The server may answer and close before it has read everything: not an error.
    asio::write(socket, asio::buffer(data, size), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);

    std::string received;
    char chunk[16 * 1024];
    bool reset = false;
    for (;;) {
        const auto n = socket.read_some(asio::buffer(chunk), ec);
        received.append(chunk, n);
        if (ec == asio::error::interrupted) {
            // libFuzzer's timer signal (SIGALRM): a recv with SO_RCVTIMEO is never restarted
            // after a signal (signal(7)), so EINTR says nothing about the server: read on.
            continue;
        }
        if (ec == asio::error::eof || ec == asio::error::connection_reset) {
            // A reset (the server closed with our bytes unread) may cut the last response.
            reset = ec == asio::error::connection_reset;
            break;
        }
        if (ec) {
            fail("the server neither answered nor closed within 5 s", ec.message());
        }
    }

    // Every byte the server sent is a sequence of well-formed responses.
    if (received.empty()) {
        return 0;  // closed without a word: allowed (e.g. an empty input)
    }
    beast::flat_buffer buffer;
    auto out = buffer.prepare(received.size());
    std::memcpy(out.data(), received.data(), received.size());
    buffer.commit(received.size());
    while (buffer.size() != 0) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        parser.eager(true);
        const auto used = parser.put(buffer.data(), ec);
        if (reset && (ec == bhttp::error::need_more || (!ec && !parser.is_done()))) {
            break;
        }
        if (ec || !parser.is_done()) {
            fail("a response is not valid HTTP", received.substr(0, 2000));
        }
        buffer.consume(used);
        if (parser.get().result_int() == 500) {
            fail("500: an exception escaped a handler", received.substr(0, 2000));
        }
    }
    return 0;
}
