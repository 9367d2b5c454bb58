#include "goldensignals/metrics/http_metrics.h"

#include <fmt/format.h>

namespace gs::metrics {

HttpMetrics::HttpMetrics(std::vector<std::string> route_labels) : labels_(std::move(route_labels)) {
    labels_.emplace_back("unmatched");
    routes_ = std::make_unique<RouteStats[]>(labels_.size());
}

HttpMetrics::~HttpMetrics() {
    for (std::size_t r = 0; r < labels_.size(); ++r) {
        for (auto& slot : routes_[r].by_status) {
            delete slot.load(std::memory_order_relaxed);
        }
    }
}

void HttpMetrics::record(std::size_t route, unsigned status,
                         std::chrono::nanoseconds elapsed) noexcept {
    if (route >= labels_.size()) {
        route = unmatched_route();
    }
    if (status >= kMaxStatus) {
        status = 500;
    }
    auto& slot = routes_[route].by_status[status];
    StatusStats* stats = slot.load(std::memory_order_acquire);
    if (stats == nullptr) {
        // First request with this status on this route: publish a new slot; a racing thread
        // that loses the exchange frees its copy and uses the winner's.
        auto* fresh = new (std::nothrow) StatusStats();
        if (fresh == nullptr) {
            return;
        }
        if (slot.compare_exchange_strong(stats, fresh, std::memory_order_acq_rel)) {
            stats = fresh;
        } else {
            delete fresh;
        }
    }
    stats->latency.observe(elapsed);
}

void HttpMetrics::render(std::string& out) const {
    out += "# HELP gs_http_requests_total HTTP requests answered, by route and status.\n";
    out += "# TYPE gs_http_requests_total counter\n";
    for (std::size_t r = 0; r < labels_.size(); ++r) {
        for (unsigned s = 0; s < kMaxStatus; ++s) {
            const StatusStats* stats = routes_[r].by_status[s].load(std::memory_order_acquire);
            if (stats != nullptr) {
                fmt::format_to(std::back_inserter(out),
                               "gs_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                               escape_label(labels_[r]), s, stats->latency.count());
            }
        }
    }
    out += "# HELP gs_http_request_duration_seconds Time from request head to response written.\n";
    out += "# TYPE gs_http_request_duration_seconds histogram\n";
    for (std::size_t r = 0; r < labels_.size(); ++r) {
        for (unsigned s = 0; s < kMaxStatus; ++s) {
            const StatusStats* stats = routes_[r].by_status[s].load(std::memory_order_acquire);
            if (stats != nullptr) {
                stats->latency.render(
                    out, "gs_http_request_duration_seconds",
                    fmt::format("route=\"{}\",status=\"{}\"", escape_label(labels_[r]), s));
            }
        }
    }
    out += "# HELP gs_http_open_connections Client connections open now.\n";
    out += "# TYPE gs_http_open_connections gauge\n";
    fmt::format_to(std::back_inserter(out), "gs_http_open_connections {}\n", open_connections());
}

}  // namespace gs::metrics
