#include "goldensignals/market/symbol.h"

namespace gs::market {

std::optional<std::string> normalize_symbol(std::string_view text) {
    if (text.empty() || text.size() > kMaxSymbolLength) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c >= 'a' && c <= 'z') {
            out.push_back(static_cast<char>(c - 'a' + 'A'));
        } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                   c == '_' || c == '^' || c == '=') {
            out.push_back(c);
        } else {
            return std::nullopt;
        }
    }
    return out;
}

}  // namespace gs::market
