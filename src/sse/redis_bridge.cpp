#include "goldensignals/sse/redis_bridge.h"

#include <charconv>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "goldensignals/market/symbol.h"

namespace gs::sse {

namespace {

// (string.format: Lua 5.1 would print a large id as 1.7e+15.)
// KEYS[1] sequence, ARGV[1] channel, ARGV[2] "<timeframe>|<symbol>|<data>", ARGV[3] floor.
constexpr std::string_view kPublishScript = R"(
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[3])
if current < floor then redis.call('SET', KEYS[1], ARGV[3]) end
local id = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], string.format('%d', id) .. '|' .. ARGV[2])
return id
)";

}  // namespace

RedisSequencedChannel::RedisSequencedChannel(std::shared_ptr<redis::Client> client,
                                             const std::string& key_prefix)
    : client_(std::move(client)),
      channel_(key_prefix + "signals"),
      provisional_channel_(key_prefix + "provisional"),
      sequence_key_(key_prefix + "signal_seq") {}

boost::asio::awaitable<bool> RedisSequencedChannel::publish_provisional(std::string body) {
    if (!client_->connected()) {
        co_return false;
    }
    // Named, then moved: g++ 12 and temporaries in co_await (docs/coroutines.md).
    std::vector<std::string> args{"PUBLISH", provisional_channel_, std::move(body)};
    try {
        auto reply = co_await client_->command(std::move(args));
        co_return reply.is_integer();
    } catch (const redis::Error& e) {
        spdlog::debug("provisional publish through Redis failed: {}", e.what());
    }
    co_return false;
}

boost::asio::awaitable<std::optional<std::uint64_t>> RedisSequencedChannel::publish(
    std::string body, std::uint64_t floor) {
    if (!client_->connected()) {
        co_return std::nullopt;
    }
    std::vector<std::string> args{
        "EVAL",          std::string(kPublishScript), "1", sequence_key_, channel_,
        std::move(body), std::to_string(floor)};
    try {
        auto reply = co_await client_->command(std::move(args));
        if (reply.is_integer()) {
            co_return static_cast<std::uint64_t>(reply.integer);
        }
        spdlog::warn("signal publish refused by Redis: {}", reply.str);
    } catch (const redis::Error& e) {
        spdlog::debug("signal publish through Redis failed: {}", e.what());
    }
    co_return std::nullopt;
}

RedisBridge::RedisBridge(Hub& hub, const boost::asio::any_io_executor& executor,
                         std::shared_ptr<SequencedChannel> channel)
    : hub_(hub), executor_(executor), channel_(std::move(channel)), fan_out_(hub, executor) {}

std::string RedisBridge::encode(std::uint64_t id, market::Timeframe timeframe,
                                std::string_view symbol, std::string_view data) {
    return fmt::format("{}|{}|{}|{}", id, market::to_string(timeframe), symbol, data);
}

void RedisBridge::publish(std::string symbol, market::Timeframe timeframe,
                          std::shared_ptr<const std::string> data) {
    boost::asio::co_spawn(executor_, deliver(std::move(symbol), timeframe, std::move(data)),
                          boost::asio::detached);
}

boost::asio::awaitable<void> RedisBridge::deliver(std::string symbol, market::Timeframe timeframe,
                                                  std::shared_ptr<const std::string> data) {
    // Ids this hub handed out itself while Redis was away must stay below the next ones.
    const std::uint64_t floor = hub_.last_id();
    auto id = co_await channel_->publish(
        fmt::format("{}|{}|{}", market::to_string(timeframe), symbol, *data), floor);
    if (!id) {
        // Redis away: at least this instance's streams get the signal now, in turn with the
        // events from Redis.
        fallbacks_.fetch_add(1);
        fan_out_.publish_local(std::move(symbol), timeframe, std::move(data));
    }
}

void RedisBridge::publish_provisional(std::string symbol, market::Timeframe timeframe,
                                      std::shared_ptr<const std::string> data) {
    boost::asio::co_spawn(executor_,
                          deliver_provisional(std::move(symbol), timeframe, std::move(data)),
                          boost::asio::detached);
}

