#include "goldensignals/webhooks/deliverer.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "goldensignals/webhooks/signature.h"
#include "webhooks/log.h"

namespace gs::webhooks {

namespace asio = boost::asio;

namespace {

std::int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::size_t index_of(AttemptResult result) {
    return static_cast<std::size_t>(result);
}

}  // namespace

Deliverer::Deliverer(asio::any_io_executor executor, Outbox& outbox, Sender& sender,
                     DelivererOptions options, Clock clock)
    : strand_(asio::make_strand(executor)),
      outbox_(outbox),
      sender_(sender),
      options_(options),
      clock_(clock ? std::move(clock) : system_now_ms),
      timer_(strand_) {
    options_.max_inflight = std::max<std::size_t>(1, options_.max_inflight);
}

void Deliverer::start() {
    running_ = true;
    asio::co_spawn(strand_, run(), [this](std::exception_ptr error) {
        running_ = false;
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                logger()->error("webhook delivery loop ended: {}", e.what());
            }
        }
    });
}

void Deliverer::wake() {
    asio::post(strand_, [this] { timer_.cancel(); });
}

asio::awaitable<void> Deliverer::stop(std::chrono::milliseconds grace) {
    stopping_ = true;
    wake();
    // Attempts in flight finish (and record their outcome) unless they take longer than
    // `grace`; an unrecorded one comes due again when its lease ends.
    asio::steady_timer wait(strand_);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while ((running_ || inflight_ > 0) && std::chrono::steady_clock::now() < deadline) {
        wait.expires_after(std::chrono::milliseconds(10));
        co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> Deliverer::run() {
    bool logged_down = false;
    auto last_count = std::chrono::steady_clock::time_point{};
    while (!stopping_) {
        const std::size_t room = options_.max_inflight - inflight_.load();
        std::size_t claimed = 0;
        if (room > 0) {
            try {
                auto deliveries = co_await outbox_.claim(room, options_.lease);
                claimed = deliveries.size();
                for (auto& delivery : deliveries) {
                    ++inflight_;
                    asio::co_spawn(strand_, attempt(std::move(delivery)), asio::detached);
                }
                // The gauge: counted at most once a second, not per claim.
                if (std::chrono::steady_clock::now() - last_count > std::chrono::seconds(1)) {
                    pending_ = co_await outbox_.pending();
                    last_count = std::chrono::steady_clock::now();
                }
                if (logged_down) {
                    logger()->info("webhook outbox reachable again");
                    logged_down = false;
                }
            } catch (const std::exception& e) {
                if (!logged_down) {
                    logger()->warn("webhook outbox unavailable: {}", e.what());
                    logged_down = true;
                }
            }
        }
        if (stopping_) {
            break;
        }
        // A full batch may have more behind it: look again at once while there is room.
        if (claimed > 0 && claimed == room) {
            timer_.expires_after(std::chrono::milliseconds(0));
        } else {
            timer_.expires_after(options_.poll);
        }
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> Deliverer::attempt(Delivery delivery) {
    Outcome outcome;
    Attempt& a = outcome.attempt;
    a.webhook_id = delivery.webhook_id;
    a.event_id = delivery.event_id;
    a.attempt = delivery.attempts + 1;
    a.time_ms = clock_();
    OutgoingPost post;
    post.url = delivery.url;
    post.headers = {{"Content-Type", "application/json"},
                    {"X-GoldenSignals-Event-Id", delivery.event_id},
                    {"X-GoldenSignals-Signature",
                     signature_header(delivery.secret, a.time_ms / 1000, delivery.body)}};
    post.body = delivery.body;
    const auto started = std::chrono::steady_clock::now();
    SendResult sent;
    try {
        sent = co_await sender_.post(std::move(post));
    } catch (const std::exception& e) {
        sent = SendResult{std::nullopt, e.what(), true};
    }
    const auto elapsed = std::chrono::steady_clock::now() - started;
    latency_.observe(elapsed);
    a.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    a.status = sent.status;
    const bool ok = sent.status && *sent.status >= 200 && *sent.status < 300;
    if (ok) {
        a.result = AttemptResult::kDelivered;
    } else {
        a.error =
            !sent.error.empty() ? sent.error : fmt::format("HTTP {}", sent.status.value_or(0));
        double unit = 0.0;
        {
            std::lock_guard lock(random_mutex_);
            unit = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
        }
        const auto next = clock_() + backoff_delay(options_.retry, a.attempt, unit).count();
        if (sent.retryable && within_age(options_.retry, delivery.created_ms, next)) {
            a.result = AttemptResult::kRetry;
            outcome.next_attempt_ms = next;
        } else {
            a.result = AttemptResult::kFailed;
        }
    }
    results_[index_of(a.result)].fetch_add(1, std::memory_order_relaxed);
    const auto result = a.result;
    const std::string event_id = delivery.event_id;
    const std::string webhook_id = delivery.webhook_id;
    if (result == AttemptResult::kFailed) {
        logger()->warn("webhook {} event {} failed after {} attempt(s): {}", webhook_id, event_id,
                       a.attempt, a.error.value_or(""));
    } else {
        logger()->debug("webhook {} event {} attempt {}: {}", webhook_id, event_id, a.attempt,
                        to_string(result));
    }
    try {
        co_await outbox_.finish(std::move(delivery), std::move(outcome));
    } catch (const std::exception& e) {
        // The lease runs out and the delivery comes due again: at least once, maybe twice.
        logger()->warn("webhook {} event {}: outcome not recorded: {}", webhook_id, event_id,
                       e.what());
    }
    --inflight_;
    // Room for one more: claim now rather than at the next poll.
    timer_.cancel();
}

void Deliverer::render_metrics(std::string& out) const {
    fmt::format_to(std::back_inserter(out),
                   "# HELP gs_webhook_deliveries_total Webhook delivery attempts, by result.\n"
                   "# TYPE gs_webhook_deliveries_total counter\n"
                   "gs_webhook_deliveries_total{{result=\"delivered\"}} {}\n"
                   "gs_webhook_deliveries_total{{result=\"retry\"}} {}\n"
                   "gs_webhook_deliveries_total{{result=\"failed\"}} {}\n"
                   "# HELP gs_webhook_outbox_pending Webhook events queued and not yet delivered "
                   "or failed (every instance's, with PostgreSQL).\n"
                   "# TYPE gs_webhook_outbox_pending gauge\n"
                   "gs_webhook_outbox_pending {}\n"
                   "# HELP gs_webhook_inflight Webhook delivery attempts in flight on this "
                   "instance.\n"
                   "# TYPE gs_webhook_inflight gauge\n"
                   "gs_webhook_inflight {}\n"
                   "# HELP gs_webhook_delivery_seconds Time of one webhook delivery attempt.\n"
                   "# TYPE gs_webhook_delivery_seconds histogram\n",
                   results_[index_of(AttemptResult::kDelivered)].load(),
                   results_[index_of(AttemptResult::kRetry)].load(),
                   results_[index_of(AttemptResult::kFailed)].load(), pending_.load(),
                   inflight_.load());
    latency_.render(out, "gs_webhook_delivery_seconds", "");
}

}  // namespace gs::webhooks
