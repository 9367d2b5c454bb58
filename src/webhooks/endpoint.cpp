#include "goldensignals/webhooks/endpoint.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/asio/ip/address.hpp>

namespace gs::webhooks {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool host_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

}  // namespace

Endpoint parse_endpoint(std::string_view url) {
    if (url.size() > kMaxUrlLength) {
        throw UrlError("url is longer than 2048 bytes");
    }
    for (const unsigned char c : url) {
        if (c <= 0x20 || c >= 0x7f) {
            throw UrlError("url must not contain spaces, control or non-ASCII characters");
        }
    }
    Endpoint endpoint;
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        throw UrlError("url must start with http:// or https://");
    }
    const std::string scheme = lower(url.substr(0, scheme_end));
    if (scheme == "https") {
        endpoint.tls = true;
        endpoint.port = 443;
    } else if (scheme != "http") {
        throw UrlError("url scheme must be http or https");
    }
    std::string_view rest = url.substr(scheme_end + 3);
    if (rest.find('#') != std::string_view::npos) {
        throw UrlError("url must not have a fragment");
    }
    const auto authority_end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, authority_end);
    std::string target =
        authority_end == std::string_view::npos ? "/" : std::string(rest.substr(authority_end));
    if (target.front() == '?') {
        target.insert(target.begin(), '/');
    }
    endpoint.target = std::move(target);
    if (authority.find('@') != std::string_view::npos) {
        throw UrlError("url must not carry user information");
    }
    std::string_view host;
    std::string_view port;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            throw UrlError("url has an unclosed IPv6 literal");
        }
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                throw UrlError("url has text after its IPv6 literal");
            }
            port = after.substr(1);
        }
        boost::system::error_code ec;
        const auto address = boost::asio::ip::make_address_v6(std::string(host), ec);
        if (ec || address.scope_id() != 0) {
            throw UrlError("url has an invalid IPv6 literal");
        }
        endpoint.host_is_literal = true;
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
        }
        if (host.empty() || host.size() > 253 ||
            !std::all_of(host.begin(), host.end(), host_name_char)) {
            throw UrlError("url must name a host (letters, digits, '-', '.')");
        }
        boost::system::error_code ec;
        boost::asio::ip::make_address_v4(std::string(host), ec);
        endpoint.host_is_literal = !ec;
    }
    if (host.empty()) {
        throw UrlError("url must name a host");
    }
    endpoint.host = lower(host);
    if (port.data() != nullptr && !port.empty()) {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
            throw UrlError("url port must be 1 to 65535");
        }
        endpoint.port = static_cast<std::uint16_t>(value);
    } else if (port.data() != nullptr && authority.find(':') != std::string_view::npos &&
               !authority.starts_with('[')) {
        throw UrlError("url port must be 1 to 65535");
    }
    return endpoint;
}

}  // namespace gs::webhooks
