#include "goldensignals/sse/hub.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "goldensignals/sse/event_format.h"

namespace gs::sse {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kSignalEvent = "signal";
constexpr std::string_view kProvisionalEvent = "provisional";

std::uint64_t clock_seed() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

void remove_from(std::vector<std::shared_ptr<Stream>>& list, const Stream* stream) {
    auto it = std::find_if(list.begin(), list.end(),
                           [stream](const auto& s) { return s.get() == stream; });
    if (it != list.end()) {
        *it = std::move(list.back());
        list.pop_back();
    }
}

}  // namespace

bool Filter::matches(const Event& event) const {
    if (event.timeframe != timeframe) {
        return false;
    }
    return all_symbols || std::binary_search(symbols.begin(), symbols.end(), event.symbol);
}

Stream::Stream(asio::any_io_executor executor, Filter filter, QueueLimits limits)
    : executor_(std::move(executor)),
      filter_(std::move(filter)),
      limits_(limits),
      timer_(executor_) {
    auto& symbols = filter_.symbols;
    std::sort(symbols.begin(), symbols.end());
    symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
}

void Stream::attach(int socket_fd) {
    std::lock_guard lock(mutex_);
    direct_.attach(socket_fd);
}

void Stream::detach() {
    std::lock_guard lock(mutex_);
    direct_.detach();
}

const std::shared_ptr<const std::string>& Event::frame() const {
    std::call_once(frame_once_, [this] {
        frame_ =
            std::make_shared<const std::string>(transient ? format_event(kProvisionalEvent, *data)
                                                          : format_event(kSignalEvent, *data, id));
    });
    return frame_;
}

Stream::PushResult Stream::push(const EventPtr& event) {
    std::lock_guard lock(mutex_);
    switch (direct_.state()) {
        case DirectSend::State::kOverflowed:
            return {.dropped = 1};
        case DirectSend::State::kBroken:
            return {};
        case DirectSend::State::kWriterOwns:
            return enqueue_locked(event, 0);
        case DirectSend::State::kIdle:
            break;
    }
    // The fast path: the writer is idle and nothing is queued, so this event goes next.
    std::size_t sent = 0;
    switch (direct_.send(*event->frame(), sent)) {
        case DirectSend::SendResult::kSent:
            last_sent_ = std::chrono::steady_clock::now();
            return {.sent = true};
        case DirectSend::SendResult::kBroken: {
            // Wake the writer in case its reader has not noticed yet.
            PushResult result;
            result.wake = !wake_posted_;
            wake_posted_ = true;
            return result;
        }
        case DirectSend::SendResult::kQueue:
            break;
    }
    return enqueue_locked(event, sent);
}

Stream::PushResult Stream::enqueue_locked(const EventPtr& event, std::size_t offset) {
    PushResult result;
    const std::size_t size = event->frame()->size();
    const std::size_t unsent = pending_bytes_ + writer_unsent_;
    // A single event (or prelude) larger than the byte budget still goes through on its own.
    if ((!pending_.empty() || unsent != 0) &&
        (pending_.size() >= limits_.max_events || unsent + size > limits_.max_bytes)) {
        direct_.overflow();
        result.dropped = pending_.size() + 1;
        std::vector<EventPtr>().swap(pending_);
        pending_bytes_ = 0;
        first_offset_ = 0;
        result.wake = !wake_posted_;
        wake_posted_ = true;
        return result;
    }
    if (pending_.empty()) {
        first_offset_ = offset;
    }
    pending_.push_back(event);
    pending_bytes_ += size;
    if (!wake_posted_) {
        wake_posted_ = true;
        result.wake = true;
    }
    return result;
}

Stream::TakeResult Stream::take(std::vector<EventPtr>& out, std::size_t& first_offset) {
    std::lock_guard lock(mutex_);
    wake_posted_ = false;
    first_offset = 0;
    if (direct_.state() == DirectSend::State::kOverflowed) {
        return TakeResult::kOverflowed;
    }
    if (direct_.state() == DirectSend::State::kBroken) {
        return TakeResult::kBroken;
    }
    if (pending_.empty()) {
        direct_.writer_idle();
        writer_unsent_ = 0;
        return TakeResult::kIdle;
    }
    direct_.writer_busy();
    writer_unsent_ += pending_bytes_ - std::min(first_offset_, pending_bytes_);
    first_offset = first_offset_;
    first_offset_ = 0;
    if (out.empty()) {
        out.swap(pending_);
    } else {
        out.insert(out.end(), pending_.begin(), pending_.end());
        pending_.clear();
    }
    pending_bytes_ = 0;
    return TakeResult::kEvents;
}

