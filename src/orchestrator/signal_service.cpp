#include "goldensignals/orchestrator/signal_service.h"

namespace gs::orchestrator {

std::shared_ptr<const SignalEntry> SignalService::make_entry(std::shared_ptr<const Signal> signal) {
    auto entry = std::make_shared<SignalEntry>();
    entry->full_json = std::make_shared<const std::string>(to_json(*signal, true));
    entry->summary_json = std::make_shared<const std::string>(to_json(*signal, false));
    entry->signal = std::move(signal);
    return entry;
}

boost::asio::awaitable<std::shared_ptr<const SignalEntry>> SignalService::current(
    const std::string& symbol, market::Timeframe timeframe) {
    auto series = bars_.get(symbol, timeframe);
    if (!series || series->empty()) {
        co_return nullptr;
    }
    std::string key = std::string(market::to_string(timeframe)) + "|" + symbol;
    {
        std::lock_guard lock(mutex_);
        auto it = memo_.find(key);
        if (it != memo_.end() && it->second.series == series) {
            co_return it->second.entry;
        }
    }
    auto signal = co_await orchestrator_.compute(symbol, timeframe, series);
    auto entry = make_entry(std::move(signal));
    {
        std::lock_guard lock(mutex_);
        auto& memo = memo_[key];
        // Keep the newer of two racing computations.
        if (!memo.series || memo.series->last_time() <= series->last_time()) {
            memo.series = series;
            memo.entry = entry;
        }
    }
    co_return entry;
}

}  // namespace gs::orchestrator
