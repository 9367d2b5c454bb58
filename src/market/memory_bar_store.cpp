#include <algorithm>
#include <iterator>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "goldensignals/market/bar_store.h"

namespace gs::market {

std::string MemoryBarStore::key_of(const std::string& symbol, Timeframe timeframe) {
    std::string key;
    key.reserve(symbol.size() + 4);
    key += to_string(timeframe);
    key += '|';
    key += symbol;
    return key;
}

std::shared_ptr<const BarSeries> MemoryBarStore::get(const std::string& symbol,
                                                     Timeframe timeframe) const {
    const std::string key = key_of(symbol, timeframe);
    std::shared_lock lock(mutex_);
    auto it = series_.find(key);
    if (it == series_.end()) {
        return nullptr;
    }
    touch(it->second);
    return it->second.series;
}

void MemoryBarStore::touch(const Entry& entry) const noexcept {
    // Only a series that is not the most recently used already moves the clock: one hot
    // series read over and over costs two relaxed loads.
    const std::uint64_t now = clock_.load(std::memory_order_relaxed);
    if (entry.used.load(std::memory_order_relaxed) != now) {
        entry.used.store(clock_.fetch_add(1, std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
    }
}

void MemoryBarStore::store_locked(const std::string& key, std::shared_ptr<const BarSeries> next) {
    const std::size_t bytes = resident_bytes_of(*next);
    std::unique_lock lock(mutex_);
    auto [it, inserted] = series_.try_emplace(key);
    Entry& entry = it->second;
    if (inserted) {
        entry.evictable = eviction_;
        stored_.erase(key);
    }
    resident_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    resident_bytes_.fetch_sub(entry.bytes, std::memory_order_relaxed);
    entry.bytes = bytes;
    entry.series = std::move(next);
    entry.used.store(clock_.fetch_add(1, std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

MemoryBarStore::Evicted MemoryBarStore::evict_locked() {
    Evicted evicted;
    std::vector<std::shared_ptr<const BarSeries>> dropped;  // freed after the locks
    const std::size_t budget = budget_.load(std::memory_order_relaxed);
    if (budget == 0 || resident_bytes_.load(std::memory_order_relaxed) <= budget) {
        over_budget_ = false;
        return evicted;
    }
    if (!eviction_) {
        if (!over_budget_) {
            over_budget_ = true;
            spdlog::warn(
                "series in memory take ~{} bytes, over the memory budget of {}: without "
                "PostgreSQL nothing is evicted (bounded by --max-bars x --max-symbols)",
                resident_bytes_.load(std::memory_order_relaxed), budget);
        }
        return evicted;
    }
    // Every writer holds write_mutex_, so the map is stable while it is walked here.
    // Pins are held still until the pass ends: a series pinned after its candidacy was
    // decided must not go (its reader found it resident and counts on it).
    std::lock_guard pins(pin_mutex_);
    std::vector<std::pair<std::uint64_t, const std::string*>> candidates;
    for (const auto& [key, entry] : series_) {
        if (entry.evictable && !pins_.contains(key)) {
            candidates.emplace_back(entry.used.load(std::memory_order_relaxed), &key);
        }
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    // Down to 5 % under the budget, so one pass serves many loads.
    const std::size_t low = budget - budget / 20;
    std::unique_lock lock(mutex_);
    for (const auto& candidate : candidates) {
        if (resident_bytes_.load(std::memory_order_relaxed) <= low) {
            break;
        }
        auto it = series_.find(*candidate.second);
        const std::string key = it->first;
        const auto bar = key.find('|');
        const auto timeframe = parse_timeframe(std::string_view(key).substr(0, bar));
        resident_bytes_.fetch_sub(it->second.bytes, std::memory_order_relaxed);
        // Still stored: the catalog lists it as it was.
        if (const auto& series = it->second.series; series && !series->empty()) {
            stored_[key] = {series->size(), series->bar(0).time, series->last_time()};
        }
        dropped.push_back(std::move(it->second.series));
        series_.erase(it);
        evictions_.fetch_add(1, std::memory_order_relaxed);
        if (timeframe) {
            evicted.emplace_back(key.substr(bar + 1), *timeframe);
        }
    }
    lock.unlock();
    return evicted;
}

void MemoryBarStore::after_write(Evicted evicted) {
    if (evict_hook_) {
        for (const auto& [symbol, timeframe] : evicted) {
            evict_hook_(symbol, timeframe);
        }
    }
}

void MemoryBarStore::set_budget(std::size_t bytes) {
    budget_.store(bytes, std::memory_order_relaxed);
}

void MemoryBarStore::enable_eviction() {
    Evicted evicted;
    {
        std::lock_guard writer(write_mutex_);
        eviction_ = true;
        evicted = evict_locked();
    }
    after_write(std::move(evicted));
}

SeriesPin MemoryBarStore::pin(const std::string& symbol, Timeframe timeframe) {
    std::string key = key_of(symbol, timeframe);
    {
        std::lock_guard lock(pin_mutex_);
        ++pins_[key];
    }
    return SeriesPin([this, key = std::move(key)] { unpin(key); });
}

void MemoryBarStore::unpin(const std::string& key) {
    std::lock_guard lock(pin_mutex_);
    auto it = pins_.find(key);
    if (it != pins_.end() && --it->second == 0) {
        pins_.erase(it);
    }
}

std::size_t MemoryBarStore::pinned() const {
    std::lock_guard lock(pin_mutex_);
    return pins_.size();
}

bool MemoryBarStore::pinned(const std::string& symbol, Timeframe timeframe) const {
    const std::string key = key_of(symbol, timeframe);
    std::lock_guard lock(pin_mutex_);
    return pins_.contains(key);
}

UpsertResult MemoryBarStore::upsert(const std::string& symbol, Timeframe timeframe,
                                    std::span<const Bar> bars) {
    const std::string key = key_of(symbol, timeframe);
    std::shared_ptr<const BarSeries> next;
    std::size_t accepted = 0;
    Evicted evicted;
    {
        std::lock_guard writer(write_mutex_);
        std::shared_ptr<const BarSeries> current;
        {
            std::shared_lock lock(mutex_);
            auto it = series_.find(key);
            if (it != series_.end()) {
                current = it->second.series;
            }
        }
        if (!current && !reserved_.contains(key)) {
            check_room_locked();
        }
        next = std::make_shared<const BarSeries>(
            current ? current->merged(bars, &accepted)
                    : BarSeries(capacity_).merged(bars, &accepted));
        store_locked(key, next);
        evicted = evict_locked();
    }
    after_write(std::move(evicted));
    return {accepted, next->last_time(), next};
}

SeriesSlot MemoryBarStore::reserve(const std::string& symbol, Timeframe timeframe) {
    std::string key = key_of(symbol, timeframe);
    // Every writer of series_ holds write_mutex_, so reading it under that lock alone is safe.
    std::lock_guard writer(write_mutex_);
    if (series_.contains(key)) {
        return {};
    }
    auto held = reserved_.find(key);
    if (held == reserved_.end()) {
        check_room_locked();
        held = reserved_.emplace(key, 0).first;
    }
    ++held->second;
    return SeriesSlot([this, key = std::move(key)] { release(key); });
}

void MemoryBarStore::release(const std::string& key) {
    std::lock_guard writer(write_mutex_);
    auto it = reserved_.find(key);
    if (it != reserved_.end() && --it->second == 0) {
        reserved_.erase(it);
    }
}

void MemoryBarStore::check_room_locked() {
    // Reserved series count as held until they exist (then they are in series_ already).
    std::size_t held = series_.size();
    for (const auto& [key, holders] : reserved_) {
        held += series_.contains(key) ? 0 : 1;
    }
    if (held >= max_series_) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        throw SeriesLimitError(
            fmt::format("this instance holds its limit of {} series (symbol, timeframe): bars "
                        "for a new one are refused, existing series still take bars",
                        max_series_));
    }
}

std::size_t MemoryBarStore::series_count() const {
    std::shared_lock lock(mutex_);
    return series_.size();
}

void MemoryBarStore::render_metrics(std::string& out) const {
    fmt::format_to(std::back_inserter(out),
                   "# HELP gs_bar_series Series (symbol, timeframe) held in memory.\n"
                   "# TYPE gs_bar_series gauge\ngs_bar_series {}\n"
                   "# HELP gs_bar_series_limit Series held before bars for a new one are "
                   "refused (--max-symbols).\n"
                   "# TYPE gs_bar_series_limit gauge\ngs_bar_series_limit {}\n"
                   "# HELP gs_bar_series_refused_total Batches refused because they would "
                   "start a series past the limit.\n"
                   "# TYPE gs_bar_series_refused_total counter\ngs_bar_series_refused_total {}\n",
                   series_count(), max_series_, refused_.load(std::memory_order_relaxed));
    fmt::format_to(std::back_inserter(out),
                   "# HELP gs_series_resident Series (symbol, timeframe) resident in memory.\n"
                   "# TYPE gs_series_resident gauge\ngs_series_resident {}\n"
                   "# HELP gs_series_resident_bytes Estimated bytes of the resident series "
                   "(bars, agent states, entry; docs/memory.md).\n"
                   "# TYPE gs_series_resident_bytes gauge\ngs_series_resident_bytes {}\n"
                   "# HELP gs_memory_budget_bytes The resident series' share of the memory budget "
                   "(--memory-budget less the L1 cache and the reserve).\n"
                   "# TYPE gs_memory_budget_bytes gauge\ngs_memory_budget_bytes {}\n"
                   "# HELP gs_series_evictions_total Series evicted to stay under the budget.\n"
                   "# TYPE gs_series_evictions_total counter\ngs_series_evictions_total {}\n"
                   "# HELP gs_series_pinned Series pinned (written, computed or streamed): never "
                   "evicted.\n"
                   "# TYPE gs_series_pinned gauge\ngs_series_pinned {}\n",
                   series_count(), resident_bytes(), budget(), evictions(), pinned());
}

std::shared_ptr<const BarSeries> MemoryBarStore::replace(const std::string& symbol,
                                                         Timeframe timeframe,
                                                         std::span<const Bar> bars) {
    const std::string key = key_of(symbol, timeframe);
    auto next = std::make_shared<const BarSeries>(BarSeries(capacity_).merged(bars));
    Evicted evicted;
    {
        std::lock_guard writer(write_mutex_);
        store_locked(key, next);
        evicted = evict_locked();
    }
    after_write(std::move(evicted));
    return next;
}

std::vector<std::string> MemoryBarStore::symbols(Timeframe timeframe) const {
    const std::string prefix = key_of("", timeframe);
    std::vector<std::string> out;
    {
        std::shared_lock lock(mutex_);
        for (const auto& [key, entry] : series_) {
            if (key.starts_with(prefix)) {
                out.push_back(key.substr(prefix.size()));
            }
        }
        for (const auto& [key, stored] : stored_) {
            if (key.starts_with(prefix)) {
                out.push_back(key.substr(prefix.size()));
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<SeriesRef> MemoryBarStore::list_series(std::optional<Timeframe> timeframe) const {
    std::vector<SeriesRef> out;
    std::shared_lock lock(mutex_);
    out.reserve(series_.size());
    for (const auto& [key, entry] : series_) {
        const auto bar = key.find('|');
        const auto parsed = parse_timeframe(std::string_view(key).substr(0, bar));
        if (!parsed || (timeframe && *parsed != *timeframe)) {
            continue;
        }
        out.push_back({key.substr(bar + 1), *parsed, entry.series});
    }
    return out;
}

std::vector<CatalogRef> MemoryBarStore::list_catalog(std::optional<Timeframe> timeframe) const {
    std::vector<CatalogRef> out;
    std::shared_lock lock(mutex_);
    out.reserve(series_.size() + stored_.size());
    auto add = [&](const std::string& key, std::shared_ptr<const BarSeries> series,
                   const StoredSeries& stored) {
        const auto bar = key.find('|');
        const auto parsed = parse_timeframe(std::string_view(key).substr(0, bar));
        if (parsed && (!timeframe || *parsed == *timeframe)) {
            out.push_back({key.substr(bar + 1), *parsed, std::move(series), stored});
        }
    };
    for (const auto& [key, entry] : series_) {
        add(key, entry.series, {});
    }
    for (const auto& [key, stored] : stored_) {
        add(key, nullptr, stored);
    }
    return out;
}

void MemoryBarStore::add_stored(const std::string& symbol, Timeframe timeframe,
                                StoredSeries stored) {
    std::string key = key_of(symbol, timeframe);
    std::unique_lock lock(mutex_);
    if (!series_.contains(key)) {
        stored_.insert_or_assign(std::move(key), stored);
    }
}

std::shared_ptr<const BarSeries> MemoryBarStore::erase(const std::string& symbol,
                                                       Timeframe timeframe) {
    const std::string key = key_of(symbol, timeframe);
    std::lock_guard writer(write_mutex_);
    std::unique_lock lock(mutex_);
    stored_.erase(key);
    auto it = series_.find(key);
    if (it == series_.end()) {
        return nullptr;
    }
    auto held = std::move(it->second.series);
    resident_bytes_.fetch_sub(it->second.bytes, std::memory_order_relaxed);
    series_.erase(it);
    return held;
}

}  // namespace gs::market
