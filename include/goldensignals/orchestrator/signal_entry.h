#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "goldensignals/market/timeframe.h"
#include "goldensignals/orchestrator/signal.h"

namespace gs::orchestrator {

// A signal's two response bodies, serialised at most once and shared by every reader and
// tier. The summary (what streams, webhooks and scans carry) is written when the entry is
// made. The full body (with the agent list, ~12 KB: most of a signal's cost to serialise) is
// either given (read from a tier) or written from the computed signal on first use: a live
// feed supersedes most signals before anyone reads them with their agents. The tiers keep
// the full body only when it was written before them, so an entry read from a tier may hold
// the summary alone (carries_agents() false): a reader that wants the agents has the
// signal service recompute them (SignalService::current with Need::kWithAgents).
class SignalEntry final {
  public:
    std::string symbol;
    market::Timeframe timeframe = market::kDefaultTimeframe;
    std::int64_t as_of = 0;
    std::shared_ptr<const std::string> summary_json;  // without the agent list

    SignalEntry() = default;
    SignalEntry(const SignalEntry&) = delete;
    SignalEntry& operator=(const SignalEntry&) = delete;

    // A computed signal: the summary now, the full body on first use.
    static std::shared_ptr<SignalEntry> computed(std::shared_ptr<const Signal> signal);
    // A signal a tier kept without its agent list (full_json() null, carries_agents() false).
    static std::shared_ptr<SignalEntry> summary_only(std::string symbol,
                                                     market::Timeframe timeframe,
                                                     std::int64_t as_of,
                                                     std::shared_ptr<const std::string> summary);

    // The body with the agent list; null for an entry that has none (a provisional signal's).
    // Thread-safe: the first caller writes it, the others wait for it.
    std::shared_ptr<const std::string> full_json() const;
    // Before the entry is shared: the full body read from a tier.
    void set_full_json(std::shared_ptr<const std::string> body) { full_ = std::move(body); }
    // Whether the full body is written yet (or was given).
    bool has_full_json() const;
    // Whether full_json() gives a body: written, given, or to be written from the signal kept.
    bool carries_agents() const noexcept { return deferred_ || full_ != nullptr; }

    // What the entry holds, for the L1 budget (a full body not yet written: the signal kept
    // to write it, the larger of the two).
    std::size_t approximate_bytes() const;

  private:
    mutable std::once_flag written_;
    // Set until the full body is written from it (then released: the text replaces it).
    mutable std::shared_ptr<const Signal> source_;
    mutable std::shared_ptr<const std::string> full_;
    mutable std::atomic<bool> written_flag_{false};
    std::size_t agents_ = 0;
    bool deferred_ = false;
};

}  // namespace gs::orchestrator
