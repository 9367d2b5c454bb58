#pragma once

// The fan-out of new signals to Server-Sent Event streams.
//
// publish() formats each event once into a shared immutable frame, keeps it in a replay ring
// and hands the same frame to every matching stream: written straight to the socket when the
// stream is idle and the socket takes it, otherwise into the stream's bounded queue. It never
// waits on a stream: a stream whose queue is full is marked overflowed and its writer ends it
// (the client resumes with Last-Event-ID). Each stream has one writer, on the stream's own
// executor, woken through its timer.
//
// A stream's limit covers all it has not yet handed to the kernel: the queue, and what its
// writer holds (the snapshot or replay it starts with, the batch it is writing). Queued frames
// are shared, so the limit bounds how far a client may lag rather than what it costs.
//
// Ordering, in one place: publishers take turns on the hub's fan-out lock (`fan_out_mutex_`),
// held from taking the id through the last stream's push, so every queue and socket gets
// events in id order whoever publishes. Nothing else orders events: callers hand the hub
// events in the order they want them numbered (an event whose id is not above the last one is
// a duplicate and is dropped), and the service's event bus (signal_publisher.h) does so from
// one executor so that a fan-out never blocks an I/O thread. A new stream never waits for a
// fan-out: subscribe() takes the index lock, latest(), resume() and last_id() the state lock,
// and a publish holds each of those only for a few pointer moves (registering the id, ring
// slot and newest event; copying the matching streams). A stream that subscribes while an
// event is being fanned out either receives it or finds it in its snapshot or replay, and its
// writer skips what both cover (Latest::last_id, Resume::last_id).
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "goldensignals/market/timeframe.h"
#include "goldensignals/metrics/histogram.h"
#include "goldensignals/sse/direct_send.h"

namespace gs::sse {

struct HubOptions {
    // Events kept for Last-Event-ID replay.
    std::size_t replay_capacity = 10'000;
    // The id history starts after (last_id() before the first publish, and where
    // next_local_id() counts from). Unset: microseconds since the Unix epoch, so that ids of a
    // restarted process are above those of the one before it and an old Last-Event-ID is
    // recognised as too old instead of being mistaken for a new one.
    std::optional<std::uint64_t> initial_id;
};

// One published event, shared by the replay ring and every queue it is in.
struct Event {
    std::uint64_t id = 0;
    std::string symbol;
    market::Timeframe timeframe = market::kDefaultTimeframe;
    // The signal's JSON, as published (a new stream's snapshot is made from it).
    std::shared_ptr<const std::string> data;
    std::chrono::steady_clock::time_point published_at;
    // A provisional signal (publish_provisional()): no id, in neither the replay ring nor the
    // snapshots; `id` is 0.
    bool transient = false;

    // The complete SSE frame: `id: N\nevent: signal\ndata: ...\n\n` (a provisional one:
    // `event: provisional\ndata: ...\n\n`). Written once, by the first stream, replay or
    // snapshot that takes the event, and shared by all of them: with no stream open an
    // ingested bar's event is never formatted (it was 3 % of a standalone ingest's CPU).
    // Call only once the event is published (its fields no longer change).
    const std::shared_ptr<const std::string>& frame() const;

  private:
    mutable std::once_flag frame_once_;
    mutable std::shared_ptr<const std::string> frame_;
};
using EventPtr = std::shared_ptr<const Event>;

// Which events a stream wants: one timeframe, and either every symbol or a list of them.
struct Filter {
    market::Timeframe timeframe = market::kDefaultTimeframe;
    bool all_symbols = false;
    std::vector<std::string> symbols;  // normalised, without duplicates

