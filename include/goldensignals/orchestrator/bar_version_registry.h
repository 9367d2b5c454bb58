#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/bar_series.h"
#include "goldensignals/market/timeframe.h"

namespace gs::orchestrator {

// Which bars a series holds: its newest bar time and the fingerprint of all its bars, so a
// corrected old bar is a new version too. Written "<newest time>:<fingerprint, 16 hex>"; the
// signal cache key embeds the same text.
struct BarVersion {
    std::int64_t newest = 0;
    std::uint64_t fingerprint = 0;

    static BarVersion of(const market::BarSeries& series) noexcept {
        return {series.last_time(), series.content_hash()};
    }
    // "<newest>:<fingerprint in 16 lower-case hex digits>", the text of the shared records
    // and of signal cache keys. write() puts it at `out` (kMaxText bytes or more) and returns
    // its length: by hand, because it is on every cached read's path and fmt parsed its format
    // at run time there (2.5 % of a cached read's CPU).
    static constexpr std::size_t kMaxText = 20 + 1 + 16;
    std::size_t write(char* out) const noexcept {
        const fmt::format_int time(newest);
        char* at = std::copy_n(time.data(), time.size(), out);
        *at++ = ':';
        for (int shift = 60; shift >= 0; shift -= 4) {
            *at++ = "0123456789abcdef"[(fingerprint >> shift) & 0xf];
        }
        return static_cast<std::size_t>(at - out);
    }
    std::string str() const;
};

// What the record of a deleted series (DELETE /v1/bars) holds instead of a version: an
// instance that holds the series drops it rather than reloading it.
inline constexpr std::string_view kRemovedVersion = "removed";

// A bar-update message: "<timeframe>|<symbol>|<bar version>".
struct BarUpdate {
    market::Timeframe timeframe = market::kDefaultTimeframe;
    std::string symbol;
    std::string version;
};
std::string format_bar_update(std::string_view symbol, market::Timeframe timeframe,
                              std::string_view version);
// nullopt for a malformed message or an invalid symbol or timeframe.
std::optional<BarUpdate> parse_bar_update(std::string_view payload);

// A series' shared record as one read found it.
struct SharedRecord {
    enum class State {
        kFound,    // `text` is a version or kRemovedVersion
        kAbsent,   // Redis answered: no record (never written, expired, evicted, or lost
                   // with a restart of a Redis without persistence)
        kUnknown,  // Redis unreachable, or no shared registry at all
    };
    State state = State::kUnknown;
    std::string text;

    static SharedRecord found(std::string text) { return {State::kFound, std::move(text)}; }
    static SharedRecord absent() { return {State::kAbsent, {}}; }
    static SharedRecord unknown() { return {State::kUnknown, {}}; }
    bool is_found() const noexcept { return state == State::kFound; }
};

// The versions every instance shares: the one that ingests bars records the series' new
// version and announces it; the others compare their own with the record before reading.
class BarVersionRegistry {
  public:
    virtual ~BarVersionRegistry() = default;

    // The series' record (never throws).
    virtual boost::asio::awaitable<SharedRecord> recorded(std::string symbol,
                                                          market::Timeframe timeframe) = 0;
    // Records `version` and sends the bar-update message to the other instances. Best
    // effort (never throws).
    virtual boost::asio::awaitable<void> announce(std::string symbol, market::Timeframe timeframe,
                                                  std::string version) = 0;
    // Records `version` only where no record exists (SET NX), no message: after a reader found
    // the record absent and reloaded the durable bars, so the next reads need not. It cannot
    // hide a newer write: that write's own record replaces it or was there first. Best effort.
    virtual boost::asio::awaitable<void> seed(std::string symbol, market::Timeframe timeframe,
                                              std::string version) = 0;
    // Where the bar-update messages go (a pub/sub channel); empty when nowhere.
    virtual std::string channel() const = 0;
    // How long a write must wait after announce() before it is acked, so that no other
    // instance answers from a version older than it (their read leases); 0 by default.
    virtual std::chrono::microseconds ack_delay() const { return {}; }
    // Appends its Prometheus metrics (none by default).
    virtual void render_metrics(std::string& /*out*/) const {}
};

// No shared registry (no Redis): nothing recorded, nothing announced.
class NoBarVersionRegistry final : public BarVersionRegistry {
  public:
    boost::asio::awaitable<SharedRecord> recorded(std::string, market::Timeframe) override {
        co_return SharedRecord::unknown();
    }
    boost::asio::awaitable<void> announce(std::string, market::Timeframe, std::string) override {
        co_return;
    }
    boost::asio::awaitable<void> seed(std::string, market::Timeframe, std::string) override {
        co_return;
    }
    std::string channel() const override { return {}; }
};

}  // namespace gs::orchestrator

template <>
struct fmt::formatter<gs::orchestrator::BarVersion> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(const gs::orchestrator::BarVersion& version, FormatContext& ctx) const {
        char text[gs::orchestrator::BarVersion::kMaxText];
        return std::copy_n(text, version.write(text), ctx.out());
    }
};
