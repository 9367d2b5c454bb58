#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/cache/guarded_redis.h"
#include "goldensignals/cache/signal_tier.h"

namespace gs::cache {

// `GS1 <full length>\n<full><summary>`; anything else under our key is not ours.
std::string encode_bodies(std::string_view full, std::string_view summary);
// nullopt for a corrupt or foreign value (treated as a miss, then overwritten).
std::optional<SignalBodies> decode_bodies(std::string_view value);

struct RedisSignalCacheOptions {
    std::chrono::seconds ttl{3600};
};

// L2: signal bodies in Redis under the caller's key, `SET key value EX ttl`. Every failure
// (down, timeout, corrupt value) is a miss, never an error for the request; the shared
// circuit breaker keeps a dead Redis from costing a timeout per request.
class RedisSignalCache final : public SignalTier {
  public:
    RedisSignalCache(std::shared_ptr<GuardedRedis> redis, RedisSignalCacheOptions options);

    boost::asio::awaitable<std::optional<SignalBodies>> get(std::string key) override;
    // Best effort: failures only feed the breaker.
    boost::asio::awaitable<void> put(std::string key, std::string_view full,
                                     std::string_view summary) override;
    void render_metrics(std::string& out) const override;

    bool breaker_open() const { return redis_->breaker_open(); }
    std::uint64_t corrupt_values() const noexcept { return corrupt_.load(); }

  private:
    std::shared_ptr<GuardedRedis> redis_;
    RedisSignalCacheOptions options_;
    std::atomic<std::uint64_t> corrupt_{0};
};

}  // namespace gs::cache