    bool matches(const Event& event) const;
};

struct QueueLimits {
    // Events queued (the writer's batch and its prelude not included).
    std::size_t max_events = 1024;
    // Bytes not yet handed to the kernel: queued events, the writer's batch and the rest of its
    // prelude (snapshot or replay). Keep it above the largest snapshot (a `symbols=*` stream of
    // 5,000 symbols is about 3.2 MB): a snapshot larger than the limit gets through on its own,
    // but any event queued behind it then ends the stream.
    std::size_t max_bytes = 4 * 1024 * 1024;
};

// Why a stream was cut (counted in gs_sse_stream_cuts_total).
enum class CutReason {
    kQueueFull,  // its unsent data passed the queue limit
    kStalled,    // a write made no progress for StreamOptions::stall_timeout
};

class Hub;

// A stream's side of the hub: its bounded queue, the timer its writer sleeps on, and, once
// attached, the stream's socket.
//
// Delivery has a fast path: while the writer is idle (nothing queued, no write of its own in
// flight) publish() writes the event's frame straight to the socket with one non-blocking
// send() on the publishing thread. Only when that would block, or the writer is busy, is the
// event queued and the writer woken to finish it asynchronously. A steady stream of events to
// clients that keep up thus costs one system call per delivery, with no thread hop, timer or
// coroutine resumption. Who may write is DirectSend's state; it and the queue are under one
// mutex, and the writer owns the socket until it finds the queue empty, so a direct send never
// overtakes a queued event.
//
// Everything but the queue state is touched only on `executor()`.
class Stream final : public std::enable_shared_from_this<Stream> {
  public:
    Stream(boost::asio::any_io_executor executor, Filter filter, QueueLimits limits);
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    const Filter& filter() const noexcept { return filter_; }
    const boost::asio::any_io_executor& executor() const noexcept { return executor_; }

    // The socket publish() may write to while the writer is idle. Attach once the response
    // head is written; detach before the socket is closed: after detach() returns, no
    // publish() touches it.
    void attach(int socket_fd);
    void detach();

    enum class TakeResult {
        kEvents,      // `out` holds events to write; the writer owns the socket until it takes
                      // an empty queue
        kIdle,        // nothing queued: the writer is idle, publish() writes directly
        kOverflowed,  // the queue overflowed: the stream is too slow and must end
        kBroken,      // a direct write failed: the connection is gone
    };
    // Moves the queued events to the end of `out` (the writer's batch, usually empty) and
    // re-arms the wake-up. `first_offset` is set to the bytes of out's first new event a direct
    // write already sent (its frame must be continued from there).
    TakeResult take(std::vector<EventPtr>& out, std::size_t& first_offset);

    // The writer's heartbeat: claims the socket for a write of the writer's own when nothing is
    // queued and nothing was sent since `since`. Returns false when the writer must take()
    // instead (events arrived, or the queue overflowed, or a direct write went out).
    bool claim_for_heartbeat(std::chrono::steady_clock::time_point since);
    // The writer's own unsent bytes (the snapshot or replay it starts with), counted against the
    // byte limit until it reports them sent.
    void add_unsent(std::size_t bytes);
    // The writer handed `bytes` of its prelude or batch to the kernel.
    void sent(std::size_t bytes);
    // Bytes not yet handed to the kernel: queued, and held by the writer.
    std::size_t unsent_bytes() const;

    // When the last byte went to the client, by either path.
    std::chrono::steady_clock::time_point last_sent() const;
    // The writer wrote to the socket (a batch or a heartbeat).
    void mark_sent(std::chrono::steady_clock::time_point at);

    // The writer's sleep: publish() cancels it when an event is queued. On `executor()` only.
    boost::asio::steady_timer& timer() noexcept { return timer_; }
    // Wakes the writer from any thread.
    void wake();

    // Called on executor() after the queue overflows, so that the stream can end even while a
    // write to the client is stuck. Set and cleared on executor() only.
    void on_overflow(std::function<void()> handler) { overflow_handler_ = std::move(handler); }
    bool overflowed() const;

  private:
    friend class Hub;
    struct PushResult {
        bool wake = false;        // the writer needs a wake-up
        bool sent = false;        // written straight to the socket
        std::size_t dropped = 0;  // events discarded by an overflow
    };
    PushResult push(const EventPtr& event);
    // Queues `event` (of which `offset` bytes are already sent); under mutex_.
    PushResult enqueue_locked(const EventPtr& event, std::size_t offset);

