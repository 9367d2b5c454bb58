#include "goldensignals/app/stored_series.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

namespace gs::app {

namespace asio = boost::asio;

namespace {

// Series the background warm-up loads at most (it also stops at half the memory budget).
constexpr std::size_t kWarmSeries = 5'000;

long long milliseconds_since(std::chrono::steady_clock::time_point started) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started)
        .count();
}

}  // namespace

void load_catalog(orchestrator::BarSync& sync, orchestrator::SignalBoard& board) {
    // A private io_context: the server's does not run yet.
    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    std::thread runner([&io] { io.run(); });
    const auto started = std::chrono::steady_clock::now();
    std::function<void(const store::CatalogRow&)> each = [&board](const store::CatalogRow& row) {
        if (auto summary = orchestrator::SignalBoard::summary_of(row)) {
            board.seed(row.key.timeframe, std::move(*summary));
        }
    };
    auto loaded = asio::co_spawn(io, sync.load_catalog(std::move(each)), asio::use_future);
    try {
        const std::size_t rows = loaded.get();
        spdlog::info("catalog: {} stored series read in {} ms", rows, milliseconds_since(started));
    } catch (const std::exception& e) {
        spdlog::error("catalog of stored series not read (listings cover resident series): {}",
                      e.what());
    }
    guard.reset();
    runner.join();
}

void add_series_warm_up(Components& components, asio::io_context& io, orchestrator::BarSync& sync,
                        market::MemoryBarStore& bars) {
    auto stop = std::make_shared<std::atomic<bool>>(false);
    auto warm = [&sync, &bars, stop]() -> asio::awaitable<void> {
        const auto started = std::chrono::steady_clock::now();
        // Named, then moved: g++ 12 and temporaries in co_await (docs/coroutines.md).
        std::function<bool()> enough = [&bars] {
            return bars.resident_bytes() >= bars.budget() / 2;
        };
        const std::size_t loaded = co_await sync.warm(kWarmSeries, std::move(enough), stop);
        spdlog::info("warm-up: {} series loaded in {} ms ({} resident, ~{} MiB)", loaded,
                     milliseconds_since(started), bars.series_count(), bars.resident_bytes() >> 20);
    };
    components.add(
        "series warm-up",
        [&io, warm = std::move(warm)] {
            asio::co_spawn(asio::make_strand(io), warm, asio::detached);
        },
        [stop]() -> asio::awaitable<void> {
            stop->store(true);
            co_return;
        });
}

sse::SnapshotFn stream_snapshot(orchestrator::SignalService& signals, market::MemoryBarStore& bars,
                                orchestrator::BarSync& sync) {
    return [&signals, &bars, &sync](
               const std::string& symbol,
               market::Timeframe timeframe) -> asio::awaitable<std::shared_ptr<const std::string>> {
        if (sync.active() && !bars.pinned(symbol, timeframe) && !bars.get(symbol, timeframe)) {
            std::string stored = symbol;
            auto summary = co_await signals.stored_summary(std::move(stored), timeframe);
            if (summary) {
                co_return summary;
            }
        }
        std::string name = symbol;
        try {
            auto lookup =
                co_await signals.current(std::move(name), timeframe, orchestrator::Need::kSummary);
            co_return lookup.entry ? lookup.entry->summary_json : nullptr;
        } catch (const orchestrator::StorageUnavailable&) {
            co_return nullptr;
        }
    };
}

sse::HoldFn stream_hold(market::MemoryBarStore& bars) {
    return [&bars](const std::vector<std::string>& symbols,
                   market::Timeframe timeframe) -> std::shared_ptr<void> {
        auto pins = std::make_shared<std::vector<market::SeriesPin>>();
        pins->reserve(symbols.size());
        for (const auto& symbol : symbols) {
            pins->push_back(bars.pin(symbol, timeframe));
        }
        return pins;
    };
}

}  // namespace gs::app
