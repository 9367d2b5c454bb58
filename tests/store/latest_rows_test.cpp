// store::latest_rows: which rows of a batch the latest_signals upsert keeps, and so which
// rows send their body to PostgreSQL.
#include <gtest/gtest.h>

#include "goldensignals/store/pg_signal_store.h"

namespace gs::store {
namespace {

SignalRow row(const std::string& symbol, std::int64_t as_of,
              market::Timeframe timeframe = market::Timeframe::k1d) {
    SignalRow out;
    out.symbol = symbol;
    out.timeframe = timeframe;
    out.as_of = as_of;
    return out;
}

TEST(SignalStoreLatestRowsTest, NewestAsOfPerSeriesWhateverTheOrder) {
    const std::vector<SignalRow> rows{row("A", 1), row("B", 7), row("A", 3), row("A", 2),
                                      row("B", 5)};
    EXPECT_EQ(latest_rows(rows), (std::vector<bool>{false, true, true, false, false}));
}

TEST(SignalStoreLatestRowsTest, AmongEqualAsOfTheLaterRowWins) {
    // As the upsert's ORDER BY as_of DESC, seq DESC: the later computation of the same bars.
    const std::vector<SignalRow> rows{row("A", 5), row("A", 5), row("A", 4)};
    EXPECT_EQ(latest_rows(rows), (std::vector<bool>{false, true, false}));
}

TEST(SignalStoreLatestRowsTest, TimeframesAreSeriesOfTheirOwn) {
    const std::vector<SignalRow> rows{row("A", 9, market::Timeframe::k1h), row("A", 5),
                                      row("A", 8, market::Timeframe::k1h)};
    EXPECT_EQ(latest_rows(rows), (std::vector<bool>{true, true, false}));
}

// A superseded row (its body released in the queue) is never the latest; a series whose rows
// in the batch all are gets no upsert from this batch.
TEST(SignalStoreLatestRowsTest, SupersededRowsAreNeverTheLatest) {
    std::vector<SignalRow> rows{row("A", 1), row("A", 2), row("B", 3)};
    rows[1].superseded = true;
    rows[2].superseded = true;
    EXPECT_EQ(latest_rows(rows), (std::vector<bool>{true, false, false}));
}

TEST(SignalStoreLatestRowsTest, EmptyAndSingle) {
    EXPECT_TRUE(latest_rows({}).empty());
    const std::vector<SignalRow> one{row("A", 1)};
    EXPECT_EQ(latest_rows(one), std::vector<bool>{true});
}

}  // namespace
}  // namespace gs::store
