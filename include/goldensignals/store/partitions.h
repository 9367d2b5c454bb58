#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>

namespace gs::store {

// A table partitioned by month of a timestamptz column, with a DEFAULT partition.
struct PartitionedTable {
    std::string_view table;    // also the partitions' prefix: <table>_yYYYYmMM
    std::string_view key;      // the partition key column
    std::string_view columns;  // every column, for moving rows out of DEFAULT
};
inline constexpr PartitionedTable kSignalsTable{
    "signals", "created_at",
    "id, created_at, as_of, computed_at, score, confidence, bars_used, action, strength, "
    "registry_id, symbol, timeframe, config_version, summary, agents"};
// sql/0007_live_accuracy.sql.
inline constexpr PartitionedTable kLiveCallsTable{
    "live_calls", "scored_at",
    "id, scored_at, timeframe, track, symbol, signal_time, scored_time, action, hit, "
    "forward_return"};

// One month of a partitioned table (`signals` unless told): [from, to) in UTC.
struct MonthlyPartition {
    std::string name;  // signals_yYYYYmMM
    std::chrono::sys_days from;
    std::chrono::sys_days to;

    bool operator==(const MonthlyPartition&) const = default;
};

// `signals_y2024m01` for January 2024.
std::string partition_name(std::chrono::year_month month, std::string_view table = "signals");
// The partition holding `day`.
MonthlyPartition monthly_partition(std::chrono::sys_days day, std::string_view table = "signals");
// The month of `today` and the `months_ahead` months after it, oldest first.
std::vector<MonthlyPartition> partitions_for(std::chrono::sys_days today, int months_ahead,
                                             std::string_view table = "signals");

// `2024-01-02 03:04:05.678901+00`: a UTC timestamptz literal, exact to the microsecond.
std::string timestamptz_text(std::chrono::sys_time<std::chrono::microseconds> time);

// Creates the monthly partitions of `table` (signals unless told) for the month of `today` and
// `months_ahead` months after it, when missing. Rows already in the DEFAULT partition for such a
// month (Postgres refuses to create a partition that would own them) are moved into the new
// partition in the same transaction, keeping their ids. Serialised between processes with
// an advisory lock; safe to call any number of times. Returns the partitions it created.
// Throws store::Error. Blocking: call it through PgPool::run.
std::vector<std::string> ensure_partitions(pqxx::connection& connection,
                                           std::chrono::sys_days today, int months_ahead = 3,
                                           const PartitionedTable& table = kSignalsTable);

}  // namespace gs::store
