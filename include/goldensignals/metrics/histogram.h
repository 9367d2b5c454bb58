#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace gs::metrics {

// Latency buckets in seconds, 100 us to 10 s: a cached read lands in the first ones, a
// Postgres round trip in the middle, a stuck dependency at the end.
inline constexpr std::array<double, 16> kLatencyBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};

// A lock-free Prometheus histogram with the fixed latency buckets.
class Histogram final {
  public:
    void observe(std::chrono::nanoseconds elapsed) noexcept;

    // Appends `name_bucket{labels,le=...}`, `name_sum` and `name_count` lines.
    // `labels` is either empty or `key="value",...` without braces.
    void render(std::string& out, std::string_view name, std::string_view labels) const;

    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

  private:
    // counts_[i] holds observations in (bucket[i-1], bucket[i]]; the last is +Inf.
    std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> counts_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_ns_{0};
};

// Escapes a label value for the Prometheus text format.
std::string escape_label(std::string_view value);

}  // namespace gs::metrics
