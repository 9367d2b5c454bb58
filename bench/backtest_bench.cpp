// A backtest of one symbol (issue 13): the walk-forward of all 51 agents and the consensus over
// N bars through the streaming engine, then every figure (src/backtest/figures.cpp) and the
// JSON body. BM_BacktestBatch is the same walk without the streaming engine (every agent's batch
// form over bars[0..t] at every t), for comparison; BM_BacktestAdaptive the same backtest with
// weighting=adaptive. Input: a seeded random walk (synthetic).
// Reproduce: bench/RESULTS.md, section 17.
#include <cmath>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "goldensignals/agents/registry.h"
#include "goldensignals/backtest/figures.h"
#include "goldensignals/backtest/report_json.h"
#include "goldensignals/backtest/run.h"
#include "goldensignals/backtest/walk_forward.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/orchestrator/orchestrator.h"

namespace {

using namespace gs;

// The walk of bench/agents_bench.cpp (same seed and steps).
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

void BM_Backtest(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto series = synthetic_bars(n);
    const auto view = series.view();
    const auto defs = agents::all_agents();
    const consensus::Config config;
    backtest::ReportMeta meta;
    meta.symbol = "BENCH";
    meta.defs = defs;
    for (auto _ : state) {
        const auto trace = backtest::walk_forward(defs, config, view);
        const auto report = backtest::evaluate({view.time, view.close, &trace, 0, n}, {});
        auto body = backtest::to_json(report, meta);
        benchmark::DoNotOptimize(body);
    }
    state.counters["agents"] = static_cast<double>(defs.size());
    state.counters["per_bar_us"] = benchmark::Counter(
        static_cast<double>(n) * 1e-6,
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Backtest)->Arg(500)->Arg(5000)->Unit(benchmark::kMillisecond);

// weighting=adaptive (docs/backtest.md "Adaptive weighting"): the same walk with the agents'
// trailing accuracy and a second consensus per bar, the adaptive figures, the static summary
// beside them, and the body.
void BM_BacktestAdaptive(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto series = synthetic_bars(n);
    const auto view = series.view();
    const auto defs = agents::all_agents();
    const consensus::Config config;
    backtest::ReportMeta meta;
    meta.symbol = "BENCH";
    meta.defs = defs;
    meta.options.weighting = backtest::Weighting::kAdaptive;
    for (auto _ : state) {
        const auto report = backtest::run(defs, config, view, {0, n}, meta.options);
        auto body = backtest::to_json(report, meta);
        benchmark::DoNotOptimize(body);
    }
    state.counters["per_bar_us"] = benchmark::Counter(
        static_cast<double>(n) * 1e-6,
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_BacktestAdaptive)->Arg(5000)->Unit(benchmark::kMillisecond);

// The figures and the body alone, from a walk made once.
void BM_BacktestFigures(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto series = synthetic_bars(n);
    const auto view = series.view();
    const auto defs = agents::all_agents();
    const auto trace = backtest::walk_forward(defs, consensus::Config{}, view);
    backtest::ReportMeta meta;
    meta.symbol = "BENCH";
    meta.defs = defs;
    for (auto _ : state) {
        const auto report = backtest::evaluate({view.time, view.close, &trace, 0, n}, {});
        auto body = backtest::to_json(report, meta);
        benchmark::DoNotOptimize(body);
    }
}
BENCHMARK(BM_BacktestFigures)->Arg(5000)->Unit(benchmark::kMillisecond);

// Without the streaming engine: every agent's batch form over bars[0..t] at each t.
void BM_BacktestBatch(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto series = synthetic_bars(n);
    const auto view = series.view();
    const auto defs = agents::all_agents();
    const consensus::Config config;
    std::vector<agents::AgentResult> results(defs.size());
    agents::Workspace workspace;
    for (auto _ : state) {
        for (std::size_t t = 0; t < n; ++t) {
            const market::BarsView held{view.time.first(t + 1),  view.open.first(t + 1),
                                        view.high.first(t + 1),  view.low.first(t + 1),
                                        view.close.first(t + 1), view.volume.first(t + 1)};
            orchestrator::run_agents(defs, held, results, workspace);
            auto c = consensus::build(results, defs, config);
            benchmark::DoNotOptimize(c);
        }
    }
}
BENCHMARK(BM_BacktestBatch)->Arg(5000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
