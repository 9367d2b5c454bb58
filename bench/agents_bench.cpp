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

#include "goldensignals/agents/agent_states.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/orchestrator/agent_state_cache.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal.h"
#include "goldensignals/orchestrator/signal_pack.h"

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

// One new bar through the streaming engine (issue 12), as ingest does it: the series version
// with the bar appended (market::BarSeries::merged), the agents' states fed that bar, every
// agent evaluated from its state (an agent without a streaming form runs over the bars held)
// and the consensus. `held` bars are held (and the states were built from them first), so a
// cost that grows with history shows up between the two arguments.
void BM_NewBar(benchmark::State& state) {
    const auto held = static_cast<std::size_t>(state.range(0));
    const std::size_t pool_size = 100'000;
    const auto source = synthetic_bars(pool_size);
    const auto defs = agents::all_agents();
    auto series = std::make_shared<const market::BarSeries>(
        market::BarSeries(held).merged(std::vector<market::Bar>([&] {
            std::vector<market::Bar> v;
            for (std::size_t i = 0; i < held; ++i) {
                v.push_back(source.bar(i));
            }
            return v;
        }())));
    orchestrator::SeriesStates entry;
    orchestrator::bring_up_to_date(entry, *series, defs);
    std::vector<agents::AgentResult> results(defs.size());
    agents::Workspace workspace;
    const consensus::Config config;
    std::size_t next = held;
    std::int64_t shift = 0;
    for (auto _ : state) {
        if (next == pool_size) {  // replay the walk, later in time
            next = 0;
            shift += static_cast<std::int64_t>(pool_size) * 86400;
        }
        market::Bar bar = source.bar(next++);
        bar.time += shift;
        series = std::make_shared<const market::BarSeries>(
            series->merged(std::span<const market::Bar>(&bar, 1)));
        orchestrator::bring_up_to_date(entry, *series, defs);
        orchestrator::run_agents(defs, *entry.states, series->view(), results, workspace);
        auto c = consensus::build(results, defs, config);
        benchmark::DoNotOptimize(c);
    }
    std::size_t streaming = 0;
    for (const auto* def : defs) {
        streaming += def->stream != nullptr ? 1 : 0;
    }
    state.counters["streaming_agents"] = static_cast<double>(streaming);
}
BENCHMARK(BM_NewBar)->Arg(500)->Arg(5000)->Unit(benchmark::kMicrosecond);

// What a computed signal costs after the agents, per signal, with the stores: both JSON
// bodies (the API's, Redis's and PostgreSQL's) and the history's packed form.
void BM_SignalBodies(benchmark::State& state) {
    boost::asio::thread_pool pool(1);
    orchestrator::Orchestrator orch(pool.get_executor(), 1, agents::all_agents(),
                                    consensus::Config{}, {});
    const auto signal = orch.compute_inline("ACME", market::Timeframe::k1d, synthetic_bars(500));
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto bodies = orchestrator::to_json_bodies(*signal);
        bytes = bodies.full.size();
        benchmark::DoNotOptimize(bodies);
    }
    state.counters["full_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_SignalBodies)->Unit(benchmark::kMicrosecond);

void BM_SignalPack(benchmark::State& state) {
    boost::asio::thread_pool pool(1);
    orchestrator::Orchestrator orch(pool.get_executor(), 1, agents::all_agents(),
                                    consensus::Config{}, {});
    const auto signal = orch.compute_inline("ACME", market::Timeframe::k1d, synthetic_bars(500));
    for (auto _ : state) {
        auto packed = orchestrator::pack_signal(*signal);
        benchmark::DoNotOptimize(packed);
    }
}
BENCHMARK(BM_SignalPack)->Unit(benchmark::kMicrosecond);

// Each streaming agent alone: one bar into its state and its verdict.
void BM_AgentNewBar(benchmark::State& state, const agents::AgentDef* def) {
    const auto source = synthetic_bars(100'000);
    const agents::AgentDef* one[] = {def};
    agents::AgentStates states(one);
    std::size_t next = 0;
    std::int64_t shift = 0;
    for (auto _ : state) {
        if (next == source.size()) {
            next = 0;
            shift += static_cast<std::int64_t>(source.size()) * 86400;
        }
        market::Bar bar = source.bar(next++);
        bar.time += shift;
        states.update(bar);
        if (states.taken() >= def->min_bars) {
            auto r = def->stream->evaluate(states.state(0));
            benchmark::DoNotOptimize(r);
        }
    }
}

int register_per_agent() {
    for (const auto* def : agents::all_agents()) {
        if (def->stream != nullptr) {
            benchmark::RegisterBenchmark(("BM_AgentNewBar/" + std::string(def->name)).c_str(),
                                         BM_AgentNewBar, def)
                ->Unit(benchmark::kNanosecond);
        }
    }
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
