#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/cache/circuit_breaker.h"
#include "goldensignals/redis/client.h"

namespace gs::cache {

struct GuardedRedisOptions {
    // After this many consecutive failures Redis is skipped, except one probe per interval.
    int breaker_threshold = 3;
    std::chrono::milliseconds probe_interval{1000};
};

// A Redis client behind one circuit breaker, for the best-effort users (the signal tier, the
// bar-version registry): they share it, so a dead Redis costs one timeout per probe interval
// in all, not one per user. Every failure is nullopt, never an exception.
class GuardedRedis final {
  public:
    GuardedRedis(std::shared_ptr<redis::Client> client, GuardedRedisOptions options = {});

    // The reply (which may be a Redis error reply), nullopt when skipped or failed.
    boost::asio::awaitable<std::optional<redis::Reply>> command(std::vector<std::string> args);

    // Every command in one write (redis::Client::pipeline), the replies in order; nullopt
    // when skipped or failed. One success or failure for the breaker, however many commands.
    boost::asio::awaitable<std::optional<std::vector<redis::Reply>>> pipeline(
        std::vector<std::vector<std::string>> commands);

    bool breaker_open() const { return breaker_.open(); }

  private:
    bool available();

    std::shared_ptr<redis::Client> client_;
    CircuitBreaker breaker_;
};

}  // namespace gs::cache
