#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gs::market {

// `2024-01-02T00:00:00Z` (UTC, whole seconds).
std::string format_iso8601(std::int64_t epoch_seconds);
void append_iso8601(std::string& out, std::int64_t epoch_seconds);

// Accepts `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z`, `+00:00` or another
// offset (converted to UTC), or nothing (taken as UTC); a space may stand for `T`.
// Fractions of a second are dropped. nullopt when it is not a valid date and time.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

// Bars between 1970 and 2200: anything outside is a unit mistake (milliseconds, say).
inline constexpr std::int64_t kMinBarTime = 0;
inline constexpr std::int64_t kMaxBarTime = 7'258'118'400;  // 2200-01-01T00:00:00Z

}  // namespace gs::market
