#include <chrono>

#include <gtest/gtest.h>

#include "goldensignals/orchestrator/compute_budget.h"

namespace gs::orchestrator {
namespace {

using namespace std::chrono_literals;
using TimePoint = ComputeBudget::TimePoint;

const TimePoint kStart = TimePoint(std::chrono::hours(10));

TEST(ComputeBudgetTest, NoShareMeansNoWait) {
    ComputeBudget budget(0.0, 4);
    EXPECT_FALSE(budget.limited());
    for (int i = 0; i < 1000; ++i) {
        EXPECT_EQ(budget.reserve(kStart), kStart);
        budget.settle(1ms);
    }
}

TEST(ComputeBudgetTest, TheBurstRunsAtOnceThenOneSlotPerCostOverShare) {
    // 10 % of one thread, 100 ms of credit, each unit estimated at 1 ms: a unit every 10 ms,
    // after the one due now and 10 units' worth of credit (100 ms / 10 ms).
    ComputeBudget budget(0.1, 1, 100ms, 1ms);
    for (int i = 0; i < 11; ++i) {
        EXPECT_EQ(budget.reserve(kStart), kStart) << i;
    }
    EXPECT_EQ(budget.reserve(kStart), kStart + 10ms);
    EXPECT_EQ(budget.reserve(kStart), kStart + 20ms);
    EXPECT_EQ(budget.reserve(kStart), kStart + 30ms);
}

TEST(ComputeBudgetTest, ThreadsMultiplyTheRate) {
    // 10 % of 4 threads = 0.4 thread: a 1 ms unit every 2.5 ms once the credit is spent.
    ComputeBudget budget(0.1, 4, 0ms, 1ms);
    EXPECT_EQ(budget.reserve(kStart), kStart);
    EXPECT_EQ(budget.reserve(kStart), kStart + 2500us);
    EXPECT_EQ(budget.reserve(kStart), kStart + 5000us);
}

TEST(ComputeBudgetTest, IdleTimeEarnsNoMoreThanTheBurst) {
    ComputeBudget budget(0.5, 1, 4ms, 1ms);  // a 1 ms unit per 2 ms; 2 units of credit
    const TimePoint later = kStart + std::chrono::hours(1);
    EXPECT_EQ(budget.reserve(later), later);
    EXPECT_EQ(budget.reserve(later), later);
    EXPECT_EQ(budget.reserve(later), later);  // 4 ms of credit: two units, and the one due now
    EXPECT_EQ(budget.reserve(later), later + 2ms);
}

TEST(ComputeBudgetTest, SettlingChargesTheMeasuredCostAndMovesTheEstimate) {
    ComputeBudget budget(0.5, 1, 0ms, 1ms);
    EXPECT_EQ(budget.reserve(kStart), kStart);  // charged 1 ms / 0.5 = 2 ms
    budget.settle(3ms);                         // cost 3 ms: 6 ms of schedule, not 2
    EXPECT_EQ(budget.estimate(), 1250us);       // 1/8 of the way from 1 ms to 3 ms
    // The next start is kStart + 6 ms.
    EXPECT_EQ(budget.reserve(kStart), kStart + 6ms);
}

TEST(ComputeBudgetTest, ARefundGivesTheSlotBack) {
    ComputeBudget budget(0.5, 1, 0ms, 1ms);
    EXPECT_EQ(budget.reserve(kStart), kStart);
    EXPECT_EQ(budget.reserve(kStart), kStart + 2ms);
    budget.refund();  // the second did not run
    EXPECT_EQ(budget.reserve(kStart), kStart + 2ms);
}

TEST(ComputeBudgetTest, RefusesAShareOutsideZeroToOne) {
    EXPECT_THROW(ComputeBudget(1.5, 1), std::invalid_argument);
    EXPECT_THROW(ComputeBudget(-0.1, 1), std::invalid_argument);
}

}  // namespace
}  // namespace gs::orchestrator
