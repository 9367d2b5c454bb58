#include "goldensignals/webhooks/retry.h"

#include <algorithm>
#include <cmath>

namespace gs::webhooks {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempts, double unit) {
    const int doublings = std::clamp(attempts - 1, 0, 40);
    const double ceiling =
        std::min(static_cast<double>(policy.cap.count()),
                 static_cast<double>(policy.base.count()) * std::ldexp(1.0, doublings));
    const double draw = std::clamp(unit, 0.0, 1.0) * ceiling;
    return std::chrono::milliseconds{static_cast<std::int64_t>(draw)};
}

bool within_age(const RetryPolicy& policy, std::int64_t created_ms, std::int64_t next_ms) {
    return next_ms - created_ms <= policy.max_age.count();
}

}  // namespace gs::webhooks
