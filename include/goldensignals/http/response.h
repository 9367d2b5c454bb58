#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/container/small_vector.hpp>
#include <nlohmann/json_fwd.hpp>

namespace gs::http {

// What a long-lived stream (SSE) gets once the response head is written: the socket, owned
// by the session, a flag that turns true when the server is shutting down, and the
// connection's deadline. The stream starts with none; `expires_after` bounds the socket
// operations that follow (the server cancels them once it passes), `expires_never` lifts it.
struct StreamContext {
    boost::asio::ip::tcp::socket& socket;
    const std::function<bool()> stopping;
    const std::function<void(std::chrono::steady_clock::duration)> expires_after;
    const std::function<void()> expires_never;
};

using StreamBody = std::function<boost::asio::awaitable<void>(StreamContext&)>;

// A response as a handler builds it. The body is a shared immutable buffer so a cached body
// is written as is, with no copy and no re-serialisation.
struct Response {
    boost::beast::http::status status = boost::beast::http::status::ok;
    std::string content_type = "application/json";
    // Inline room for the one or two extra headers a route adds (X-Cache on signal reads).
    boost::container::small_vector<std::pair<std::string, std::string>, 2> headers;
    std::shared_ptr<const std::string> body;
    // Set for streams: no Content-Length, the session hands the socket over after the head.
    StreamBody stream;

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }

    static Response json(boost::beast::http::status status, const nlohmann::json& body);
    static Response json_body(boost::beast::http::status status,
                              std::shared_ptr<const std::string> body);
    static Response text(boost::beast::http::status status, std::string body,
                         std::string content_type = "text/plain; charset=utf-8");
    // `{"error": {"code", "message"}}`
    static Response error(boost::beast::http::status status, std::string_view code,
                          std::string_view message);
};

// The status line and headers, ready to write before the body. `request_id` is echoed in
// X-Request-Id; `keep_alive` decides the Connection header for HTTP/1.0 and for closing.
std::string serialize_head(const Response& response, unsigned version, bool keep_alive,
                           std::string_view request_id);
// The same into `out` (cleared first): a session reuses one buffer for all its heads.
void serialize_head(const Response& response, unsigned version, bool keep_alive,
                    std::string_view request_id, std::string& out);

}  // namespace gs::http
