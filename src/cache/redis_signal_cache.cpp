#include "goldensignals/cache/redis_signal_cache.h"

#include <charconv>
#include <iterator>

#include <fmt/format.h>

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
    // Both are JSON objects (the full one may be absent: not written when the value was);
    // a truncated or spliced value fails here.
    auto object = [](const std::string& s) {
        return s.size() >= 2 && s.front() == '{' && s.back() == '}';
    };
    if ((!bodies.full.empty() && !object(bodies.full)) || !object(bodies.summary)) {
        return std::nullopt;
    }
    return bodies;
}

RedisSignalCache::RedisSignalCache(std::shared_ptr<GuardedRedis> redis,
                                   RedisSignalCacheOptions options)
    : redis_(std::move(redis)), options_(options) {}

boost::asio::awaitable<std::optional<SignalBodies>> RedisSignalCache::get(std::string key) {
    std::vector<std::string> args{"GET", std::move(key)};
    auto reply = co_await redis_->command(std::move(args));
    if (!reply || !reply->is_string()) {
        co_return std::nullopt;
    }
    auto bodies = decode_bodies(reply->str);
    if (!bodies) {
        corrupt_.fetch_add(1);
    }
    co_return bodies;
}

boost::asio::awaitable<void> RedisSignalCache::put(std::string key, std::string_view full,
                                                   std::string_view summary) {
    std::vector<std::string> args{"SET", std::move(key), encode_bodies(full, summary), "EX",
                                  std::to_string(options_.ttl.count())};
    co_await redis_->command(std::move(args));
}

void RedisSignalCache::render_metrics(std::string& out) const {
    fmt::format_to(std::back_inserter(out),
                   "# TYPE gs_l2_breaker_open gauge\ngs_l2_breaker_open {}\n"
                   "# TYPE gs_l2_corrupt_values_total counter\n"
                   "gs_l2_corrupt_values_total {}\n",
                   breaker_open() ? 1 : 0, corrupt_values());
}

}  // namespace gs::cache
