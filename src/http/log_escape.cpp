#include "http/log_escape.h"

namespace gs::http::detail {

std::string escape_for_log(std::string_view text, std::size_t max_bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    const bool cut = text.size() > max_bytes;
    if (cut) {
        text = text.substr(0, max_bytes);
    }
    std::string out;
    out.reserve(text.size() + (cut ? 3 : 0));
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0f];
        } else {
            out += c;
        }
    }
    if (cut) {
        out += "...";
    }
    return out;
}

std::string_view escape_for_log(std::string_view text, std::size_t max_bytes,
                                std::string& scratch) {
    bool plain = text.size() <= max_bytes;
    for (std::size_t i = 0; plain && i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        plain = byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\';
    }
    if (plain) {
        return text;
    }
    scratch = escape_for_log(text, max_bytes);
    return scratch;
}

}  // namespace gs::http::detail
