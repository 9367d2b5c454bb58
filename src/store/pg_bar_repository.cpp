#include "goldensignals/store/pg_bar_repository.h"

#include "goldensignals/store/error.h"

#include <algorithm>
#include <tuple>

#include <pqxx/result>
#include <pqxx/stream_to>
#include <pqxx/transaction>

namespace gs::store {

namespace {

// The bars sorted by time, one per time, the last given winning (BarSeries::merged rules).
std::vector<market::Bar> distinct_by_time(std::span<const market::Bar> bars) {
    std::vector<market::Bar> sorted(bars.begin(), bars.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const market::Bar& a, const market::Bar& b) { return a.time < b.time; });
    std::vector<market::Bar> result;
    result.reserve(sorted.size());
    for (const auto& bar : sorted) {
        if (!result.empty() && result.back().time == bar.time) {
            result.back() = bar;
        } else {
            result.push_back(bar);
        }
    }
    return result;
}

}  // namespace

std::size_t upsert_bars(pqxx::connection& connection, const std::string& symbol,
                        market::Timeframe timeframe, std::span<const market::Bar> bars) {
    if (bars.empty()) {
        return 0;
    }
    const auto rows = distinct_by_time(bars);
    const std::string timeframe_text(market::to_string(timeframe));
    return with_store_errors([&] {
        pqxx::work tx(connection);
        // One staging table per session, emptied by every commit: no catalog churn per call.
        tx.exec0(
            "CREATE TEMP TABLE IF NOT EXISTS gs_bars_stage (t bigint, o float8, h float8,"
            " l float8, c float8, v float8) ON COMMIT DELETE ROWS");
        {
            pqxx::stream_to stream(tx, "gs_bars_stage",
                                   std::vector<std::string>{"t", "o", "h", "l", "c", "v"});
            for (const auto& bar : rows) {
                stream << std::make_tuple(bar.time, bar.open, bar.high, bar.low, bar.close,
                                          bar.volume);
            }
            stream.complete();
        }
        const auto result = tx.exec_params(
            "INSERT INTO bars (symbol, timeframe, time, open, high, low, close, volume)"
            " SELECT $1, $2, to_timestamp(t), o, h, l, c, v FROM gs_bars_stage"
            " ON CONFLICT (symbol, timeframe, time) DO UPDATE SET open = EXCLUDED.open,"
            " high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,"
            " volume = EXCLUDED.volume",
            symbol, timeframe_text);
        tx.commit();
        return static_cast<std::size_t>(result.affected_rows());
    });
}

std::vector<market::Bar> load_bars(pqxx::connection& connection, const std::string& symbol,
                                   market::Timeframe timeframe, std::size_t newest_n) {
    std::vector<market::Bar> bars;
    if (newest_n == 0) {
        return bars;
    }
    const std::string timeframe_text(market::to_string(timeframe));
    return with_store_errors([&] {
        pqxx::read_transaction tx(connection);
        const auto result = tx.exec_params(
            "SELECT extract(epoch FROM time)::bigint, open, high, low, close, volume FROM"
            " (SELECT time, open, high, low, close, volume FROM bars"
            "  WHERE symbol = $1 AND timeframe = $2 ORDER BY time DESC LIMIT $3) newest"
            " ORDER BY time",
            symbol, timeframe_text, static_cast<std::int64_t>(newest_n));
        bars.reserve(result.size());
        for (const auto& row : result) {
            bars.push_back({row[0].as<std::int64_t>(), row[1].as<double>(), row[2].as<double>(),
                            row[3].as<double>(), row[4].as<double>(), row[5].as<double>()});
        }
        return bars;
    });
}

std::vector<std::string> bar_symbols(pqxx::connection& connection, market::Timeframe timeframe) {
    const std::string timeframe_text(market::to_string(timeframe));
    return with_store_errors([&] {
        pqxx::read_transaction tx(connection);
        // Walks the primary key from one symbol to the next instead of reading every bar.
        const auto result = tx.exec_params(
            "WITH RECURSIVE s AS ("
            "  (SELECT symbol FROM bars ORDER BY symbol LIMIT 1)"
            "  UNION ALL"
            "  SELECT (SELECT b.symbol FROM bars b WHERE b.symbol > s.symbol"
            "          ORDER BY b.symbol LIMIT 1) FROM s WHERE s.symbol IS NOT NULL)"
            " SELECT symbol FROM s WHERE symbol IS NOT NULL AND EXISTS"
            "  (SELECT 1 FROM bars b WHERE b.symbol = s.symbol AND b.timeframe = $1)"
            " ORDER BY symbol",
            timeframe_text);
        std::vector<std::string> symbols;
        symbols.reserve(result.size());
        for (const auto& row : result) {
            symbols.push_back(row[0].as<std::string>());
        }
        return symbols;
    });
}

// The awaitable APIs are plain functions returning PgPool::run's awaitable, not coroutines:
// a by-value parameter of a coroutine is what g++ 12 can miscompile (docs/coroutines.md).
boost::asio::awaitable<std::size_t> PgBarRepository::upsert(std::string symbol,
                                                            market::Timeframe timeframe,
                                                            std::span<const market::Bar> bars) {
    return pool_.run([symbol = std::move(symbol), timeframe, bars](pqxx::connection& connection) {
        return upsert_bars(connection, symbol, timeframe, bars);
    });
}

boost::asio::awaitable<std::vector<market::Bar>> PgBarRepository::load(std::string symbol,
                                                                       market::Timeframe timeframe,
                                                                       std::size_t newest_n) {
    return pool_.run(
        [symbol = std::move(symbol), timeframe, newest_n](pqxx::connection& connection) {
            return load_bars(connection, symbol, timeframe, newest_n);
        });
}

boost::asio::awaitable<std::vector<std::string>> PgBarRepository::symbols(
    market::Timeframe timeframe) {
    return pool_.run(
        [timeframe](pqxx::connection& connection) { return bar_symbols(connection, timeframe); });
}

}  // namespace gs::store
