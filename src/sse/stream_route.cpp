#include "goldensignals/sse/stream_route.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>

#include "goldensignals/http/client_error.h"
#include "goldensignals/sse/event_format.h"
#include "http/params.h"
#include "http/request_id.h"

namespace gs::sse {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kSignalEvent = "signal";
constexpr std::string_view kResyncEvent = "resync";
constexpr std::string_view kResyncData =
    R"({"reason":"replay_unavailable","message":"events since Last-Event-ID are no longer )"
    R"(available; refetch current signals from /v1/signals"})";

struct RouteContext {
    Hub& hub;
    SnapshotFn snapshot;
    SymbolsFn symbols;
    StreamOptions options;
};

// One stream from the handler's setup to the writer's end; the Response's stream function
// owns it, so the stream slot and the subscription are given back even when the session never
// gets to run the stream (the head could not be written).
struct StreamState {
    StreamState(Hub& h, const StreamOptions& o) : hub(h), options(o) {}
    ~StreamState() {
        hub.unsubscribe(subscriber);
        if (counted) {
            hub.close_stream();
        }
    }
    StreamState(const StreamState&) = delete;
    StreamState& operator=(const StreamState&) = delete;

    Hub& hub;
    const StreamOptions& options;
    bool counted = false;
    std::shared_ptr<Subscriber> subscriber;
    // retry, then the snapshot or the resync event: formatted for this stream only.
    std::string prelude;
    std::size_t prelude_events = 0;
    std::vector<EventPtr> replay;
    // Live events up to this id are already covered by the snapshot or the replay.
    std::uint64_t skip_through = 0;
};

// Keeps a read pending on the socket so that a client going away, or the server's shutdown
// cancelling the socket, wakes the writer at once instead of at the next heartbeat. Whatever
// the client sends is discarded. Runs on the stream's strand.
struct Reader : std::enable_shared_from_this<Reader> {
    Reader(asio::ip::tcp::socket& s, std::shared_ptr<Subscriber> sub)
        : socket(&s), subscriber(std::move(sub)) {}

    void start() {
        socket->async_read_some(asio::buffer(buffer),
                                [self = shared_from_this()](boost::system::error_code ec,
                                                            std::size_t) { self->on_read(ec); });
    }
    void on_read(boost::system::error_code ec) {
        if (finished) {
            return;  // the socket may be gone
        }
        if (ec) {
            gone = true;
            subscriber->timer().cancel();
            return;
        }
        start();
    }

    asio::ip::tcp::socket* socket;
    std::shared_ptr<Subscriber> subscriber;
    std::array<char, 64> buffer{};
    bool gone = false;
    bool finished = false;
};

bool authorized(const http::Request& request, const std::string& token) {
    constexpr std::string_view kScheme = "Bearer ";
    std::string_view header = request.message[bhttp::field::authorization];
    if (header.size() > kScheme.size() &&
        beast::iequals(header.substr(0, kScheme.size()), kScheme)) {
        return http::detail::constant_time_equals(header.substr(kScheme.size()), token);
    }
    auto query = request.query.get("token");
    return query && http::detail::constant_time_equals(*query, token);
}

