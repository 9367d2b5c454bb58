#include "goldensignals/market/symbol.h"

namespace gs::market {

std::optional<std::string> normalize_symbol(std::string_view text) {
    // "." and ".." are path segments: a proxy or client may resolve /v1/bars/.. to /v1/, and
    // as a file or key name they mean a folder.
    if (text.empty() || text.size() > kMaxSymbolLength || text == "." || text == "..") {
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
