#include "goldensignals/store/history_cursor.h"

namespace gs::store {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr unsigned char kCursorVersion = 1;

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace

std::string encode_history_cursor(const HistoryCursor& cursor) {
    unsigned char bytes[17];
    bytes[0] = kCursorVersion;
    const auto created = static_cast<std::uint64_t>(cursor.created_at_us);
    const auto id = static_cast<std::uint64_t>(cursor.id);
    for (int i = 0; i < 8; ++i) {
        bytes[1 + i] = static_cast<unsigned char>(created >> (56 - 8 * i));
        bytes[9 + i] = static_cast<unsigned char>(id >> (56 - 8 * i));
    }
    std::string text;
    text.reserve(34);
    for (unsigned char byte : bytes) {
        text.push_back(kHexDigits[byte >> 4]);
        text.push_back(kHexDigits[byte & 0xf]);
    }
    return text;
}

std::optional<HistoryCursor> decode_history_cursor(std::string_view text) {
    if (text.size() != 34) {
        return std::nullopt;
    }
    unsigned char bytes[17];
    for (std::size_t i = 0; i < 17; ++i) {
        const int high = hex_value(text[2 * i]);
        const int low = hex_value(text[2 * i + 1]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        bytes[i] = static_cast<unsigned char>(high << 4 | low);
    }
    if (bytes[0] != kCursorVersion) {
        return std::nullopt;
    }
    std::uint64_t created = 0;
    std::uint64_t id = 0;
    for (int i = 0; i < 8; ++i) {
        created = created << 8 | bytes[1 + i];
        id = id << 8 | bytes[9 + i];
    }
    return HistoryCursor{static_cast<std::int64_t>(created), static_cast<std::int64_t>(id)};
}

}  // namespace gs::store
