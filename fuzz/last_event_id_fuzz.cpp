// GET /v1/stream resumption: the input is `<query>\n<Last-Event-ID value>`, made into a
// request head, parsed by Beast as the server would, and handed to the stream route's handler
// over a hub holding 12 events of which the replay ring keeps the last 8.
//
// Checks: the handler answers a stream or throws a 4xx ClientError, nothing else; a present
// id is answered with a resync exactly when it is not a decimal uint64 or the hub cannot
// replay from it (Hub::resume says kResync); a replay holds only matching events newer than
// the id, oldest first; and dropping the unstarted stream gives back its slot and its
// subscription.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "fuzz_check.h"
#include "goldensignals/http/client_error.h"
#include "goldensignals/http/request.h"
#include "goldensignals/http/router.h"
#include "goldensignals/sse/hub.h"
#include "goldensignals/sse/stream_route.h"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace gs;

constexpr std::uint64_t kFirstId = 1000;

struct Stream {
    sse::Hub hub{sse::HubOptions{.replay_capacity = 8, .initial_id = kFirstId}};
    http::Router router;

    Stream() {
        const char* symbols[] = {"AAPL", "MSFT", "SPY"};
        for (int i = 0; i < 12; ++i) {
            hub.publish(kFirstId + 1 + i, symbols[i % 3],
                        i % 4 == 0 ? market::Timeframe::k1h : market::Timeframe::k1d,
                        std::make_shared<const std::string>(R"({"action":"BUY"})"),
                        std::chrono::steady_clock::now());
        }
        sse::add_stream_route(router, hub, nullptr, nullptr, sse::StreamOptions{});
    }
};

// The oracle for the route's reading of the id: all decimal digits, within uint64.
std::optional<std::uint64_t> decimal_u64(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

void check_resume(const sse::Hub& hub, const sse::Filter& filter, std::uint64_t id) {
    const sse::Resume resume = hub.resume(filter, id);
    GS_FUZZ_CHECK(resume.last_id == hub.last_id());
    if (resume.kind == sse::Resume::Kind::kResync) {
        GS_FUZZ_CHECK(resume.events.empty());
        return;
    }
    std::uint64_t previous = id;
    for (const auto& event : resume.events) {
        GS_FUZZ_CHECK(event->id > previous && event->id <= resume.last_id);
        GS_FUZZ_CHECK(filter.matches(*event));
        previous = event->id;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Stream* stream = new Stream();  // never destroyed: libFuzzer exits without unwinding
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    const std::string_view query = input.substr(0, newline);
    const std::string_view header =
        newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

    std::string head = "GET /v1/stream?";
    head.append(query);
    head += " HTTP/1.1\r\nHost: fuzz\r\nLast-Event-ID: ";
    head.append(header);
    head += "\r\n\r\n";
    bhttp::request_parser<bhttp::string_body, http::FieldsAllocator<char>> parser;
    parser.eager(true);
    boost::system::error_code ec;
    parser.put(asio::buffer(head), ec);
    if (ec || !parser.is_done()) {
        return 0;  // the server answers these before any route sees them
    }
    http::Request request;
    request.message = parser.release();
    if (!http::parse_target(request.message.target(), request.path, request.query)) {
        return 0;
    }
    auto match = stream->router.match(bhttp::verb::get, request.path);
    GS_FUZZ_CHECK(match.route != nullptr);

    // What the route should make of it.
    std::string_view raw = request.message["Last-Event-ID"];
    if (raw.empty()) {
        raw = request.query.get("last_event_id").value_or(std::string_view{});
    }
    const std::optional<std::uint64_t> id = decimal_u64(raw);
    if (id) {
        check_resume(stream->hub, sse::Filter{.all_symbols = true}, *id);
        check_resume(stream->hub, sse::Filter{.symbols = {"AAPL", "SPY"}}, *id);
    }

    const auto before = stream->hub.stats();
    {
        asio::io_context io;
        auto future = asio::co_spawn(io, match.route->handler(request), asio::use_future);
        io.run();
        http::Response response;
        try {
            response = future.get();
        } catch (const http::ClientError& e) {
            const auto status = static_cast<unsigned>(e.status());
            GS_FUZZ_CHECK(status >= 400 && status < 500);
            return 0;
        }
        GS_FUZZ_CHECK(response.stream != nullptr);
        GS_FUZZ_CHECK(stream->hub.open_streams() == before.open_streams + 1);
        const auto after = stream->hub.stats();
        bool expect_resync = false;
        if (!raw.empty()) {
            // The handler resumed with the filter it parsed; any filter tells a replay from a
            // resync, since resume() decides that from the id alone.
            expect_resync = !id || stream->hub.resume(sse::Filter{.all_symbols = true}, *id).kind ==
                                       sse::Resume::Kind::kResync;
        }
        GS_FUZZ_CHECK(after.resyncs == before.resyncs + (expect_resync ? 1 : 0));
    }
    // The unstarted stream is gone: its slot and subscription are back.
    const auto end = stream->hub.stats();
    GS_FUZZ_CHECK(end.open_streams == before.open_streams);
    GS_FUZZ_CHECK(end.subscribers == before.subscribers);
    return 0;
}
