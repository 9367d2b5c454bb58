#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gs::webhooks {

inline constexpr std::size_t kMaxUrlLength = 2048;

// Where a webhook URL points: `http[s]://host[:port][/path][?query]`.
struct Endpoint {
    bool tls = false;
    std::string host;  // lower-case; an IPv6 literal without its brackets
    std::uint16_t port = 80;
    std::string target = "/";      // path and query
    bool host_is_literal = false;  // an IP address, not a name
};

// Thrown with a message for the API client.
class UrlError final : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// Accepts http and https URLs with a host, no user info, no fragment, no spaces or control
// characters, at most kMaxUrlLength bytes. Throws UrlError.
Endpoint parse_endpoint(std::string_view url);

}  // namespace gs::webhooks