    boost::asio::any_io_executor executor_;
    Filter filter_;
    QueueLimits limits_;
    boost::asio::steady_timer timer_;
    std::function<void()> overflow_handler_;

    mutable std::mutex mutex_;
    std::vector<EventPtr> pending_;
    std::size_t pending_bytes_ = 0;
    std::size_t first_offset_ = 0;   // bytes of pending_.front() already sent
    std::size_t writer_unsent_ = 0;  // taken by the writer (prelude, batch), not yet sent
    DirectSend direct_;
    bool wake_posted_ = false;  // a wake-up is on its way to the writer
    std::chrono::steady_clock::time_point last_sent_ = std::chrono::steady_clock::now();
};

// Where a resumed stream starts.
struct Resume {
    enum class Kind { kReplay, kResync };
    Kind kind = Kind::kReplay;
    // The matching events after the client's id, oldest first (empty for kResync).
    std::vector<EventPtr> events;
    // The hub's last id when the replay was taken: queued live events up to it are already
    // covered and must be dropped by the writer.
    std::uint64_t last_id = 0;
};

// A new stream's starting point: the newest event of each symbol and the last id, taken
// together, so that every event after `last_id` is newer than these.
struct Latest {
    std::uint64_t last_id = 0;
    // One per symbol asked for, in order; nullptr for a symbol without an event in this
    // hub's life (since the process started).
    std::vector<EventPtr> events;
};

class Hub final {
  public:
    explicit Hub(HubOptions options = {});
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    // Publishes a new signal. Ids must increase: an id <= last_id() is a duplicate delivery
    // and is ignored (and counted); returns whether the event was taken. Thread-safe; never
    // blocks on a stream. `symbol` is expected normalised (upper-case), as streams ask for it.
    bool publish(std::uint64_t id, std::string symbol, market::Timeframe timeframe,
                 std::shared_ptr<const std::string> data_json,
                 std::chrono::steady_clock::time_point published_at);

    // In-process mode: the next id of the local sequence. Ids taken concurrently must still be
    // published in order; publish_local() does both in one turn and is the safer choice.
    std::uint64_t next_local_id() noexcept;
    // Takes the next local id (above last_id(), also when the ids so far came from elsewhere)
    // and publishes with it; returns the id (0 if not published).
    std::uint64_t publish_local(
        std::string symbol, market::Timeframe timeframe,
        std::shared_ptr<const std::string> data_json,
        std::chrono::steady_clock::time_point published_at = std::chrono::steady_clock::now());

    std::uint64_t last_id() const;

    // A provisional signal: `event: provisional` without an `id:` line (a client's
    // Last-Event-ID stays that of the last final signal), to the matching streams only. Never
    // replayed nor part of a new stream's snapshot: it is superseded by the next one or by the
    // final signal. Takes its turn with publish(), so streams get events in publish order.
    void publish_provisional(std::string symbol, market::Timeframe timeframe,
                             std::shared_ptr<const std::string> data_json);

    // What a new stream's snapshot is made of. Taken from the events themselves rather than
    // from the current signals: a signal computed but not yet published (its publish may be
    // waiting on Redis) would be newer than the events that follow the snapshot.
    Latest latest(const std::vector<std::string>& symbols, market::Timeframe timeframe) const;

    // Registers a stream; from this point it receives every matching event published.
    // Register first, then call resume() or last_id(): nothing falls between the two.
    std::shared_ptr<Stream> subscribe(boost::asio::any_io_executor executor, Filter filter,
                                      QueueLimits limits);
    void unsubscribe(const std::shared_ptr<Stream>& stream);

    // The events matching `filter` published after `last_event_id`, or kResync when some of
    // them are no longer in the replay ring (or the id is unknown to this hub: newer than
    // last_id(), or from before its history began).
    Resume resume(const Filter& filter, std::uint64_t last_event_id) const;

