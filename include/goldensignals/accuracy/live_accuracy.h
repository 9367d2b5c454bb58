#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "goldensignals/accuracy/live_scorer.h"
#include "goldensignals/market/bar.h"

namespace gs::accuracy {

// Where scored calls go to be kept (PostgreSQL); must not block: it queues and writes later.
class CallSink {
  public:
    virtual ~CallSink() = default;
    virtual void keep(std::vector<ScoredCall> calls) = 0;
};

// The scorer behind a lock, fed by the ingest path (orchestrator::IngestService), read by
// GET /v1/agents and /metrics. Scored calls are handed to the sink, if any, outside the lock.
class LiveAccuracy final {
  public:
    LiveAccuracy(std::vector<std::string> agent_names, ScorerOptions options,
                 CallSink* sink = nullptr);

    // The bars an ingest stored that are newer than every bar the series held before
    // (`previous_last`, the series' newest time before the upsert; nothing held: every bar).
    void on_stored(const std::string& symbol, market::Timeframe timeframe,
                   std::span<const market::Bar> bars, std::optional<std::int64_t> previous_last);
    void on_signal(const std::string& symbol, market::Timeframe timeframe, Verdicts verdicts);
    void forget(const std::string& symbol, market::Timeframe timeframe);
    // Calls kept before (oldest first), at start.
    void restore(std::span<const ScoredCall> calls);

    WindowFigures figures(market::Timeframe timeframe, std::size_t track) const;
    std::size_t track_of(std::string_view name) const;
    // The track of an agent by its bare name; track_count() when unknown (no string made).
    std::size_t agent_track(std::string_view agent_name) const;
    // Every track's name, by track index (what the store keeps them under).
    std::vector<std::string> track_names() const;
    const ScorerOptions& options() const noexcept { return scorer_.options(); }
    std::size_t agent_tracks() const noexcept { return scorer_.track_count() - kFirstAgentTrack; }

    // gs_live_consensus_hit_rate{timeframe} (the consensus' rolling hit rate, NaN with no call
    // yet), gs_live_consensus_calls{timeframe} (calls in its window), gs_live_calls_scored_total.
    void render_metrics(std::string& out) const;

  private:
    // To the sink (only ever filled when there is one).
    void hand_over(std::vector<ScoredCall>& calls);

    mutable std::mutex mutex_;
    LiveScorer scorer_;
    CallSink* sink_;  // null: calls are scored into the windows, not made for keeping
};

}  // namespace gs::accuracy
