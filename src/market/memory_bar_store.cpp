#include <algorithm>
#include <iterator>

#include <fmt/format.h>

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
    return it == series_.end() ? nullptr : it->second;
}

UpsertResult MemoryBarStore::upsert(const std::string& symbol, Timeframe timeframe,
                                    std::span<const Bar> bars) {
    const std::string key = key_of(symbol, timeframe);
    std::lock_guard writer(write_mutex_);
    std::shared_ptr<const BarSeries> current;
    {
        std::shared_lock lock(mutex_);
        auto it = series_.find(key);
        if (it != series_.end()) {
            current = it->second;
        }
    }
    if (!current && !reserved_.contains(key)) {
        check_room_locked();
    }
    std::size_t accepted = 0;
    auto next = std::make_shared<const BarSeries>(
        current ? current->merged(bars, &accepted) : BarSeries(capacity_).merged(bars, &accepted));
    {
        std::unique_lock lock(mutex_);
        series_[key] = next;
    }
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
}

std::shared_ptr<const BarSeries> MemoryBarStore::replace(const std::string& symbol,
                                                         Timeframe timeframe,
                                                         std::span<const Bar> bars) {
    const std::string key = key_of(symbol, timeframe);
    auto next = std::make_shared<const BarSeries>(BarSeries(capacity_).merged(bars));
    std::lock_guard writer(write_mutex_);
    std::unique_lock lock(mutex_);
    series_[key] = next;
    return next;
}

std::vector<std::string> MemoryBarStore::symbols(Timeframe timeframe) const {
    const std::string prefix = key_of("", timeframe);
    std::vector<std::string> out;
    {
        std::shared_lock lock(mutex_);
        for (const auto& [key, series] : series_) {
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
    for (const auto& [key, series] : series_) {
        const auto bar = key.find('|');
        const auto parsed = parse_timeframe(std::string_view(key).substr(0, bar));
        if (!parsed || (timeframe && *parsed != *timeframe)) {
            continue;
        }
        out.push_back({key.substr(bar + 1), *parsed, series});
    }
    return out;
}

std::shared_ptr<const BarSeries> MemoryBarStore::erase(const std::string& symbol,
                                                       Timeframe timeframe) {
    const std::string key = key_of(symbol, timeframe);
    std::lock_guard writer(write_mutex_);
    std::unique_lock lock(mutex_);
    auto it = series_.find(key);
    if (it == series_.end()) {
        return nullptr;
    }
    auto held = std::move(it->second);
    series_.erase(it);
    return held;
}

}  // namespace gs::market
