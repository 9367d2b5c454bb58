// Provisional signals (issue 16, item 2): what a forming bar costs and what the final-bar
// ingest path pays for them.
//  - BM_FinalStoredNoForming: ProvisionalService::final_stored() while no forming bar was ever
//    offered (what every final ingest pays when nobody posts forming bars).
//  - BM_FinalStoredBusy: the same once 1,000 series have received forming bars.
//  - BM_Provisional: Orchestrator::compute_provisional() on a held series of N bars whose
//    streaming states are up to date (copy of the states + one bar + evaluate, 51 agents):
//    one provisional signal's CPU, against the final path's ~5 us incremental step (RESULTS.md).
#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/provisional_service.h"

namespace {

namespace asio = boost::asio;
using gs::market::Bar;
using gs::market::Timeframe;

std::vector<Bar> walk(std::size_t n) {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> step(0.0003, 0.015);
    std::vector<Bar> bars;
    double close = 100.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double open = close;
        close *= std::exp(step(rng));
        bars.push_back({static_cast<std::int64_t>(i) * 60, open, std::max(open, close) * 1.004,
                        std::min(open, close) * 0.996, close,
                        1000.0 + static_cast<double>(i % 97)});
    }
    return bars;
}

struct Fixture {
    explicit Fixture(std::size_t bars)
        : orchestrator(pool.get_executor(), 1, gs::agents::all_agents(), gs::consensus::Config{},
                       {}),
          provisional(store, orchestrator, io.get_executor(), pool.get_executor(),
                      {.interval = std::chrono::milliseconds(1000)}) {
        store.upsert("BENCH", Timeframe::k1m, walk(bars));
    }
    asio::io_context io;
    asio::thread_pool pool{1};
    gs::market::MemoryBarStore store{10'000};
    gs::orchestrator::Orchestrator orchestrator;
    gs::orchestrator::ProvisionalService provisional;
};

void BM_FinalStoredNoForming(benchmark::State& state) {
    Fixture f(10);
    const std::string symbol = "BENCH";
    std::int64_t t = 0;
    for (auto _ : state) {
        f.provisional.final_stored(symbol, Timeframe::k1m, ++t);
    }
}
BENCHMARK(BM_FinalStoredNoForming);

void BM_FinalStoredBusy(benchmark::State& state) {
    Fixture f(10);
    for (int i = 0; i < 1000; ++i) {
        const std::string symbol = "S" + std::to_string(i);
        f.store.upsert(symbol, Timeframe::k1m, walk(10));
        f.provisional.offer(symbol, Timeframe::k1m, Bar{100'000, 1, 2, 1, 2, 1});
    }
    const std::string symbol = "S500";
    std::int64_t t = 0;
    for (auto _ : state) {
        f.provisional.final_stored(symbol, Timeframe::k1m, ++t % 50);
    }
}
BENCHMARK(BM_FinalStoredBusy);

void BM_Provisional(benchmark::State& state) {
    Fixture f(static_cast<std::size_t>(state.range(0)));
    auto held = f.store.get("BENCH", Timeframe::k1m);
    // The shared states up to date first, as after a final ingest.
    asio::co_spawn(
        asio::make_strand(f.io),
        [&]() -> asio::awaitable<void> {
            co_await f.orchestrator.compute("BENCH", Timeframe::k1m, held);
        },
        asio::detached);
    f.io.run();
    Bar forming = held->bar(held->size() - 1);
    forming.time += 60;
    for (auto _ : state) {
        forming.close *= 1.0001;
        forming.high = std::max(forming.high, forming.close);
        benchmark::DoNotOptimize(
            f.orchestrator.compute_provisional("BENCH", Timeframe::k1m, *held, forming));
    }
}
BENCHMARK(BM_Provisional)->Arg(500)->Arg(5000);

}  // namespace

BENCHMARK_MAIN();
