#include "goldensignals/orchestrator/compute_budget.h"

#include <algorithm>
#include <stdexcept>

namespace gs::orchestrator {

ComputeBudget::ComputeBudget(double share, unsigned threads, Duration burst,
                             Duration first_estimate)
    : rate_(share * static_cast<double>(threads)), burst_(burst), estimate_(first_estimate) {
    if (share < 0.0 || share > 1.0) {
        throw std::invalid_argument("a compute budget's share is in [0, 1]");
    }
}

ComputeBudget::Duration ComputeBudget::scaled(Duration cost) const {
    return Duration(static_cast<Duration::rep>(static_cast<double>(cost.count()) / rate_));
}

ComputeBudget::TimePoint ComputeBudget::reserve(TimePoint now) {
    if (!limited()) {
        return now;
    }
    // Credit for idle time, but no more than the burst.
    next_ = std::max(next_, now - burst_);
    const TimePoint start = std::max(now, next_);
    next_ += scaled(estimate_);
    return start;
}

void ComputeBudget::settle(Duration cost) {
    if (!limited()) {
        return;
    }
    next_ += scaled(cost) - scaled(estimate_);
    // 1/8 of the way to the newest cost: steady under jitter, a few runs to follow a change.
    estimate_ += (cost - estimate_) / 8;
}

void ComputeBudget::refund() {
    if (limited()) {
        next_ -= scaled(estimate_);
    }
}

}  // namespace gs::orchestrator
