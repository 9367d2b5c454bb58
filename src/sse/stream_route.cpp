#include "goldensignals/sse/stream_route.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <mutex>
#include <optional>
#include <variant>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>

#include "goldensignals/http/client_error.h"
#include "goldensignals/http/params.h"
#include "goldensignals/sse/event_format.h"

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

// A snapshot frame of a symbol with no event in the hub, formatted once per signal.
struct FallbackFrame {
    std::shared_ptr<const std::string> data;   // the signal it was made from
    std::shared_ptr<const std::string> frame;  // `event: signal\ndata: ...\n\n`, no id
};

struct RouteContext {
    RouteContext(Hub& h, SnapshotFn snapshot_fn, SymbolsFn symbols_fn, StreamOptions o)
        : hub(h),
          snapshot(std::move(snapshot_fn)),
          symbols(std::move(symbols_fn)),
          options(std::move(o)) {}

    Hub& hub;
    SnapshotFn snapshot;
    SymbolsFn symbols;
    StreamOptions options;
    // One entry per symbol and timeframe the snapshots have fallen back for, so that every
    // stream shares one frame per signal (as it shares the hub's frames).
    std::mutex fallback_mutex;
    std::map<std::pair<market::Timeframe, std::string>, FallbackFrame> fallback;
};

// The frame of a fallback snapshot: the one made for the same signal before, or a new one.
std::shared_ptr<const std::string> fallback_frame(RouteContext& route, const std::string& symbol,
                                                  market::Timeframe timeframe,
                                                  const std::shared_ptr<const std::string>& data) {
    std::lock_guard lock(route.fallback_mutex);
    auto& slot = route.fallback[{timeframe, symbol}];
    if (slot.data != data) {
        slot.frame = std::make_shared<const std::string>(format_event(kSignalEvent, *data));
        slot.data = data;
    }
    return slot.frame;
}

// A frame without its `id:` line (a hub frame starts with one; a fallback frame has none).
std::string_view without_id(const std::string& frame) {
    if (!frame.starts_with("id:")) {
        return frame;
    }
    return std::string_view(frame).substr(frame.find('\n') + 1);
}

// What a stream writes before its queue. Its own bytes are few: `retry:`, a resync event, and
// the `id:` line of its snapshot. The frames are shared: a snapshot frame is the hub's frame of
// the symbol's newest event written after the stream's id line instead of its own, and a
// replayed frame goes as it is. A 5,000-symbol snapshot costs a stream 80 KB of pointers.
struct Prelude {
    std::string head;
    std::string id_line;  // set for a snapshot: written before each frame
    std::vector<std::shared_ptr<const std::string>> frames;
    std::size_t events = 0;  // counted as sent once written

    std::size_t pieces() const { return 1 + frames.size() * (id_line.empty() ? 1 : 2); }
    std::string_view piece(std::size_t i) const {
        if (i == 0) {
            return head;
        }
        --i;
        if (id_line.empty()) {
            return *frames[i];
        }
        return i % 2 == 0 ? std::string_view(id_line) : without_id(*frames[i / 2]);
    }
    std::size_t bytes() const {
        std::size_t total = 0;
        for (std::size_t i = 0; i < pieces(); ++i) {
            total += piece(i).size();
        }
        return total;
    }
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
    std::shared_ptr<Stream> subscriber;
    // retry, then the snapshot, the replay or the resync event.
    Prelude prelude;
    // Live events up to this id are already covered by the snapshot or the replay.
    std::uint64_t skip_through = 0;
    // The named series pinned in memory while the stream lives (StreamOptions::hold).
    std::shared_ptr<void> held;
};

// Keeps a read pending on the socket so that a client going away, or the server's shutdown
// cancelling the socket, wakes the writer at once instead of at the next heartbeat. Whatever
// the client sends is discarded. Runs on the stream's strand.
struct Reader : std::enable_shared_from_this<Reader> {
    Reader(asio::ip::tcp::socket& s, std::shared_ptr<Stream> sub)
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
    std::shared_ptr<Stream> subscriber;
    std::array<char, 64> buffer{};
    bool gone = false;
    bool finished = false;
};

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

using Piece = std::function<std::string_view(std::size_t)>;

// Writes a stream's pieces with write_some, at most kWindow buffers a system call, each call
// with its own deadline: a client that takes no byte for `stall` is cut (stalled()), one that
// is slow but reads stays. The deadline races the write instead of closing the socket (as
// beast's tcp_stream would), so that the stream can still abort the connection.
class Writer {
  public:
    Writer(asio::ip::tcp::socket& socket, Stream& subscriber, std::chrono::milliseconds stall)
        : socket_(socket),
          subscriber_(subscriber),
          stall_(stall),
          deadline_(socket.get_executor()) {
        window_.reserve(kWindow);
    }

