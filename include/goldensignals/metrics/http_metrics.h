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

// A route as /metrics names it. Two routes may share a pattern (GET and POST
// /v1/bars/{symbol}); the method keeps their series apart.
struct RouteLabel {
    std::string method;
    std::string route;
};

// Request counts and latency by method, route and status, and connections.
// Routes are fixed at start; the slot past the last route is "unmatched".
class HttpMetrics final {
  public:
    explicit HttpMetrics(std::vector<RouteLabel> route_labels);
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
    // At the connection cap: an idle connection closed to make room / a new one refused.
    void connection_reused() noexcept {
        reused_connections_.fetch_add(1, std::memory_order_relaxed);
    }
    void connection_refused() noexcept {
        refused_connections_.fetch_add(1, std::memory_order_relaxed);
    }
    void accept_failed() noexcept { accept_failures_.fetch_add(1, std::memory_order_relaxed); }

    void render(std::string& out) const;

  private:
    static constexpr unsigned kMaxStatus = 600;
    struct StatusStats {
        Histogram latency;
    };
    struct RouteStats {
        std::array<std::atomic<StatusStats*>, kMaxStatus> by_status{};
    };

    std::vector<RouteLabel> labels_;
    std::unique_ptr<RouteStats[]> routes_;
    std::atomic<std::int64_t> open_connections_{0};
    std::atomic<std::uint64_t> reused_connections_{0};
    std::atomic<std::uint64_t> refused_connections_{0};
    std::atomic<std::uint64_t> accept_failures_{0};
};

}  // namespace gs::metrics
