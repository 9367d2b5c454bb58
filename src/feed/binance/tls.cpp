#include "feed/binance/tls.h"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gs::feed::binance {

namespace asio = boost::asio;
namespace beast = boost::beast;

Endpoint parse_url(std::string_view url, std::string_view scheme) {
    const std::string prefix = fmt::format("{}://", scheme);
    if (url.substr(0, prefix.size()) != prefix) {
        throw std::invalid_argument(fmt::format("'{}' does not start with {}", url, prefix));
    }
    std::string_view rest = url.substr(prefix.size());
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
    while (!path.empty() && path.back() == '/') {
        path.remove_suffix(1);
    }
    if (path.find_first_of("?# ") != std::string_view::npos) {
        throw std::invalid_argument(fmt::format("'{}': a base URL has no query or fragment", url));
    }
    Endpoint endpoint;
    endpoint.path = std::string(path);
    endpoint.authority = std::string(authority);
    std::string_view host = authority;
    std::string_view port = "443";
    if (auto colon = authority.rfind(':');
        colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 ||
            value > 65535) {
            throw std::invalid_argument(fmt::format("'{}': bad port '{}'", url, port));
        }
        if (port == "443") {
            endpoint.authority = std::string(host);
        }
    }
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (host.empty() || host.find('@') != std::string_view::npos) {
        throw std::invalid_argument(fmt::format("'{}' names no host", url));
    }
    endpoint.host = std::string(host);
    endpoint.port = std::string(port);
    return endpoint;
}

asio::ssl::context make_tls_context(const std::string& ca_file) {
    asio::ssl::context context(asio::ssl::context::tls_client);
    context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1);
    context.set_verify_mode(asio::ssl::verify_peer);
    boost::system::error_code ec;
    if (ca_file.empty()) {
        context.set_default_verify_paths(ec);
    } else {
        context.load_verify_file(ca_file, ec);
    }
    if (ec) {
        throw std::runtime_error(fmt::format("TLS trust store {}: {}",
                                             ca_file.empty() ? "(system)" : ca_file, ec.message()));
    }
    return context;
}

asio::awaitable<boost::system::error_code> connect_tls(TlsStream& stream, const Endpoint& endpoint,
                                                       std::chrono::milliseconds timeout) {
    asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
    auto [resolve_ec, results] = co_await resolver.async_resolve(
        endpoint.host, endpoint.port, asio::as_tuple(asio::use_awaitable));
    if (resolve_ec) {
        co_return resolve_ec;
    }
    auto& tcp = beast::get_lowest_layer(stream);
    tcp.expires_after(timeout);
    auto [connect_ec, peer] =
        co_await tcp.async_connect(results, asio::as_tuple(asio::use_awaitable));
    if (connect_ec) {
        co_return connect_ec;
    }
    boost::system::error_code parse_ec;
    const bool literal =
        !asio::ip::make_address(endpoint.host, parse_ec).is_unspecified() && !parse_ec;
    // SNI names a host, never an address (RFC 6066 section 3).
    if (!literal && !SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
        co_return boost::system::error_code(static_cast<int>(::ERR_get_error()),
                                            asio::error::get_ssl_category());
    }
    stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    tcp.expires_after(timeout);
    auto [handshake_ec] = co_await stream.async_handshake(asio::ssl::stream_base::client,
                                                          asio::as_tuple(asio::use_awaitable));
    tcp.expires_never();
    co_return handshake_ec;
}

}  // namespace gs::feed::binance
