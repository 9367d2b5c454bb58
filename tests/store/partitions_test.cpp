#include "goldensignals/store/partitions.h"

#include <gtest/gtest.h>

namespace gs::store {
namespace {

using namespace std::chrono;

TEST(PartitionsTest, NamesPartitionAfterYearAndZeroPaddedMonth) {
    EXPECT_EQ(partition_name(year{2024} / January), "signals_y2024m01");
    EXPECT_EQ(partition_name(year{2031} / December), "signals_y2031m12");
}

TEST(PartitionsTest, MonthlyPartitionCoversTheWholeMonthOfTheDay) {
    const auto partition = monthly_partition(sys_days{year{2024} / February / 29});
    EXPECT_EQ(partition.name, "signals_y2024m02");
    EXPECT_EQ(partition.from, sys_days{year{2024} / February / 1});
    EXPECT_EQ(partition.to, sys_days{year{2024} / March / 1});
}

TEST(PartitionsTest, CurrentMonthAndThreeAheadCrossTheYearEnd) {
    const auto partitions = partitions_for(sys_days{year{2024} / November / 30}, 3);
    ASSERT_EQ(partitions.size(), 4u);
    EXPECT_EQ(partitions[0].name, "signals_y2024m11");
    EXPECT_EQ(partitions[1].name, "signals_y2024m12");
    EXPECT_EQ(partitions[2].name, "signals_y2025m01");
    EXPECT_EQ(partitions[3].name, "signals_y2025m02");
    // Ranges are contiguous: each month starts where the one before ends.
    for (std::size_t i = 1; i < partitions.size(); ++i) {
        EXPECT_EQ(partitions[i].from, partitions[i - 1].to);
    }
    EXPECT_EQ(partitions[3].to, sys_days{year{2025} / March / 1});
}

TEST(PartitionsTest, ZeroMonthsAheadGivesOnlyTheCurrentMonth) {
    const auto partitions = partitions_for(sys_days{year{2030} / July / 4}, 0);
    ASSERT_EQ(partitions.size(), 1u);
    EXPECT_EQ(partitions[0].name, "signals_y2030m07");
}

TEST(PartitionsTest, TimestamptzTextIsUtcToTheMicrosecond) {
    EXPECT_EQ(timestamptz_text(sys_days{year{2024} / January / 1}),
              "2024-01-01 00:00:00.000000+00");
    const auto time = sys_days{year{2024} / March / 5} + hours{7} + minutes{8} + seconds{9} +
                      microseconds{123'456};
    EXPECT_EQ(timestamptz_text(time), "2024-03-05 07:08:09.123456+00");
    EXPECT_EQ(timestamptz_text(sys_time<microseconds>{microseconds{1}}),
              "1970-01-01 00:00:00.000001+00");
}

TEST(PartitionsTest, BarsAreMonthlyUpToAnHourAndYearlyBeyond) {
    const auto day = sys_days{year{2026} / December / 31};
    EXPECT_EQ(range_partition(bars_table(market::Timeframe::k1m), day).name, "bars_1m_y2026m12");
    EXPECT_EQ(range_partition(bars_table(market::Timeframe::k1h), day).name, "bars_1h_y2026m12");
    const auto yearly = range_partition(bars_table(market::Timeframe::k1d), day);
    EXPECT_EQ(yearly.name, "bars_1d_y2026");
    EXPECT_EQ(yearly.from, sys_days{year{2026} / January / 1});
    EXPECT_EQ(yearly.to, sys_days{year{2027} / January / 1});
    EXPECT_EQ(range_partition(bars_table(market::Timeframe::k4h), day).name, "bars_4h_y2026");
    EXPECT_EQ(range_partition(bars_table(market::Timeframe::k1w), day).name, "bars_1w_y2026");
    EXPECT_EQ(bars_table(market::Timeframe::k15m).parent, "bars_15m");
    EXPECT_EQ(bars_table(market::Timeframe::k15m).column, "time");
}

TEST(PartitionsTest, YearlyTablesAheadAreTheYearsTheMonthsFallIn) {
    const auto& daily = bars_table(market::Timeframe::k1d);
    auto partitions = range_partitions_for(daily, sys_days{year{2026} / November / 15}, 3);
    ASSERT_EQ(partitions.size(), 2u);
    EXPECT_EQ(partitions[0].name, "bars_1d_y2026");
    EXPECT_EQ(partitions[1].name, "bars_1d_y2027");
    partitions = range_partitions_for(daily, sys_days{year{2026} / March / 15}, 3);
    ASSERT_EQ(partitions.size(), 1u);
    EXPECT_EQ(partitions[0].name, "bars_1d_y2026");
}

TEST(PartitionsTest, EveryTableIsListedOnceSignalsFirst) {
    const auto tables = all_partitioned_tables();
    ASSERT_EQ(tables.size(), 2u + market::kAllTimeframes.size());
    EXPECT_EQ(tables.front()->parent, "signals");
    EXPECT_EQ(tables.front()->column, "created_at");
    EXPECT_EQ(tables[1], &live_calls_table());
    EXPECT_EQ(tables.back()->parent, "bars_1w");
}

TEST(PartitionsTest, LiveCallsAreMonthlyOnScoredAt) {
    const auto& table = live_calls_table();
    EXPECT_EQ(table.parent, "live_calls");
    EXPECT_EQ(table.column, "scored_at");
    EXPECT_EQ(table.label, "live_calls");
    const auto partition = range_partition(table, sys_days{year{2024} / February / 29});
    EXPECT_EQ(partition.name, "live_calls_y2024m02");
    EXPECT_EQ(partition.from, sys_days{year{2024} / February / 1});
    EXPECT_EQ(partition.to, sys_days{year{2024} / March / 1});
}

}  // namespace
}  // namespace gs::store
