#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "goldensignals/feed/live_feed.h"
#include "goldensignals/orchestrator/ingest_service.h"

namespace gs::orchestrator {

// Where a live feed's bars go in the service: closed bars through IngestService (the path of a
// posted bar: store, recompute, cache, publish); forming bars to a hook (the service hands them
// to ProvisionalService::offer: provisional signals, docs/rollup.md).
class LiveFeedSink final : public feed::FeedSink {
  public:
    using FormingHook = std::function<void(const feed::BarEvent&)>;

    explicit LiveFeedSink(IngestService& ingest, FormingHook forming = {})
        : ingest_(ingest), forming_hook_(std::move(forming)) {}

    boost::asio::awaitable<void> on_bar(feed::BarEvent event) override;
    void on_status(std::string_view feed, feed::FeedStatus status,
                   std::string_view detail) override;

    std::uint64_t ingested() const noexcept { return ingested_.load(std::memory_order_relaxed); }
    std::uint64_t forming() const noexcept { return forming_.load(std::memory_order_relaxed); }
    std::uint64_t failed() const noexcept { return failed_.load(std::memory_order_relaxed); }

    void render_metrics(std::string& out, std::string_view feed) const;

  private:
    IngestService& ingest_;
    FormingHook forming_hook_;
    std::atomic<std::uint64_t> ingested_{0};
    std::atomic<std::uint64_t> forming_{0};
    std::atomic<std::uint64_t> failed_{0};
};

}  // namespace gs::orchestrator
