// The webhooks' HTTP client: Beast over TCP or OpenSSL, one connection per attempt.
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "goldensignals/webhooks/address_policy.h"
#include "goldensignals/webhooks/endpoint.h"
#include "goldensignals/webhooks/sender.h"

namespace gs::webhooks {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// What is read of a receiver's answer: its status matters, its body does not.
constexpr std::size_t kResponseLimit = 64 * 1024;

class BeastSender final : public Sender {
  public:
    BeastSender(asio::any_io_executor executor, const SenderOptions& options)
        : executor_(std::move(executor)), options_(options), tls_(asio::ssl::context::tls_client) {
        tls_.set_default_verify_paths();
        if (!options_.ca_file.empty()) {
            boost::system::error_code ec;
            tls_.load_verify_file(options_.ca_file, ec);
            if (ec) {
                throw std::runtime_error(
                    fmt::format("--webhook-ca-file/GS_WEBHOOK_CA_FILE '{}': {}", options_.ca_file,
                                ec.message()));
            }
        }
        tls_.set_verify_mode(asio::ssl::verify_peer);
        SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_2_VERSION);
    }

    asio::awaitable<SendResult> post(OutgoingPost request) override {
        const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
        Endpoint endpoint;
        std::string invalid;
        try {
            endpoint = parse_endpoint(request.url);
        } catch (const UrlError& e) {
            invalid = e.what();
        }
        if (!invalid.empty()) {
            co_return SendResult{std::nullopt, invalid, false};
        }
        auto resolved = co_await resolve(endpoint, deadline);
        if (!resolved.error.empty()) {
            co_return SendResult{std::nullopt, resolved.error, resolved.retryable};
        }
        http::request<http::string_body> message{http::verb::post, endpoint.target, 11};
        const bool default_port = endpoint.port == (endpoint.tls ? 443 : 80);
        const std::string host_header =
            (endpoint.host.find(':') != std::string::npos ? "[" + endpoint.host + "]"
                                                          : endpoint.host) +
            (default_port ? "" : fmt::format(":{}", endpoint.port));
        message.set(http::field::host, host_header);
        message.set(http::field::user_agent, "GoldenSignals-Webhooks/1");
        message.set(http::field::connection, "close");
        for (auto& [name, value] : request.headers) {
            message.set(name, value);
        }
        message.body() = std::move(request.body);
        message.prepare_payload();

        beast::tcp_stream stream(executor_);
        stream.expires_at(deadline);
        auto [connect_error, connected] =
            co_await stream.async_connect(resolved.endpoints, use_tuple);
        if (connect_error) {
            co_return SendResult{std::nullopt, "connect: " + describe(connect_error), true};
        }
        if (!endpoint.tls) {
            co_return co_await exchange(stream, message, deadline);
        }
        beast::ssl_stream<beast::tcp_stream> tls(std::move(stream), tls_);
        // SNI for names (not for IP literals, RFC 6066), and the certificate must name the host.
        if (!endpoint.host_is_literal &&
            SSL_set_tlsext_host_name(tls.native_handle(), endpoint.host.c_str()) != 1) {
            co_return SendResult{std::nullopt, "tls: cannot set the server name", true};
        }
        tls.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
        beast::get_lowest_layer(tls).expires_at(deadline);
        auto [handshake_error] =
            co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (handshake_error) {
            co_return SendResult{std::nullopt, "tls handshake: " + describe(handshake_error), true};
        }
        co_return co_await exchange(tls, message, deadline);
    }

  private:
    struct Resolved {
        std::vector<tcp::endpoint> endpoints;
        std::string error;
        bool retryable = true;
    };

    static std::string describe(const boost::system::error_code& ec) {
        if (ec == beast::error::timeout) {
            return "timed out";
        }
        return ec.message();
    }

    asio::awaitable<Resolved> resolve(const Endpoint& endpoint,
                                      std::chrono::steady_clock::time_point deadline) {
        Resolved out;
        tcp::resolver resolver(executor_);
        asio::steady_timer timer(executor_, deadline);
        // The resolver has no deadline of its own: race it against the attempt's.
        auto winner = co_await (
            resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), use_tuple) ||
            timer.async_wait(use_tuple));
        if (winner.index() == 1) {
            out.error = "resolve: timed out";
            co_return out;
        }
        auto [ec, results] = std::get<0>(std::move(winner));
        if (ec) {
            out.error = "resolve " + endpoint.host + ": " + ec.message();
            co_return out;
        }
        std::string refused;
        for (const auto& entry : results) {
            const auto address = entry.endpoint().address();
            if (allowed(address, options_.allow_private)) {
                out.endpoints.push_back(entry.endpoint());
            } else if (refused.empty()) {
                refused = fmt::format("{} ({})", address.to_string(), to_string(classify(address)));
            }
        }
        if (out.endpoints.empty()) {
            out.error = fmt::format(
                "address not allowed: {} resolves to {}; webhooks may only reach public "
                "addresses (GS_WEBHOOK_ALLOW_PRIVATE)",
                endpoint.host, refused.empty() ? std::string("nothing") : refused);
            out.retryable = false;
        }
        co_return out;
    }

    template <typename Stream>
    asio::awaitable<SendResult> exchange(Stream& stream, http::request<http::string_body>& message,
                                         std::chrono::steady_clock::time_point deadline) {
        beast::get_lowest_layer(stream).expires_at(deadline);
        auto [write_error, written] = co_await http::async_write(stream, message, use_tuple);
        if (write_error) {
            co_return SendResult{std::nullopt, "write: " + describe(write_error), true};
        }
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(kResponseLimit);
        auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
        // A receiver that answered and then closed without a clean TLS shutdown still answered.
        if (read_error && !parser.is_header_done()) {
            co_return SendResult{std::nullopt, "read: " + describe(read_error), true};
        }
        beast::error_code ignored;
        beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
        const int status = static_cast<int>(parser.get().result_int());
        SendResult result{status, {}, true};
        if (status >= 300 && status < 400) {
            // Redirects are not followed: the target could be anywhere (docs/webhooks.md).
            result.error = "redirect not followed";
        }
        co_return result;
    }

    asio::any_io_executor executor_;
    SenderOptions options_;
    asio::ssl::context tls_;
};

}  // namespace

std::unique_ptr<Sender> make_beast_sender(asio::any_io_executor executor,
                                          const SenderOptions& options) {
    return std::make_unique<BeastSender>(std::move(executor), options);
}

}  // namespace gs::webhooks
