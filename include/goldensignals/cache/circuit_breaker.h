#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace gs::cache {

// Keeps a failing dependency from costing a timeout on every request: after `threshold`
// consecutive failures it opens and callers skip the dependency; every `probe_interval` one
// caller is let through as a probe, and a success closes it again.
class CircuitBreaker final {
  public:
    using Clock = std::chrono::steady_clock;

    CircuitBreaker(int threshold, std::chrono::milliseconds probe_interval)
        : threshold_(threshold), probe_interval_(probe_interval) {}

    // True when the caller may use the dependency now (closed, or this caller is the probe).
    bool allow(Clock::time_point now = Clock::now()) {
        std::lock_guard lock(mutex_);
        if (failures_ < threshold_) {
            return true;
        }
        if (now >= next_probe_) {
            next_probe_ = now + probe_interval_;
            return true;
        }
        return false;
    }
    void success() {
        std::lock_guard lock(mutex_);
        failures_ = 0;
    }
    void failure(Clock::time_point now = Clock::now()) {
        std::lock_guard lock(mutex_);
        if (++failures_ == threshold_) {
            next_probe_ = now + probe_interval_;
        }
    }
    bool open() const {
        std::lock_guard lock(mutex_);
        return failures_ >= threshold_;
    }

  private:
    mutable std::mutex mutex_;
    const int threshold_;
    const std::chrono::milliseconds probe_interval_;
    int failures_ = 0;
    Clock::time_point next_probe_{};
};

}  // namespace gs::cache