    // Streams counted against the per-instance limit. try_open_stream() returns false (and
    // counts a rejection) when `max_streams` are already open; otherwise close_stream() must
    // follow exactly once.
    bool try_open_stream(std::size_t max_streams) noexcept;
    void close_stream() noexcept;
    std::size_t open_streams() const noexcept { return open_streams_.load(); }

    // Counters the stream writers report.
    void count_sent(std::size_t events) noexcept { events_sent_.fetch_add(events); }
    // A stream cut for being slow (also counted in slow_disconnects).
    void count_cut(CutReason reason) noexcept;
    void count_resync() noexcept { resyncs_.fetch_add(1); }
    void observe_latency(std::chrono::nanoseconds elapsed) noexcept { latency_.observe(elapsed); }

    struct Stats {
        std::uint64_t published = 0;
        std::uint64_t provisional = 0;
        std::uint64_t duplicates = 0;
        std::uint64_t sent = 0;
        std::uint64_t dropped = 0;
        std::uint64_t slow_disconnects = 0;
        std::uint64_t cuts_queue_full = 0;
        std::uint64_t cuts_stalled = 0;
        std::uint64_t resyncs = 0;
        std::uint64_t rejected = 0;
        std::size_t open_streams = 0;
        std::size_t subscribers = 0;
        std::size_t replay_size = 0;
    };
    Stats stats() const;

    // Appends the gs_sse_* metrics in the Prometheus text format.
    void render(std::string& out) const;

  private:
    using List = std::vector<std::shared_ptr<Stream>>;
    static std::size_t index_of(market::Timeframe timeframe) noexcept {
        return static_cast<std::size_t>(timeframe);
    }
    // Under fan_out_mutex_: registers the event (state lock) and hands it to every matching
    // stream (index lock for the copy only).
    bool publish_in_turn(std::uint64_t id, std::string symbol, market::Timeframe timeframe,
                         const std::shared_ptr<const std::string>& data_json,
                         std::chrono::steady_clock::time_point published_at);
    void fan_out(const EventPtr& event);

    const HubOptions options_;

    // Publishers take turns on it (see the top of this file); held through the fan-out, taken
    // by publishers only.
    std::mutex fan_out_mutex_;
    List scratch_;  // the matching streams of the event being fanned out; fan_out_mutex_

    // Guards what new streams read: ids, the ring, the newest events. Held for moments.
    // Written under fan_out_mutex_ too, so a publisher reads them without it.
    mutable std::mutex state_mutex_;
    std::vector<EventPtr> ring_;  // circular, ring_head_ is the oldest
    std::size_t ring_head_ = 0;
    std::size_t ring_size_ = 0;
    std::uint64_t last_id_ = 0;
    // Every event with an id above this one is still in the ring.
    std::uint64_t horizon_ = 0;
    bool published_any_ = false;
    // The newest event of each symbol, per timeframe.
    std::array<std::unordered_map<std::string, EventPtr>, market::kAllTimeframes.size()> latest_;

    // Guards the subscriber index only (never held while a queue is filled).
    mutable std::mutex index_mutex_;
    std::array<std::unordered_map<std::string, List>, market::kAllTimeframes.size()> by_symbol_;
    std::array<List, market::kAllTimeframes.size()> all_symbols_;
    std::size_t subscribers_ = 0;

    std::atomic<std::uint64_t> next_local_;
    std::atomic<std::size_t> open_streams_{0};
    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> provisional_{0};
    std::atomic<std::uint64_t> duplicates_{0};
    std::atomic<std::uint64_t> events_sent_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> slow_disconnects_{0};
    std::atomic<std::uint64_t> cuts_queue_full_{0};
    std::atomic<std::uint64_t> cuts_stalled_{0};
    std::atomic<std::uint64_t> resyncs_{0};
    std::atomic<std::uint64_t> rejected_{0};
    metrics::Histogram latency_;
};

}  // namespace gs::sse
