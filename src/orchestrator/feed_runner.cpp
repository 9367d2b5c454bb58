#include "goldensignals/orchestrator/feed_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
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
    // A bar of this symbol is being stored: its next one waits (touched on the feed's strand).
    bool storing = false;
};
using Walks = std::vector<Walk>;

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

// Stores one simulated bar and frees its symbol for the next. Runs on the feed's strand;
// `walks` is shared so that it outlives a feed stopped while bars are being stored.
asio::awaitable<void> store_bar(std::shared_ptr<Walks> walks, std::size_t index, market::Bar bar,
                                IngestService& ingest) {
    Walk& walk = (*walks)[index];
    std::vector<market::Bar> bars{bar};
    try {
        co_await ingest.ingest(walk.symbol, market::Timeframe::k1d, std::move(bars));
    } catch (const std::exception& e) {
        spdlog::debug("simulated bar for {} not stored: {}", walk.symbol, e.what());
    }
    walk.storing = false;
}

asio::awaitable<void> run_sim(const market::FeedSpec& spec, IngestService& ingest) {
    std::mt19937_64 rng(20261125);
    auto walks = std::make_shared<Walks>();
    // Daily bars ending today, so the dashboard shows recent dates.
    const std::int64_t today = std::time(nullptr) / 86400 * 86400;
    for (std::size_t i = 0; i < spec.symbols; ++i) {
        walks->push_back({fmt::format("SIM{:02}", i + 1), 50.0 + 10.0 * static_cast<double>(i),
                          today - static_cast<std::int64_t>(kSimHistory) * 86400});
        std::vector<market::Bar> history;
        for (std::size_t k = 0; k < kSimHistory; ++k) {
            history.push_back(next_bar(walks->back(), rng));
        }
        try {
            co_await ingest.ingest(walks->back().symbol, market::Timeframe::k1d,
                                   std::move(history));
        } catch (const std::exception& e) {
            spdlog::warn("simulated feed: {} history not stored: {}", walks->back().symbol,
                         e.what());
        }
    }
    spdlog::info("simulated feed (synthetic random walk): {} symbols, a bar every {} ms",
                 spec.symbols, spec.interval.count());
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    // One symbol per step on a fixed schedule, so N symbols make N bars per interval however
    // long each ingest takes: a bar is stored while the next symbols' bars are made, as a
    // market feed does not wait for its consumer. A symbol whose previous bar is still being
    // stored skips its turn (its walk does not advance, so its bars stay one day apart).
    // After a stall (a store away) the schedule resumes rather than bursts.
    using Clock = std::chrono::steady_clock;
    const Clock::duration step = std::chrono::duration_cast<Clock::duration>(spec.interval) /
                                 static_cast<Clock::rep>(std::max<std::size_t>(1, walks->size()));
    auto next = Clock::now();
    std::uint64_t skipped = 0;
    for (std::size_t turn = 0;; ++turn) {
        next = std::max(next + step, Clock::now() - spec.interval);
        timer.expires_at(next);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
        const std::size_t index = turn % walks->size();
        Walk& walk = (*walks)[index];
        if (walk.storing) {
            if (++skipped % 1000 == 1) {
                spdlog::warn("simulated feed: storing is slower than the feed ({} turns skipped)",
                             skipped);
            }
            continue;
        }
        walk.storing = true;
        const market::Bar bar = next_bar(walk, rng);
        asio::co_spawn(executor, store_bar(walks, index, bar, ingest), asio::detached);
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
        case market::FeedSpec::Kind::kBinance:  // a feed::LiveFeed, started by main
            break;
    }
}

}  // namespace gs::orchestrator
