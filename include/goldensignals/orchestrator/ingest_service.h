#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/accuracy/live_accuracy.h"
#include "goldensignals/market/bar.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/metrics/histogram.h"
#include "goldensignals/orchestrator/bar_sync.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/store/bar_committer.h"
#include "goldensignals/store/bar_repository.h"

namespace gs::orchestrator {

class ProvisionalService;

// The steps of one stored batch, timed apart (gs_ingest_stage_seconds{stage}), so an operator
// sees which one a slow ingest waits on.
enum class IngestStage : std::uint8_t {
    kLoad,    // the stored series into memory when it was not resident (else ~0)
    kStore,   // committed to PostgreSQL (queued behind the transaction in flight) and in memory
    kSignal,  // the new signal computed and, with Redis, the series' new version announced
};
inline constexpr std::array<const char*, 3> kIngestStageNames = {"load", "store", "signal"};

// The one path every new bar takes (a POST or a feed tick): the durable repository first
// (acked means committed), then the in-memory series, then the version record other instances
// check, then the new signal, which listeners (the live stream) receive. Concurrent ingests
// share transactions (store::BarCommitter): each is still acked only once its bars are
// committed, and their in-memory upserts follow in commit order.
class IngestService final {
  public:
    IngestService(market::BarStore& bars, store::BarRepository& repository, BarSync& sync,
                  SignalService& signals, store::BarCommitterOptions commit_options = {});
    // Alone: bars in memory only, nothing to announce (the signal service's inactive sync).
    IngestService(market::BarStore& bars, SignalService& signals);

    // Bars must be validated already. Throws StorageUnavailable when the repository does
    // not commit them, market::SeriesLimitError when they would start a series past
    // the store's limit; either way nothing is stored.
    // Posted bars (a POST or a feed tick): counted in the ingest metrics, then handed to the
    // on_posted hook (roll-up), which the caller waits for.
    boost::asio::awaitable<market::UpsertResult> ingest(std::string symbol,
                                                        market::Timeframe timeframe,
                                                        std::vector<market::Bar> bars);
    // Bars roll-up derived from a shorter timeframe: the same path (stored, cached, signal
    // computed and published), but not counted as ingested and not handed to the hooks.
    boost::asio::awaitable<market::UpsertResult> ingest_derived(std::string symbol,
                                                                market::Timeframe timeframe,
                                                                std::vector<market::Bar> bars);

    // What follows a stored batch of posted bars (RollupService); never throws out of
    // ingest(): a failure is logged, the bars stay stored. Set before the first ingest.
    using PostedHook = std::function<boost::asio::awaitable<void>(
        std::string symbol, market::Timeframe timeframe, std::vector<market::Bar> bars)>;
    using RemovedHook = std::function<void(const std::string& symbol, market::Timeframe)>;
    void on_posted(PostedHook hook) { posted_hook_ = std::move(hook); }
    void on_removed(RemovedHook hook) { removed_hook_ = std::move(hook); }
    // Live accuracy (docs/backtest.md): told of the bars each ingest appends and of the signal
    // computed for them, and of removed series. Set before the first ingest; outlives this.
    void score_with(accuracy::LiveAccuracy* accuracy) { accuracy_ = accuracy; }
    // Told of every stored batch (posted or derived) before its signal is computed, so the
    // provisional signal of a period whose final bar it holds is dropped before the final
    // signal is published. Set before the first ingest.
    void set_provisional(ProvisionalService* provisional) { provisional_ = provisional; }

    // Deletes the series everywhere it is kept: the durable repository first (throws
    // StorageUnavailable when it cannot, nothing removed), then memory, then the tombstone in
    // the version record that makes the other instances drop their copy. Returns the bars
    // removed (the repository's count when it held more than memory); 0 when the series was
    // held nowhere.
    boost::asio::awaitable<std::size_t> remove(std::string symbol, market::Timeframe timeframe);

    // Before a client is told that an ingest() or remove() succeeded: waits out the other
    // instances' read leases (BarSync::ack_delay, docs/consistency.md), so none of them answers
    // from the series as it was. At once without a shared registry. Feeds, which ack nobody,
    // do not wait.
    boost::asio::awaitable<void> before_ack();

    // gs_ingest_batches_total and gs_ingest_bars_total: batches stored and the bars they held
    // (distinct times, UpsertResult::accepted), counted once stored (committed, then in memory);
    // gs_ingest_stage_seconds{stage}: where a batch's time goes (IngestStage); with PostgreSQL,
    // the group commit's own (store::BarCommitter::render_metrics).
    void render_metrics(std::string& out) const;

    // Loads series that are not in memory for the routes that read bars (see BarSync).
    BarSync& bar_sync() noexcept { return sync_; }

  private:
    // Stores the bars and publishes their signal: ingest() and ingest_derived() alike.
    boost::asio::awaitable<market::UpsertResult> store(std::string symbol,
                                                       market::Timeframe timeframe,
                                                       const std::vector<market::Bar>& bars);
    // bars_.upsert, telling live accuracy which of the bars were appends.
    market::UpsertResult upsert_and_note(const std::string& symbol, market::Timeframe timeframe,
                                         const std::vector<market::Bar>& bars);
    // The signal of the bars just stored, not yet published; never throws.
    boost::asio::awaitable<IngestedSignal> signal_after_ingest(std::string symbol,
                                                               market::Timeframe timeframe);

    market::BarStore& bars_;
    store::BarRepository* repository_ = nullptr;      // null alone: nothing durable
    std::unique_ptr<store::BarCommitter> committer_;  // null alone: nothing to commit
    BarSync& sync_;
    SignalService& signals_;
    std::atomic<std::uint64_t> batches_{0};
    std::atomic<std::uint64_t> bars_ingested_{0};
    std::array<metrics::Histogram, kIngestStageNames.size()> stage_seconds_;
    PostedHook posted_hook_;
    RemovedHook removed_hook_;
    accuracy::LiveAccuracy* accuracy_ = nullptr;
    ProvisionalService* provisional_ = nullptr;
};

}  // namespace gs::orchestrator
