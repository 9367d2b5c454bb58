#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "goldensignals/metrics/histogram.h"

namespace gs::metrics {

// Request counts and latency by route and status, and open connections.
// Routes are fixed at start; the slot past the last route is "unmatched".
class HttpMetrics final {
  public:
    explicit HttpMetrics(std::vector<std::string> route_labels);
    ~HttpMetrics();
    HttpMetrics(const HttpMetrics&) = delete;
    HttpMetrics& operator=(const HttpMetrics&) = delete;

    std::size_t unmatched_route() const noexcept { return labels_.size() - 1; }

    void record(std::size_t route, unsigned status, std::chrono::nanoseconds elapsed) noexcept;

    void connection_opened() noexcept { open_connections_.fetch_add(1, std::memory_order_relaxed); }
    void connection_closed() noexcept { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
    std::int64_t open_connections() const noexcept {
        return open_connections_.load(std::memory_order_relaxed);
    }

    void render(std::string& out) const;

  private:
    static constexpr unsigned kMaxStatus = 600;
    struct StatusStats {
        Histogram latency;
    };
    struct RouteStats {
        std::array<std::atomic<StatusStats*>, kMaxStatus> by_status{};
    };

    std::vector<std::string> labels_;
    std::unique_ptr<RouteStats[]> routes_;
    std::atomic<std::int64_t> open_connections_{0};
};

}  // namespace gs::metrics
