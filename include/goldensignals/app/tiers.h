#pragma once

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "goldensignals/app/components.h"
#include "goldensignals/cache/guarded_redis.h"
#include "goldensignals/cache/signal_tier.h"
#include "goldensignals/config/options.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/bar_sync.h"
#include "goldensignals/orchestrator/bar_version_registry.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/redis/client.h"
#include "goldensignals/redis/subscriber.h"
#include "goldensignals/store/bar_repository.h"
#include "goldensignals/store/pg_pool.h"
#include "goldensignals/store/pg_signal_store.h"
#include "goldensignals/store/retention.h"

namespace gs::app {

// The I/O-backed parts behind the signal and ingest services, chosen by the configuration:
// the Redis and PostgreSQL implementations when configured, null objects otherwise (one
// instance alone keeps everything in memory). Built before the io_context runs; registers
// its start and stop steps in `components`.
class Tiers final {
  public:
    Tiers(const config::Options& options, boost::asio::any_io_executor executor,
          market::BarStore& bars, Components& components);
    Tiers(const Tiers&) = delete;
    Tiers& operator=(const Tiers&) = delete;

    orchestrator::SignalTiers signal_tiers() { return {*l2_, *archive_, *bar_sync_}; }
    store::BarRepository& bar_repository() { return *bar_repository_; }
    orchestrator::BarSync& bar_sync() { return *bar_sync_; }

    // Null without Redis (the live stream's bridge and pub/sub use them).
    const std::shared_ptr<redis::Client>& redis_client() const { return redis_client_; }
    const std::shared_ptr<redis::Subscriber>& redis_subscriber() const { return redis_subscriber_; }
    // Null without PostgreSQL (the history route answers 503 then).
    store::PgSignalStore* signal_store() { return signal_store_.get(); }
    store::PgPool* pg_pool() { return pg_pool_.get(); }
    // Null without PostgreSQL.
    store::RetentionJob* retention() { return retention_.get(); }

  private:
    std::shared_ptr<redis::Client> redis_client_;
    std::shared_ptr<redis::Subscriber> redis_subscriber_;
    std::unique_ptr<store::PgPool> pg_pool_;
    std::unique_ptr<store::PgSignalStore> signal_store_;
    std::unique_ptr<store::RetentionJob> retention_;
    std::unique_ptr<cache::SignalTier> l2_;
    std::unique_ptr<store::SignalArchive> no_archive_;
    store::SignalArchive* archive_ = nullptr;  // signal_store_ or no_archive_
    std::unique_ptr<orchestrator::BarVersionRegistry> bar_versions_;
    std::unique_ptr<store::BarRepository> bar_repository_;
    std::unique_ptr<orchestrator::BarSync> bar_sync_;
};

}  // namespace gs::app
