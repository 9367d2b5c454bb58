#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>

namespace gs::feed::binance {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Where a base URL points: wss://host[:port][/path] or https://host[:port][/path].
struct Endpoint {
    std::string host;
    std::string port;
    std::string path;  // without a trailing '/'; empty for the root
    // `host` or `host:port` when the port is not the scheme's default (the Host header).
    std::string authority;
};

// Throws std::invalid_argument naming the problem (another scheme, no host, a bad port).
Endpoint parse_url(std::string_view url, std::string_view scheme);

// A TLS client context that verifies the peer's chain: against `ca_file` (PEM) when given,
// the system's CAs otherwise. Throws std::runtime_error when `ca_file` cannot be loaded.
boost::asio::ssl::context make_tls_context(const std::string& ca_file);

// Resolves, connects, sets SNI and the host-name check, and completes the TLS handshake, each
// step under `timeout`. The stream's deadline is off afterwards.
boost::asio::awaitable<boost::system::error_code> connect_tls(TlsStream& stream,
                                                              const Endpoint& endpoint,
                                                              std::chrono::milliseconds timeout);

}  // namespace gs::feed::binance