    // Writes piece(i) for i in [0, count), the first from `offset`. `counted`: the bytes are in
    // the subscriber's unsent count, and leave it as they are written.
    // References only: g++ 12 and by-value coroutine parameters (docs/coroutines.md).
    asio::awaitable<boost::system::error_code> write(const Piece& piece, const std::size_t& count,
                                                     const std::size_t& first_offset,
                                                     const bool& counted) {
        using namespace asio::experimental::awaitable_operators;
        std::size_t next = 0;
        std::size_t offset = first_offset;
        while (next < count) {
            // The overflow handler cancels the write in flight, but an overflow before the
            // first write call (a publish between the head and run_stream, whose wake found no
            // handler yet) or between two calls has nothing to cancel: without this a client
            // that does not read would hold the stream until the stall timeout.
            if (subscriber_.overflowed()) {
                co_return boost::system::error_code(asio::error::operation_aborted);
            }
            window_.clear();
            for (std::size_t i = next; i < count && window_.size() < kWindow; ++i) {
                std::string_view bytes = piece(i);
                if (i == next) {
                    bytes.remove_prefix(offset);
                }
                window_.push_back(asio::buffer(bytes.data(), bytes.size()));
            }
            deadline_.expires_after(stall_);
            auto result = co_await (socket_.async_write_some(window_, kUseTuple) ||
                                    deadline_.async_wait(kUseTuple));
            if (result.index() == 1) {
                stalled_ = true;
                co_return boost::system::error_code(asio::error::timed_out);
            }
            auto [ec, written] = std::get<0>(result);
            if (ec) {
                co_return ec;
            }
            if (counted) {
                subscriber_.sent(written);
            }
            while (next < count) {
                const std::size_t rest = piece(next).size() - offset;
                if (written < rest) {
                    offset += written;
                    break;
                }
                written -= rest;
                offset = 0;
                ++next;
            }
        }
        co_return boost::system::error_code{};
    }

    bool stalled() const noexcept { return stalled_; }

  private:
    static constexpr std::size_t kWindow = 64;  // below IOV_MAX
    asio::ip::tcp::socket& socket_;
    Stream& subscriber_;
    std::chrono::milliseconds stall_;
    asio::steady_timer deadline_;
    std::vector<asio::const_buffer> window_;
    bool stalled_ = false;
};

asio::awaitable<void> run_stream(StreamState& state, http::StreamContext& ctx) {
    Hub& hub = state.hub;
    const StreamOptions& options = state.options;
    Stream& subscriber = *state.subscriber;
    auto& socket = ctx.socket;
    static const std::string kPing = format_comment("ping");

    if (options.send_buffer != 0) {
        // Autotuned, the kernel would take megabytes a client that does not read never
        // acknowledges; bounded, they stay in the queue, where the limit and the stall cut act.
        boost::system::error_code ignored;
        socket.set_option(
            asio::socket_base::send_buffer_size(static_cast<int>(options.send_buffer)), ignored);
    }
    auto reader = std::make_shared<Reader>(socket, state.subscriber);
    reader->start();
    // An overflow cuts the connection even while a write to this client is stuck.
    subscriber.on_overflow([&socket] {
        boost::system::error_code ignored;
        socket.cancel(ignored);
    });
    // publish() may write to the socket directly once this writer first finds nothing queued.
    subscriber.attach(socket.native_handle());
    struct Finish {
        Reader& reader;
        Stream& subscriber;
        ~Finish() {
            // Before the session closes the socket: no publish() may write to it after this.
            subscriber.detach();
            reader.finished = true;
            subscriber.on_overflow(nullptr);
        }
    } finish{*reader, subscriber};

    Writer writer(socket, subscriber, options.stall_timeout);
    std::vector<EventPtr> batch;
    auto write = [&](const Piece& piece, const std::size_t& count, const std::size_t& offset,
                     const bool& counted) -> asio::awaitable<bool> {
        auto ec = co_await writer.write(piece, count, offset, counted);
        if (!ec) {
            subscriber.mark_sent(Clock::now());
        }
        co_return !ec;
    };

    // retry, snapshot or resync, and the replayed events, before anything queued.
    bool open = !ctx.stopping();
    if (open) {
        const Prelude& prelude = state.prelude;
        open = co_await write([&prelude](std::size_t i) { return prelude.piece(i); },
                              prelude.pieces(), 0, true);
    }
    if (open) {
        hub.count_sent(state.prelude.events);
    }
    state.prelude = Prelude{};

    // Queued events: those published while the prelude was written, and those a direct write
    // from publish() could not (wholly) put into the socket.
    const Piece batch_piece = [&batch](std::size_t i) -> std::string_view {
        return *batch[i]->frame();
    };
    const Piece ping_piece = [](std::size_t) -> std::string_view { return kPing; };
    std::size_t first_offset = 0;
    while (open && !ctx.stopping() && !reader->gone) {
        const auto taken = subscriber.take(batch, first_offset);
        if (taken == Stream::TakeResult::kOverflowed || taken == Stream::TakeResult::kBroken) {
            break;
        }
        if (taken == Stream::TakeResult::kEvents) {
            // Only the first batches can hold events the snapshot or the replay covered; those
            // were queued, never partly sent.
            // Provisional events (transient) are in no prelude: never skipped.
            if (first_offset == 0 && state.skip_through != 0 &&
                std::any_of(batch.begin(), batch.end(), [&state](const EventPtr& e) {
                    return !e->transient && e->id <= state.skip_through;
                })) {
                const auto skip = state.skip_through;
                std::size_t skipped = 0;
                auto covered = [skip, &skipped](const EventPtr& e) {
                    if (!e->transient && e->id <= skip) {
                        skipped += e->frame()->size();
                        return true;
                    }
                    return false;
                };
                batch.erase(std::remove_if(batch.begin(), batch.end(), covered), batch.end());
                subscriber.sent(skipped);  // never to be sent: out of the unsent count
            }
            if (batch.empty()) {
                continue;
            }
            if (!(co_await write(batch_piece, batch.size(), first_offset, true))) {
                break;
            }
            const auto written_at = Clock::now();
            for (const auto& event : batch) {
                hub.observe_latency(written_at - event->published_at);
            }
            hub.count_sent(batch.size());
            batch.clear();
            // A burst may have grown it; a stream at rest keeps little.
            if (batch.capacity() > 256) {
                std::vector<EventPtr>().swap(batch);
            }
            continue;
        }
        // Idle: publish() writes directly until a write would block; the writer wakes for
        // that, for the reader, or to send the heartbeat.
        const auto since = subscriber.last_sent();
        if (Clock::now() - since >= options.heartbeat) {
            if (subscriber.claim_for_heartbeat(since)) {
                if (!(co_await write(ping_piece, 1, 0, false))) {
                    break;
                }
            }
            continue;
        }
        subscriber.timer().expires_at(since + options.heartbeat);
        co_await subscriber.timer().async_wait(kUseTuple);
    }
    const bool overflowed = subscriber.overflowed();
    if (overflowed || writer.stalled()) {
        hub.count_cut(overflowed ? CutReason::kQueueFull : CutReason::kStalled);
        // Abort rather than close: a closed socket keeps its unsent data and probes a client
        // that does not read for minutes; a reset frees it now. The client resumes anyway.
        boost::system::error_code ignored;
        socket.set_option(asio::socket_base::linger(true, 0), ignored);
    }
}

