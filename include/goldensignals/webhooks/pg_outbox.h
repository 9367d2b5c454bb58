#pragma once

#include "goldensignals/store/pg_pool.h"
#include "goldensignals/webhooks/outbox.h"

namespace gs::webhooks {

// The outbox in PostgreSQL (sql/0005_webhooks.sql), shared by every instance: a claim takes
// due rows with FOR UPDATE SKIP LOCKED and pushes their next_attempt_at past the lease, so
// each delivery is tried by one instance at a time and a lost instance's claims come due
// again. Every statement runs on the pool's threads.
class PgOutbox final : public Outbox {
  public:
    explicit PgOutbox(store::PgPool& pool);

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
    store::PgPool& pool_;
};

}  // namespace gs::webhooks
