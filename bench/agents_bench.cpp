// All 51 agents plus the consensus over 500 and 5,000 bars; each agent alone; and the
// orchestrator's fan-out on the compute pool against running everything in one task.
// Input: a seeded random walk (synthetic, not market data) so runs are repeatable.
#include <random>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/orchestrator/orchestrator.h"

namespace {

using namespace gs;

market::BarSeries synthetic_bars(std::size_t n) {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> step(0.0003, 0.015);
    std::uniform_real_distribution<double> wick(0.0, 0.01);
    std::lognormal_distribution<double> volume(14.0, 0.4);
    std::vector<market::Bar> bars;
    double close = 100.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double open = close * (1.0 + step(rng) * 0.3);
        close = std::max(1.0, close * (1.0 + step(rng)));
        const double high = std::max(open, close) * (1.0 + wick(rng));
        const double low = std::min(open, close) * (1.0 - wick(rng));
        bars.push_back({1'000'000'000 + static_cast<std::int64_t>(i) * 86400, open, high, low,
                        close, std::round(volume(rng))});
    }
    return market::BarSeries(n).merged(bars);
}

void BM_AllAgentsAndConsensus(benchmark::State& state) {
    const auto series = synthetic_bars(static_cast<std::size_t>(state.range(0)));
    const auto defs = agents::all_agents();
    std::vector<agents::AgentResult> results(defs.size());
    agents::Workspace workspace;
    const consensus::Config config;
    for (auto _ : state) {
        orchestrator::run_agents(defs, series.view(), results, workspace);
        auto c = consensus::build(results, defs, config);
        benchmark::DoNotOptimize(c);
    }
    state.counters["agents"] = static_cast<double>(defs.size());
}
BENCHMARK(BM_AllAgentsAndConsensus)->Arg(500)->Arg(5000)->Unit(benchmark::kMicrosecond);

void BM_Agent(benchmark::State& state, const agents::AgentDef* def, std::size_t n) {
    const auto series = synthetic_bars(n);
    agents::Workspace workspace;
    for (auto _ : state) {
        workspace.reset();
        auto r = def->evaluate(series.view(), workspace);
        benchmark::DoNotOptimize(r);
    }
}

void BM_Consensus(benchmark::State& state) {
    const auto series = synthetic_bars(500);
    const auto defs = agents::all_agents();
    std::vector<agents::AgentResult> results(defs.size());
    agents::Workspace workspace;
    orchestrator::run_agents(defs, series.view(), results, workspace);
    const consensus::Config config;
    for (auto _ : state) {
        auto c = consensus::build(results, defs, config);
        benchmark::DoNotOptimize(c);
    }
}
BENCHMARK(BM_Consensus);

// One signal through Orchestrator::compute (posted to a 2-thread pool, awaited from a
// strand) with the agents split into `chunks` tasks; chunks = 0 runs compute_inline.
void BM_Orchestrator(benchmark::State& state) {
    const auto chunks = static_cast<std::size_t>(state.range(0));
    const auto bars = std::make_shared<const market::BarSeries>(
        synthetic_bars(static_cast<std::size_t>(state.range(1))));
    boost::asio::thread_pool pool(2);
    orchestrator::Orchestrator orch(pool.get_executor(), 2, agents::all_agents(),
                                    consensus::Config{}, {.chunks = chunks});
    boost::asio::io_context io;
    auto strand = boost::asio::make_strand(io);
    for (auto _ : state) {
        if (chunks == 0) {
            benchmark::DoNotOptimize(orch.compute_inline("B", market::Timeframe::k1d, *bars));
            continue;
        }
        auto f = boost::asio::co_spawn(strand, orch.compute("B", market::Timeframe::k1d, bars),
                                       boost::asio::use_future);
        io.restart();
        io.run();
        benchmark::DoNotOptimize(f.get());
    }
}
BENCHMARK(BM_Orchestrator)
    ->ArgsProduct({{0, 1, 2, 4, 8, 51}, {500, 5000}})
    ->ArgNames({"chunks", "bars"})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

int register_per_agent() {
    for (const auto* def : agents::all_agents()) {
        benchmark::RegisterBenchmark(("BM_Agent/" + std::string(def->name) + "/500").c_str(),
                                     BM_Agent, def, std::size_t{500})
            ->Unit(benchmark::kMicrosecond);
    }
    return 0;
}
const int kRegistered = register_per_agent();

}  // namespace

BENCHMARK_MAIN();
