#include "goldensignals/orchestrator/bar_sync.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace gs::orchestrator {

namespace asio = boost::asio;

namespace {
constexpr auto kNegativeFor = std::chrono::seconds(2);

// A series' version as text, on the stack (compared on every signal read with Redis).
struct VersionText {
    fmt::basic_memory_buffer<char, 48> buffer;
    explicit VersionText(const market::BarSeries& series) {
        fmt::format_to(std::back_inserter(buffer), "{}", BarVersion::of(series));
    }
    friend bool operator==(std::string_view text, const VersionText& version) {
        return text == std::string_view(version.buffer.data(), version.buffer.size());
    }
};
VersionText version_text(const market::BarSeries& series) {
    return VersionText(series);
}

// Stateless, so one of each serves every standalone BarSync.
store::NoBarRepository no_repository;
}  // namespace

BarSync::BarSync(market::BarStore& bars, BarVersionRegistry& versions,
                 store::BarRepository& repository, std::size_t capacity)
    : bars_(bars),
      versions_(versions),
      repository_(repository),
      capacity_(capacity),
      active_(true) {}

BarVersionRegistry& BarSync::no_bar_versions() {
    static NoBarVersionRegistry none;
    return none;
}

BarSync::BarSync(market::BarStore& bars, BarVersionRegistry& versions)
    : bars_(bars), versions_(versions), repository_(no_repository), capacity_(0), active_(false) {}

asio::awaitable<void> BarSync::reload(const std::string& symbol, market::Timeframe timeframe) {
    try {
        std::string name = symbol;
        auto bars = co_await repository_.load(std::move(name), timeframe, capacity_);
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
    if (!active_) {
        co_return;
    }
    auto local = bars_.get(symbol, timeframe);
    std::string name = symbol;
    std::optional<std::string> shared = co_await versions_.recorded(std::move(name), timeframe);
    if (shared && *shared == kRemovedVersion) {
        // Deleted on another instance: nothing to reload, the copy here goes too.
        bars_.erase(symbol, timeframe);
        co_return;
    }
    if (local) {
        if (!shared || *shared == version_text(*local)) {
            co_return;
        }
        // Behind (or ahead of a record another instance has not refreshed yet): the
        // repository holds every acked bar, so its newest N are the truth.
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
    if (!active_) {
        co_return;
    }
    std::string name = symbol;
    co_await versions_.announce(std::move(name), timeframe, BarVersion::of(series).str());
}

asio::awaitable<void> BarSync::announce_removed(const std::string& symbol,
                                                market::Timeframe timeframe) {
    if (!active_) {
        co_return;
    }
    std::string name = symbol;
    co_await versions_.announce(std::move(name), timeframe, std::string(kRemovedVersion));
}

asio::awaitable<void> BarSync::on_message(std::string payload) {
    if (!active_) {
        co_return;
    }
    auto update = parse_bar_update(payload);
    if (!update) {
        co_return;
    }
    if (update->version == kRemovedVersion) {
        bars_.erase(update->symbol, update->timeframe);
        co_return;
    }
    auto local = bars_.get(update->symbol, update->timeframe);
    if (local && version_text(*local) == update->version) {
        co_return;
    }
    co_await reload(update->symbol, update->timeframe);
}

}  // namespace gs::orchestrator
