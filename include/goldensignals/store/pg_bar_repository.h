#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <pqxx/connection>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/timeframe.h"
#include "goldensignals/store/bar_repository.h"
#include "goldensignals/store/pg_pool.h"

namespace gs::store {

// Blocking building blocks of PgBarRepository, for start-up code and PgPool::run.

// Upserts `bars` (any order; of two bars with one time the later wins; an existing time is
// overwritten) in one transaction: COPY into a session temp table, then one INSERT ... ON
// CONFLICT DO UPDATE. All or nothing; returns the number of distinct bars once committed.
// A bar breaking the table's CHECKs (see validate_bar) fails the whole call (kBadData).
std::size_t upsert_bars(pqxx::connection& connection, const std::string& symbol,
                        market::Timeframe timeframe, std::span<const market::Bar> bars);
// Upserts the bars of several series in one transaction (see BarRepository::upsert_batch):
// up to kArrayBatchRows distinct bars as one INSERT over arrays, more by COPY into a session
// temp table. All or nothing; returns the number of distinct bars once committed.
inline constexpr std::size_t kArrayBatchRows = 2'000;
std::size_t upsert_bar_batch(pqxx::connection& connection, std::span<const SeriesBars> writes);
// The newest `newest_n` bars, oldest first.
std::vector<market::Bar> load_bars(pqxx::connection& connection, const std::string& symbol,
                                   market::Timeframe timeframe, std::size_t newest_n);
// Deletes the series' bars and its latest_signals row in one transaction; returns the bars
// deleted. The signal history stays (it records what was said, not the series).
std::size_t erase_series(pqxx::connection& connection, const std::string& symbol,
                         market::Timeframe timeframe);
// Symbols with bars in `timeframe`, sorted (an index skip-scan, not a table scan).
std::vector<std::string> bar_symbols(pqxx::connection& connection, market::Timeframe timeframe);

// Up to `limit` stored series, most recently active first: those with a latest signal by its
// update time, newest first, then the others by timeframe and symbol (the primary key's skip
// scan per timeframe).
std::vector<SeriesKey> recent_series(pqxx::connection& connection, std::size_t limit);
// Every row of the catalog (latest_signals' typed columns, sql/0008).
std::vector<CatalogRow> catalog(pqxx::connection& connection);

// Start-up: hands every stored series' newest `newest_n` bars (oldest first) to
// sink(symbol, timeframe, bars), one series at a time, every timeframe; series without bars
// are skipped. Returns the number of series handed over. The URL form opens a connection of
// its own for the load.
using BarSeriesSink = std::function<void(const std::string& symbol, market::Timeframe timeframe,
                                         std::span<const market::Bar> bars)>;
std::size_t load_all_bars(pqxx::connection& connection, std::size_t newest_n,
                          const BarSeriesSink& sink);
std::size_t load_all_bars(const std::string& url, std::size_t newest_n, const BarSeriesSink& sink);

// The bars table behind the pool: every call runs on a pool thread and is awaited.
class PgBarRepository final : public BarRepository {
  public:
    explicit PgBarRepository(PgPool& pool) : pool_(pool) {}

    // Returns once the bars are committed (acknowledged means durable). `bars` must stay
    // alive until the call completes. Throws store::Error.
    boost::asio::awaitable<std::size_t> upsert(std::string symbol, market::Timeframe timeframe,
                                               std::span<const market::Bar> bars) override;
    // One transaction for every write (upsert_bar_batch). Throws store::Error.
    boost::asio::awaitable<void> upsert_batch(std::vector<SeriesBars> writes) override;
    boost::asio::awaitable<std::vector<market::Bar>> load(std::string symbol,
                                                          market::Timeframe timeframe,
                                                          std::size_t newest_n) override;
    boost::asio::awaitable<std::size_t> erase(std::string symbol,
                                              market::Timeframe timeframe) override;
    boost::asio::awaitable<std::vector<std::string>> symbols(market::Timeframe timeframe);
    boost::asio::awaitable<std::vector<SeriesKey>> recent_series(std::size_t limit) override;
    boost::asio::awaitable<std::vector<CatalogRow>> catalog() override;

  private:
    PgPool& pool_;
};

}  // namespace gs::store
