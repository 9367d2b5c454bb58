#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "goldensignals/agents/agent.h"
#include "goldensignals/agents/agent_states.h"
#include "goldensignals/backtest/adaptive.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/market/timeframe.h"
#include "goldensignals/orchestrator/agent_state_cache.h"
#include "goldensignals/orchestrator/signal.h"

namespace gs::orchestrator {

struct Options {
    // Tasks the agents without a streaming form are split into on the compute pool. 0 =
    // automatic: one task below `fan_out_bars` bars (the 51 agents took ~80 us on 500 bars,
    // less than what splitting costs), one per compute thread above (bench/RESULTS.md). The
    // streaming agents run in one task of their own, or inline (below).
    std::size_t chunks = 0;
    std::size_t fan_out_bars = 2000;
    // An agent still running after this is reported as ABSTAIN (timed out) and the signal
    // is built without it.
    std::chrono::milliseconds agent_budget{250};
    // Adaptive consensus (docs/backtest.md "Adaptive weighting"): each series' agent weights
    // from its own scored calls, a window kept per series beside its streaming states and
    // rebuilt from the bars held, exactly as a weighting=adaptive backtest with this horizon
    // weighs them. Unset: the static weights.
    std::optional<backtest::AdaptiveOptions> adaptive;
};

// Runs `defs` over the bars on the calling thread; results[i] is defs[i]'s. A throwing agent
// or one that returns an invalid number becomes ABSTAIN with the reason; an agent with too
// few bars is ABSTAIN without being called.
void run_agents(std::span<const agents::AgentDef* const> defs, const market::BarsView& bars,
                std::span<agents::AgentResult> results, agents::Workspace& workspace);

// The same with streaming states: an agent with a streaming form evaluates from its state
// (which has taken states.taken() bars), the others run over `held`.
void run_agents(std::span<const agents::AgentDef* const> defs, const agents::AgentStates& states,
                const market::BarsView& held, std::span<agents::AgentResult> results,
                agents::Workspace& workspace);

// Builds signals. Each series keeps its agents' streaming states (AgentStateCache); a new
// version of the bars that only adds a few newer bars feeds them and evaluates on the
// caller's thread (microseconds: no hop to the pool and back). Anything heavier - a rebuild
// after a correction or a reload, or agents without a streaming form - runs on the compute
// pool (never the I/O threads) within the budget.
class Orchestrator final {
  public:
    Orchestrator(boost::asio::any_io_executor compute, std::size_t compute_threads,
                 std::span<const agents::AgentDef* const> agents, consensus::Config config,
                 Options options);

    // Must be awaited from a strand or a single-threaded executor (every HTTP session runs
    // on its own strand): the chunks wake the caller by posting to its executor.
    boost::asio::awaitable<std::shared_ptr<const Signal>> compute(
        std::string symbol, market::Timeframe timeframe,
        std::shared_ptr<const market::BarSeries> bars);

    // The same work on the calling thread, in one task (benchmarks, tools).
    std::shared_ptr<const Signal> compute_inline(std::string symbol, market::Timeframe timeframe,
                                                 const market::BarSeries& bars) const;

    const consensus::Config& config() const noexcept { return config_; }
    // The consensus config's fingerprint, with the adaptive options when set: a signal's cache
    // key, so static and adaptive signals never answer for each other.
    std::uint64_t fingerprint() const;
    std::span<const agents::AgentDef* const> agents() const noexcept { return agents_; }

    // The signal `bars` would get with `forming` as their newest bar (a provisional signal, on
    // the calling thread), leaving the series' streaming states and `bars` as they are: the
    // states are copied (fed the held bars they lack) or built, then fed `forming`. `forming`
    // must be newer than bars.last_time(). as_of is forming.time.
    std::shared_ptr<const Signal> compute_provisional(std::string symbol,
                                                      market::Timeframe timeframe,
                                                      const market::BarSeries& bars,
                                                      const market::Bar& forming);

    // Series whose streaming states are kept.
    std::size_t series_with_states() const { return states_.size(); }
    // Drops the series' streaming states (its bars left memory, docs/memory.md); a later
    // computation rebuilds them from the bars, as after a reload.
    void forget(std::string_view symbol, market::Timeframe timeframe) {
        states_.erase(symbol, timeframe);
    }

    // Newer bars fed on the caller's thread at most; more go to the pool.
    static constexpr std::size_t kInlineBars = 64;

  private:
    std::shared_ptr<Signal> make_signal(std::string symbol, market::Timeframe timeframe,
                                        const market::BarSeries& bars) const;

    boost::asio::any_io_executor compute_;
    std::span<const agents::AgentDef* const> agents_;
    consensus::Config config_;
    Options options_;
    std::size_t compute_threads_;
    bool all_stream_ = false;
    AgentStateCache states_;
};

}  // namespace gs::orchestrator