Filter parse_filter(const http::Request& request, std::size_t max_symbols) {
    using bhttp::status;
    Filter filter;
    filter.timeframe = http::params::timeframe(request);
    auto raw = request.query.get("symbols");
    if (!raw || raw->empty()) {
        throw http::ClientError(status::bad_request, "missing_symbols",
                                "symbols is required: a comma-separated list of symbols, or *");
    }
    if (*raw == "*") {
        filter.all_symbols = true;
        return filter;
    }
    std::string_view rest = *raw;
    for (;;) {
        const auto comma = rest.find(',');
        filter.symbols.push_back(http::params::symbol(rest.substr(0, comma)));
        if (comma == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(comma + 1);
        if (filter.symbols.size() > max_symbols) {
            break;  // too many anyway; spare the rest of the work
        }
    }
    std::sort(filter.symbols.begin(), filter.symbols.end());
    filter.symbols.erase(std::unique(filter.symbols.begin(), filter.symbols.end()),
                         filter.symbols.end());
    if (filter.symbols.size() > max_symbols) {
        throw http::ClientError(status::bad_request, "too_many_symbols",
                                fmt::format("a stream takes at most {} symbols", max_symbols));
    }
    return filter;
}

// The id a reconnecting client last saw. An id that is not a number cannot be resumed from:
// it is kept as "present but unknown" and answered with a resync.
struct LastEventId {
    bool present = false;
    std::optional<std::uint64_t> id;
};

LastEventId last_event_id(const http::Request& request) {
    std::string_view raw = request.message["Last-Event-ID"];
    if (raw.empty()) {
        raw = request.query.get("last_event_id").value_or(std::string_view{});
    }
    LastEventId result;
    if (raw.empty()) {
        return result;
    }
    result.present = true;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
    if (ec == std::errc{} && end == raw.data() + raw.size()) {
        result.id = value;
    }
    return result;
}

// References only: g++ 12 mishandles some by-value coroutine parameters.
asio::awaitable<boost::system::error_code> write_frames(
    beast::tcp_stream& stream, const std::vector<asio::const_buffer>& buffers,
    std::chrono::milliseconds timeout) {
    stream.expires_after(timeout);
    auto [ec, written] = co_await asio::async_write(stream, buffers, kUseTuple);
    stream.expires_never();
    co_return ec;
}

asio::awaitable<void> run_stream(StreamState& state, http::StreamContext& ctx) {
    Hub& hub = state.hub;
    const StreamOptions& options = state.options;
    Subscriber& subscriber = *state.subscriber;
    static const std::string kPing = format_comment("ping");

    auto reader = std::make_shared<Reader>(ctx.stream.socket(), state.subscriber);
    reader->start();
    // An overflow cuts the connection even while a write to this client is stuck.
    subscriber.on_overflow([&ctx] { ctx.stream.cancel(); });
    // publish() may write to the socket directly once this writer first finds nothing queued.
    subscriber.attach(ctx.stream.socket().native_handle());
    struct Finish {
        Reader& reader;
        Subscriber& subscriber;
        ~Finish() {
            // Before the session closes the socket: no publish() may write to it after this.
            subscriber.detach();
            reader.finished = true;
            subscriber.on_overflow(nullptr);
        }
    } finish{*reader, subscriber};

    std::vector<asio::const_buffer> buffers;
    std::vector<EventPtr> batch;
    bool timed_out = false;
    auto write = [&]() -> asio::awaitable<bool> {
        auto ec = co_await write_frames(ctx.stream, buffers, options.write_timeout);
        timed_out = ec == beast::error::timeout;
        if (!ec) {
            subscriber.mark_sent(Clock::now());
        }
        co_return !ec;
    };

    // retry, snapshot or resync, and the replayed events, in one write.
    bool open = !ctx.stopping();
    if (open) {
        buffers.push_back(asio::buffer(state.prelude));
        for (const auto& event : state.replay) {
            buffers.push_back(asio::buffer(*event->frame));
        }
        open = co_await write();
    }
    if (open) {
        hub.count_sent(state.prelude_events + state.replay.size());
    }
    std::string().swap(state.prelude);
    std::vector<EventPtr>().swap(state.replay);

    // Queued events: those published while the prelude was written, and those a direct write
    // from publish() could not (wholly) put into the socket.
    std::size_t first_offset = 0;
    while (open && !ctx.stopping() && !reader->gone) {
        const auto taken = subscriber.take(batch, first_offset);
        if (taken == Subscriber::TakeResult::kOverflowed ||
            taken == Subscriber::TakeResult::kBroken) {
            break;
        }
        if (taken == Subscriber::TakeResult::kEvents) {
            // Only the first batches can hold events the snapshot or the replay covered; those
            // were queued, never partly sent.
            if (first_offset == 0 && batch.front()->id <= state.skip_through) {
                const auto skip = state.skip_through;
                batch.erase(batch.begin(),
                            std::find_if(batch.begin(), batch.end(),
                                         [skip](const EventPtr& e) { return e->id > skip; }));
            }
            if (batch.empty()) {
                continue;
            }
            buffers.clear();
            for (const auto& event : batch) {
                buffers.push_back(asio::buffer(*event->frame));
            }
            buffers.front() += first_offset;
            if (!(co_await write())) {
                break;
            }
            const auto written_at = Clock::now();
            for (const auto& event : batch) {
                hub.observe_latency(written_at - event->published_at);
            }
            hub.count_sent(batch.size());
            batch.clear();
            // A burst may have grown them; a stream at rest keeps little.
            if (batch.capacity() > 256) {
                std::vector<EventPtr>().swap(batch);
                std::vector<asio::const_buffer>().swap(buffers);
            }
            continue;
        }
        // Idle: publish() writes directly until a write would block; the writer wakes for
        // that, for the reader, or to send the heartbeat.
        const auto since = subscriber.last_sent();
        if (Clock::now() - since >= options.heartbeat) {
            if (subscriber.claim_for_heartbeat(since)) {
                buffers.assign(1, asio::buffer(kPing));
                if (!(co_await write())) {
                    break;
                }
            }
            continue;
        }
        subscriber.timer().expires_at(since + options.heartbeat);
        co_await subscriber.timer().async_wait(kUseTuple);
    }
    if (timed_out || subscriber.overflowed()) {
        hub.count_slow_disconnect();
    }
}

asio::awaitable<http::Response> handle_stream(RouteContext& route, http::Request& request) {
    using bhttp::status;
    const StreamOptions& options = route.options;
    Hub& hub = route.hub;

    if (!options.token.empty() && !authorized(request, options.token)) {
        auto response =
            http::Response::error(status::unauthorized, "unauthorized",
                                  "this stream needs Authorization: Bearer <token> or ?token=");
        response.header("WWW-Authenticate", "Bearer");
        co_return response;
    }
    Filter filter = parse_filter(request, options.max_symbols);
    const LastEventId resume_from = last_event_id(request);

    http::Response response;
    response.content_type = "text/event-stream";
    response.header("Cache-Control", "no-cache");
    response.header("X-Accel-Buffering", "no");
    if (request.message.method() == bhttp::verb::head) {
        co_return response;
    }

    auto state = std::make_shared<StreamState>(hub, options);
    if (!hub.try_open_stream(options.max_streams)) {
        co_return http::Response::error(status::service_unavailable, "too_many_streams",
                                        "this instance has reached its stream limit; retry later");
    }
    state->counted = true;
    const market::Timeframe timeframe = filter.timeframe;
    // Subscribe before reading the last id: an event published in between is then both
    // queued and covered, and the writer drops the queued copy.
    state->subscriber =
        hub.subscribe(co_await asio::this_coro::executor, std::move(filter), options.queue);
    state->prelude = format_retry(options.retry);

    if (resume_from.present) {
        Resume resume;
        if (resume_from.id) {
            resume = hub.resume(state->subscriber->filter(), *resume_from.id);
        } else {
            resume.kind = Resume::Kind::kResync;
            resume.last_id = hub.last_id();
        }
        state->skip_through = resume.last_id;
        if (resume.kind == Resume::Kind::kResync) {
            hub.count_resync();
            append_event(state->prelude, kResyncEvent, kResyncData, resume.last_id);
            state->prelude_events = 1;
        } else {
            state->replay = std::move(resume.events);
        }
    } else {
        const auto& subscribed = state->subscriber->filter();
        const std::vector<std::string> symbols =
            subscribed.all_symbols
                ? (route.symbols ? route.symbols(timeframe) : std::vector<std::string>{})
                : subscribed.symbols;
        // The snapshot is the newest event of each symbol, so the live events after it are
        // newer still. Only a symbol with no event since this process started asks the
        // signals themselves.
        const Latest latest = hub.latest(symbols, timeframe);
        state->skip_through = latest.last_id;
        for (std::size_t i = 0; i < symbols.size(); ++i) {
            std::shared_ptr<const std::string> data;
            if (latest.events[i]) {
                data = latest.events[i]->data;
            } else if (route.snapshot) {
                data = co_await route.snapshot(symbols[i], timeframe);
            }
            if (data) {
                append_event(state->prelude, kSignalEvent, *data, latest.last_id);
                ++state->prelude_events;
            }
        }
    }

    response.stream = [state](http::StreamContext& ctx) { return run_stream(*state, ctx); };
    co_return response;
}

}  // namespace

void add_stream_route(http::Router& router, Hub& hub, SnapshotFn snapshot, SymbolsFn symbols,
                      StreamOptions options) {
    auto route = std::make_shared<RouteContext>(
        RouteContext{hub, std::move(snapshot), std::move(symbols), std::move(options)});
    router.add(bhttp::verb::get, "/v1/stream",
               [route](http::Request& request) { return handle_stream(*route, request); });
}

}  // namespace gs::sse
