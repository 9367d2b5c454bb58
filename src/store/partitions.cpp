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

constexpr const char* kSignalColumns =
    "id, created_at, as_of, computed_at, score, confidence, bars_used, action, strength, "
    "registry_id, symbol, timeframe, config_version, summary, agents";

}  // namespace

std::string partition_name(std::chrono::year_month month) {
    return fmt::format("signals_y{:04d}m{:02d}", static_cast<int>(month.year()),
                       static_cast<unsigned>(month.month()));
}

MonthlyPartition monthly_partition(std::chrono::sys_days day) {
    using namespace std::chrono;
    const year_month_day date{day};
    const year_month month{date.year(), date.month()};
    return {partition_name(month), sys_days{month / 1}, sys_days{(month + months{1}) / 1}};
}

std::vector<MonthlyPartition> partitions_for(std::chrono::sys_days today, int months_ahead) {
    using namespace std::chrono;
    std::vector<MonthlyPartition> result;
    const year_month_day date{today};
    const year_month first{date.year(), date.month()};
    for (int i = 0; i <= std::max(0, months_ahead); ++i) {
        result.push_back(monthly_partition(sys_days{(first + months{i}) / 1}));
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
    std::vector<std::string> created;
    try {
        pqxx::work tx(connection);
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", kPartitionLockKey);
        const auto default_row = tx.exec1(
            "SELECT coalesce((SELECT partdefid::regclass::text FROM pg_partitioned_table"
            " WHERE partrelid = 'signals'::regclass AND partdefid <> 0), '')");
        const std::string default_partition = default_row[0].as<std::string>();
        if (!default_partition.empty()) {
            // Creating a partition scans DEFAULT under this lock anyway; taking it first keeps
            // inserts from landing there between the check and the CREATE.
            tx.exec0("LOCK TABLE " + default_partition + " IN ACCESS EXCLUSIVE MODE");
        }
        for (const auto& partition : partitions_for(today, months_ahead)) {
            const auto state = tx.exec_params1(
                "SELECT to_regclass($1) IS NOT NULL, EXISTS (SELECT 1 FROM pg_inherits"
                " WHERE inhparent = 'signals'::regclass AND inhrelid = to_regclass($1))",
                partition.name);
            if (state[1].as<bool>()) {
                continue;
            }
            if (state[0].as<bool>()) {
                throw Error(ErrorKind::kInternal, "table " + partition.name +
                                                      " exists but is not a partition of signals");
            }
            // DDL takes no parameters: the bounds are our own dates, quoted by libpq.
            const std::string from = timestamptz_text(partition.from);
            const std::string to = timestamptz_text(partition.to);
            const std::string create = "CREATE TABLE " + tx.quote_name(partition.name) +
                                       " PARTITION OF signals FOR VALUES FROM (" + tx.quote(from) +
                                       ") TO (" + tx.quote(to) + ")";
            std::int64_t moved = 0;
            if (!default_partition.empty()) {
                moved = tx.exec_params1("SELECT count(*) FROM " + default_partition +
                                            " WHERE created_at >= $1::timestamptz"
                                            " AND created_at < $2::timestamptz",
                                        from, to)[0]
                            .as<std::int64_t>();
            }
            if (moved == 0) {
                tx.exec0(create);
            } else {
                tx.exec0("CREATE TEMP TABLE gs_moving_signals (LIKE signals) ON COMMIT DROP");
                tx.exec_params0(std::string("WITH moved AS (DELETE FROM ") + default_partition +
                                    " WHERE created_at >= $1::timestamptz AND created_at <"
                                    " $2::timestamptz RETURNING " +
                                    kSignalColumns + ") INSERT INTO gs_moving_signals (" +
                                    kSignalColumns + ") SELECT " + kSignalColumns + " FROM moved",
                                from, to);
                tx.exec0(create);
                tx.exec0(std::string("INSERT INTO signals (") + kSignalColumns +
                         ") OVERRIDING SYSTEM VALUE SELECT " + kSignalColumns +
                         " FROM gs_moving_signals");
                tx.exec0("DROP TABLE gs_moving_signals");
                logger()->info("moved {} signals from {} into new partition {}", moved,
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
    for (const auto& name : created) {
        logger()->info("created partition {}", name);
    }
    return created;
}

}  // namespace gs::store
