#include "bars_client.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

namespace gs::import {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Endpoint parse_endpoint(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    if (url.starts_with("https://")) {
        throw std::invalid_argument(
            "https is not supported by the importer: give the service's own http:// address");
    }
    if (!url.starts_with(kScheme)) {
        throw std::invalid_argument(fmt::format("'{}' is not an http:// URL", url));
    }
    url.remove_prefix(kScheme.size());
    Endpoint endpoint;
    const auto slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    if (slash != std::string_view::npos) {
        std::string_view prefix = url.substr(slash);
        while (prefix.ends_with('/')) {
            prefix.remove_suffix(1);
        }
        endpoint.prefix = std::string(prefix);
    }
    if (authority.find('@') != std::string_view::npos) {
        throw std::invalid_argument(
            "credentials in the URL: give the token with --token or "
            "GS_API_TOKEN");
    }
    std::string_view host = authority;
    if (authority.starts_with('[')) {  // [::1]:8080
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            throw std::invalid_argument("unterminated [IPv6] host in the URL");
        }
        host = authority.substr(1, close - 1);
        authority.remove_prefix(close + 1);
        if (authority.starts_with(':')) {
            endpoint.port = std::string(authority.substr(1));
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        endpoint.port = std::string(authority.substr(colon + 1));
    }
    unsigned port = 0;
    auto [end, ec] =
        std::from_chars(endpoint.port.data(), endpoint.port.data() + endpoint.port.size(), port);
    if (ec != std::errc{} || end != endpoint.port.data() + endpoint.port.size() || port == 0 ||
        port > 65535) {
        throw std::invalid_argument(fmt::format("bad port '{}' in the URL", endpoint.port));
    }
    if (host.empty()) {
        throw std::invalid_argument("no host in the URL");
    }
    endpoint.host = std::string(host);
    return endpoint;
}

std::chrono::milliseconds retry_delay(unsigned attempt, std::chrono::milliseconds base,
                                      std::chrono::milliseconds cap,
                                      std::optional<std::int64_t> retry_after_s) {
    if (retry_after_s && *retry_after_s >= 0) {
        const std::int64_t seconds = std::min<std::int64_t>(*retry_after_s, cap.count() / 1000);
        return std::min(cap, std::chrono::milliseconds(seconds * 1000));
    }
    auto delay = base;
    for (unsigned i = 1; i < attempt && delay < cap; ++i) {
        delay *= 2;
    }
    return std::min(delay, cap);
}

namespace {

bool retryable(unsigned status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

std::optional<std::int64_t> retry_after(const http::response<http::string_body>& response) {
    const auto value = response[http::field::retry_after];
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (value.empty() || ec != std::errc{} || end != value.data() + value.size()) {
        return std::nullopt;  // absent, or an HTTP date: use our own backoff
    }
    return seconds;
}

// Symbols may hold ^ and =, which are not plain path characters.
std::string escape_path_segment(std::string_view segment) {
    std::string out;
    for (char c : segment) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '_') {
            out.push_back(c);
        } else {
            out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
        }
    }
    return out;
}

}  // namespace

BarsClient::BarsClient(Endpoint endpoint, std::string token, ClientOptions options)
    : endpoint_(std::move(endpoint)), token_(std::move(token)), options_(options) {}

void BarsClient::run(const boost::system::error_code& ec) {
    io_.restart();
    io_.run();
    if (ec) {
        throw boost::system::system_error(ec);
    }
}

void BarsClient::close() {
    if (stream_) {
        boost::system::error_code ignored;
        stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.reset();
    }
    buffer_.clear();
}

Reply BarsClient::post_bars(
    std::string_view symbol, std::string_view timeframe, const std::string& body,
    const std::function<void(const std::string&, std::chrono::milliseconds)>& on_retry) {
    http::request<http::string_body> request{
        http::verb::post,
        fmt::format("{}/v1/bars/{}?timeframe={}", endpoint_.prefix, escape_path_segment(symbol),
                    timeframe),
        11};
    request.set(http::field::host, endpoint_.port == "80"
                                       ? endpoint_.host
                                       : fmt::format("{}:{}", endpoint_.host, endpoint_.port));
    request.set(http::field::user_agent, "goldensignals-import");
    request.set(http::field::content_type, "text/csv");
    if (!token_.empty()) {
        request.set(http::field::authorization, "Bearer " + token_);
    }
    request.keep_alive(true);
    request.body() = body;
    request.prepare_payload();

    unsigned failures = 0;  // attempts that ended in a retry
    while (true) {
        std::string why;
        std::optional<std::int64_t> server_wait;
        // A kept-alive connection the server has since closed fails at once; one fresh
        // connection right away is not a retry.
        const bool reused = stream_.has_value();
        try {
            // Asynchronous operations run to completion one at a time: tcp_stream's deadline
            // only applies to those, and a service that stops answering must not hang us.
            boost::system::error_code ec;
            if (!stream_) {
                tcp::resolver resolver(io_);
                const auto endpoints = resolver.resolve(endpoint_.host, endpoint_.port);
                stream_.emplace(io_);
                stream_->expires_after(options_.timeout);
                stream_->async_connect(endpoints,
                                       [&](boost::system::error_code e, auto&&) { ec = e; });
                run(ec);
            }
            stream_->expires_after(options_.timeout);
            http::async_write(*stream_, request,
                              [&](boost::system::error_code e, std::size_t) { ec = e; });
            run(ec);
            http::response_parser<http::string_body> parser;
            parser.body_limit(16 * 1024 * 1024);
            http::async_read(*stream_, buffer_, parser,
                             [&](boost::system::error_code e, std::size_t) { ec = e; });
            run(ec);
            auto response = parser.release();
            if (!response.keep_alive()) {
                close();
            }
            const unsigned status = response.result_int();
            if (!retryable(status) || failures == options_.retries) {
                return {status, std::move(response.body()), failures + 1};
            }
            why = fmt::format("HTTP {}", status);
            server_wait = retry_after(response);
        } catch (const boost::system::system_error& e) {
            close();
            if (reused &&
                (e.code() == http::error::end_of_stream || e.code() == boost::asio::error::eof ||
                 e.code() == boost::asio::error::connection_reset ||
                 e.code() == boost::asio::error::broken_pipe)) {
                continue;
            }
            if (failures == options_.retries) {
                throw TransportError(
                    fmt::format("{}:{}: {}", endpoint_.host, endpoint_.port, e.code().message()));
            }
            why = e.code().message();
        }
        ++failures;
        const auto wait =
            retry_delay(failures, options_.backoff, options_.backoff_cap, server_wait);
        if (on_retry) {
            on_retry(why, wait);
        }
        std::this_thread::sleep_for(wait);
    }
}

}  // namespace gs::import
