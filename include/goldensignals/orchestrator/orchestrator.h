#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "goldensignals/agents/agent.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/market/timeframe.h"
#include "goldensignals/orchestrator/signal.h"

namespace gs::orchestrator {

struct Options {
    // Tasks the agents are split into on the compute pool. 0 = automatic: one task below
    // `fan_out_bars` bars (the 51 agents take ~80 us on 500 bars, less than what splitting
    // costs), one per compute thread above (bench/RESULTS.md).
    std::size_t chunks = 0;
    std::size_t fan_out_bars = 2000;
    // An agent still running after this is reported as ABSTAIN (timed out) and the signal
    // is built without it.
    std::chrono::milliseconds agent_budget{250};
};

// Runs `defs` over the bars on the calling thread; results[i] is defs[i]'s. A throwing agent
// or one that returns an invalid number becomes ABSTAIN with the reason; an agent with too
// few bars is ABSTAIN without being called.
void run_agents(std::span<const agents::AgentDef* const> defs, const market::BarsView& bars,
                std::span<agents::AgentResult> results, agents::Workspace& workspace);

// Builds signals: fans the agents out on the compute pool (never the I/O threads), waits
// for them within the budget, and forms the consensus.
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
    std::span<const agents::AgentDef* const> agents() const noexcept { return agents_; }

  private:
    std::shared_ptr<Signal> make_signal(std::string symbol, market::Timeframe timeframe,
                                        const market::BarSeries& bars) const;

    boost::asio::any_io_executor compute_;
    std::span<const agents::AgentDef* const> agents_;
    consensus::Config config_;
    Options options_;
    std::size_t compute_threads_;
};

}  // namespace gs::orchestrator
