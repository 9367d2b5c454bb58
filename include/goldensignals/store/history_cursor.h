#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gs::store {

// Keyset position in a signal history: the last row of a page. Encoded as 34 hex digits
// (a version byte, then created_at_us and id big-endian); opaque to clients.
struct HistoryCursor {
    std::int64_t created_at_us = 0;
    std::int64_t id = 0;
    bool operator==(const HistoryCursor&) const = default;
};

std::string encode_history_cursor(const HistoryCursor& cursor);
// nullopt for text that is not a cursor of this version (either hex case is accepted).
std::optional<HistoryCursor> decode_history_cursor(std::string_view text);

}  // namespace gs::store
