#pragma once

// Live accuracy (issue 13, docs/backtest.md "Live accuracy"): every final live signal is scored
// when the bar `horizon` bars after it arrives, with the backtest's own hit and forward-return
// definitions (backtest::score_call), per agent, per category and for the consensus, per
// timeframe, over a rolling window of the last N scored calls. Pure: fed appended bars and
// signals, no I/O, no locks (accuracy::LiveAccuracy is the thread-safe shell).

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "goldensignals/agents/agent.h"
#include "goldensignals/market/timeframe.h"

namespace gs::accuracy {

inline constexpr std::size_t kDefaultWindow = 500;
inline constexpr std::size_t kDefaultHorizon = 1;
inline constexpr std::size_t kMaxWindow = 100'000;
inline constexpr std::size_t kMaxHorizon = 1000;

struct ScorerOptions {
    std::size_t horizon = kDefaultHorizon;  // bars ahead, every timeframe
    std::size_t window = kDefaultWindow;    // scored calls kept per (timeframe, track)
};

// The last `capacity` scored calls of one track: count, hits, mean return of following them.
// Ready for adaptive weights, which read an agent's rolling hit rate from one of these.
class RollingWindow final {
  public:
    explicit RollingWindow(std::size_t capacity);
    void add(bool hit, double follow_return);
    std::size_t count() const noexcept { return size_; }
    std::size_t hits() const noexcept { return hits_; }
    // NaN with no call.
    double hit_rate() const noexcept;
    // Summed on read (reads are rare, adds are per bar), so no drift from a running sum.
    double avg_forward_return() const noexcept;

  private:
    struct Call {
        bool hit = false;
        double follow_return = 0.0;
    };
    std::vector<Call> ring_;
    std::size_t next_ = 0;
    std::size_t size_ = 0;
    std::size_t hits_ = 0;
};

// What a track is: its window index is 0 for the consensus, 1 + category, then 1 +
// kCategoryCount + agent index.
inline constexpr std::size_t kConsensusTrack = 0;
inline constexpr std::size_t category_track(agents::Category c) noexcept {
    return 1 + static_cast<std::size_t>(c);
}
inline constexpr std::size_t kFirstAgentTrack = 1 + agents::kCategoryCount;

// One final signal: the verdicts after bar `time` of a series.
struct Verdicts {
    std::int64_t time = 0;
    agents::Action consensus = agents::Action::kHold;
    std::array<agents::Action, agents::kCategoryCount> categories{};
    std::vector<agents::Action> agents;  // in the scorer's agent order; missing ones: ABSTAIN
};

// One call scored: what is kept (PostgreSQL) and restored at start.
struct ScoredCall {
    market::Timeframe timeframe = market::kDefaultTimeframe;
    std::string symbol;
    std::string track;             // "consensus", "category:<category>" or "agent:<name>"
    std::int64_t signal_time = 0;  // bar t
    std::int64_t scored_time = 0;  // bar t + horizon
    agents::Action action = agents::Action::kBuy;
    bool hit = false;
    double forward_return = 0.0;  // close[t+h] / close[t] - 1
    double follow_return = 0.0;   // +forward for BUY, -forward for SELL
};

struct WindowFigures {
    std::size_t count = 0;
    double hit_rate = 0.0;            // NaN with no call
    double avg_forward_return = 0.0;  // NaN with no call
};

class LiveScorer final {
  public:
    LiveScorer(std::vector<std::string> agent_names, ScorerOptions options);

    // Bars appended to a series, oldest first: only bars newer than every bar it held (a
    // correction or an out-of-order bar is not an append; the caller filters them). Scores the
    // signals whose horizon bar is among them into the windows, and into `out` unless it is
    // null (nothing keeps the calls: ~20 per bar, each with two strings, made for nothing).
    void on_appended(std::string_view symbol, market::Timeframe timeframe,
                     std::span<const std::int64_t> times, std::span<const double> closes,
                     std::vector<ScoredCall>* out);
    // A final signal for the appended bar at `verdicts.time`. Ignored when that bar was not
    // appended here (recently), or when a signal for it or a later bar was already taken.
    // Scored at once (into the windows, and `out` unless null) if its horizon bar is already in.
    void on_signal(std::string_view symbol, market::Timeframe timeframe, Verdicts verdicts,
                   std::vector<ScoredCall>* out);
    // A call scored before (the store, at start), oldest first: into its window only.
    // Unknown tracks (an agent since removed) are skipped.
    void restore(const ScoredCall& call);
    // The series is gone (DELETE): its pending signals go.
    void forget(std::string_view symbol, market::Timeframe timeframe);

    WindowFigures figures(market::Timeframe timeframe, std::size_t track) const;
    const RollingWindow& window(market::Timeframe timeframe, std::size_t track) const;
    std::size_t track_count() const noexcept { return track_names_.size(); }
    const std::string& track_name(std::size_t track) const { return track_names_[track]; }
    // The track of a name (as ScoredCall::track); track_count() when unknown.
    std::size_t track_of(std::string_view name) const;
    // The track of an agent by its bare name (no "agent:"); track_count() when unknown.
    std::size_t agent_track(std::string_view agent_name) const;
    // Calls scored so far (HOLD and ABSTAIN are not calls), restored ones not counted.
    std::uint64_t scored() const noexcept { return scored_; }
    std::size_t pending() const noexcept { return pending_count_; }
    const ScorerOptions& options() const noexcept { return options_; }

  private:
    struct Appended {
        std::uint64_t seq = 0;
        std::int64_t time = 0;
        double close = 0.0;
    };
    struct Pending {
        std::uint64_t seq = 0;  // of the signal's bar
        double close = 0.0;
        Verdicts verdicts;
    };
    struct Series {
        std::deque<Appended> recent;  // the last horizon + kSlack appends
        std::uint64_t next_seq = 0;
        std::deque<Pending> pending;  // by seq
        std::int64_t last_signal_time = std::numeric_limits<std::int64_t>::min();
    };
    static constexpr std::size_t kSlack = 16;

    void score(std::string_view symbol, market::Timeframe timeframe, const Pending& pending,
               const Appended& later, std::vector<ScoredCall>* out);
    void add_call(market::Timeframe timeframe, std::size_t track, std::string_view symbol,
                  agents::Action action, const Pending& pending, const Appended& later,
                  std::vector<ScoredCall>* out);
    static std::string key_of(std::string_view symbol, market::Timeframe timeframe);

    ScorerOptions options_;
    std::vector<std::string> track_names_;
    // Looked up by string_view without making a string (per new bar: one per agent).
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view name) const noexcept {
            return std::hash<std::string_view>{}(name);
        }
    };
    using NameIndex = std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>>;
    NameIndex track_index_;
    NameIndex agent_index_;  // bare agent name -> track
    std::array<std::vector<RollingWindow>, market::kAllTimeframes.size()> windows_;
    std::unordered_map<std::string, Series> series_;
    std::size_t pending_count_ = 0;
    std::uint64_t scored_ = 0;
};

}  // namespace gs::accuracy
