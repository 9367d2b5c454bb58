#include "goldensignals/orchestrator/redis_bar_version_registry.h"

#include <vector>

#include <fmt/format.h>

namespace gs::orchestrator {

namespace {
// Records outlive any signal: a week, refreshed by every ingest.
constexpr auto kRecordTtl = std::chrono::seconds(7 * 24 * 3600);
}  // namespace

RedisBarVersionRegistry::RedisBarVersionRegistry(std::shared_ptr<cache::GuardedRedis> redis,
                                                 std::string key_prefix)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)) {}

std::string RedisBarVersionRegistry::record_key(const std::string& symbol,
                                                market::Timeframe timeframe) const {
    return fmt::format("{}barver:{}:{}", prefix_, market::to_string(timeframe), symbol);
}

boost::asio::awaitable<std::optional<std::string>> RedisBarVersionRegistry::recorded(
    std::string symbol, market::Timeframe timeframe) {
    std::vector<std::string> args{"GET", record_key(symbol, timeframe)};
    auto reply = co_await redis_->command(std::move(args));
    if (!reply || !reply->is_string()) {
        co_return std::nullopt;
    }
    co_return std::move(reply->str);
}

boost::asio::awaitable<void> RedisBarVersionRegistry::announce(std::string symbol,
                                                               market::Timeframe timeframe,
                                                               std::string version) {
    std::string message = format_bar_update(symbol, timeframe, version);
    // One round trip: Redis runs the pipeline in order, so a subscriber that reads the record
    // on the message finds the new version, as when PUBLISH waited for SET's reply.
    std::vector<std::vector<std::string>> commands;
    commands.push_back({"SET", record_key(symbol, timeframe), std::move(version), "EX",
                        std::to_string(kRecordTtl.count())});
    commands.push_back({"PUBLISH", channel(), std::move(message)});
    co_await redis_->pipeline(std::move(commands));
}

}  // namespace gs::orchestrator
