#include "goldensignals/store/pg_bar_repository.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <tuple>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/stream_to>
#include <pqxx/transaction>

#include "goldensignals/store/error.h"
#include "store/bar_queries.h"
#include "store/pg_number.h"

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

// One series of a batch, its bars distinct by time, the last written winning.
struct BatchSeries {
    std::string_view symbol;
    market::Timeframe timeframe;
    std::vector<market::Bar> bars;
};

std::vector<BatchSeries> batch_series(std::span<const SeriesBars> writes) {
    // Writes of one series are concatenated in batch order first, so a later write wins.
    std::map<std::pair<std::string_view, market::Timeframe>, std::vector<market::Bar>> merged;
    for (const auto& write : writes) {
        auto& bars = merged[{write.symbol, write.timeframe}];
        bars.insert(bars.end(), write.bars.begin(), write.bars.end());
    }
    std::vector<BatchSeries> result;
    result.reserve(merged.size());
    for (auto& [key, bars] : merged) {
        result.push_back({key.first, key.second, distinct_by_time(bars)});
    }
    return result;
}

// A PostgreSQL array literal's element, quoted (symbols are checked, but quote anyway).
void append_array_text(std::string& out, std::string_view text) {
    out += '"';
    for (char ch : text) {
        if (ch == '"' || ch == '\\') {
            out += '\\';
        }
        out += ch;
    }
    out += '"';
}

// Doubles as their shortest text that reads back to the same value.
void append_array_number(std::string& out, double value) {
    fmt::format_to(std::back_inserter(out), "{}", value);
}

std::size_t upsert_by_arrays(pqxx::connection& connection, const std::vector<BatchSeries>& series) {
    std::array<std::string, 8> columns;
    for (auto& column : columns) {
        column = "{";
    }
    bool first = true;
    for (const auto& one : series) {
        const std::string_view timeframe = market::to_string(one.timeframe);
        for (const auto& bar : one.bars) {
            if (!first) {
                for (auto& column : columns) {
                    column += ',';
                }
            }
            first = false;
            append_array_text(columns[0], one.symbol);
            append_array_text(columns[1], timeframe);
            fmt::format_to(std::back_inserter(columns[2]), "{}", bar.time);
            append_array_number(columns[3], bar.open);
            append_array_number(columns[4], bar.high);
            append_array_number(columns[5], bar.low);
            append_array_number(columns[6], bar.close);
            append_array_number(columns[7], bar.volume);
        }
    }
    for (auto& column : columns) {
        column += '}';
    }
    pqxx::nontransaction tx(connection);
    const auto result =
        tx.exec_params(queries::kUpsertBarsFromArrays, columns[0], columns[1], columns[2],
                       columns[3], columns[4], columns[5], columns[6], columns[7]);
    return static_cast<std::size_t>(result.affected_rows());
}

std::size_t upsert_by_copy(pqxx::connection& connection, const std::vector<BatchSeries>& series) {
    pqxx::work tx(connection);
    tx.exec0(queries::kCreateBatchStage);
    {
        pqxx::stream_to stream(tx, queries::kBatchStageTable,
                               std::vector<std::string>{"s", "tf", "t", "o", "h", "l", "c", "v"});
        for (const auto& one : series) {
            const std::string symbol(one.symbol);
            const std::string timeframe(market::to_string(one.timeframe));
            for (const auto& bar : one.bars) {
                stream << std::make_tuple(symbol, timeframe, bar.time, bar.open, bar.high, bar.low,
                                          bar.close, bar.volume);
            }
        }
        stream.complete();
    }
    const auto result = tx.exec0(queries::kUpsertBarsFromBatchStage);
    tx.commit();
    return static_cast<std::size_t>(result.affected_rows());
}

}  // namespace

std::size_t upsert_bar_batch(pqxx::connection& connection, std::span<const SeriesBars> writes) {
    const auto series = batch_series(writes);
    std::size_t rows = 0;
    for (const auto& one : series) {
        rows += one.bars.size();
    }
    if (rows == 0) {
        return 0;
    }
    return with_store_errors([&] {
        return rows <= kArrayBatchRows ? upsert_by_arrays(connection, series)
                                       : upsert_by_copy(connection, series);
    });
}

std::size_t upsert_bars(pqxx::connection& connection, const std::string& symbol,
                        market::Timeframe timeframe, std::span<const market::Bar> bars) {
    if (bars.empty()) {
        return 0;
    }
    const auto rows = distinct_by_time(bars);
    const std::string timeframe_text(market::to_string(timeframe));
    return with_store_errors([&] {
        pqxx::work tx(connection);
        tx.exec0(queries::kCreateBarsStage);
        {
            pqxx::stream_to stream(tx, queries::kBarsStageTable,
                                   std::vector<std::string>{"t", "o", "h", "l", "c", "v"});
            for (const auto& bar : rows) {
                stream << std::make_tuple(bar.time, bar.open, bar.high, bar.low, bar.close,
                                          bar.volume);
            }
            stream.complete();
        }
        const auto result = tx.exec_params(queries::kUpsertBarsFromStage, symbol, timeframe_text);
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
        const auto result = tx.exec_params(queries::kSelectNewestBars, symbol, timeframe_text,
                                           static_cast<std::int64_t>(newest_n));
        bars.reserve(result.size());
        for (const auto& row : result) {
            bars.push_back({row[0].as<std::int64_t>(), as_double(row[1]), as_double(row[2]),
                            as_double(row[3]), as_double(row[4]), as_double(row[5])});
        }
        return bars;
    });
}