bool Stream::claim_for_heartbeat(std::chrono::steady_clock::time_point since) {
    std::lock_guard lock(mutex_);
    if (direct_.ended() || !pending_.empty() || last_sent_ != since) {
        return false;
    }
    direct_.writer_busy();
    return true;
}

void Stream::add_unsent(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    writer_unsent_ += bytes;
}

void Stream::sent(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    writer_unsent_ -= std::min(bytes, writer_unsent_);
}

std::size_t Stream::unsent_bytes() const {
    std::lock_guard lock(mutex_);
    return pending_bytes_ + writer_unsent_;
}

std::chrono::steady_clock::time_point Stream::last_sent() const {
    std::lock_guard lock(mutex_);
    return last_sent_;
}

void Stream::mark_sent(std::chrono::steady_clock::time_point at) {
    std::lock_guard lock(mutex_);
    last_sent_ = at;
}

bool Stream::overflowed() const {
    std::lock_guard lock(mutex_);
    return direct_.state() == DirectSend::State::kOverflowed;
}

void Stream::wake() {
    asio::post(executor_, [self = shared_from_this()] {
        self->timer_.cancel();
        if (self->overflow_handler_ && self->overflowed()) {
            self->overflow_handler_();
        }
    });
}

Hub::Hub(HubOptions options)
    : options_(options), next_local_(options.initial_id.value_or(clock_seed())) {
    last_id_ = next_local_.load();
    horizon_ = last_id_;
    ring_.resize(options_.replay_capacity);
}

std::uint64_t Hub::next_local_id() noexcept {
    return next_local_.fetch_add(1) + 1;
}

std::uint64_t Hub::last_id() const {
    std::lock_guard lock(state_mutex_);
    return last_id_;
}

bool Hub::publish(std::uint64_t id, std::string symbol, market::Timeframe timeframe,
                  std::shared_ptr<const std::string> data_json,
                  std::chrono::steady_clock::time_point published_at) {
    std::lock_guard turn(fan_out_mutex_);
    return publish_in_turn(id, std::move(symbol), timeframe, data_json, published_at);
}

std::uint64_t Hub::publish_local(std::string symbol, market::Timeframe timeframe,
                                 std::shared_ptr<const std::string> data_json,
                                 std::chrono::steady_clock::time_point published_at) {
    std::lock_guard turn(fan_out_mutex_);
    // Above the last id whatever gave it: after events with ids from a shared sequence (Redis),
    // a local id from the local counter alone would be taken for a duplicate.
    std::uint64_t next = next_local_.load();
    std::uint64_t id = 0;
    do {
        id = std::max(next, last_id_) + 1;
    } while (!next_local_.compare_exchange_weak(next, id));
    return publish_in_turn(id, std::move(symbol), timeframe, data_json, published_at) ? id : 0;
}

bool Hub::publish_in_turn(std::uint64_t id, std::string symbol, market::Timeframe timeframe,
                          const std::shared_ptr<const std::string>& data_json,
                          std::chrono::steady_clock::time_point published_at) {
    // last_id_ and published_any_ change only in a publisher's turn: read without the state
    // lock, so the event is made before it is taken.
    if (id == 0 || (published_any_ && id <= last_id_)) {
        duplicates_.fetch_add(1);
        return false;
    }
    auto event = std::make_shared<Event>();
    event->id = id;
    event->symbol = std::move(symbol);
    event->timeframe = timeframe;
    event->published_at = published_at;
    event->data = data_json ? data_json : std::make_shared<const std::string>();
    EventPtr shared = std::move(event);
    {
        std::lock_guard lock(state_mutex_);
        // The first event sets where this hub's history starts, whatever id it carries (a
        // shared sequence need not be anywhere near the local seed).
        if (!published_any_) {
            published_any_ = true;
            horizon_ = id - 1;
        }
        last_id_ = id;
        latest_[index_of(timeframe)][shared->symbol] = shared;
        if (ring_.empty()) {
            horizon_ = id;
        } else if (ring_size_ < ring_.size()) {
            ring_[(ring_head_ + ring_size_) % ring_.size()] = shared;
            ++ring_size_;
        } else {
            horizon_ = ring_[ring_head_]->id;
            ring_[ring_head_] = shared;
            ring_head_ = (ring_head_ + 1) % ring_.size();
        }
    }
    published_.fetch_add(1);
    // After the state: a stream registered from here on finds the event in its snapshot.
    fan_out(shared);
    return true;
}

