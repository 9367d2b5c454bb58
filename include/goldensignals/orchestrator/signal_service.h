#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/orchestrator.h"

namespace gs::orchestrator {

// A computed signal with its two response bodies, serialised once.
struct SignalEntry {
    std::shared_ptr<const Signal> signal;
    std::shared_ptr<const std::string> full_json;     // with the agent list
    std::shared_ptr<const std::string> summary_json;  // without it
};

// The current signal of a (symbol, timeframe): computed from the newest bars on first
// request and reused until the bars change. A signal is a pure function of the bar
// snapshot, so the snapshot itself is the cache key and nothing can go stale.
class SignalService final {
  public:
    SignalService(market::BarStore& bars, Orchestrator& orchestrator)
        : bars_(bars), orchestrator_(orchestrator) {}

    // nullptr when the symbol has no bars in that timeframe.
    boost::asio::awaitable<std::shared_ptr<const SignalEntry>> current(const std::string& symbol,
                                                                       market::Timeframe timeframe);

    static std::shared_ptr<const SignalEntry> make_entry(std::shared_ptr<const Signal> signal);

    Orchestrator& orchestrator() noexcept { return orchestrator_; }

  private:
    struct Memo {
        std::shared_ptr<const market::BarSeries> series;
        std::shared_ptr<const SignalEntry> entry;
    };

    market::BarStore& bars_;
    Orchestrator& orchestrator_;
    std::mutex mutex_;
    std::unordered_map<std::string, Memo> memo_;
};

}  // namespace gs::orchestrator
