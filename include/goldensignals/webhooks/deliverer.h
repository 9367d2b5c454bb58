#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "goldensignals/metrics/histogram.h"
#include "goldensignals/webhooks/outbox.h"
#include "goldensignals/webhooks/retry.h"
#include "goldensignals/webhooks/sender.h"

namespace gs::webhooks {

struct DelivererOptions {
    RetryPolicy retry{};
    // Attempts at once on this instance.
    std::size_t max_inflight = 32;
    // How often the outbox is asked for due deliveries when nothing wakes the loop.
    std::chrono::milliseconds poll{1'000};
    // A claim's lease: longer than an attempt can take (the sender's timeout).
    std::chrono::milliseconds lease{30'000};
};

// Takes due deliveries from the outbox, signs and POSTs each, and records the outcome: a 2xx
// is delivered; anything else is retried after backoff_delay() while within max_age, then
// failed. At most max_inflight attempts at once.
class Deliverer final {
  public:
    using Clock = std::function<std::int64_t()>;  // epoch milliseconds
    Deliverer(boost::asio::any_io_executor executor, Outbox& outbox, Sender& sender,
              DelivererOptions options, Clock clock = nullptr);

    void start();
    // Ends the loop and waits (up to `grace`) for attempts in flight.
    boost::asio::awaitable<void> stop(std::chrono::milliseconds grace);
    // Something was queued: look now rather than at the next poll.
    void wake();

    void render_metrics(std::string& out) const;
    std::size_t inflight() const noexcept { return inflight_.load(); }

  private:
    boost::asio::awaitable<void> run();
    boost::asio::awaitable<void> attempt(Delivery delivery);

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    Outbox& outbox_;
    Sender& sender_;
    DelivererOptions options_;
    Clock clock_;
    boost::asio::steady_timer timer_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> running_{false};
    std::atomic<std::size_t> inflight_{0};
    std::atomic<std::size_t> pending_{0};
    std::mutex random_mutex_;
    std::mt19937_64 random_{std::random_device{}()};
    std::array<std::atomic<std::uint64_t>, 3> results_{};
    metrics::Histogram latency_;
};

}  // namespace gs::webhooks
