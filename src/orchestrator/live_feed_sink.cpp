#include "goldensignals/orchestrator/live_feed_sink.h"

#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "goldensignals/metrics/histogram.h"

namespace gs::orchestrator {

boost::asio::awaitable<void> LiveFeedSink::on_bar(feed::BarEvent event) {
    if (!event.final) {
        forming_.fetch_add(1, std::memory_order_relaxed);
        if (forming_hook_) {
            forming_hook_(event);
        }
        co_return;
    }
    std::vector<market::Bar> bars{event.bar};
    try {
        co_await ingest_.ingest(event.symbol, event.timeframe, std::move(bars));
        ingested_.fetch_add(1, std::memory_order_relaxed);
    } catch (const std::exception& e) {
        // The durable store is away or the series limit is reached: the bar is lost to this
        // instance (the feed does not replay it); counted and logged.
        if (failed_.fetch_add(1, std::memory_order_relaxed) % 1000 == 0) {
            spdlog::warn("feed bar {} {} at {} not stored: {}", event.symbol,
                         market::to_string(event.timeframe), event.bar.time, e.what());
        }
    }
}

void LiveFeedSink::on_status(std::string_view, feed::FeedStatus, std::string_view) {
    // The feed logs its own transitions and exposes gs_feed_connected; nothing else to do yet.
}

void LiveFeedSink::render_metrics(std::string& out, std::string_view feed) const {
    const std::string label = metrics::escape_label(feed);
    out += "# HELP gs_feed_ingested_bars_total Closed feed bars stored through ingestion.\n";
    out += "# TYPE gs_feed_ingested_bars_total counter\n";
    out += fmt::format("gs_feed_ingested_bars_total{{feed=\"{}\"}} {}\n", label, ingested());
    out += "# HELP gs_feed_forming_bars_total Forming feed bars handed to the forming hook.\n";
    out += "# TYPE gs_feed_forming_bars_total counter\n";
    out += fmt::format("gs_feed_forming_bars_total{{feed=\"{}\"}} {}\n", label, forming());
    out += "# HELP gs_feed_ingest_failures_total Closed feed bars ingestion refused.\n";
    out += "# TYPE gs_feed_ingest_failures_total counter\n";
    out += fmt::format("gs_feed_ingest_failures_total{{feed=\"{}\"}} {}\n", label, failed());
}

}  // namespace gs::orchestrator
