#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "goldensignals/metrics/histogram.h"

namespace gs::feed {

// What a live feed received, by kind of message.
enum class MessageKind : std::uint8_t {
    kFinal,      // a closed bar, delivered
    kForming,    // a bar still forming, delivered
    kDuplicate,  // a closed bar already delivered (skipped)
    kMalformed,  // not parsable or not a valid bar (skipped, logged at debug)
    kPing,       // a ping from the provider (answered with a pong)
    kOther,      // anything else the provider sends (subscription replies), ignored
};
inline constexpr std::size_t kMessageKinds = 6;

// Counters every live feed keeps, rendered with its name as the `feed` label.
class FeedMetrics final {
  public:
    void count(MessageKind kind) noexcept {
        messages_[static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
    }
    std::uint64_t messages(MessageKind kind) const noexcept {
        return messages_[static_cast<std::size_t>(kind)].load(std::memory_order_relaxed);
    }
    // Provider's event time to receipt; negative (clock skew) counts as 0.
    void observe_lag(std::chrono::nanoseconds lag) noexcept;
    std::uint64_t lag_observations() const noexcept { return lag_.count(); }

    std::atomic<std::uint64_t> reconnects{0};
    std::atomic<std::uint64_t> backfilled_bars{0};
    std::atomic<std::uint64_t> backfill_requests{0};
    std::atomic<bool> connected{false};

    void render(std::string& out, std::string_view feed) const;

  private:
    std::array<std::atomic<std::uint64_t>, kMessageKinds> messages_{};
    metrics::Histogram lag_;
};

}  // namespace gs::feed
