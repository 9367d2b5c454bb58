#include "goldensignals/redis/url.h"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace gs::redis {
namespace {

template <typename Int>
Int parse_number(std::string_view text, Int min, Int max, std::string_view what) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
        throw std::invalid_argument(fmt::format("{}: '{}' is not an integer", what, text));
    }
    if (value < static_cast<long long>(min) || value > static_cast<long long>(max)) {
        throw std::invalid_argument(
            fmt::format("{}: {} is out of range [{}, {}]", what, value, min, max));
    }
    return static_cast<Int>(value);
}

}  // namespace

Url parse_url(std::string_view url) {
    constexpr std::string_view kScheme = "redis://";
    if (!url.starts_with(kScheme)) {
        throw std::invalid_argument("not a redis:// URL");
    }
    std::string_view rest = url.substr(kScheme.size());
    Url out;
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        // redis://:password@host and redis://user:password@host (user is ignored: Redis 5 ACL-less)
        if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
            out.password = std::string(userinfo.substr(colon + 1));
        } else {
            out.password = std::string(userinfo);
        }
        rest = rest.substr(at + 1);
    }
    std::string_view hostport = rest;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        hostport = rest.substr(0, slash);
        std::string_view db = rest.substr(slash + 1);
        if (!db.empty()) {
            out.db = parse_number<int>(db, 0, 1 << 16, "database number");
        }
    }
    if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
        out.port = parse_number<std::uint16_t>(hostport.substr(colon + 1), 1, 65535, "port");
        hostport = hostport.substr(0, colon);
    }
    if (hostport.empty()) {
        throw std::invalid_argument("the URL has no host");
    }
    out.host = std::string(hostport);
    return out;
}

}  // namespace gs::redis
