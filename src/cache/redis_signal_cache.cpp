#include "goldensignals/cache/redis_signal_cache.h"

#include <charconv>

#include <spdlog/spdlog.h>

namespace gs::cache {

namespace {
constexpr std::string_view kMagic = "GS1 ";
}

std::string encode_bodies(std::string_view full, std::string_view summary) {
    std::string out;
    out.reserve(kMagic.size() + 12 + full.size() + summary.size());
    out += kMagic;
    out += std::to_string(full.size());
    out += '\n';
    out += full;
    out += summary;
    return out;
}

std::optional<SignalBodies> decode_bodies(std::string_view value) {
    if (!value.starts_with(kMagic)) {
        return std::nullopt;
    }
    value.remove_prefix(kMagic.size());
    auto newline = value.find('\n');
    if (newline == std::string_view::npos || newline == 0 || newline > 12) {
        return std::nullopt;
    }
    std::size_t full_size = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + newline, full_size);
    if (ec != std::errc{} || end != value.data() + newline) {
        return std::nullopt;
    }
    value.remove_prefix(newline + 1);
    if (full_size > value.size()) {
        return std::nullopt;
    }
    SignalBodies bodies{std::string(value.substr(0, full_size)),
                        std::string(value.substr(full_size))};
    // Both are JSON objects; a truncated or spliced value fails here.
    auto object = [](const std::string& s) {
        return s.size() >= 2 && s.front() == '{' && s.back() == '}';
    };
    if (!object(bodies.full) || !object(bodies.summary)) {
        return std::nullopt;
    }
    return bodies;
}

RedisSignalCache::RedisSignalCache(std::shared_ptr<redis::Client> client,
                                   RedisSignalCacheOptions options)
    : client_(std::move(client)),
      options_(options),
      breaker_(options.breaker_threshold, options.probe_interval) {}

boost::asio::awaitable<std::optional<std::string>> RedisSignalCache::get_raw(std::string key) {
    if (!available()) {
        co_return std::nullopt;
    }
    std::vector<std::string> args{"GET", std::move(key)};
    try {
        auto reply = co_await client_->command(std::move(args));
        breaker_.success();
        if (reply.is_string()) {
            co_return reply.str;
        }
        co_return std::nullopt;
    } catch (const redis::Error& e) {
        breaker_.failure();
        spdlog::debug("redis GET failed: {}", e.what());
        co_return std::nullopt;
    }
}

boost::asio::awaitable<std::optional<SignalBodies>> RedisSignalCache::get(std::string key) {
    auto value = co_await get_raw(std::move(key));
    if (!value) {
        co_return std::nullopt;
    }
    auto bodies = decode_bodies(*value);
    if (!bodies) {
        corrupt_.fetch_add(1);
    }
    co_return bodies;
}

boost::asio::awaitable<bool> RedisSignalCache::set_raw(std::string key, std::string value,
                                                       std::chrono::seconds ttl) {
    if (!available()) {
        co_return false;
    }
    std::vector<std::string> args{"SET", std::move(key), std::move(value), "EX",
                                  std::to_string(ttl.count())};
    try {
        auto reply = co_await client_->command(std::move(args));
        breaker_.success();
        co_return !reply.is_error();
    } catch (const redis::Error& e) {
        breaker_.failure();
        spdlog::debug("redis SET failed: {}", e.what());
        co_return false;
    }
}

boost::asio::awaitable<void> RedisSignalCache::put(std::string key, std::string value) {
    co_await set_raw(std::move(key), std::move(value), options_.ttl);
}

boost::asio::awaitable<bool> RedisSignalCache::publish(std::string channel, std::string message) {
    if (!available()) {
        co_return false;
    }
    std::vector<std::string> args{"PUBLISH", std::move(channel), std::move(message)};
    try {
        auto reply = co_await client_->command(std::move(args));
        breaker_.success();
        co_return !reply.is_error();
    } catch (const redis::Error&) {
        breaker_.failure();
        co_return false;
    }
}

}  // namespace gs::cache
