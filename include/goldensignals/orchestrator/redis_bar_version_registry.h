#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/cache/guarded_redis.h"
#include "goldensignals/orchestrator/bar_version_registry.h"

namespace gs::orchestrator {

// Versions in Redis: `<prefix>barver:<timeframe>:<symbol>` holds the version (refreshed by
// every ingest, kept a week), and bar-update messages go to `<prefix>bars` by PUBLISH. Uses
// the signal tier's breaker, so a dead Redis is skipped here too.
class RedisBarVersionRegistry final : public BarVersionRegistry {
  public:
    RedisBarVersionRegistry(std::shared_ptr<cache::GuardedRedis> redis, std::string key_prefix);

    boost::asio::awaitable<std::optional<std::string>> recorded(
        std::string symbol, market::Timeframe timeframe) override;
    boost::asio::awaitable<void> announce(std::string symbol, market::Timeframe timeframe,
                                          std::string version) override;
    std::string channel() const override { return prefix_ + "bars"; }

  private:
    std::string record_key(const std::string& symbol, market::Timeframe timeframe) const;

    std::shared_ptr<cache::GuardedRedis> redis_;
    std::string prefix_;
};

}  // namespace gs::orchestrator
