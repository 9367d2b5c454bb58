#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>
#include <boost/beast/http/message.hpp>

namespace gs::http::detail {

// The client's X-Request-Id when it is short and plain (it ties our log line to theirs),
// otherwise one of ours: the instance tag and a sequence number.
// Written into `out` (replaced), so a session reuses one buffer for all its ids.
template <typename Fields>
void request_id_from(const boost::beast::http::header<true, Fields>& head,
                     std::uint32_t instance_tag, std::uint64_t sequence, std::string& out) {
    out.clear();
    auto given = head["X-Request-Id"];
    if (!given.empty() && given.size() <= 64) {
        bool plain = true;
        for (char c : given) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
            if (!ok) {
                plain = false;
                break;
            }
        }
        if (plain) {
            out.append(given.data(), given.size());
            return;
        }
    }
    // "{:08x}-{}" by hand: this runs for nearly every request.
    static constexpr char kHex[] = "0123456789abcdef";
    char tag[8];
    for (int i = 7; i >= 0; --i, instance_tag >>= 4) {
        tag[i] = kHex[instance_tag & 0xF];
    }
    out.append(tag, sizeof tag);
    out += '-';
    const fmt::format_int digits(sequence);
    out.append(digits.data(), digits.size());
}

}  // namespace gs::http::detail
