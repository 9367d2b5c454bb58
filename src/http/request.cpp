#include "goldensignals/http/request.h"

namespace gs::http {
namespace {

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

bool percent_decode_to(std::string_view text, bool plus_is_space, std::string& out) {
    out.clear();
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return false;
            }
            int hi = hex_value(text[i + 1]);
            int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) {
                return false;
            }
            char decoded = static_cast<char>(hi * 16 + lo);
            // A NUL inside a path or parameter is never legitimate here.
            if (decoded == '\0') {
                return false;
            }
            out.push_back(decoded);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    if (!percent_decode_to(text, plus_is_space, out)) {
        return std::nullopt;
    }
    return out;
}

bool parse_target(std::string_view target, std::string& path, Params& query) {
    query.clear();
    std::string_view raw_path = target;
    std::string_view raw_query;
    if (auto q = target.find('?'); q != std::string_view::npos) {
        raw_path = target.substr(0, q);
        raw_query = target.substr(q + 1);
    }
    if (auto hash = raw_query.find('#'); hash != std::string_view::npos) {
        raw_query = raw_query.substr(0, hash);
    }
    if (raw_path.empty() || raw_path.front() != '/') {
        return false;
    }
    // Decoded into `path` itself, so a buffer the caller reuses keeps its capacity.
    if (!percent_decode_to(raw_path, false, path)) {
        path.clear();
        return false;
    }
    while (!raw_query.empty()) {
        auto amp = raw_query.find('&');
        std::string_view pair = raw_query.substr(0, amp);
        raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        std::string_view name = pair;
        std::string_view value;
        if (auto eq = pair.find('='); eq != std::string_view::npos) {
            name = pair.substr(0, eq);
            value = pair.substr(eq + 1);
        }
        auto decoded_name = percent_decode(name, true);
        auto decoded_value = percent_decode(value, true);
        if (!decoded_name || !decoded_value) {
            return false;
        }
        query.add(std::move(*decoded_name), std::move(*decoded_value));
    }
    return true;
}

}  // namespace gs::http
