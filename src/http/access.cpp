#include "goldensignals/http/access.h"

#include <string>

#include <boost/beast/core/string.hpp>

namespace gs::http {
namespace {

namespace bhttp = boost::beast::http;

// The token of `Authorization: Bearer <token>` (scheme case-insensitive), or empty.
std::string_view bearer_token(std::string_view authorization) {
    constexpr std::string_view kScheme = "Bearer ";
    if (authorization.size() <= kScheme.size() ||
        !boost::beast::iequals(authorization.substr(0, kScheme.size()), kScheme)) {
        return {};
    }
    return authorization.substr(kScheme.size());
}

bool matches(std::string_view given, const std::string& token) {
    return !token.empty() && !given.empty() && constant_time_equals(given, token);
}

}  // namespace

bool constant_time_equals(std::string_view given, std::string_view expected) {
    if (expected.empty()) {
        return false;
    }
    unsigned char diff = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < given.size(); ++i) {
        diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
    }
    return diff == 0;
}

Access route_access(const Route& route) {
    if (route.options.access) {
        return *route.options.access;
    }
    if (route.options.write) {
        return Access::kWrite;
    }
    return route.pattern.starts_with("/v1/") ? Access::kRead : Access::kOpen;
}

AccessVerdict check_access(const config::ServerOptions& options, Access access,
                           std::string_view authorization, const Params& query,
                           bool token_in_query) {
    const std::string& write_token = options.api_token;
    const std::string& read_token = options.read_token;
    if (!write_token.empty()) {
        // `token` is what the dashboard used to send: the write token, into every log.
        for (const auto& [name, value] : query.items()) {
            if ((name == "access_token" || name == "token") && matches(value, write_token)) {
                return AccessVerdict::kWriteTokenInUrl;
            }
        }
    }
    const std::string_view bearer = bearer_token(authorization);
    switch (access) {
        case Access::kOpen:
            return AccessVerdict::kAllowed;
        case Access::kRead: {
            if (read_token.empty() || matches(bearer, read_token) || matches(bearer, write_token)) {
                return AccessVerdict::kAllowed;
            }
            const auto given = token_in_query ? query.get("access_token") : std::nullopt;
            return given && matches(*given, read_token) ? AccessVerdict::kAllowed
                                                        : AccessVerdict::kUnauthorized;
        }
        case Access::kWrite:
            return write_token.empty() || matches(bearer, write_token)
                       ? AccessVerdict::kAllowed
                       : AccessVerdict::kUnauthorized;
    }
    return AccessVerdict::kUnauthorized;
}

Response access_error(AccessVerdict verdict, bool token_in_query) {
    if (verdict == AccessVerdict::kWriteTokenInUrl) {
        return Response::error(bhttp::status::bad_request, "token_in_url",
                               "the write token must not be put in a URL (URLs are logged): "
                               "send it as Authorization: Bearer <token>, or use the read "
                               "token in ?access_token=; replace the write token if this URL "
                               "was logged");
    }
    auto response = Response::error(
        bhttp::status::unauthorized, "unauthorized",
        token_in_query ? "this route needs Authorization: Bearer <token> or ?access_token=<read "
                         "token>"
                       : "this route needs Authorization: Bearer <token>");
    // Named strings: a g++ 12 -Warray-bounds false positive (docs/coroutines.md).
    static const std::string kChallenge = "WWW-Authenticate";
    static const std::string kScheme = "Bearer";
    response.header(kChallenge, kScheme);
    return response;
}

std::optional<Response> authorize(const config::ServerOptions& options, const Route& route,
                                  std::string_view authorization, const Params& query) {
    const bool token_in_query = route.options.token_in_query;
    const auto verdict =
        check_access(options, route_access(route), authorization, query, token_in_query);
    if (verdict == AccessVerdict::kAllowed) {
        return std::nullopt;
    }
    return access_error(verdict, token_in_query);
}

}  // namespace gs::http
