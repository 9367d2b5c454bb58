#include "support/test_server.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/dynamic_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "goldensignals/http/system_handlers.h"

namespace gs::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

config::ServerOptions TestServer::default_options() {
    config::ServerOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    options.access_log = false;
    options.shutdown_grace = std::chrono::milliseconds(2000);
    return options;
}

std::size_t TestServer::idle_connections() const {
    return server_->idle_connections();
}

TestServer::TestServer(config::ServerOptions options) : options_(std::move(options)) {}

TestServer::~TestServer() {
    stop();
}

void TestServer::start() {
    const unsigned threads = std::max(1u, options_.threads);
    metrics_ = std::make_unique<metrics::HttpMetrics>(http::metric_labels(router));
    registry.add_collector([this](std::string& out) { metrics_->render(out); });
    server_ = std::make_unique<http::Server>(io, options_, router, *metrics_);
    port_ = server_->listen();
    server_->start();
    for (unsigned i = 0; i < threads; ++i) {
        threads_.emplace_back([this] { io.run(); });
    }
}

void TestServer::stop() {
    if (stopped_ || !server_) {
        return;
    }
    stopped_ = true;
    server_->shutdown([this] { io.stop(); });
    for (auto& t : threads_) {
        t.join();
    }
}

std::string RawResponse::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (beast::iequals(key, name)) {
            return value;
        }
    }
    return {};
}

std::vector<RawResponse> exchange(std::uint16_t port, const std::string& raw, std::size_t count) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    // The server may answer and close before it has read everything (a 413, say); still read
    // what it answered.
    boost::system::error_code write_ec;
    asio::write(socket, asio::buffer(raw), write_ec);
    std::vector<RawResponse> out;
    beast::flat_buffer buffer;
    while (count == 0 || out.size() < count) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        boost::system::error_code ec;
        bhttp::read(socket, buffer, parser, ec);
        if (ec) {
            break;
        }
        RawResponse response;
        auto& message = parser.get();
        response.status = message.result_int();
        response.body = message.body();
        for (const auto& field : message) {
            response.headers.emplace_back(std::string(field.name_string()),
                                          std::string(field.value()));
        }
        out.push_back(std::move(response));
    }
    return out;
}

RawResponse request(std::uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body, const std::string& content_type,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string raw =
        fmt::format("{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, target);
    if (!content_type.empty()) {
        raw += fmt::format("Content-Type: {}\r\n", content_type);
    }
    for (const auto& [name, value] : headers) {
        raw += fmt::format("{}: {}\r\n", name, value);
    }
    if (!body.empty() || method == "POST" || method == "PUT") {
        raw += fmt::format("Content-Length: {}\r\n", body.size());
    }
    raw += "\r\n";
    raw += body;
    auto responses = exchange(port, raw, 1);
    if (responses.empty()) {
        return RawResponse{};
    }
    return responses.front();
}

}  // namespace gs::testing
