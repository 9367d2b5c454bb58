#pragma once

// A share of the compute pool for best-effort work (provisional signals): at most `share` of
// `threads` threads' time, whatever the number of series asking. A virtual schedule (GCRA, the
// leaky bucket as a meter): each reservation is given a start time and moves the schedule on by
// its expected cost divided by the share, so waiting callers wake one at a time, in the order
// they reserved, each at its own slot (no herd re-checking a shared counter). Idle time earns at
// most `burst` of credit. The cost is not known before the work runs: a reservation charges the
// current estimate and settle() corrects the schedule by the measured cost, which also moves the
// estimate (an exponential average). Pure: the caller passes the time and holds any lock.

#include <chrono>

namespace gs::orchestrator {

class ComputeBudget {
  public:
    using Clock = std::chrono::steady_clock;
    using TimePoint = Clock::time_point;
    using Duration = std::chrono::nanoseconds;

    // share in (0, 1]: the fraction of each of `threads` threads; share 0 means no limit.
    ComputeBudget(double share, unsigned threads, Duration burst = std::chrono::milliseconds(100),
                  Duration first_estimate = std::chrono::microseconds(50));

    bool limited() const noexcept { return rate_ > 0.0; }

    // When a unit of work asked for at `now` may start (`now` when within the budget).
    TimePoint reserve(TimePoint now);
    // The reserved work ran and took `cost` (of one thread's time).
    void settle(Duration cost);
    // The reserved work did not run: its charge is given back.
    void refund();

    Duration estimate() const noexcept { return estimate_; }

  private:
    Duration scaled(Duration cost) const;

    double rate_;  // threads' seconds of work per second of time
    Duration burst_;
    Duration estimate_;
    TimePoint next_{};  // the schedule: the earliest start of the next reservation
};

}  // namespace gs::orchestrator
