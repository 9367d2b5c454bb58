#include "goldensignals/feed/feed_metrics.h"

#include <algorithm>

#include <fmt/format.h>

#include "goldensignals/feed/live_feed.h"

namespace gs::feed {

namespace {
constexpr std::array<std::string_view, kMessageKinds> kKindNames = {
    "final", "forming", "duplicate", "malformed", "ping", "other"};
}  // namespace

std::string_view to_string(FeedStatus status) noexcept {
    switch (status) {
        case FeedStatus::kConnecting:
            return "connecting";
        case FeedStatus::kBackfilling:
            return "backfilling";
        case FeedStatus::kLive:
            return "live";
        case FeedStatus::kDisconnected:
            return "disconnected";
        case FeedStatus::kStopped:
            return "stopped";
    }
    return "unknown";
}

void FeedMetrics::observe_lag(std::chrono::nanoseconds lag) noexcept {
    lag_.observe(std::max(lag, std::chrono::nanoseconds(0)));
}

void FeedMetrics::render(std::string& out, std::string_view feed) const {
    const std::string label = metrics::escape_label(feed);
    out += "# HELP gs_feed_messages_total Messages a live feed received, by kind.\n";
    out += "# TYPE gs_feed_messages_total counter\n";
    for (std::size_t i = 0; i < kMessageKinds; ++i) {
        out += fmt::format("gs_feed_messages_total{{feed=\"{}\",kind=\"{}\"}} {}\n", label,
                           kKindNames[i], messages_[i].load(std::memory_order_relaxed));
    }
    out += "# HELP gs_feed_reconnects_total Connections a live feed made after losing one.\n";
    out += "# TYPE gs_feed_reconnects_total counter\n";
    out += fmt::format("gs_feed_reconnects_total{{feed=\"{}\"}} {}\n", label,
                       reconnects.load(std::memory_order_relaxed));
    out += "# HELP gs_feed_backfilled_bars_total Closed bars fetched from history after a gap.\n";
    out += "# TYPE gs_feed_backfilled_bars_total counter\n";
    out += fmt::format("gs_feed_backfilled_bars_total{{feed=\"{}\"}} {}\n", label,
                       backfilled_bars.load(std::memory_order_relaxed));
    out += "# HELP gs_feed_backfill_requests_total History requests a live feed made.\n";
    out += "# TYPE gs_feed_backfill_requests_total counter\n";
    out += fmt::format("gs_feed_backfill_requests_total{{feed=\"{}\"}} {}\n", label,
                       backfill_requests.load(std::memory_order_relaxed));
    out += "# HELP gs_feed_connected 1 while a live feed's stream is connected.\n";
    out += "# TYPE gs_feed_connected gauge\n";
    out += fmt::format("gs_feed_connected{{feed=\"{}\"}} {}\n", label,
                       connected.load(std::memory_order_relaxed) ? 1 : 0);
    out += "# HELP gs_feed_lag_seconds Provider's event time to receipt.\n";
    out += "# TYPE gs_feed_lag_seconds histogram\n";
    lag_.render(out, "gs_feed_lag_seconds", fmt::format("feed=\"{}\"", label));
}

}  // namespace gs::feed
