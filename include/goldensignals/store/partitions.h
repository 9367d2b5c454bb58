#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace gs::store {

// One month of the `signals` table: [from, to) in UTC.
struct MonthlyPartition {
    std::string name;  // signals_yYYYYmMM
    std::chrono::sys_days from;
    std::chrono::sys_days to;

    bool operator==(const MonthlyPartition&) const = default;
};

// `signals_y2024m01` for January 2024.
std::string partition_name(std::chrono::year_month month);
// The partition holding `day`.
MonthlyPartition monthly_partition(std::chrono::sys_days day);
// The month of `today` and the `months_ahead` months after it, oldest first.
std::vector<MonthlyPartition> partitions_for(std::chrono::sys_days today, int months_ahead);

// `2024-01-02 03:04:05.678901+00`: a UTC timestamptz literal, exact to the microsecond.
std::string timestamptz_text(std::chrono::sys_time<std::chrono::microseconds> time);

// Creates the monthly partitions of `signals` for the month of `today` and `months_ahead`
// months after it, when missing. Rows already in the DEFAULT partition for such a month
// (Postgres refuses to create a partition that would own them) are moved into the new
// partition in the same transaction, keeping their ids. Serialised between processes with
// an advisory lock; safe to call any number of times. Returns the partitions it created.
// Throws store::Error. Blocking: call it through PgPool::run.
std::vector<std::string> ensure_partitions(pqxx::connection& connection,
                                           std::chrono::sys_days today, int months_ahead = 3);

}  // namespace gs::store
