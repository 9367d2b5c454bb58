#pragma once

#include <chrono>
#include <cstdint>

namespace gs::webhooks {

struct RetryPolicy {
    // The ceiling of the first retry's delay; it doubles with each attempt up to `cap`.
    std::chrono::milliseconds base{1'000};
    std::chrono::milliseconds cap{600'000};
    // An event not delivered this long after it was queued is marked failed.
    std::chrono::milliseconds max_age{std::chrono::hours(24)};
};

// The wait before the next try after `attempts` (>= 1) failed ones: "full jitter" (AWS
// Architecture Blog, "Exponential Backoff And Jitter"), a uniform draw in
// [0, min(cap, base * 2^(attempts-1))]. `unit` is the draw in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempts, double unit);

// Whether an event queued at `created_ms`, retried at `next_ms`, is still within max_age.
bool within_age(const RetryPolicy& policy, std::int64_t created_ms, std::int64_t next_ms);

}  // namespace gs::webhooks