void Hub::publish_provisional(std::string symbol, market::Timeframe timeframe,
                              std::shared_ptr<const std::string> data_json) {
    auto event = std::make_shared<Event>();
    event->symbol = std::move(symbol);
    event->timeframe = timeframe;
    event->published_at = std::chrono::steady_clock::now();
    event->data = data_json ? std::move(data_json) : std::make_shared<const std::string>();
    event->transient = true;
    EventPtr shared = std::move(event);
    std::lock_guard turn(fan_out_mutex_);
    provisional_.fetch_add(1);
    fan_out(shared);
}

void Hub::fan_out(const EventPtr& event) {
    // Copy the matching streams under the index lock, fill their queues without it.
    {
        std::lock_guard index_lock(index_mutex_);
        const auto t = index_of(event->timeframe);
        auto it = by_symbol_[t].find(event->symbol);
        if (it != by_symbol_[t].end()) {
            scratch_.insert(scratch_.end(), it->second.begin(), it->second.end());
        }
        scratch_.insert(scratch_.end(), all_symbols_[t].begin(), all_symbols_[t].end());
    }
    if (!scratch_.empty()) {
        // Written here, before any stream's lock is taken, rather than by the first push
        // under its stream's lock (where a large frame would stall that stream's writer).
        event->frame();
    }
    std::size_t dropped = 0;
    std::size_t sent = 0;
    for (const auto& stream : scratch_) {
        const auto result = stream->push(event);
        dropped += result.dropped;
        if (result.sent) {
            ++sent;
            latency_.observe(std::chrono::steady_clock::now() - event->published_at);
        }
        if (result.wake) {
            stream->wake();
        }
    }
    scratch_.clear();
    if (dropped != 0) {
        dropped_.fetch_add(dropped);
    }
    if (sent != 0) {
        events_sent_.fetch_add(sent);
    }
}

Latest Hub::latest(const std::vector<std::string>& symbols, market::Timeframe timeframe) const {
    Latest result;
    result.events.reserve(symbols.size());
    std::lock_guard lock(state_mutex_);
    result.last_id = last_id_;
    const auto& by_symbol = latest_[index_of(timeframe)];
    for (const auto& symbol : symbols) {
        auto it = by_symbol.find(symbol);
        result.events.push_back(it == by_symbol.end() ? nullptr : it->second);
    }
    return result;
}

std::shared_ptr<Stream> Hub::subscribe(asio::any_io_executor executor, Filter filter,
                                       QueueLimits limits) {
    auto stream = std::make_shared<Stream>(std::move(executor), std::move(filter), limits);
    const auto& f = stream->filter();
    const auto t = index_of(f.timeframe);
    std::lock_guard lock(index_mutex_);
    if (f.all_symbols) {
        all_symbols_[t].push_back(stream);
    } else {
        for (const auto& symbol : f.symbols) {
            by_symbol_[t][symbol].push_back(stream);
        }
    }
    ++subscribers_;
    return stream;
}

void Hub::unsubscribe(const std::shared_ptr<Stream>& stream) {
    if (!stream) {
        return;
    }
    const auto& f = stream->filter();
    const auto t = index_of(f.timeframe);
    std::lock_guard lock(index_mutex_);
    if (f.all_symbols) {
        remove_from(all_symbols_[t], stream.get());
    } else {
        for (const auto& symbol : f.symbols) {
            auto it = by_symbol_[t].find(symbol);
            if (it == by_symbol_[t].end()) {
                continue;
            }
            remove_from(it->second, stream.get());
            if (it->second.empty()) {
                by_symbol_[t].erase(it);
            }
        }
    }
    --subscribers_;
}

