#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/cache/circuit_breaker.h"
#include "goldensignals/redis/client.h"

namespace gs::cache {

// The two response bodies of a signal, as stored in Redis.
struct SignalBodies {
    std::string full;     // with the agent list
    std::string summary;  // without it
};

// `GS1 <full length>\n<full><summary>`; anything else under our key is not ours.
std::string encode_bodies(std::string_view full, std::string_view summary);
// nullopt for a corrupt or foreign value (treated as a miss, then overwritten).
std::optional<SignalBodies> decode_bodies(std::string_view value);

struct RedisSignalCacheOptions {
    std::chrono::seconds ttl{3600};
    // After this many consecutive failures Redis is skipped, except one probe per interval.
    int breaker_threshold = 3;
    std::chrono::milliseconds probe_interval{1000};
};

// L2: signal bodies in Redis under the caller's key, `SET key value EX ttl`. Every failure
// (down, timeout, corrupt value) is a miss, never an error for the request; a circuit
// breaker keeps a dead Redis from costing a timeout per request.
class RedisSignalCache final {
  public:
    RedisSignalCache(std::shared_ptr<redis::Client> client, RedisSignalCacheOptions options);

    boost::asio::awaitable<std::optional<SignalBodies>> get(std::string key);
    // Best effort: failures only feed the breaker.
    boost::asio::awaitable<void> put(std::string key, std::string value);

    // Plain GET/SET of small values through the same breaker (bar versions); nullopt on a
    // miss or any failure.
    boost::asio::awaitable<std::optional<std::string>> get_raw(std::string key);
    boost::asio::awaitable<bool> set_raw(std::string key, std::string value,
                                         std::chrono::seconds ttl);
    boost::asio::awaitable<bool> publish(std::string channel, std::string message);

    bool available() {
        if (!client_->connected()) {
            // Skipped while down, so no command would ask for a prompt reconnect: ask here.
            client_->request_reconnect();
            return false;
        }
        return breaker_.allow();
    }
    bool breaker_open() const { return breaker_.open(); }
    std::uint64_t corrupt_values() const noexcept { return corrupt_.load(); }

  private:
    std::shared_ptr<redis::Client> client_;
    RedisSignalCacheOptions options_;
    CircuitBreaker breaker_;
    std::atomic<std::uint64_t> corrupt_{0};
};

}  // namespace gs::cache
