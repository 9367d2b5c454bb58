// One update() of each streaming indicator state (include/goldensignals/indicators/streaming/)
// in steady state, over a seeded random walk cycled through a 4,096-bar buffer. Per issue 12,
// the target is all 51 agents + consensus in <= 5 us per bar; these are the building blocks.
#include <cmath>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "goldensignals/indicators/streaming/core.h"
#include "goldensignals/indicators/streaming/momentum.h"
#include "goldensignals/indicators/streaming/trend.h"
#include "goldensignals/indicators/streaming/volume.h"

namespace {

namespace st = gs::indicators::streaming;

struct Bars {
    std::vector<double> high, low, close, volume;
};

const Bars& bars() {
    static const Bars b = [] {
        Bars r;
        std::mt19937_64 rng(42);
        std::normal_distribution<double> step(0.0003, 0.015);
        std::uniform_real_distribution<double> wick(0.0, 0.01);
        std::lognormal_distribution<double> volume(14.0, 0.4);
        double close = 100.0;
        for (int i = 0; i < 4096; ++i) {
            const double open = close;
            close *= std::exp(step(rng));
            r.high.push_back(std::max(open, close) * (1.0 + wick(rng)));
            r.low.push_back(std::min(open, close) * (1.0 - wick(rng)));
            r.close.push_back(close);
            r.volume.push_back(volume(rng));
        }
        return r;
    }();
    return b;
}

// Warms the state over the buffer once, then times one update per iteration.
template <typename State, typename Update>
void run(benchmark::State& bench, State state, Update update) {
    const Bars& b = bars();
    for (std::size_t i = 0; i < b.close.size(); ++i) {
        benchmark::DoNotOptimize(update(state, b, i));
    }
    std::size_t i = 0;
    for (auto _ : bench) {
        benchmark::DoNotOptimize(update(state, b, i));
        i = (i + 1) & 4095;
    }
}

const auto kClose = [](auto& s, const Bars& b, std::size_t i) { return s.update(b.close[i]); };
const auto kHlc = [](auto& s, const Bars& b, std::size_t i) {
    return s.update(b.high[i], b.low[i], b.close[i]);
};

void BM_Sma20(benchmark::State& s) {
    run(s, st::Sma(20), kClose);
}
void BM_Ema12(benchmark::State& s) {
    run(s, st::Ema(12), kClose);
}
void BM_StdDev20(benchmark::State& s) {
    run(s, st::StdDev(20), kClose);
}
void BM_RollingMax20(benchmark::State& s) {
    run(s, st::RollingMax(20), kClose);
}
void BM_Bbands20(benchmark::State& s) {
    run(s, st::Bbands(20, 2.0, 2.0), kClose);
}
void BM_Rsi14(benchmark::State& s) {
    run(s, st::Rsi(14), kClose);
}
void BM_Roc10(benchmark::State& s) {
    run(s, st::Roc(10), kClose);
}
void BM_Macd(benchmark::State& s) {
    run(s, st::Macd(12, 26, 9), kClose);
}
void BM_Ppo(benchmark::State& s) {
    run(s, st::Ppo(12, 26), kClose);
}
void BM_Trix15(benchmark::State& s) {
    run(s, st::Trix(15), kClose);
}
void BM_Kama10(benchmark::State& s) {
    run(s, st::Kama(10), kClose);
}
void BM_T3(benchmark::State& s) {
    run(s, st::T3(5, 0.7), kClose);
}
void BM_Atr14(benchmark::State& s) {
    run(s, st::Atr(14), kHlc);
}
void BM_Willr14(benchmark::State& s) {
    run(s, st::Willr(14), kHlc);
}
void BM_Stoch(benchmark::State& s) {
    run(s, st::Stoch(14, 3, 3), kHlc);
}
void BM_Cci20(benchmark::State& s) {
    run(s, st::Cci(20), kHlc);
}
void BM_Dmi14(benchmark::State& s) {
    run(s, st::Dmi(14), kHlc);
}
void BM_Aroon25(benchmark::State& s) {
    run(s, st::Aroon(25),
        [](auto& a, const Bars& b, std::size_t i) { return a.update(b.high[i], b.low[i]); });
}
void BM_Sar(benchmark::State& s) {
    run(s, st::Sar(0.02, 0.2),
        [](auto& a, const Bars& b, std::size_t i) { return a.update(b.high[i], b.low[i]); });
}
void BM_Adosc(benchmark::State& s) {
    run(s, st::Adosc(3, 10), [](auto& a, const Bars& b, std::size_t i) {
        return a.update(b.high[i], b.low[i], b.close[i], b.volume[i]);
    });
}

BENCHMARK(BM_Sma20);
BENCHMARK(BM_Ema12);
BENCHMARK(BM_StdDev20);
BENCHMARK(BM_RollingMax20);
BENCHMARK(BM_Bbands20);
BENCHMARK(BM_Rsi14);
BENCHMARK(BM_Roc10);
BENCHMARK(BM_Macd);
BENCHMARK(BM_Ppo);
BENCHMARK(BM_Trix15);
BENCHMARK(BM_Kama10);
BENCHMARK(BM_T3);
BENCHMARK(BM_Atr14);
BENCHMARK(BM_Willr14);
BENCHMARK(BM_Stoch);
BENCHMARK(BM_Cci20);
BENCHMARK(BM_Dmi14);
BENCHMARK(BM_Aroon25);
BENCHMARK(BM_Sar);
BENCHMARK(BM_Adosc);

}  // namespace

BENCHMARK_MAIN();
