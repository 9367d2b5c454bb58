#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "goldensignals/webhooks/deliverer.h"
#include "goldensignals/webhooks/outbox.h"

namespace gs::webhooks {

struct ServiceOptions {
    bool allow_private = false;
    std::size_t max_webhooks = 100;
    // How often the list of webhooks is re-read from the outbox (other instances' changes).
    std::chrono::milliseconds refresh{2'000};
};

// The webhooks of this instance: registration (the routes call it), matching of each new
// signal against a cached copy of the list, and the queueing of its events.
class Service final {
  public:
    Service(boost::asio::any_io_executor executor, Outbox& outbox, Deliverer& deliverer,
            ServiceOptions options);

    // Loads the list, then keeps it fresh; starts the deliverer.
    void start();
    boost::asio::awaitable<void> stop();

    // Throws RegistrationError; http::ClientError 409-ish limits are the routes' business.
    boost::asio::awaitable<Webhook> create(std::string body);
    boost::asio::awaitable<std::vector<Webhook>> list();
    boost::asio::awaitable<std::optional<Webhook>> get(std::string id);
    boost::asio::awaitable<bool> remove(std::string id);
    boost::asio::awaitable<std::vector<Attempt>> deliveries(std::string id, std::size_t limit);

    // From the signal service (any thread): queues the signal's event for the webhooks that
    // match, without waiting.
    void on_signal(std::string symbol, market::Timeframe timeframe, std::int64_t as_of,
                   std::shared_ptr<const std::string> summary_json);

    const ServiceOptions& options() const noexcept { return options_; }

  private:
    boost::asio::awaitable<void> refresh_loop();
    boost::asio::awaitable<void> reload();
    boost::asio::awaitable<void> drain();

    boost::asio::any_io_executor executor_;
    Outbox& outbox_;
    Deliverer& deliverer_;
    ServiceOptions options_;
    boost::asio::steady_timer refresh_timer_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<Webhook> cached_;
    // Signals waiting to be queued in the outbox, in the order the service made them: one
    // drain at a time, so a series' signals reach the outbox in order (a newer one stored
    // first would make the older one look stale).
    struct Pending {
        SignalEvent event;
        std::vector<Candidate> candidates;
    };
    std::deque<Pending> backlog_;
    bool draining_ = false;
    std::uint64_t dropped_ = 0;
};

}  // namespace gs::webhooks
