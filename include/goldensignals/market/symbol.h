#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gs::market {

inline constexpr std::size_t kMaxSymbolLength = 20;

// 1 to 20 characters of A-Z a-z 0-9 . - _ ^ =, but not `.` or `..`, returned upper-case
// (`brk.b` -> `BRK.B`, `^GSPC`, `EURUSD=X`, `BTC-USD`); nullopt otherwise.
std::optional<std::string> normalize_symbol(std::string_view text);

}  // namespace gs::market
