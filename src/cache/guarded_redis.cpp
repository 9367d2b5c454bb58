#include "goldensignals/cache/guarded_redis.h"

#include <spdlog/spdlog.h>

namespace gs::cache {

GuardedRedis::GuardedRedis(std::shared_ptr<redis::Client> client, GuardedRedisOptions options)
    : client_(std::move(client)), breaker_(options.breaker_threshold, options.probe_interval) {}

bool GuardedRedis::available() {
    if (!client_->connected()) {
        // Skipped while down, so no command would ask for a prompt reconnect: ask here.
        client_->request_reconnect();
        return false;
    }
    return breaker_.allow();
}

boost::asio::awaitable<std::optional<redis::Reply>> GuardedRedis::command(
    std::vector<std::string> args) {
    if (!available()) {
        co_return std::nullopt;
    }
    try {
        auto reply = co_await client_->command(std::move(args));
        breaker_.success();
        co_return reply;
    } catch (const redis::Error& e) {
        breaker_.failure();
        spdlog::debug("redis command failed: {}", e.what());
        co_return std::nullopt;
    }
}

boost::asio::awaitable<std::optional<std::vector<redis::Reply>>> GuardedRedis::pipeline(
    std::vector<std::vector<std::string>> commands) {
    if (!available()) {
        co_return std::nullopt;
    }
    try {
        auto replies = co_await client_->pipeline(std::move(commands));
        breaker_.success();
        co_return replies;
    } catch (const redis::Error& e) {
        breaker_.failure();
        spdlog::debug("redis pipeline failed: {}", e.what());
        co_return std::nullopt;
    }
}

}  // namespace gs::cache
