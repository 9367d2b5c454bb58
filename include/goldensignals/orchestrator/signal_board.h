#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/bar_version_registry.h"
#include "goldensignals/orchestrator/scan.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/store/bar_repository.h"

namespace gs::orchestrator {

// The current signals of every series a store holds, as scan summaries (GET /v1/scan). Each
// summary is kept with the bar version it was read for. A scan uses those whose version is
// the series' version now and asks the signal service for the others: an L1 hit after an
// ingest here, an L2 or L3 hit for a signal another instance computed, else a computation.
// So a scan never answers from bars older than the store holds, and instances holding the
// same bars give the same answer (a signal is a function of the bars and the consensus
// config). Summaries of series no longer held are dropped once they outnumber the held ones.
//
// A series stored but not resident (docs/memory.md "Catalog") is scanned from the summary kept
// for it: the one read while it was resident, or the latest signal's summary from the catalog
// (seed()). Nothing writes it without loading it first, so that summary is its current one; a
// stored series with no summary at all is left out rather than loaded.
class SignalBoard final {
  public:
    SignalBoard(market::BarStore& bars, SignalService& signals) : bars_(bars), signals_(signals) {}

    struct Answer {
        std::size_t total = 0;
        std::vector<SignalSummary> rows;
    };
    boost::asio::awaitable<Answer> scan(market::Timeframe timeframe, ScanQuery query);
    // The latest signal's summary of a stored series, from the catalog read at start; kept
    // unless a summary is held already.
    void seed(market::Timeframe timeframe, SignalSummary summary);
    // The scan summary of a catalog row; nullopt when the row has none.
    static std::optional<SignalSummary> summary_of(const store::CatalogRow& row);

    // Summaries kept, over every timeframe.
    std::size_t size() const;
    // Summaries read from the signal service (each one a stale or missing summary).
    std::size_t refreshes() const noexcept { return refreshes_.load(); }

  private:
    struct Entry {
        BarVersion version;
        SignalSummary summary;
    };
    using Map = std::unordered_map<std::string, Entry>;

    // Scans the summaries of `held` that are current; the index of each other one goes to
    // `stale` (when given).
    Answer scan_current(market::Timeframe timeframe, const std::vector<market::CatalogRef>& held,
                        const ScanQuery& query, std::vector<std::size_t>* stale) const;
    boost::asio::awaitable<void> refresh(const market::CatalogRef& ref);
    void prune(market::Timeframe timeframe, const std::vector<market::CatalogRef>& held);

    market::BarStore& bars_;
    SignalService& signals_;
    mutable std::shared_mutex mutex_;
    std::array<Map, market::kAllTimeframes.size()> maps_;
    std::atomic<std::size_t> refreshes_{0};
};

}  // namespace gs::orchestrator