std::size_t erase_series(pqxx::connection& connection, const std::string& symbol,
                         market::Timeframe timeframe) {
    const std::string timeframe_text(market::to_string(timeframe));
    return with_store_errors([&] {
        pqxx::work tx(connection);
        const auto bars = tx.exec_params(queries::kDeleteSeriesBars, symbol, timeframe_text);
        tx.exec_params(queries::kDeleteLatestSignal, symbol, timeframe_text);
        tx.commit();
        return static_cast<std::size_t>(bars.affected_rows());
    });
}

std::vector<std::string> bar_symbols(pqxx::connection& connection, market::Timeframe timeframe) {
    const std::string timeframe_text(market::to_string(timeframe));
    return with_store_errors([&] {
        pqxx::read_transaction tx(connection);
        const auto result = tx.exec_params(queries::kSelectBarSymbols, timeframe_text);
        std::vector<std::string> symbols;
        symbols.reserve(result.size());
        for (const auto& row : result) {
            symbols.push_back(row[0].as<std::string>());
        }
        return symbols;
    });
}

std::vector<SeriesKey> recent_series(pqxx::connection& connection, std::size_t limit) {
    std::vector<SeriesKey> out;
    if (limit == 0) {
        return out;
    }
    std::unordered_set<std::string> seen;
    with_store_errors([&] {
        pqxx::read_transaction tx(connection);
        const auto result = tx.exec_params(
            "SELECT symbol, timeframe FROM latest_signals ORDER BY updated_at DESC "
            "LIMIT $1",
            static_cast<std::int64_t>(limit));
        for (const auto& row : result) {
            const auto timeframe = market::parse_timeframe(row[1].as<std::string>());
            if (timeframe) {
                out.push_back({row[0].as<std::string>(), *timeframe});
                seen.insert(std::string(market::to_string(*timeframe)) + '|' + out.back().symbol);
            }
        }
    });
    for (auto timeframe : market::kAllTimeframes) {
        if (out.size() >= limit) {
            break;
        }
        for (auto& symbol : bar_symbols(connection, timeframe)) {
            if (out.size() >= limit) {
                break;
            }
            if (!seen.contains(std::string(market::to_string(timeframe)) + '|' + symbol)) {
                out.push_back({std::move(symbol), timeframe});
            }
        }
    }
    return out;
}

std::vector<CatalogRow> catalog(pqxx::connection& connection) {
    std::vector<CatalogRow> out;
    with_store_errors([&] {
        pqxx::read_transaction tx(connection);
        const auto result = tx.exec(queries::kSelectCatalog);
        out.reserve(result.size());
        for (const auto& row : result) {
            const auto timeframe = market::parse_timeframe(row[1].as<std::string>());
            if (!timeframe) {
                continue;
            }
            CatalogRow item;
            item.key = {row[0].as<std::string>(), *timeframe};
            item.last = row[2].as<std::int64_t>();
            if (!row[3].is_null() && !row[4].is_null() && row[3].as<std::int64_t>() > 0) {
                item.bars = row[3].as<std::size_t>();
                item.first = row[4].as<std::int64_t>();
            }
            bool complete = true;
            for (int i = 5; i <= 20; ++i) {
                complete = complete && !row[i].is_null();
            }
            if (complete) {
                CatalogRow::Summary summary;
                summary.action = row[5].as<int>();
                summary.strength = row[6].as<int>();
                summary.score = as_double(row[7]);
                summary.confidence = as_double(row[8]);
                for (std::size_t c = 0; c < 6; ++c) {
                    summary.category_scores[c] = as_double(row[static_cast<int>(9 + c)]);
                    summary.category_voters[c] =
                        static_cast<std::uint16_t>(row[static_cast<int>(15 + c)].as<int>());
                }
                item.summary = summary;
            }
            out.push_back(std::move(item));
        }
    });
    return out;
}

std::size_t load_all_bars(pqxx::connection& connection, std::size_t newest_n,
                          const BarSeriesSink& sink) {
    std::size_t loaded = 0;
    for (auto timeframe : market::kAllTimeframes) {
        for (const auto& symbol : bar_symbols(connection, timeframe)) {
            const auto bars = load_bars(connection, symbol, timeframe, newest_n);
            if (!bars.empty()) {
                sink(symbol, timeframe, bars);
                ++loaded;
            }
        }
    }
    return loaded;
}

std::size_t load_all_bars(const std::string& url, std::size_t newest_n, const BarSeriesSink& sink) {
    auto connection = with_store_errors([&] { return std::make_unique<pqxx::connection>(url); });
    return load_all_bars(*connection, newest_n, sink);
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

boost::asio::awaitable<void> PgBarRepository::upsert_batch(std::vector<SeriesBars> writes) {
    return pool_.run([writes = std::move(writes)](pqxx::connection& connection) {
        upsert_bar_batch(connection, writes);
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

boost::asio::awaitable<std::size_t> PgBarRepository::erase(std::string symbol,
                                                           market::Timeframe timeframe) {
    return pool_.run([symbol = std::move(symbol), timeframe](pqxx::connection& connection) {
        return erase_series(connection, symbol, timeframe);
    });
}

boost::asio::awaitable<std::vector<SeriesKey>> PgBarRepository::recent_series(std::size_t limit) {
    return pool_.run(
        [limit](pqxx::connection& connection) { return store::recent_series(connection, limit); });
}

boost::asio::awaitable<std::vector<CatalogRow>> PgBarRepository::catalog() {
    return pool_.run([](pqxx::connection& connection) { return store::catalog(connection); });
}

boost::asio::awaitable<std::vector<std::string>> PgBarRepository::symbols(
    market::Timeframe timeframe) {
    return pool_.run(
        [timeframe](pqxx::connection& connection) { return bar_symbols(connection, timeframe); });
}

}  // namespace gs::store
