#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gs::market {

enum class Timeframe : std::uint8_t { k1m, k5m, k15m, k30m, k1h, k4h, k1d, k1w };

inline constexpr std::array<Timeframe, 8> kAllTimeframes = {
    Timeframe::k1m, Timeframe::k5m, Timeframe::k15m, Timeframe::k30m,
    Timeframe::k1h, Timeframe::k4h, Timeframe::k1d,  Timeframe::k1w};

inline constexpr Timeframe kDefaultTimeframe = Timeframe::k1d;

std::string_view to_string(Timeframe timeframe) noexcept;
// "1m" ... "1w"; nullopt for anything else.
std::optional<Timeframe> parse_timeframe(std::string_view text) noexcept;
std::int64_t seconds_of(Timeframe timeframe) noexcept;

}  // namespace gs::market
