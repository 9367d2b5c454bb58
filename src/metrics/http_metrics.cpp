#include "goldensignals/metrics/http_metrics.h"

#include <fmt/format.h>

namespace gs::metrics {

HttpMetrics::HttpMetrics(std::vector<RouteLabel> route_labels) : labels_(std::move(route_labels)) {
    labels_.push_back({"other", "unmatched"});
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
                               "gs_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} "
                               "{}\n",
                               escape_label(labels_[r].method), escape_label(labels_[r].route), s,
                               stats->latency.count());
            }
        }
    }
    out += "# HELP gs_http_request_duration_seconds Time from request head to response written.\n";
    out += "# TYPE gs_http_request_duration_seconds histogram\n";
    for (std::size_t r = 0; r < labels_.size(); ++r) {
        for (unsigned s = 0; s < kMaxStatus; ++s) {
            const StatusStats* stats = routes_[r].by_status[s].load(std::memory_order_acquire);
            if (stats != nullptr) {
                stats->latency.render(out, "gs_http_request_duration_seconds",
                                      fmt::format("method=\"{}\",route=\"{}\",status=\"{}\"",
                                                  escape_label(labels_[r].method),
                                                  escape_label(labels_[r].route), s));
            }
        }
    }
    out += "# HELP gs_http_open_connections Client connections open now.\n";
    out += "# TYPE gs_http_open_connections gauge\n";
    fmt::format_to(std::back_inserter(out), "gs_http_open_connections {}\n", open_connections());
    out +=
        "# HELP gs_http_connections_reused_total Idle connections closed at the connection cap "
        "to make room for a new one.\n";
    out += "# TYPE gs_http_connections_reused_total counter\n";
    fmt::format_to(std::back_inserter(out), "gs_http_connections_reused_total {}\n",
                   reused_connections_.load(std::memory_order_relaxed));
    out +=
        "# HELP gs_http_connections_refused_total New connections refused (503) at the "
        "connection cap with no idle connection to close.\n";
    out += "# TYPE gs_http_connections_refused_total counter\n";
    fmt::format_to(std::back_inserter(out), "gs_http_connections_refused_total {}\n",
                   refused_connections_.load(std::memory_order_relaxed));
    out += "# HELP gs_http_accept_failures_total accept() errors (e.g. out of descriptors).\n";
    out += "# TYPE gs_http_accept_failures_total counter\n";
    fmt::format_to(std::back_inserter(out), "gs_http_accept_failures_total {}\n",
                   accept_failures_.load(std::memory_order_relaxed));
}

}  // namespace gs::metrics