boost::asio::awaitable<void> RedisBridge::deliver_provisional(
    std::string symbol, market::Timeframe timeframe, std::shared_ptr<const std::string> data) {
    const bool sent = co_await channel_->publish_provisional(
        fmt::format("{}|{}|{}", market::to_string(timeframe), symbol, *data));
    if (!sent) {
        fallbacks_.fetch_add(1);
        fan_out_.publish_provisional(std::move(symbol), timeframe, std::move(data));
    }
}

void RedisBridge::on_provisional_message(std::string_view payload) {
    const auto p1 = payload.find('|');
    const auto p2 = p1 == std::string_view::npos ? p1 : payload.find('|', p1 + 1);
    if (p2 == std::string_view::npos) {
        spdlog::warn("malformed provisional message on {}", channel_->provisional_name());
        return;
    }
    auto timeframe = market::parse_timeframe(payload.substr(0, p1));
    auto symbol = market::normalize_symbol(payload.substr(p1 + 1, p2 - p1 - 1));
    if (!timeframe || !symbol) {
        spdlog::warn("malformed provisional message on {}", channel_->provisional_name());
        return;
    }
    fan_out_.publish_provisional(std::move(*symbol), *timeframe,
                                 std::make_shared<const std::string>(payload.substr(p2 + 1)));
}

void RedisBridge::on_message(std::string_view channel_name, std::string_view payload) {
    if (channel_name != channel()) {
        return;
    }
    const auto p1 = payload.find('|');
    const auto p2 = p1 == std::string_view::npos ? p1 : payload.find('|', p1 + 1);
    const auto p3 = p2 == std::string_view::npos ? p2 : payload.find('|', p2 + 1);
    if (p3 == std::string_view::npos) {
        spdlog::warn("malformed signal message on {}", channel_name);
        return;
    }
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(payload.data(), payload.data() + p1, id);
    auto timeframe = market::parse_timeframe(payload.substr(p1 + 1, p2 - p1 - 1));
    auto symbol = market::normalize_symbol(payload.substr(p2 + 1, p3 - p2 - 1));
    if (ec != std::errc{} || end != payload.data() + p1 || !timeframe || !symbol) {
        spdlog::warn("malformed signal message on {}", channel_name);
        return;
    }
    fan_out_.publish(id, std::move(*symbol), *timeframe,
                     std::make_shared<const std::string>(payload.substr(p3 + 1)));
}

redis::Subscriber::MessageHandler RedisBridge::dispatcher(std::vector<ChannelRoute> others) {
    return [this, others = std::move(others)](std::string_view channel_name,
                                              std::string_view payload) {
        for (const auto& route : others) {
            if (channel_name == route.channel) {
                route.on_message(payload);
                return;
            }
        }
        if (channel_name == channel_->provisional_name()) {
            on_provisional_message(payload);
            return;
        }
        on_message(channel_name, payload);
    };
}

void RedisBridge::listen(redis::Subscriber& subscriber, std::vector<ChannelRoute> others) {
    std::vector<std::string> channels;
    for (const auto& route : others) {
        channels.push_back(route.channel);
    }
    channels.push_back(channel());
    channels.push_back(channel_->provisional_name());
    subscriber.on_message(dispatcher(std::move(others)));
    subscriber.subscribe(std::move(channels));
    subscriber.start();
}

std::unique_ptr<SignalPublisher> make_signal_publisher(
    Hub& hub, const boost::asio::any_io_executor& executor, std::shared_ptr<redis::Client> client,
    const std::shared_ptr<redis::Subscriber>& subscriber, const std::string& key_prefix,
    std::vector<ChannelRoute> others) {
    if (!client || !subscriber) {
        return std::make_unique<LocalPublisher>(hub, executor);
    }
    auto bridge = std::make_unique<RedisBridge>(
        hub, executor, std::make_shared<RedisSequencedChannel>(std::move(client), key_prefix));
    bridge->listen(*subscriber, std::move(others));
    return bridge;
}

}  // namespace gs::sse
