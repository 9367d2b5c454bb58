#include "goldensignals/orchestrator/bar_sync.h"

#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gs::orchestrator {

namespace asio = boost::asio;

namespace {
constexpr auto kNegativeFor = std::chrono::seconds(2);

// A series' version as text, on the stack (compared on every signal read with Redis).
struct VersionText {
    std::array<char, BarVersion::kMaxText> text;
    std::size_t size;
    explicit VersionText(const market::BarSeries& series)
        : size(BarVersion::of(series).write(text.data())) {}
    friend bool operator==(std::string_view text, const VersionText& version) {
        return text == std::string_view(version.text.data(), version.size);
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

asio::awaitable<bool> BarSync::reload(const std::string& symbol, market::Timeframe timeframe) {
    try {
        std::string name = symbol;
        auto bars = co_await repository_.load(std::move(name), timeframe, capacity_);
        if (bars.empty()) {
            std::lock_guard lock(negative_mutex_);
            negative_[fmt::format("{}|{}", market::to_string(timeframe), symbol)] =
                std::chrono::steady_clock::now() + kNegativeFor;
            co_return false;
        }
        bars_.replace(symbol, timeframe, bars);
        reloads_.fetch_add(1);
        co_return true;
    } catch (const std::exception& e) {
        spdlog::debug("reload of {} {} failed: {}", symbol, market::to_string(timeframe), e.what());
        co_return false;
    }
}

bool BarSync::known_absent(const std::string& symbol, market::Timeframe timeframe) {
    std::lock_guard lock(negative_mutex_);
    auto it = negative_.find(fmt::format("{}|{}", market::to_string(timeframe), symbol));
    if (it == negative_.end()) {
        return false;
    }
    if (std::chrono::steady_clock::now() < it->second) {
        return true;
    }
    negative_.erase(it);
    return false;
}

void BarSync::stored(const std::string& symbol, market::Timeframe timeframe) {
    if (!active_) {
        return;
    }
    std::lock_guard lock(negative_mutex_);
    negative_.erase(fmt::format("{}|{}", market::to_string(timeframe), symbol));
}

asio::awaitable<bool> BarSync::load_once(std::string symbol, market::Timeframe timeframe) {
    std::vector<market::Bar> bars;
    try {
        std::string name = symbol;
        bars = co_await repository_.load(std::move(name), timeframe, capacity_);
    } catch (const std::exception& e) {
        spdlog::warn("load of {} {} failed: {}", symbol, market::to_string(timeframe), e.what());
        throw StorageUnavailable("PostgreSQL did not give the series' bars; retry later");
    }
    if (bars.empty()) {
        std::lock_guard lock(negative_mutex_);
        negative_[fmt::format("{}|{}", market::to_string(timeframe), symbol)] =
            std::chrono::steady_clock::now() + kNegativeFor;
        co_return false;
    }
    // A writer of this series waits for this flight before it merges (IngestService), so
    // nothing newer can be in memory by now.
    bars_.replace(symbol, timeframe, bars);
    loads_.fetch_add(1);
    co_return true;
}

asio::awaitable<bool> BarSync::load_cold(const std::string& symbol, market::Timeframe timeframe) {
    std::string key = fmt::format("{}|{}", market::to_string(timeframe), symbol);
    bool led = false;
    // Named, then moved: g++ 12 and temporaries in co_await (docs/coroutines.md).
    std::function<asio::awaitable<bool>()> make = [this, symbol, timeframe, &led]() {
        led = true;
        return load_once(symbol, timeframe);
    };
    co_await cold_loads_.run(key, std::move(make));
    co_return led;
}

asio::awaitable<void> BarSync::ensure_fresh(const std::string& symbol,
                                            market::Timeframe timeframe) {
    if (!active_) {
        co_return;
    }
    auto local = bars_.get(symbol, timeframe);
    std::string name = symbol;
    const SharedRecord shared = co_await versions_.recorded(std::move(name), timeframe);
    if (shared.is_found() && shared.text == kRemovedVersion) {
        // Deleted on another instance: nothing to reload, the copy here goes too.
        bars_.erase(symbol, timeframe);
        co_return;
    }
    if (local) {
        switch (shared.state) {
            case SharedRecord::State::kUnknown:
                // Redis unreachable: answer from the bars held (docs/consistency.md).
                co_return;
            case SharedRecord::State::kFound:
                if (shared.text == version_text(*local)) {
                    co_return;
                }
                // Behind (or ahead of a record another instance has not refreshed yet): the
                // repository holds every acked bar, so its newest N are the truth.
                co_await reload(symbol, timeframe);
                co_return;
            case SharedRecord::State::kAbsent:
                // Lost with a Redis restart, expired or evicted: another instance may have acked
                // a bar whose message never came, so only the repository can tell.
                co_await reload_and_seed(symbol, timeframe);
                co_return;
        }
    }
    // Not in memory: never held, evicted, or absent. A shared record says it exists, whatever
    // an earlier load found.
    if (!shared.is_found() && known_absent(symbol, timeframe)) {
        co_return;
    }
    const bool led = co_await load_cold(symbol, timeframe);
    if (shared.is_found()) {
        // A flight this read joined may have begun before the write the record names: the
        // version check the read owes (docs/consistency.md) still holds.
        local = bars_.get(symbol, timeframe);
        if (!local || shared.text != version_text(*local)) {
            co_await reload(symbol, timeframe);
        }
    } else if (shared.state == SharedRecord::State::kAbsent) {
        local = bars_.get(symbol, timeframe);
        if (!local) {
            co_return;
        }
        if (led) {
            // This read's own load began after its GET: its bars may seed the record.
            co_await seed(symbol, timeframe, *local);
        } else {
            // The flight this read joined may have begun before another instance's ack whose
            // record is lost: only a load that began after this read may decide or seed.
            co_await reload_and_seed(symbol, timeframe);
        }
    }
}

asio::awaitable<void> BarSync::reload_and_seed(const std::string& symbol,
                                               market::Timeframe timeframe) {
    // The repository had no bars a moment ago: asking it on every read would only repeat that.
    if (known_absent(symbol, timeframe)) {
        co_return;
    }
    // Seeded only from bars just read from the repository: the version of a stale copy (a
    // failed reload) would pass for the truth with every reader here and elsewhere.
    if (!co_await reload(symbol, timeframe)) {
        co_return;
    }
    if (auto reloaded = bars_.get(symbol, timeframe)) {
        co_await seed(symbol, timeframe, *reloaded);
    }
}

asio::awaitable<void> BarSync::seed(const std::string& symbol, market::Timeframe timeframe,
                                    const market::BarSeries& loaded) {
    std::string name = symbol;
    co_await versions_.seed(std::move(name), timeframe, BarVersion::of(loaded).str());
}

asio::awaitable<std::shared_ptr<const market::BarSeries>> BarSync::fresh(
    const std::string& symbol, market::Timeframe timeframe) {
    if (!active_) {
        co_return bars_.get(symbol, timeframe);
    }
    const auto pin = bars_.pin(symbol, timeframe);
    co_await ensure_fresh(symbol, timeframe);
    co_return bars_.get(symbol, timeframe);
}

asio::awaitable<std::shared_ptr<const market::BarSeries>> BarSync::resident(
    const std::string& symbol, market::Timeframe timeframe) {
    auto local = bars_.get(symbol, timeframe);
    if (local || !active_) {
        co_return local;
    }
    const auto pin = bars_.pin(symbol, timeframe);
    if (!known_absent(symbol, timeframe)) {
        co_await load_cold(symbol, timeframe);
    }
    co_return bars_.get(symbol, timeframe);
}

asio::awaitable<std::size_t> BarSync::warm(std::size_t max_series, std::function<bool()> enough,
                                           std::shared_ptr<std::atomic<bool>> stop) {
    if (!active_) {
        co_return 0;
    }
    std::vector<store::SeriesKey> candidates;
    try {
        candidates = co_await repository_.recent_series(max_series);
    } catch (const std::exception& e) {
        spdlog::warn("warm-up: the stored series could not be listed: {}", e.what());
        co_return 0;
    }
    std::size_t loaded = 0;
    auto executor = co_await asio::this_coro::executor;
    for (const auto& key : candidates) {
        if (stop->load() || enough()) {
            break;
        }
        if (bars_.get(key.symbol, key.timeframe)) {
            continue;
        }
        try {
            co_await load_cold(key.symbol, key.timeframe);
            ++loaded;
        } catch (const std::exception&) {
            break;  // logged by the load; the series load on first use
        }
        // Low priority: whatever else waits on this executor goes first.
        co_await asio::post(executor, asio::use_awaitable);
    }
    co_return loaded;
}

void BarSync::render_metrics(std::string& out) const {
    versions_.render_metrics(out);
    fmt::format_to(std::back_inserter(out),
                   "# HELP gs_series_loads_total Series loaded from PostgreSQL because they were "
                   "not in memory (first use, warm-up).\n"
                   "# TYPE gs_series_loads_total counter\ngs_series_loads_total {}\n",
                   loads_.load());
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
    if (local) {
        co_await reload(update->symbol, update->timeframe);
        co_return;
    }
    // Another instance wrote a series this one does not hold: loaded (listed, scanned) like
    // before, now through the single flight and within the budget.
    stored(update->symbol, update->timeframe);
    try {
        co_await load_cold(update->symbol, update->timeframe);
    } catch (const std::exception&) {
        // Logged by the load; the next read loads it.
    }
}

asio::awaitable<std::size_t> BarSync::load_catalog(
    std::function<void(const store::CatalogRow&)> each) {
    if (!active_) {
        co_return 0;
    }
    const auto rows = co_await repository_.catalog();
    for (const auto& row : rows) {
        if (row.bars > 0) {
            bars_.add_stored(row.key.symbol, row.key.timeframe, {row.bars, row.first, row.last});
        }
        if (each) {
            each(row);
        }
    }
    co_return rows.size();
}

}  // namespace gs::orchestrator
