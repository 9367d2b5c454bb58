#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace gs::redis {

// How long a returned read barrier keeps serving strict reads, without the I/O.
//
// A barrier (a PING on the invalidation connection) sent at time s came back: every write
// Redis ran before s has had its invalidation handled. Every instance acks a write only once
// `ack_delay()` has passed since Redis confirmed it (RedisBarVersionRegistry::ack_delay), so
// a read that begins before s + length() needs no barrier of its own: any write acked before
// it began was confirmed before the read began minus the ack delay, which is before s, so
// Redis ran it before that PING. This holds as long as the two instances' monotonic clocks run
// at the same rate to within the margin ack_delay() adds; it does not need them synchronized.
//
// A barrier counts only for the connection it went out on: reset() (any change of that
// connection) starts a new epoch, and a barrier sent in an older one renews nothing.
//
// Thread-safe; holds() takes no lock (the read path).
class ReadLease final {
  public:
    using Clock = std::chrono::steady_clock;

    explicit ReadLease(Clock::duration length) : length_(length) {}

    Clock::duration length() const noexcept { return length_; }
    // What writers wait between Redis's confirmation and their ack: the length plus a margin
    // for clock rates (0.1 %) and for the read's own clock reading (100 us).
    // No lease, no wait.
    static Clock::duration ack_delay(Clock::duration length) noexcept {
        if (length <= Clock::duration::zero()) {
            return Clock::duration::zero();
        }
        return length + length / 1000 + std::chrono::microseconds(100);
    }

    // The current epoch, to pass to renew() with the barrier's send time. Take both before
    // the barrier is queued: a send time that is early only shortens the lease.
    std::uint64_t epoch() const {
        std::lock_guard lock(mutex_);
        return epoch_;
    }
    // A barrier sent at `sent_at` in `epoch` came back.
    void renew(std::uint64_t epoch, Clock::time_point sent_at) {
        std::lock_guard lock(mutex_);
        const auto sent = sent_at.time_since_epoch().count();
        if (epoch == epoch_ && sent > newest_.load(std::memory_order_relaxed)) {
            newest_.store(sent, std::memory_order_release);
        }
    }
    // The connection changed: every barrier so far renews nothing.
    void reset() {
        std::lock_guard lock(mutex_);
        ++epoch_;
        newest_.store(kNone, std::memory_order_release);
    }

    // A read that began at `now` may answer without a barrier of its own.
    bool holds(Clock::time_point now) const noexcept {
        const auto newest = newest_.load(std::memory_order_acquire);
        return newest != kNone && now.time_since_epoch().count() - newest < length_.count();
    }
    // Half the lease has gone: time to send a barrier nobody waits for, so that reads under
    // steady load keep finding the lease held.
    bool due(Clock::time_point now) const noexcept {
        const auto newest = newest_.load(std::memory_order_acquire);
        return newest == kNone || now.time_since_epoch().count() - newest >= length_.count() / 2;
    }

  private:
    static constexpr Clock::rep kNone = INT64_MIN;

    const Clock::duration length_;
    mutable std::mutex mutex_;
    std::uint64_t epoch_ = 1;
    // The send time of the newest barrier back in this epoch (kNone: none yet).
    std::atomic<Clock::rep> newest_{kNone};
};

}  // namespace gs::redis
