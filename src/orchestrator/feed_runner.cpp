#include "goldensignals/orchestrator/feed_runner.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "goldensignals/market/bar_parsing.h"
#include "goldensignals/market/symbol.h"

namespace gs::orchestrator {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kSimHistory = 300;

struct Walk {
    std::string symbol;
    double close;
    std::int64_t time;
};

market::Bar next_bar(Walk& walk, std::mt19937_64& rng) {
    std::normal_distribution<double> step(0.0002, 0.012);
    std::uniform_real_distribution<double> wick(0.0, 0.006);
    std::lognormal_distribution<double> volume(12.0, 0.5);
    const double open = walk.close;
    walk.close = std::max(0.5, walk.close * std::exp(step(rng)));
    market::Bar bar{walk.time,
                    open,
                    std::max(open, walk.close) * (1.0 + wick(rng)),
                    std::min(open, walk.close) * (1.0 - wick(rng)),
                    walk.close,
                    std::round(volume(rng))};
    walk.time += 86400;
    return bar;
}

asio::awaitable<void> run_sim(const market::FeedSpec& spec, IngestService& ingest) {
    std::mt19937_64 rng(20261125);
    std::vector<Walk> walks;
    // Daily bars ending today, so the dashboard shows recent dates.
    const std::int64_t today = std::time(nullptr) / 86400 * 86400;
    for (std::size_t i = 0; i < spec.symbols; ++i) {
        walks.push_back({fmt::format("SIM{:02}", i + 1), 50.0 + 10.0 * static_cast<double>(i),
                         today - static_cast<std::int64_t>(kSimHistory) * 86400});
        std::vector<market::Bar> history;
        for (std::size_t k = 0; k < kSimHistory; ++k) {
            history.push_back(next_bar(walks.back(), rng));
        }
        try {
            co_await ingest.ingest(walks.back().symbol, market::Timeframe::k1d, std::move(history));
        } catch (const std::exception& e) {
            spdlog::warn("simulated feed: {} history not stored: {}", walks.back().symbol,
                         e.what());
        }
    }
    spdlog::info("simulated feed (synthetic random walk): {} symbols, a bar every {} ms",
                 spec.symbols, spec.interval.count());
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (std::size_t turn = 0;; ++turn) {
        timer.expires_after(spec.interval / std::max<std::size_t>(1, walks.size()));
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
        auto& walk = walks[turn % walks.size()];
        std::vector<market::Bar> bars{next_bar(walk, rng)};
        try {
            co_await ingest.ingest(walk.symbol, market::Timeframe::k1d, std::move(bars));
        } catch (const std::exception& e) {
            spdlog::debug("simulated bar for {} not stored: {}", walk.symbol, e.what());
        }
    }
}

asio::awaitable<void> run_replay(const market::FeedSpec& spec, IngestService& ingest) {
    std::ifstream in(spec.file);
    if (!in) {
        spdlog::error("replay feed: cannot read {}", spec.file);
        co_return;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::vector<market::Bar> bars;
    try {
        bars = market::parse_bars_csv(text.str());
    } catch (const market::BarParseError& e) {
        spdlog::error("replay feed: {}: {}", spec.file, e.what());
        co_return;
    }
    auto symbol = market::normalize_symbol(std::filesystem::path(spec.file).stem().string());
    if (!symbol) {
        spdlog::error("replay feed: {} is not named after a valid symbol", spec.file);
        co_return;
    }
    std::sort(bars.begin(), bars.end(),
              [](const market::Bar& a, const market::Bar& b) { return a.time < b.time; });
    spdlog::info("replay feed: {} bars of {} from {}, one every {} ms", bars.size(), *symbol,
                 spec.file, spec.interval.count());
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (const auto& bar : bars) {
        timer.expires_after(spec.interval);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
        std::vector<market::Bar> one{bar};
        try {
            co_await ingest.ingest(*symbol, market::Timeframe::k1d, std::move(one));
        } catch (const std::exception& e) {
            spdlog::debug("replayed bar not stored: {}", e.what());
        }
    }
    spdlog::info("replay feed: {} done", *symbol);
}

}  // namespace

asio::awaitable<void> run_feed(market::FeedSpec spec, IngestService& ingest) {
    switch (spec.kind) {
        case market::FeedSpec::Kind::kSimulated:
            co_await run_sim(spec, ingest);
            break;
        case market::FeedSpec::Kind::kReplay:
            co_await run_replay(spec, ingest);
            break;
        case market::FeedSpec::Kind::kNone:
            break;
    }
}

}  // namespace gs::orchestrator
