#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>

#include "goldensignals/webhooks/outbox.h"

namespace gs::webhooks {

// The outbox without PostgreSQL: this process only, lost on restart.
class MemoryOutbox final : public Outbox {
  public:
    using Clock = std::function<std::int64_t()>;  // epoch milliseconds
    explicit MemoryOutbox(Clock clock = nullptr);

    boost::asio::awaitable<void> add_webhook(Webhook webhook) override;
    boost::asio::awaitable<std::vector<Webhook>> webhooks() override;
    boost::asio::awaitable<bool> remove_webhook(std::string id) override;
    boost::asio::awaitable<std::size_t> enqueue(SignalEvent signal,
                                                std::vector<Candidate> candidates) override;
    boost::asio::awaitable<std::vector<Delivery>> claim(std::size_t max,
                                                        std::chrono::milliseconds lease) override;
    boost::asio::awaitable<void> finish(Delivery delivery, Outcome outcome) override;
    boost::asio::awaitable<std::vector<Attempt>> attempts(std::string webhook_id,
                                                          std::size_t limit) override;
    boost::asio::awaitable<std::size_t> pending() override;

  private:
    struct Row {
        Delivery delivery;
        std::int64_t due_ms = 0;
    };
    struct Series {
        std::int64_t as_of = 0;
        std::string action;
    };

    Clock clock_;
    std::mutex mutex_;
    std::vector<Webhook> webhooks_;
    std::map<std::int64_t, Row> rows_;  // by seq
    std::int64_t next_seq_ = 1;
    std::uint64_t next_lease_ = 1;
    std::map<std::pair<std::string, market::Timeframe>, Series> series_;
    std::unordered_map<std::string, std::deque<Attempt>> attempts_;
};

}  // namespace gs::webhooks
