#include "goldensignals/cache/circuit_breaker.h"

#include <gtest/gtest.h>

namespace gs::cache {
namespace {

using namespace std::chrono_literals;
using Clock = CircuitBreaker::Clock;

TEST(CircuitBreakerTest, OpensAfterThresholdAndProbesOncePerInterval) {
    CircuitBreaker breaker(3, 1000ms);
    const auto t0 = Clock::time_point{} + 10s;
    EXPECT_TRUE(breaker.allow(t0));
    breaker.failure(t0);
    breaker.failure(t0);
    EXPECT_TRUE(breaker.allow(t0));
    EXPECT_FALSE(breaker.open());
    breaker.failure(t0);
    EXPECT_TRUE(breaker.open());
    EXPECT_FALSE(breaker.allow(t0 + 10ms));
    EXPECT_FALSE(breaker.allow(t0 + 999ms));
    EXPECT_TRUE(breaker.allow(t0 + 1000ms));   // the probe
    EXPECT_FALSE(breaker.allow(t0 + 1001ms));  // only one per interval
    breaker.failure(t0 + 1001ms);
    EXPECT_FALSE(breaker.allow(t0 + 1500ms));
    EXPECT_TRUE(breaker.allow(t0 + 2000ms));
}

TEST(CircuitBreakerTest, SuccessClosesIt) {
    CircuitBreaker breaker(1, 1000ms);
    const auto t0 = Clock::time_point{} + 10s;
    breaker.failure(t0);
    EXPECT_FALSE(breaker.allow(t0));
    EXPECT_TRUE(breaker.allow(t0 + 1s));
    breaker.success();
    EXPECT_FALSE(breaker.open());
    EXPECT_TRUE(breaker.allow(t0 + 1s));
    EXPECT_TRUE(breaker.allow(t0 + 1s));
}

}  // namespace
}  // namespace gs::cache
