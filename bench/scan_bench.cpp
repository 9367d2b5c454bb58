// GET /v1/scan over 10,000 symbols (issue 14): the route's handler as the server runs it
// (query parsing, the board's walk of every series held with its version check, filter, sort,
// the JSON body), with every signal already current; and the pure core alone. Setup computes
// the 10,000 signals once (a cold scan), which takes a few seconds.
// Run pinned: taskset -c 1 build-bench/bench/gs_scan_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/orchestrator/signal_board.h"

namespace gs {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kSymbols = 10'000;
constexpr std::size_t kBars = 120;

// A random walk per symbol, so the signals (and scores) spread.
std::vector<market::Bar> walk(std::mt19937_64& rng) {
    std::normal_distribution<double> step(0.0, 0.015);
    std::normal_distribution<double> drift_of(0.0, 0.004);
    const double drift = drift_of(rng);
    std::vector<market::Bar> out;
    double close = 100.0;
    for (std::size_t i = 0; i < kBars; ++i) {
        const double open = close;
        close = open * (1.0 + drift + step(rng));
        const double high = std::max(open, close) * 1.004;
        const double low = std::min(open, close) * 0.996;
        out.push_back(
            {1'600'000'000 + static_cast<std::int64_t>(i) * 86'400, open, high, low, close, 1e6});
    }
    return out;
}

struct Universe {
    asio::thread_pool compute{2};
    market::MemoryBarStore store{kBars, 2 * kSymbols};
    orchestrator::Orchestrator orchestrator{compute.get_executor(), 2, agents::all_agents(),
                                            consensus::Config{}, orchestrator::Options{}};
    orchestrator::SignalService signals{store, orchestrator, {}};
    orchestrator::SignalBoard board{store, signals};
    http::Router router;

    Universe() {
        std::mt19937_64 rng(14);
        for (std::size_t i = 0; i < kSymbols; ++i) {
            store.upsert(fmt::format("S{:05}", i), market::Timeframe::k1d, walk(rng));
        }
        http::add_universe_routes(router, store, board);
        const auto started = std::chrono::steady_clock::now();
        const auto answer = handle("/v1/scan");
        std::fprintf(
            stderr, "cold scan (computes %zu signals): %.0f ms, %zu bytes\n", board.refreshes(),
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                .count(),
            answer.body->size());
    }

    http::Response handle(const std::string& target) {
        http::Request request;
        http::parse_target(target, request.path, request.query);
        const auto match = router.match(boost::beast::http::verb::get, request.path);
        http::Response response;
        asio::io_context io;
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> { response = co_await match.route->handler(request); },
            [](std::exception_ptr e) {
                if (e) {
                    std::rethrow_exception(e);
                }
            });
        io.run();
        return response;
    }
};

Universe& universe() {
    static Universe u;
    return u;
}

void BM_ScanRoute(benchmark::State& state, const char* target) {
    auto& u = universe();
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto response = u.handle(target);
        bytes = response.body->size();
        benchmark::DoNotOptimize(response);
    }
    state.counters["body_bytes"] = static_cast<double>(bytes);
    state.counters["computed"] = static_cast<double>(u.board.refreshes());
}

BENCHMARK_CAPTURE(BM_ScanRoute, default_top50, "/v1/scan")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ScanRoute, buy_trend_500,
                  "/v1/scan?action=BUY&min_confidence=0.1&category=trend&sort=score&limit=500")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ScanRoute, by_symbol_500, "/v1/scan?sort=symbol&limit=500")
    ->Unit(benchmark::kMillisecond);

// The filter and sort alone over 10,000 summaries.
void BM_ScanCore(benchmark::State& state) {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> score(-1.0, 1.0);
    std::uniform_real_distribution<double> confidence(0.0, 1.0);
    std::vector<orchestrator::SignalSummary> rows(kSymbols);
    std::vector<const orchestrator::SignalSummary*> pointers;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].symbol = fmt::format("S{:05}", i);
        rows[i].score = score(rng);
        rows[i].confidence = confidence(rng);
        pointers.push_back(&rows[i]);
    }
    for (auto _ : state) {
        auto result = orchestrator::scan(pointers, {});
        benchmark::DoNotOptimize(result);
    }
}
BENCHMARK(BM_ScanCore)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace gs

BENCHMARK_MAIN();
