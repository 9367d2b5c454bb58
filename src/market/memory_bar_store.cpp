#include <algorithm>

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
    auto next = std::make_shared<const BarSeries>(current ? current->merged(bars)
                                                          : BarSeries(capacity_).merged(bars));
    {
        std::unique_lock lock(mutex_);
        series_[key] = next;
    }
    return {bars.size(), next->last_time(), next};
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

}  // namespace gs::market
