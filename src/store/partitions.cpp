#include "goldensignals/store/partitions.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <pqxx/result>
#include <pqxx/transaction>

#include "goldensignals/store/error.h"
#include "store/log.h"

namespace gs::store {

namespace {

// pg_advisory_xact_lock key of partition maintenance ("gspartit" in ASCII).
constexpr std::int64_t kPartitionLockKey = 0x6773706172746974;

std::array<RangePartitionedTable, market::kAllTimeframes.size()> make_bars_tables() {
    std::array<RangePartitionedTable, market::kAllTimeframes.size()> tables;
    for (std::size_t i = 0; i < tables.size(); ++i) {
        const auto timeframe = market::kAllTimeframes[i];
        const std::string name = "bars_" + std::string(market::to_string(timeframe));
        const bool yearly = market::seconds_of(timeframe) > 3600;
        tables[i] = {name, "time", yearly ? PartitionPeriod::kYear : PartitionPeriod::kMonth, name};
    }
    return tables;
}

}  // namespace

const RangePartitionedTable& signals_table() {
    static const RangePartitionedTable table{"signals", "created_at", PartitionPeriod::kMonth,
                                             "signals"};
    return table;
}

const RangePartitionedTable& live_calls_table() {
    static const RangePartitionedTable table{"live_calls", "scored_at", PartitionPeriod::kMonth,
                                             "live_calls"};
    return table;
}

const RangePartitionedTable& bars_table(market::Timeframe timeframe) {
    static const auto tables = make_bars_tables();
    return tables[static_cast<std::size_t>(timeframe)];
}

std::vector<const RangePartitionedTable*> all_partitioned_tables() {
    std::vector<const RangePartitionedTable*> tables{&signals_table(), &live_calls_table()};
    for (const auto timeframe : market::kAllTimeframes) {
        tables.push_back(&bars_table(timeframe));
    }
    return tables;
}

std::string partition_name(std::chrono::year_month month) {
    return fmt::format("signals_y{:04d}m{:02d}", static_cast<int>(month.year()),
                       static_cast<unsigned>(month.month()));
}

MonthlyPartition monthly_partition(std::chrono::sys_days day) {
    return range_partition(signals_table(), day);
}

std::vector<MonthlyPartition> partitions_for(std::chrono::sys_days today, int months_ahead) {
    return range_partitions_for(signals_table(), today, months_ahead);
}

RangePartition range_partition(const RangePartitionedTable& table, std::chrono::sys_days day) {
    using namespace std::chrono;
    const year_month_day date{day};
    if (table.period == PartitionPeriod::kYear) {
        return {fmt::format("{}_y{:04d}", table.parent, static_cast<int>(date.year())),
                sys_days{date.year() / January / 1},
                sys_days{(date.year() + years{1}) / January / 1}};
    }
    const year_month month{date.year(), date.month()};
    return {fmt::format("{}_y{:04d}m{:02d}", table.parent, static_cast<int>(month.year()),
                        static_cast<unsigned>(month.month())),
            sys_days{month / 1}, sys_days{(month + months{1}) / 1}};
}

std::vector<RangePartition> range_partitions_for(const RangePartitionedTable& table,
                                                 std::chrono::sys_days today, int months_ahead) {
    using namespace std::chrono;
    std::vector<RangePartition> result;
    const year_month_day date{today};
    const year_month first{date.year(), date.month()};
    for (int i = 0; i <= std::max(0, months_ahead); ++i) {
        auto partition = range_partition(table, sys_days{(first + months{i}) / 1});
        if (result.empty() || result.back().name != partition.name) {
            result.push_back(std::move(partition));
        }
    }
    return result;
}

std::string timestamptz_text(std::chrono::sys_time<std::chrono::microseconds> time) {
    using namespace std::chrono;
    const auto day = floor<days>(time);
    const year_month_day date{day};
    const hh_mm_ss<microseconds> clock{time - day};
    return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}.{:06d}+00",
                       static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                       static_cast<unsigned>(date.day()), clock.hours().count(),
                       clock.minutes().count(), clock.seconds().count(),
                       clock.subseconds().count());
}

std::vector<std::string> ensure_partitions(pqxx::connection& connection,
                                           std::chrono::sys_days today, int months_ahead) {
    return ensure_range_partitions(connection, signals_table(), today, months_ahead);
}

