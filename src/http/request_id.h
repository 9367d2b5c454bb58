#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <boost/beast/http/message.hpp>

namespace gs::http::detail {

// The client's X-Request-Id when it is short and plain (it ties our log line to theirs),
// otherwise one of ours: the instance tag and a sequence number.
template <typename Fields>
std::string request_id_from(const boost::beast::http::header<true, Fields>& head,
                            std::uint32_t instance_tag, std::uint64_t sequence) {
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
            return std::string(given);
        }
    }
    return fmt::format("{:08x}-{}", instance_tag, sequence);
}

// Compares without an early exit, so response time does not reveal how much of a guessed
// token was right.
inline bool constant_time_equals(std::string_view given, std::string_view expected) {
    if (expected.empty()) {
        return false;
    }
    unsigned char diff = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < given.size(); ++i) {
        diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
    }
    return diff == 0;
}

}  // namespace gs::http::detail
