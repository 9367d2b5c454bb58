#pragma once

// Who writes to a stream's socket next: the stream's writer, or publish() straight away.
#include <cstddef>
#include <string_view>

namespace gs::sse {

// The direct-send path of one stream, as an explicit state.
//
//   kWriterOwns --writer_idle()-----> kIdle          the writer found its queue empty
//   kIdle       --writer_busy()-----> kWriterOwns    events queued, or the writer claims the
//                                                    socket (heartbeat, taken events)
//   kIdle       --send() short------> kWriterOwns    the socket took part or none of a frame
//   kIdle       --send() error------> kBroken        the client is gone
//   any live    --overflow()--------> kOverflowed    the queue passed its limit
//
// kOverflowed and kBroken are final. Not thread-safe: the stream calls it under its mutex,
// together with the queue it guards.
class DirectSend final {
  public:
    enum class State {
        kWriterOwns,  // the writer owns the socket (prelude, batch, heartbeat): events queue.
                      // The initial state: a stream starts with its prelude.
        kIdle,        // the writer sleeps with nothing queued: the next event is sent directly
        kOverflowed,  // the stream's queue overflowed: it must end
        kBroken,      // a direct send failed: the connection is gone
    };

    enum class SendResult {
        kSent,    // the whole frame went to the kernel
        kQueue,   // not (wholly) sent: queue the frame, `sent` bytes of it already out; the
                  // writer owns the socket now
        kBroken,  // the send failed for good
    };

    State state() const noexcept { return state_; }
    bool ended() const noexcept { return state_ == State::kOverflowed || state_ == State::kBroken; }

    // The socket direct sends go to; -1 when none (before the head is written, after close).
    void attach(int socket_fd) noexcept { socket_fd_ = socket_fd; }
    void detach() noexcept { socket_fd_ = -1; }

    // In kIdle with a socket attached: one non-blocking send() of `frame`. Otherwise the frame
    // is for the writer (kQueue, nothing sent). Never called in a final state.
    SendResult send(std::string_view frame, std::size_t& sent);

    void writer_idle() noexcept { move(Step::kWriterIdle); }
    void writer_busy() noexcept { move(Step::kWriterBusy); }
    void overflow() noexcept { move(Step::kOverflow); }

  private:
    enum class Step { kWriterIdle, kWriterBusy, kOverflow, kSendFailed };
    // Every transition goes through here.
    void move(Step step) noexcept;

    State state_ = State::kWriterOwns;
    int socket_fd_ = -1;
};

}  // namespace gs::sse
