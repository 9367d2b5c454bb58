#include "goldensignals/sse/redis_bridge.h"

#include <charconv>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "goldensignals/market/symbol.h"

namespace gs::sse {

namespace {

// (string.format: Lua 5.1 would print a large id as 1.7e+15.)
// KEYS[1] sequence, ARGV[1] channel, ARGV[2] "<timeframe>|<symbol>|<data>", ARGV[3] floor.
// The floor (the publisher's hub's last id) keeps ids above any id an instance handed out
// on its own while Redis was away.
constexpr std::string_view kPublishScript = R"(
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[3])
if current < floor then redis.call('SET', KEYS[1], ARGV[3]) end
local id = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], string.format('%d', id) .. '|' .. ARGV[2])
return id
)";

}  // namespace

RedisBridge::RedisBridge(Hub& hub, std::shared_ptr<redis::Client> client,
                         std::shared_ptr<redis::Subscriber> subscriber, std::string key_prefix)
    : hub_(hub),
      client_(std::move(client)),
      subscriber_(std::move(subscriber)),
      prefix_(std::move(key_prefix)) {}

std::string RedisBridge::encode(std::uint64_t id, market::Timeframe timeframe,
                                std::string_view symbol, std::string_view data) {
    return fmt::format("{}|{}|{}|{}", id, market::to_string(timeframe), symbol, data);
}

boost::asio::awaitable<void> RedisBridge::publish(std::string symbol, market::Timeframe timeframe,
                                                  std::shared_ptr<const std::string> data) {
    // Ids this hub handed out itself while Redis was away must stay below the next ones.
    const std::uint64_t floor = hub_.last_id();
    std::vector<std::string> args{
        "EVAL",
        std::string(kPublishScript),
        "1",
        prefix_ + "signal_seq",
        channel(),
        fmt::format("{}|{}|{}", market::to_string(timeframe), symbol, *data),
        std::to_string(floor)};
    bool published = false;
    if (client_->connected()) {
        try {
            auto reply = co_await client_->command(std::move(args));
            published = reply.is_integer();
            if (!published) {
                spdlog::warn("signal publish refused by Redis: {}", reply.str);
            }
        } catch (const redis::Error& e) {
            spdlog::debug("signal publish through Redis failed: {}", e.what());
        }
    }
    if (!published) {
        // Redis away: at least this instance's streams get the signal now.
        fallbacks_.fetch_add(1);
        hub_.publish_local(std::move(symbol), timeframe, std::move(data));
    }
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
    hub_.publish(id, std::move(*symbol), *timeframe,
                 std::make_shared<const std::string>(payload.substr(p3 + 1)),
                 std::chrono::steady_clock::now());
}

}  // namespace gs::sse