Resume Hub::resume(const Filter& filter, std::uint64_t last_event_id) const {
    Resume result;
    std::lock_guard lock(state_mutex_);
    result.last_id = last_id_;
    if (last_event_id > last_id_ || last_event_id < horizon_) {
        result.kind = Resume::Kind::kResync;
        return result;
    }
    // The ring is in id order: find the first event after the client's id.
    const std::size_t capacity = ring_.size();
    auto at = [&](std::size_t i) -> const EventPtr& { return ring_[(ring_head_ + i) % capacity]; };
    std::size_t lo = 0;
    std::size_t hi = ring_size_;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (at(mid)->id <= last_event_id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (std::size_t i = lo; i < ring_size_; ++i) {
        if (filter.matches(*at(i))) {
            result.events.push_back(at(i));
        }
    }
    return result;
}

bool Hub::try_open_stream(std::size_t max_streams) noexcept {
    std::size_t open = open_streams_.load();
    do {
        if (open >= max_streams) {
            rejected_.fetch_add(1);
            return false;
        }
    } while (!open_streams_.compare_exchange_weak(open, open + 1));
    return true;
}

void Hub::close_stream() noexcept {
    open_streams_.fetch_sub(1);
}

void Hub::count_cut(CutReason reason) noexcept {
    slow_disconnects_.fetch_add(1);
    (reason == CutReason::kQueueFull ? cuts_queue_full_ : cuts_stalled_).fetch_add(1);
}

Hub::Stats Hub::stats() const {
    Stats s;
    s.published = published_.load();
    s.provisional = provisional_.load();
    s.duplicates = duplicates_.load();
    s.sent = events_sent_.load();
    s.dropped = dropped_.load();
    s.slow_disconnects = slow_disconnects_.load();
    s.cuts_queue_full = cuts_queue_full_.load();
    s.cuts_stalled = cuts_stalled_.load();
    s.resyncs = resyncs_.load();
    s.rejected = rejected_.load();
    s.open_streams = open_streams_.load();
    {
        std::lock_guard lock(index_mutex_);
        s.subscribers = subscribers_;
    }
    {
        std::lock_guard lock(state_mutex_);
        s.replay_size = ring_size_;
    }
    return s;
}

void Hub::render(std::string& out) const {
    const Stats s = stats();
    auto metric = [&out](std::string_view name, std::string_view type, std::string_view help,
                         auto value) {
        fmt::format_to(std::back_inserter(out), "# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name,
                       help, type, value);
    };
    metric("gs_sse_streams_open", "gauge", "Server-Sent Event streams open now.", s.open_streams);
    metric("gs_sse_streams_rejected_total", "counter",
           "Streams refused because the instance was at its stream limit.", s.rejected);
    metric("gs_sse_events_published_total", "counter", "Events published to the hub.", s.published);
    metric("gs_sse_provisional_published_total", "counter",
           "Provisional signals published to the hub (not numbered, not replayed).", s.provisional);
    metric("gs_sse_duplicate_events_total", "counter",
           "Published events ignored because their id was not above the last one.", s.duplicates);
    metric("gs_sse_events_sent_total", "counter",
           "Events written to streams (live, replayed and snapshot).", s.sent);
    metric("gs_sse_events_dropped_total", "counter",
           "Events discarded because a stream's queue was full.", s.dropped);
    metric("gs_sse_slow_disconnects_total", "counter",
           "Streams ended because the client fell behind.", s.slow_disconnects);
    fmt::format_to(std::back_inserter(out),
                   "# HELP gs_sse_stream_cuts_total Streams cut for being slow, by reason: "
                   "queue_full (unsent data passed the queue limit), stalled (no write progress "
                   "within the stall timeout).\n# TYPE gs_sse_stream_cuts_total counter\n"
                   "gs_sse_stream_cuts_total{{reason=\"queue_full\"}} {}\n"
                   "gs_sse_stream_cuts_total{{reason=\"stalled\"}} {}\n",
                   s.cuts_queue_full, s.cuts_stalled);
    metric("gs_sse_resyncs_total", "counter",
           "Resumes answered with a resync event (Last-Event-ID too old or unknown).", s.resyncs);
    metric("gs_sse_replay_buffer_events", "gauge", "Events held for Last-Event-ID replay.",
           s.replay_size);
    out +=
        "# HELP gs_sse_publish_to_send_seconds Time from publish to the event written to a "
        "stream.\n# TYPE gs_sse_publish_to_send_seconds histogram\n";
    latency_.render(out, "gs_sse_publish_to_send_seconds", "");
}

}  // namespace gs::sse