std::vector<std::string> ensure_range_partitions(pqxx::connection& connection,
                                                 const RangePartitionedTable& table,
                                                 std::chrono::sys_days today, int months_ahead,
                                                 std::chrono::milliseconds lock_timeout) {
    std::vector<std::string> created;
    with_store_errors([&] {
        pqxx::work tx(connection);
        tx.exec0(fmt::format("SET LOCAL lock_timeout = {}",
                             std::max<std::int64_t>(1, lock_timeout.count())));
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", kPartitionLockKey);
        std::vector<RangePartition> missing;
        for (auto& partition : range_partitions_for(table, today, months_ahead)) {
            const auto state = tx.exec_params1(
                "SELECT to_regclass($1) IS NOT NULL, EXISTS (SELECT 1 FROM pg_inherits"
                " WHERE inhparent = $2::regclass AND inhrelid = to_regclass($1))",
                partition.name, table.parent);
            if (state[1].as<bool>()) {
                continue;
            }
            if (state[0].as<bool>()) {
                throw Error(ErrorKind::kInternal, "table " + partition.name +
                                                      " exists but is not a partition of " +
                                                      table.parent);
            }
            missing.push_back(std::move(partition));
        }
        if (missing.empty()) {
            tx.commit();
            return;
        }
        const std::string parent = tx.quote_name(table.parent);
        const std::string column = tx.quote_name(table.column);
        // Parent first, then DEFAULT: the order in which queries lock them.
        tx.exec0("LOCK TABLE ONLY " + parent + " IN SHARE UPDATE EXCLUSIVE MODE");
        const std::string default_partition =
            tx.exec_params1(
                  "SELECT coalesce((SELECT partdefid::regclass::text FROM"
                  " pg_partitioned_table WHERE partrelid = $1::regclass"
                  " AND partdefid <> 0), '')",
                  table.parent)[0]
                .as<std::string>();
        if (!default_partition.empty()) {
            // ATTACH scans DEFAULT under this lock anyway; taking it first keeps inserts from
            // landing there between the move below and the ATTACH.
            tx.exec0("LOCK TABLE " + default_partition + " IN ACCESS EXCLUSIVE MODE");
        }
        const bool identity = tx.exec_params1(
                                    "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid ="
                                    " $1::regclass AND attidentity <> '' AND NOT attisdropped)",
                                    table.parent)[0]
                                  .as<bool>();
        for (const auto& partition : missing) {
            // DDL takes no parameters: the bounds are our own dates, quoted by libpq.
            const std::string from = timestamptz_text(partition.from);
            const std::string to = timestamptz_text(partition.to);
            const std::string name = tx.quote_name(partition.name);
            std::int64_t moved = 0;
            if (!default_partition.empty()) {
                moved = tx.exec_params1("SELECT count(*) FROM " + default_partition + " WHERE " +
                                            column + " >= $1::timestamptz AND " + column +
                                            " < $2::timestamptz",
                                        from, to)[0]
                            .as<std::int64_t>();
            }
            if (moved > 0) {
                tx.exec0("CREATE TEMP TABLE gs_moving_rows (LIKE " + parent + ") ON COMMIT DROP");
                tx.exec_params0("WITH moved AS (DELETE FROM " + default_partition + " WHERE " +
                                    column + " >= $1::timestamptz AND " + column +
                                    " < $2::timestamptz RETURNING *) INSERT INTO gs_moving_rows"
                                    " SELECT * FROM moved",
                                from, to);
            }
            tx.exec0("CREATE TABLE " + name + " (LIKE " + parent + " INCLUDING CONSTRAINTS)");
            tx.exec0("ALTER TABLE " + parent + " ATTACH PARTITION " + name + " FOR VALUES FROM (" +
                     tx.quote(from) + ") TO (" + tx.quote(to) + ")");
            if (moved > 0) {
                tx.exec0("INSERT INTO " + parent + (identity ? " OVERRIDING SYSTEM VALUE" : "") +
                         " SELECT * FROM gs_moving_rows");
                tx.exec0("DROP TABLE gs_moving_rows");
                logger()->info("moved {} rows from {} into new partition {}", moved,
                               default_partition, partition.name);
            }
            created.push_back(partition.name);
        }
        tx.commit();
    });
    for (const auto& name : created) {
        logger()->info("created partition {}", name);
    }
    return created;
}

std::vector<std::string> ensure_all_partitions(pqxx::connection& connection,
                                               std::chrono::sys_days today, int months_ahead) {
    std::vector<std::string> created;
    for (const auto* table : all_partitioned_tables()) {
        auto some = ensure_range_partitions(connection, *table, today, months_ahead);
        created.insert(created.end(), some.begin(), some.end());
    }
    return created;
}

}  // namespace gs::store
