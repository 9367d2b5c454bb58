// Request targets (`/path?query`), in a request line Beast parses, through the query parser and the
// GET routes whose handlers read parameters: symbol lists (/v1/signals?symbols=), limits,
// timeframes, booleans, history cursors and times (/v1/signals/{symbol}/history?from=&to=&cursor=).
// Dispatch is the server's: parse_target, Router::match, the handler, a ClientError becoming its
// status.
//
// Checks: the parser never yields a path without its leading '/' or a NUL in any name or
// value; the parameter readers either return a value inside their contract or throw a
// ClientError with a 4xx status; no handler lets any other exception out (the server would
// answer 500) and every answer is JSON (an error one shaped {"error":{"code","message"}}).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/client_error.h"
#include "goldensignals/http/params.h"
#include "goldensignals/http/router.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/market/symbol.h"
#include "goldensignals/market/time_format.h"
#include "goldensignals/orchestrator/ingest_service.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/store/pg_signal_store.h"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace gs;

bool is_4xx(bhttp::status status) {
    const auto code = static_cast<unsigned>(status);
    return code >= 400 && code < 500;
}

// The services behind the routes, built once: a store holding 40 daily AAPL bars (so the
// signal and indicator handlers run to the end for AAPL) and no PostgreSQL (the history
// route reads every parameter, then answers 503).
struct Routes {
    asio::thread_pool compute{1};
    market::MemoryBarStore store{1000};
    orchestrator::Orchestrator orchestrator{compute.get_executor(), 1, agents::all_agents(),
                                            consensus::Config{}, orchestrator::Options{}};
    orchestrator::SignalService signals{store, orchestrator, orchestrator::SignalServiceOptions{}};
    orchestrator::IngestService ingest{store, signals};
    http::Router router;

    Routes() {
        std::vector<market::Bar> bars;
        for (int i = 0; i < 40; ++i) {
            const double close = 100.0 + (i % 7) - 0.5 * (i % 3);
            bars.push_back({1'704'067'200 + 86'400 * i, close - 0.3, close + 1.0, close - 1.0,
                            close, 1000.0 + i});
        }
        store.upsert("AAPL", market::Timeframe::k1d, bars);
        http::add_bar_routes(router, store, ingest, compute.get_executor());
        http::add_signal_routes(router, store, signals, compute.get_executor());
        http::add_history_route(router, nullptr);
    }
};

// The readers of src/http/params.h, called on whatever the query holds.
void check_param_readers(const http::Request& request) {
    try {
        const auto timeframe = http::params::timeframe(request);
        GS_FUZZ_CHECK(market::parse_timeframe(market::to_string(timeframe)) == timeframe);
    } catch (const http::ClientError& e) {
        GS_FUZZ_CHECK(is_4xx(e.status()));
    }
    try {
        const auto limit = http::params::bounded_integer(request, "limit", 7, 3, 5000);
        GS_FUZZ_CHECK(limit >= 3 && limit <= 5000);
    } catch (const http::ClientError& e) {
        GS_FUZZ_CHECK(is_4xx(e.status()));
    }
    try {
        (void)http::params::boolean(request, "agents", true);
    } catch (const http::ClientError& e) {
        GS_FUZZ_CHECK(is_4xx(e.status()));
    }
    if (auto raw = request.query.get("symbol")) {
        try {
            const std::string symbol = http::params::symbol(*raw);
            GS_FUZZ_CHECK(market::normalize_symbol(symbol) == symbol);
        } catch (const http::ClientError& e) {
            GS_FUZZ_CHECK(is_4xx(e.status()));
        }
    }
    if (auto raw = request.query.get("cursor")) {
        if (auto cursor = store::decode_history_cursor(*raw)) {
            GS_FUZZ_CHECK(store::decode_history_cursor(store::encode_history_cursor(*cursor)) ==
                          cursor);
        }
    }
    if (auto raw = request.query.get("from")) {
        if (auto time = market::parse_iso8601(*raw);
            time && *time >= market::kMinBarTime && *time < market::kMaxBarTime) {
            GS_FUZZ_CHECK(market::parse_iso8601(market::format_iso8601(*time)) == time);
        }
    }
}

void check_error_body(const http::Response& response) {
    GS_FUZZ_CHECK(response.body != nullptr);
    const auto body = nlohmann::json::parse(*response.body, nullptr, false);
    GS_FUZZ_CHECK(!body.is_discarded());
    if (static_cast<unsigned>(response.status) >= 400) {
        GS_FUZZ_CHECK(body.is_object() && body.contains("error"));
        const auto& error = body.at("error");
        GS_FUZZ_CHECK(error.is_object() && error.contains("code") && error.contains("message"));
        GS_FUZZ_CHECK(error.at("code").is_string() && error.at("message").is_string());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Routes* routes = new Routes();  // never destroyed: libFuzzer exits without unwinding
    const std::string_view target(reinterpret_cast<const char*>(data), size);

    // Only what Beast's parser lets through reaches parse_target (no raw control bytes or
    // spaces in the target), so the request line is parsed first, as the server does.
    std::string head = "GET ";
    head.append(target);
    head += " HTTP/1.1\r\nHost: fuzz\r\n\r\n";
    bhttp::request_parser<bhttp::string_body, http::FieldsAllocator<char>> parser;
    boost::system::error_code ec;
    parser.put(asio::buffer(head), ec);
    if (ec || !parser.is_done()) {
        return 0;
    }
    http::Request request;
    request.message = parser.release();
    if (!http::parse_target(request.message.target(), request.path, request.query)) {
        return 0;
    }
    GS_FUZZ_CHECK(!request.path.empty() && request.path.front() == '/');
    GS_FUZZ_CHECK(request.path.find('\0') == std::string::npos);
    for (const auto& [name, value] : request.query.items()) {
        GS_FUZZ_CHECK(name.find('\0') == std::string::npos);
        GS_FUZZ_CHECK(value.find('\0') == std::string::npos);
    }
    check_param_readers(request);

    auto match = routes->router.match(bhttp::verb::get, request.path);
    if (match.route == nullptr) {
        return 0;
    }
    request.path_params = std::move(match.params);

    asio::io_context io;
    auto future = asio::co_spawn(io, match.route->handler(request), asio::use_future);
    io.run();
    http::Response response;
    try {
        response = future.get();
    } catch (const http::ClientError& e) {
        // 503 is the history route without PostgreSQL, after every parameter was accepted.
        GS_FUZZ_CHECK(is_4xx(e.status()) || e.code() == "history_unavailable");
        return 0;
    }
    check_error_body(response);
    return 0;
}