asio::awaitable<http::Response> handle_stream(RouteContext& route, http::Request& request) {
    using bhttp::status;
    const StreamOptions& options = route.options;
    Hub& hub = route.hub;

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
    if (options.hold && !state->subscriber->filter().all_symbols) {
        state->held = options.hold(state->subscriber->filter().symbols, timeframe);
    }
    Prelude& prelude = state->prelude;
    prelude.head = format_retry(options.retry);

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
            append_event(prelude.head, kResyncEvent, kResyncData, resume.last_id);
            prelude.events = 1;
        } else {
            prelude.frames.reserve(resume.events.size());
            for (const auto& event : resume.events) {
                prelude.frames.push_back(event->frame());
            }
            prelude.events = resume.events.size();
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
        // Every snapshot frame carries the last id: the client resumes after it.
        prelude.id_line = fmt::format("id: {}\n", latest.last_id);
        prelude.frames.reserve(symbols.size());
        for (std::size_t i = 0; i < symbols.size(); ++i) {
            if (latest.events[i]) {
                prelude.frames.push_back(latest.events[i]->frame());
            } else if (route.snapshot) {
                auto data = co_await route.snapshot(symbols[i], timeframe);
                if (data) {
                    prelude.frames.push_back(fallback_frame(route, symbols[i], timeframe, data));
                }
            }
        }
        prelude.events = prelude.frames.size();
    }
    // The prelude is this stream's first unsent data: it counts against the queue limit.
    state->subscriber->add_unsent(prelude.bytes());

    response.stream = [state](http::StreamContext& ctx) { return run_stream(*state, ctx); };
    co_return response;
}

}  // namespace

void add_stream_route(http::Router& router, Hub& hub, SnapshotFn snapshot, SymbolsFn symbols,
                      StreamOptions options) {
    auto route = std::make_shared<RouteContext>(hub, std::move(snapshot), std::move(symbols),
                                                std::move(options));
    // A read, and the only route that takes a token in the URL: EventSource cannot send
    // headers. The server checks it with every other route's (http::authorize).
    router.add(bhttp::verb::get, "/v1/stream",
               [route](http::Request& request) { return handle_stream(*route, request); },
               {.access = http::Access::kRead, .token_in_query = true});
}

}  // namespace gs::sse
