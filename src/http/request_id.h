#pragma once

#include <cstdint>
#include <iterator>
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
    fmt::format_to(std::back_inserter(out), "{:08x}-{}", instance_tag, sequence);
}

}  // namespace gs::http::detail
