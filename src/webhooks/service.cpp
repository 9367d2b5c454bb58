#include "goldensignals/webhooks/service.h"

#include <chrono>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/webhooks/registration.h"
#include "webhooks/log.h"

namespace gs::webhooks {

namespace asio = boost::asio;

namespace {
// Signals waiting for the outbox; past it new ones are dropped (logged).
constexpr std::size_t kMaxBacklog = 10'000;
}  // namespace

Service::Service(asio::any_io_executor executor, Outbox& outbox, Deliverer& deliverer,
                 ServiceOptions options)
    : executor_(executor),
      outbox_(outbox),
      deliverer_(deliverer),
      options_(options),
      refresh_timer_(asio::make_strand(executor)) {}

void Service::start() {
    asio::co_spawn(refresh_timer_.get_executor(), refresh_loop(), [](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                logger()->error("webhook list refresh ended: {}", e.what());
            }
        }
    });
    deliverer_.start();
}

asio::awaitable<void> Service::stop() {
    stopping_ = true;
    asio::post(refresh_timer_.get_executor(), [this] { refresh_timer_.cancel(); });
    co_await deliverer_.stop(std::chrono::seconds(5));
}

asio::awaitable<void> Service::reload() {
    auto fresh = co_await outbox_.webhooks();
    std::lock_guard lock(mutex_);
    cached_ = std::move(fresh);
}

asio::awaitable<void> Service::refresh_loop() {
    bool logged = false;
    while (!stopping_) {
        try {
            co_await reload();
            logged = false;
        } catch (const std::exception& e) {
            if (!logged) {
                logger()->warn("webhook list not refreshed: {}", e.what());
                logged = true;
            }
        }
        refresh_timer_.expires_after(options_.refresh);
        co_await refresh_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<Webhook> Service::create(std::string body) {
    Webhook webhook = parse_registration(body, options_.allow_private);
    auto existing = co_await outbox_.webhooks();
    if (existing.size() >= options_.max_webhooks) {
        throw RegistrationError(
            "too_many_webhooks",
            fmt::format("at most {} webhooks (GS_MAX_WEBHOOKS)", options_.max_webhooks));
    }
    webhook.id = new_webhook_id();
    webhook.created = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    Webhook stored = webhook;
    co_await outbox_.add_webhook(std::move(stored));
    {
        std::lock_guard lock(mutex_);
        cached_.push_back(webhook);
    }
    logger()->info("webhook {} registered for {}", webhook.id, webhook.url);
    co_return webhook;
}

asio::awaitable<std::vector<Webhook>> Service::list() {
    co_return co_await outbox_.webhooks();
}

asio::awaitable<std::optional<Webhook>> Service::get(std::string id) {
    auto all = co_await outbox_.webhooks();
    for (auto& webhook : all) {
        if (webhook.id == id) {
            co_return std::move(webhook);
        }
    }
    co_return std::nullopt;
}

asio::awaitable<bool> Service::remove(std::string id) {
    const std::string removed_id = id;
    const bool removed = co_await outbox_.remove_webhook(std::move(id));
    if (removed) {
        std::lock_guard lock(mutex_);
        std::erase_if(cached_, [&removed_id](const Webhook& w) { return w.id == removed_id; });
        logger()->info("webhook {} removed", removed_id);
    }
    co_return removed;
}

asio::awaitable<std::vector<Attempt>> Service::deliveries(std::string id, std::size_t limit) {
    co_return co_await outbox_.attempts(std::move(id), limit);
}

void Service::on_signal(std::string symbol, market::Timeframe timeframe, std::int64_t as_of,
                        std::shared_ptr<const std::string> summary_json) {
    std::vector<Candidate> candidates;
    {
        std::lock_guard lock(mutex_);
        for (const auto& webhook : cached_) {
            if (matches(webhook, symbol, timeframe)) {
                candidates.push_back({webhook.id, webhook.on});
            }
        }
    }
    if (candidates.empty() || !summary_json) {
        return;
    }
    SignalEvent event;
    event.symbol = std::move(symbol);
    event.timeframe = timeframe;
    event.as_of = as_of;
    event.summary_json = *summary_json;
    try {
        const auto parsed = nlohmann::json::parse(event.summary_json);
        event.action = parsed.value("action", "");
    } catch (const nlohmann::json::exception&) {
        logger()->error("signal of {} has no readable action: not sent to webhooks", event.symbol);
        return;
    }
    bool start_drain = false;
    {
        std::lock_guard lock(mutex_);
        if (backlog_.size() >= kMaxBacklog) {
            // The outbox cannot keep up (PostgreSQL slow or down): said once per 1,000 lost.
            if (dropped_++ % 1000 == 0) {
                logger()->error("webhook backlog full ({} signals): the event of {} is not queued",
                                kMaxBacklog, event.symbol);
            }
            return;
        }
        backlog_.push_back({std::move(event), std::move(candidates)});
        start_drain = !std::exchange(draining_, true);
    }
    // Outside the lock: the drain may start on this thread at once.
    if (start_drain) {
        asio::co_spawn(executor_, drain(), asio::detached);
    }
}

asio::awaitable<void> Service::drain() {
    for (;;) {
        Pending next;
        {
            std::lock_guard lock(mutex_);
            if (backlog_.empty()) {
                draining_ = false;
                co_return;
            }
            next = std::move(backlog_.front());
            backlog_.pop_front();
        }
        const std::string symbol = next.event.symbol;
        try {
            const auto queued =
                co_await outbox_.enqueue(std::move(next.event), std::move(next.candidates));
            if (queued > 0) {
                deliverer_.wake();
            }
        } catch (const std::exception& e) {
            logger()->error("webhook event of {} not queued: {}", symbol, e.what());
        }
    }
}

}  // namespace gs::webhooks
