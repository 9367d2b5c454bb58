#include "goldensignals/store/partitions.h"

#include <fmt/format.h>
#include <pqxx/result>
#include <pqxx/transaction>

#include "goldensignals/store/error.h"
#include "store/log.h"

namespace gs::store {

namespace {

// pg_advisory_xact_lock key of partition maintenance ("gspartit" in ASCII).
constexpr std::int64_t kPartitionLockKey = 0x6773706172746974;

}  // namespace

std::string partition_name(std::chrono::year_month month, std::string_view table) {
    return fmt::format("{}_y{:04d}m{:02d}", table, static_cast<int>(month.year()),
                       static_cast<unsigned>(month.month()));
}

MonthlyPartition monthly_partition(std::chrono::sys_days day, std::string_view table) {
    using namespace std::chrono;
    const year_month_day date{day};
    const year_month month{date.year(), date.month()};
    return {partition_name(month, table), sys_days{month / 1}, sys_days{(month + months{1}) / 1}};
}

std::vector<MonthlyPartition> partitions_for(std::chrono::sys_days today, int months_ahead,
                                             std::string_view table) {
    using namespace std::chrono;
    std::vector<MonthlyPartition> result;
    const year_month_day date{today};
    const year_month first{date.year(), date.month()};
    for (int i = 0; i <= std::max(0, months_ahead); ++i) {
        result.push_back(monthly_partition(sys_days{(first + months{i}) / 1}, table));
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
                                           std::chrono::sys_days today, int months_ahead,
                                           const PartitionedTable& table) {
    std::vector<std::string> created;
    const std::string name(table.table);
    const std::string key(table.key);
    const std::string columns(table.columns);
    try {
        pqxx::work tx(connection);
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", kPartitionLockKey);
        const auto default_row = tx.exec_params1(
            "SELECT coalesce((SELECT partdefid::regclass::text FROM pg_partitioned_table"
            " WHERE partrelid = $1::regclass AND partdefid <> 0), '')",
            name);
        const std::string default_partition = default_row[0].as<std::string>();
        if (!default_partition.empty()) {
            // Creating a partition scans DEFAULT under this lock anyway; taking it first keeps
            // inserts from landing there between the check and the CREATE.
            tx.exec0("LOCK TABLE " + default_partition + " IN ACCESS EXCLUSIVE MODE");
        }
        for (const auto& partition : partitions_for(today, months_ahead, name)) {
            const auto state = tx.exec_params1(
                "SELECT to_regclass($1) IS NOT NULL, EXISTS (SELECT 1 FROM pg_inherits"
                " WHERE inhparent = $2::regclass AND inhrelid = to_regclass($1))",
                partition.name, name);
            if (state[1].as<bool>()) {
                continue;
            }
            if (state[0].as<bool>()) {
                throw Error(ErrorKind::kInternal, "table " + partition.name +
                                                      " exists but is not a partition of " + name);
            }
            // DDL takes no parameters: the bounds are our own dates, quoted by libpq.
            const std::string from = timestamptz_text(partition.from);
            const std::string to = timestamptz_text(partition.to);
            const std::string create = "CREATE TABLE " + tx.quote_name(partition.name) +
                                       " PARTITION OF " + name + " FOR VALUES FROM (" +
                                       tx.quote(from) + ") TO (" + tx.quote(to) + ")";
            std::int64_t moved = 0;
            if (!default_partition.empty()) {
                moved =
                    tx.exec_params1("SELECT count(*) FROM " + default_partition + " WHERE " + key +
                                        " >= $1::timestamptz AND " + key + " < $2::timestamptz",
                                    from, to)[0]
                        .as<std::int64_t>();
            }
            if (moved == 0) {
                tx.exec0(create);
            } else {
                const std::string moving = "gs_moving_" + name;
                tx.exec0("CREATE TEMP TABLE " + moving + " (LIKE " + name + ") ON COMMIT DROP");
                tx.exec_params0("WITH moved AS (DELETE FROM " + default_partition + " WHERE " +
                                    key + " >= $1::timestamptz AND " + key +
                                    " < $2::timestamptz RETURNING " + columns + ") INSERT INTO " +
                                    moving + " (" + columns + ") SELECT " + columns + " FROM moved",
                                from, to);
                tx.exec0(create);
                tx.exec0("INSERT INTO " + name + " (" + columns +
                         ") OVERRIDING SYSTEM VALUE SELECT " + columns + " FROM " + moving);
                tx.exec0("DROP TABLE " + moving);
                logger()->info("moved {} rows from {} into new partition {}", moved,
                               default_partition, partition.name);
            }
            created.push_back(partition.name);
        }
        tx.commit();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw to_store_error(e);
    }
    for (const auto& partition : created) {
        logger()->info("created partition {}", partition);
    }
    return created;
}

}  // namespace gs::store
