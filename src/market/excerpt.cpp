#include "goldensignals/market/excerpt.h"

namespace gs::market {

std::string excerpt(std::string_view text, std::size_t max_bytes) {
    const bool cut = text.size() > max_bytes;
    if (cut) {
        // Back off to the first byte of a UTF-8 sequence (at most 3 continuation bytes) so the
        // prefix stays valid text.
        std::size_t end = max_bytes;
        while (end > 0 && max_bytes - end < 3 &&
               (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
            --end;
        }
        text = text.substr(0, end);
    }
    std::string out;
    out.reserve(text.size() + 3);
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        out.push_back(byte < 0x20 || byte == 0x7F ? '?' : c);
    }
    if (cut) {
        out += "...";
    }
    return out;
}

}  // namespace gs::market
