#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

namespace gs::redis {

// Coalesces strict reads onto barriers, without the I/O: which barrier a read waits for,
// which reads a completed barrier releases, and when the next barrier must be sent.
//
// A barrier is a round trip (PING) on the invalidation connection. Redis queues each
// connection's output in order, so once the reply to a PING that left after a read began is
// in, every invalidation Redis queued before it ran that PING has been handled. A read that
// wants to answer locally therefore waits for a barrier *sent after it began*:
//
// - begin(): the read waits for the next barrier to be sent (number sent() + 1). When no
//   barrier is in flight and none is about to be sent, the caller must schedule a send.
// - send(): the barrier being written now gets its number (after every begin() it serves);
//   0 when nothing waits or one is still in flight.
// - complete(): the barrier in flight came back: releases every read waiting for it or an
//   earlier one; the reads that arrived meanwhile wait for the next, which the caller sends
//   when `send_next` says so.
// - fail(): the connection went down or the barrier timed out: every waiting read is
//   released to fall back to asking Redis.
//
// One barrier is in flight at a time: it serves every read that began before it was sent,
// and the reads that begin while it is out share the next one.
//
// Thread-safe. `Waiter` is whatever resumes a read (a completion handler; an id in tests).
template <typename Waiter>
class ReadBarrier final {
  public:
    struct Begin {
        std::uint64_t barrier = 0;  // the barrier the read waits for
        bool send = false;          // the caller must schedule send()
    };
    struct Released {
        std::vector<Waiter> reads;
        bool send_next = false;  // reads wait for the next barrier: call send() again
    };

    Begin begin(Waiter waiter) {
        std::lock_guard lock(mutex_);
        const std::uint64_t target = sent_ + 1;
        waiting_.push_back({target, std::move(waiter)});
        Begin result{target, false};
        if (in_flight_ == 0 && !scheduled_) {
            scheduled_ = true;
            result.send = true;
        }
        return result;
    }

    std::uint64_t send() {
        std::lock_guard lock(mutex_);
        scheduled_ = false;
        if (in_flight_ != 0 || waiting_.empty()) {
            return 0;
        }
        in_flight_ = ++sent_;
        return in_flight_;
    }

    // `barrier` is what send() returned; a stale number (a barrier failed meanwhile) releases
    // nothing.
    Released complete(std::uint64_t barrier) {
        std::lock_guard lock(mutex_);
        Released released;
        if (barrier == 0 || barrier != in_flight_) {
            return released;
        }
        in_flight_ = 0;
        completed_ = barrier;
        while (!waiting_.empty() && waiting_.front().target <= barrier) {
            released.reads.push_back(std::move(waiting_.front().waiter));
            waiting_.pop_front();
        }
        if (!waiting_.empty() && !scheduled_) {
            scheduled_ = true;
            released.send_next = true;
        }
        return released;
    }

    std::vector<Waiter> fail() {
        std::lock_guard lock(mutex_);
        in_flight_ = 0;
        std::vector<Waiter> reads;
        reads.reserve(waiting_.size());
        for (auto& entry : waiting_) {
            reads.push_back(std::move(entry.waiter));
        }
        waiting_.clear();
        ++failures_;
        return reads;
    }

    // Barriers sent and completed so far, the one in flight (0: none), reads waiting.
    std::uint64_t sent() const {
        std::lock_guard lock(mutex_);
        return sent_;
    }
    std::uint64_t completed() const {
        std::lock_guard lock(mutex_);
        return completed_;
    }
    std::uint64_t failures() const {
        std::lock_guard lock(mutex_);
        return failures_;
    }
    std::uint64_t in_flight() const {
        std::lock_guard lock(mutex_);
        return in_flight_;
    }
    std::size_t waiting() const {
        std::lock_guard lock(mutex_);
        return waiting_.size();
    }

  private:
    struct Entry {
        std::uint64_t target;
        Waiter waiter;
    };

    mutable std::mutex mutex_;
    // In begin() order, so targets never decrease: the released reads are a prefix.
    std::deque<Entry> waiting_;
    std::uint64_t sent_ = 0;
    std::uint64_t completed_ = 0;
    std::uint64_t in_flight_ = 0;
    std::uint64_t failures_ = 0;
    bool scheduled_ = false;
};

}  // namespace gs::redis
