#include "goldensignals/orchestrator/bar_sync.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "goldensignals/market/symbol.h"

namespace gs::orchestrator {

namespace asio = boost::asio;

namespace {
constexpr auto kNegativeFor = std::chrono::seconds(2);
// Markers outlive any signal: a week, refreshed by every ingest.
constexpr auto kMarkerTtl = std::chrono::seconds(7 * 24 * 3600);
}  // namespace

BarSync::BarSync(market::BarStore& bars, cache::RedisSignalCache* redis,
                 store::PgBarRepository* repository, std::string key_prefix, std::size_t capacity)
    : bars_(bars),
      redis_(redis),
      repository_(repository),
      prefix_(std::move(key_prefix)),
      capacity_(capacity) {}

std::string BarSync::version_of(const market::BarSeries& series) {
    return fmt::format("{}:{:016x}", series.last_time(), series.content_hash());
}

std::string BarSync::marker_key(const std::string& symbol, market::Timeframe timeframe) const {
    return fmt::format("{}barver:{}:{}", prefix_, market::to_string(timeframe), symbol);
}

asio::awaitable<void> BarSync::reload(const std::string& symbol, market::Timeframe timeframe) {
    if (repository_ == nullptr) {
        co_return;
    }
    try {
        std::string name = symbol;
        auto bars = co_await repository_->load(std::move(name), timeframe, capacity_);
        if (bars.empty()) {
            std::lock_guard lock(negative_mutex_);
            negative_[fmt::format("{}|{}", market::to_string(timeframe), symbol)] =
                std::chrono::steady_clock::now() + kNegativeFor;
            co_return;
        }
        bars_.replace(symbol, timeframe, bars);
        reloads_.fetch_add(1);
    } catch (const std::exception& e) {
        spdlog::debug("reload of {} {} failed: {}", symbol, market::to_string(timeframe), e.what());
    }
}

asio::awaitable<void> BarSync::ensure_fresh(const std::string& symbol,
                                            market::Timeframe timeframe) {
    if (repository_ == nullptr) {
        co_return;
    }
    auto local = bars_.get(symbol, timeframe);
    std::optional<std::string> shared;
    if (redis_ != nullptr) {
        std::string key = marker_key(symbol, timeframe);
        shared = co_await redis_->get_raw(std::move(key));
    }
    if (local) {
        if (!shared || *shared == version_of(*local)) {
            co_return;
        }
        // Behind (or ahead of a marker another instance has not refreshed yet): PostgreSQL
        // holds every acked bar, so its newest N are the truth.
        co_await reload(symbol, timeframe);
        co_return;
    }
    {
        std::lock_guard lock(negative_mutex_);
        auto it = negative_.find(fmt::format("{}|{}", market::to_string(timeframe), symbol));
        if (it != negative_.end()) {
            if (std::chrono::steady_clock::now() < it->second) {
                co_return;
            }
            negative_.erase(it);
        }
    }
    co_await reload(symbol, timeframe);
}

asio::awaitable<void> BarSync::announce(const std::string& symbol, market::Timeframe timeframe,
                                        const market::BarSeries& series) {
    if (redis_ == nullptr) {
        co_return;
    }
    std::string version = version_of(series);
    std::string key = marker_key(symbol, timeframe);
    std::string message = fmt::format("{}|{}|{}", market::to_string(timeframe), symbol, version);
    std::string channel_name = channel();
    co_await redis_->set_raw(std::move(key), std::move(version), kMarkerTtl);
    co_await redis_->publish(std::move(channel_name), std::move(message));
}

asio::awaitable<void> BarSync::on_message(std::string payload) {
    // "<timeframe>|<symbol>|<version>"
    auto first = payload.find('|');
    auto second = payload.find('|', first == std::string::npos ? first : first + 1);
    if (first == std::string::npos || second == std::string::npos) {
        co_return;
    }
    auto timeframe = market::parse_timeframe(std::string_view(payload).substr(0, first));
    auto symbol =
        market::normalize_symbol(std::string_view(payload).substr(first + 1, second - first - 1));
    if (!timeframe || !symbol) {
        co_return;
    }
    const std::string version = payload.substr(second + 1);
    auto local = bars_.get(*symbol, *timeframe);
    if (local && version_of(*local) == version) {
        co_return;
    }
    co_await reload(*symbol, *timeframe);
}

}  // namespace gs::orchestrator
