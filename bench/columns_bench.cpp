// GET /v1/indicators' computation (issue 12), before and after the kept columns, per agent, at
// 5,000 bars held:
//  - BM_IndicatorsBatch: series() over every bar held (what each request did before);
//  - BM_IndicatorsKept: one new bar appended to the series, the agent's kept columns brought
//    up to that version (its streaming state fed the bar, the verdict's values appended) and
//    the newest 500 values copied out (what a request does now when one bar arrived since the
//    previous one; with no new bar only the copy remains).
// Run pinned: taskset -c 1 build-bench/bench/gs_columns_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "goldensignals/agents/registry.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/orchestrator/indicator_columns.h"

namespace gs {
namespace {

constexpr std::size_t kHeld = 5'000;
constexpr std::size_t kPool = 100'000;

std::vector<market::Bar> walk(std::size_t n) {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> step(0.0, 0.01);
    std::lognormal_distribution<double> volume(12.0, 1.0);
    std::vector<market::Bar> out;
    double close = 100.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double open = close;
        close = open * (1.0 + step(rng));
        const double high = std::max(open, close) * (1.0 + std::abs(step(rng)) / 2);
        const double low = std::min(open, close) * (1.0 - std::abs(step(rng)) / 2);
        out.push_back({1'000'000'000 + static_cast<std::int64_t>(i) * 86'400, open, high, low,
                       close, volume(rng)});
    }
    return out;
}

const std::vector<market::Bar>& source() {
    static const auto bars = walk(kPool);
    return bars;
}

void BM_IndicatorsBatch(benchmark::State& state, const agents::AgentDef* def) {
    const auto& bars = source();
    const auto series = market::BarSeries(kHeld).merged(std::span(bars).first(kHeld));
    for (auto _ : state) {
        agents::SeriesSet set;
        def->series(series.view(), set);
        benchmark::DoNotOptimize(set);
    }
}

void BM_IndicatorsKept(benchmark::State& state, const agents::AgentDef* def) {
    const auto& bars = source();
    auto series = std::make_shared<const market::BarSeries>(
        market::BarSeries(kHeld).merged(std::span(bars).first(kHeld)));
    orchestrator::IndicatorColumns columns(*def);
    columns.update(*series);
    std::size_t next = kHeld;
    std::int64_t shift = 0;
    for (auto _ : state) {
        state.PauseTiming();  // the new version is ingest's work, not the request's
        if (next == kPool) {
            next = 0;
            shift += static_cast<std::int64_t>(kPool) * 86'400;
        }
        market::Bar bar = bars[next++];
        bar.time += shift;
        series = std::make_shared<const market::BarSeries>(
            series->merged(std::span<const market::Bar>(&bar, 1)));
        state.ResumeTiming();
        columns.update(*series);
        auto slice = columns.slice(500);
        benchmark::DoNotOptimize(slice);
    }
    state.counters["builds"] = static_cast<double>(columns.builds());
    state.counters["bytes"] = static_cast<double>(columns.bytes());
}

int register_all() {
    for (const auto* def : agents::all_agents()) {
        const std::string name(def->name);
        benchmark::RegisterBenchmark(("BM_IndicatorsBatch/" + name).c_str(), BM_IndicatorsBatch,
                                     def)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("BM_IndicatorsKept/" + name).c_str(), BM_IndicatorsKept, def)
            ->Unit(benchmark::kMicrosecond);
    }
    return 0;
}
const int registered = register_all();

}  // namespace
}  // namespace gs

BENCHMARK_MAIN();
