#include "goldensignals/orchestrator/signal_entry.h"

#include <utility>

namespace gs::orchestrator {

std::shared_ptr<SignalEntry> SignalEntry::computed(std::shared_ptr<const Signal> signal) {
    auto entry = std::make_shared<SignalEntry>();
    entry->symbol = signal->symbol;
    entry->timeframe = signal->timeframe;
    entry->as_of = signal->as_of;
    entry->summary_json = std::make_shared<const std::string>(to_json(*signal, false));
    entry->agents_ = signal->agents.size();
    entry->deferred_ = true;
    entry->source_ = std::move(signal);
    return entry;
}

std::shared_ptr<SignalEntry> SignalEntry::summary_only(std::string symbol,
                                                       market::Timeframe timeframe,
                                                       std::int64_t as_of,
                                                       std::shared_ptr<const std::string> summary) {
    auto entry = std::make_shared<SignalEntry>();
    entry->symbol = std::move(symbol);
    entry->timeframe = timeframe;
    entry->as_of = as_of;
    entry->summary_json = std::move(summary);
    return entry;
}

std::shared_ptr<const std::string> SignalEntry::full_json() const {
    if (deferred_) {
        std::call_once(written_, [this] {
            full_ = std::make_shared<const std::string>(to_json(*source_, true));
            source_.reset();
            written_flag_.store(true, std::memory_order_release);
        });
    }
    return full_;
}

bool SignalEntry::has_full_json() const {
    if (!deferred_) {
        return full_ != nullptr;
    }
    return written_flag_.load(std::memory_order_acquire);
}

std::size_t SignalEntry::approximate_bytes() const {
    const std::size_t summary = summary_json ? summary_json->size() : 0;
    if (deferred_) {
        // The signal it keeps until then (a few hundred bytes an agent) outweighs the text
        // that replaces it (~245): counted as the larger, so the budget never under-counts.
        return summary + sizeof(Signal) + agents_ * sizeof(agents::AgentResult);
    }
    return summary + (full_ ? full_->size() : 0);
}

}  // namespace gs::orchestrator
