#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/webhooks/webhook.h"

namespace gs::webhooks {

// How one attempt ended, for Outbox::finish: the attempt's record and, for a retry, when the
// next try is due (epoch milliseconds).
struct Outcome {
    Attempt attempt;
    std::int64_t next_attempt_ms = 0;
};

// Where webhooks, queued events and attempt records live: PostgreSQL (PgOutbox, shared by
// every instance and durable) or this process's memory (MemoryOutbox). The I/O seam of the
// webhooks component. Methods throw on storage failure (store::Error for PostgreSQL).
class Outbox {
  public:
    virtual ~Outbox() = default;

    virtual boost::asio::awaitable<void> add_webhook(Webhook webhook) = 0;
    // Every webhook, oldest first, secrets included.
    virtual boost::asio::awaitable<std::vector<Webhook>> webhooks() = 0;
    // False when there was none; its queued events and attempt records go with it.
    virtual boost::asio::awaitable<bool> remove_webhook(std::string id) = 0;

    // Records `signal` as its series' newest and queues its event for the candidates that
    // want it (plan_event). Nothing when the series already has a signal as new: a signal
    // computed again, on this or another instance, is not a new event. Returns the deliveries
    // queued.
    virtual boost::asio::awaitable<std::size_t> enqueue(SignalEvent signal,
                                                        std::vector<Candidate> candidates) = 0;

    // Up to `max` due deliveries, each leased to this caller for `lease`: no other claim gets
    // it until the lease ends (an instance lost mid-attempt gives it back that way).
    virtual boost::asio::awaitable<std::vector<Delivery>> claim(
        std::size_t max, std::chrono::milliseconds lease) = 0;
    // Records the attempt; delivered and failed events leave the queue, retried ones are due
    // again at outcome.next_attempt_ms. Ignored (but recorded) when the lease is stale.
    virtual boost::asio::awaitable<void> finish(Delivery delivery, Outcome outcome) = 0;

    // The newest attempts of a webhook, newest first (at most kAttemptsKept are kept).
    virtual boost::asio::awaitable<std::vector<Attempt>> attempts(std::string webhook_id,
                                                                  std::size_t limit) = 0;
    // Events queued and not yet delivered or failed.
    virtual boost::asio::awaitable<std::size_t> pending() = 0;
};

inline constexpr std::size_t kAttemptsKept = 100;

}  // namespace gs::webhooks
