#include "goldensignals/app/tiers.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "goldensignals/cache/redis_signal_cache.h"
#include "goldensignals/orchestrator/redis_bar_version_registry.h"
#include "goldensignals/store/pg_bar_repository.h"

namespace gs::app {

namespace {
// How long shutdown waits for queued signals to reach PostgreSQL.
constexpr auto kSignalDrain = std::chrono::seconds(5);
}  // namespace

Tiers::Tiers(const config::Options& options, boost::asio::any_io_executor executor,
             market::BarStore& bars, Components& components) {
    if (options.redis_url) {
        redis::ClientOptions redis_options;
        redis_options.url = config::parse_redis_url(*options.redis_url);
        redis_options.name = "goldensignals";
        redis_client_ = redis::Client::create(executor, redis_options);
        redis_subscriber_ = redis::Subscriber::create(executor, redis_options);
        // One breaker for the signal tier and the version registry: one dead Redis.
        auto guarded = std::make_shared<cache::GuardedRedis>(redis_client_);
        l2_ = std::make_unique<cache::RedisSignalCache>(
            guarded, cache::RedisSignalCacheOptions{.ttl = options.redis_ttl});
        auto registry = std::make_unique<orchestrator::RedisBarVersionRegistry>(
            guarded, options.redis_prefix,
            std::chrono::duration_cast<std::chrono::microseconds>(options.redis_read_lease));
        if (options.redis_tracking) {
            // Two connections of its own: the tracked reads and their invalidations.
            redis::ClientOptions tracking_options = redis_options;
            tracking_options.name = "goldensignals-tracking";
            redis::ClientOptions invalidation_options = redis_options;
            invalidation_options.name = "goldensignals-invalidations";
            registry->enable_tracking(redis::Client::create(executor, tracking_options),
                                      redis::Subscriber::create(executor, invalidation_options),
                                      executor);
            components.add(
                "redis version tracking", [registry = registry.get()] { registry->start(); },
                [registry = registry.get()]() -> boost::asio::awaitable<void> {
                    registry->stop();
                    co_return;
                });
        }
        bar_versions_ = std::move(registry);
        components.add(
            "redis client", [client = redis_client_] { client->start(); },
            [client = redis_client_]() -> boost::asio::awaitable<void> {
                client->stop();
                co_return;
            });
        // Started with its subscriptions, by the live stream's wiring.
        components.add("redis subscriber", nullptr,
                       [subscriber = redis_subscriber_]() -> boost::asio::awaitable<void> {
                           subscriber->stop();
                           co_return;
                       });
    } else {
        l2_ = std::make_unique<cache::NoSignalTier>();
        bar_versions_ = std::make_unique<orchestrator::NoBarVersionRegistry>();
    }

    if (options.database_url) {
        pg_pool_ = std::make_unique<store::PgPool>(
            store::PgPoolOptions{.url = *options.database_url, .connections = options.pg_pool});
        bar_repository_ = std::make_unique<store::PgBarRepository>(*pg_pool_);
        // Partitions are created ahead at start and by the retention job, never on the
        // write path.
        signal_store_ = std::make_unique<store::PgSignalStore>(
            *pg_pool_, executor,
            store::PgSignalStoreOptions{.maintain_partitions = false,
                                        .linger = options.signal_write_linger});
        archive_ = signal_store_.get();
        store::RetentionPolicy policy;
        policy.signals = options.retention.signals;
        policy.bars = options.retention.bars;
        retention_ = std::make_unique<store::RetentionJob>(
            *pg_pool_, executor,
            store::RetentionJobOptions{
                .policy = policy,
                .interval = std::chrono::duration_cast<std::chrono::milliseconds>(
                    options.retention.interval)});
        bar_sync_ = std::make_unique<orchestrator::BarSync>(bars, *bar_versions_, *bar_repository_,
                                                            options.max_bars);
        components.add(
            "postgres signal writer", [store = signal_store_.get()] { store->start(); },
            [store = signal_store_.get()]() -> boost::asio::awaitable<void> {
                auto lost = co_await store->stop(kSignalDrain);
                if (lost > 0) {
                    spdlog::error("{} signal row(s) not written to PostgreSQL", lost);
                }
            });
        components.add(
            "retention job", [job = retention_.get()] { job->start(); },
            [job = retention_.get()]() -> boost::asio::awaitable<void> { co_await job->stop(); });
    } else {
        bar_repository_ = std::make_unique<store::NoBarRepository>();
        no_archive_ = std::make_unique<store::NoSignalArchive>();
        archive_ = no_archive_.get();
        bar_sync_ = std::make_unique<orchestrator::BarSync>(bars, *bar_versions_);
    }
}

}  // namespace gs::app
