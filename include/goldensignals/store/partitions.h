#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "goldensignals/market/timeframe.h"

namespace gs::store {

// One period of a range-partitioned table: [from, to) in UTC.
struct MonthlyPartition {
    std::string name;  // signals_yYYYYmMM, bars_1m_yYYYYmMM, bars_1d_yYYYY
    std::chrono::sys_days from;
    std::chrono::sys_days to;

    bool operator==(const MonthlyPartition&) const = default;
};
using RangePartition = MonthlyPartition;

// How long one partition of a table spans.
enum class PartitionPeriod { kMonth, kYear };

// A table partitioned by range of a timestamptz column, one partition per UTC period, plus a
// DEFAULT partition that takes any row no period partition covers (so an insert is never
// refused for want of a partition).
struct RangePartitionedTable {
    std::string parent;  // "signals", "bars_1m", ...
    std::string column;  // the partition key
    PartitionPeriod period = PartitionPeriod::kMonth;
    std::string label;  // the metrics' `table` label: "signals", "bars_1m", ...
};

// `signals` (monthly on created_at).
const RangePartitionedTable& signals_table();
// `live_calls`, live accuracy's scored calls (sql/0007, docs/backtest.md), monthly on scored_at.
const RangePartitionedTable& live_calls_table();
// `bars_<timeframe>`, the timeframe's partition of `bars` (sql/0006), by range of `time`:
// monthly up to 1h bars, yearly for 4h, 1d and 1w (a month of 1d bars is ~21 rows a series;
// a monthly partition of them would be mostly overhead).
const RangePartitionedTable& bars_table(market::Timeframe timeframe);
// signals, live_calls, then the bars tables in timeframe order.
std::vector<const RangePartitionedTable*> all_partitioned_tables();

// `signals_y2024m01` for January 2024.
std::string partition_name(std::chrono::year_month month);
// The signals partition holding `day`.
MonthlyPartition monthly_partition(std::chrono::sys_days day);
// The signals partitions of the month of `today` and the `months_ahead` months after it.
std::vector<MonthlyPartition> partitions_for(std::chrono::sys_days today, int months_ahead);

// The partition of `table` holding `day`.
RangePartition range_partition(const RangePartitionedTable& table, std::chrono::sys_days day);
// The partitions of `table` covering `today` through `months_ahead` months later (for a
// yearly table: the years those months fall in), oldest first.
std::vector<RangePartition> range_partitions_for(const RangePartitionedTable& table,
                                                 std::chrono::sys_days today, int months_ahead);

// `2024-01-02 03:04:05.678901+00`: a UTC timestamptz literal, exact to the microsecond.
std::string timestamptz_text(std::chrono::sys_time<std::chrono::microseconds> time);

// Creates the monthly partitions of `signals` for the month of `today` and `months_ahead`
// months after it, when missing (ensure_range_partitions on signals_table()).
std::vector<std::string> ensure_partitions(pqxx::connection& connection,
                                           std::chrono::sys_days today, int months_ahead = 3);

// Creates the partitions of `table` covering `today` and `months_ahead` months after it, when
// missing. Rows already in the DEFAULT partition for such a period (PostgreSQL refuses to
// attach a partition that would own them) are moved into it in the same transaction, keeping
// their ids. A partition is created as a table of its own and ATTACHed: that takes SHARE
// UPDATE EXCLUSIVE on the parent, which readers and writers do not wait for; the locks are
// taken parent first, then DEFAULT, the order every query takes them, so no reader can
// deadlock with it (the old CREATE TABLE ... PARTITION OF took ACCESS EXCLUSIVE on the parent
// after locking DEFAULT: a history read on a fresh database could deadlock with it and wait
// deadlock_timeout, 1 s, before failing with 503). Serialised between processes with an
// advisory lock; waits at most `lock_timeout` for a table lock. Safe to call any number of
// times. Returns the partitions it created. Throws store::Error. Blocking.
std::vector<std::string> ensure_range_partitions(
    pqxx::connection& connection, const RangePartitionedTable& table, std::chrono::sys_days today,
    int months_ahead, std::chrono::milliseconds lock_timeout = std::chrono::seconds(5));

// ensure_range_partitions on every table of all_partitioned_tables(): what start-up (and
// --migrate-only) runs, so that no request ever waits on partition DDL. Returns the partitions
// created.
std::vector<std::string> ensure_all_partitions(pqxx::connection& connection,
                                               std::chrono::sys_days today, int months_ahead = 3);

}  // namespace gs::store
