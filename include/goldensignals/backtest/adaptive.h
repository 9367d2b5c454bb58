#pragma once

// Adaptive weights (issue 13, docs/backtest.md "Adaptive weighting"): each agent's weight inside
// its category is its base weight times a multiplier from its trailing accuracy on the series,
// m = clamp((hits + 1) / (misses + 1), kMinMultiple, kMaxMultiple) over its last `window` calls
// whose horizon bar has arrived. Pure and deterministic given the bars and verdicts: fed one bar
// at a time, it never reads a close after the bar being decided (no look-ahead).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "goldensignals/agents/agent.h"

namespace gs::backtest {

inline constexpr std::size_t kAdaptiveWindow = 50;  // calls per agent
inline constexpr double kMinMultiple = 0.5;
inline constexpr double kMaxMultiple = 2.0;

struct AdaptiveOptions {
    std::size_t horizon = 1;               // bars until a call is judged (the backtest's)
    std::size_t window = kAdaptiveWindow;  // an agent's last calls that count
};

// The multiplier of an agent with `hits` and `misses` among its window's calls.
double adaptive_multiple(std::size_t hits, std::size_t misses) noexcept;

class AdaptiveWeights final {
  public:
    AdaptiveWeights(std::size_t agents, AdaptiveOptions options);

    // Bar t's close, before bar t's verdicts are weighed: the calls made at bar t - horizon are
    // judged against it (backtest::score_call) and the multipliers move.
    void on_bar(double close);
    // The multipliers for the bar given to on_bar last, by agent (all 1 before any call).
    std::span<const double> multipliers() const noexcept { return multipliers_; }
    // That bar's verdicts (results[i] of agent i), judged `horizon` bars later. Exactly one
    // call after each on_bar.
    void on_verdicts(std::span<const agents::AgentResult> results);

    std::size_t calls(std::size_t agent) const noexcept { return windows_[agent].size; }
    std::size_t hits(std::size_t agent) const noexcept { return windows_[agent].hits; }

  private:
    struct Window {
        std::size_t next = 0;
        std::size_t size = 0;
        std::size_t hits = 0;
    };
    void add(std::size_t agent, bool hit);

    std::size_t agents_;
    AdaptiveOptions options_;
    std::vector<double> multipliers_;
    std::vector<Window> windows_;
    std::vector<std::uint8_t> outcomes_;  // agents_ x window, 1 = hit
    // The last `horizon` bars' closes and verdicts, bar u in slot u % horizon.
    std::vector<double> closes_;
    std::vector<agents::Action> actions_;  // horizon x agents_
    std::size_t seen_ = 0;                 // bars whose verdicts were recorded
    double close_ = 0.0;                   // of the bar given to on_bar last
};

}  // namespace gs::backtest
