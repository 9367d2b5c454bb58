#include "goldensignals/http/response.h"

#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace gs::http {
namespace {

// The Date header changes once a second; each thread formats it once per second.
std::string_view http_date() {
    thread_local std::time_t cached_second = 0;
    thread_local char buffer[64];
    thread_local std::size_t length = 0;
    std::time_t now = std::time(nullptr);
    if (now != cached_second) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        length = std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cached_second = now;
    }
    return {buffer, length};
}

void append_decimal(std::string& out, std::uint64_t value) {
    const fmt::format_int digits(value);
    out.append(digits.data(), digits.size());
}

}  // namespace

Response Response::json(boost::beast::http::status status, const nlohmann::json& body) {
    return json_body(status, std::make_shared<const std::string>(body.dump()));
}

Response Response::json_body(boost::beast::http::status status,
                             std::shared_ptr<const std::string> body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

Response Response::text(boost::beast::http::status status, std::string body,
                        std::string content_type) {
    Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::make_shared<const std::string>(std::move(body));
    return r;
}

Response Response::error(boost::beast::http::status status, std::string_view code,
                         std::string_view message) {
    nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
    // Client-controlled text may be malformed UTF-8; replace rather than throw.
    return json_body(status, std::make_shared<const std::string>(body.dump(
                                 -1, ' ', false, nlohmann::json::error_handler_t::replace)));
}

std::string serialize_head(const Response& response, unsigned version, bool keep_alive,
                           std::string_view request_id) {
    std::string head;
    serialize_head(response, version, keep_alive, request_id, head);
    return head;
}

void serialize_head(const Response& response, unsigned version, bool keep_alive,
                    std::string_view request_id, std::string& head) {
    head.clear();
    head.reserve(256);
    auto reason = boost::beast::http::obsolete_reason(response.status);
    // Appended piece by piece: fmt::format_to through a back_inserter costs a format parse
    // and a string resize per piece, on every response.
    head += "HTTP/1.1 ";
    append_decimal(head, static_cast<unsigned>(response.status));
    head += ' ';
    head.append(reason.data(), reason.size());
    head += "\r\n";
    head += "Server: goldensignals\r\nDate: ";
    head += http_date();
    head += "\r\n";
    if (!response.content_type.empty()) {
        head += "Content-Type: ";
        head += response.content_type;
        head += "\r\n";
    }
    // RFC 9110 8.6: no Content-Length on a 204 (nor on a 304, which describes another body).
    if (!response.stream && response.status != boost::beast::http::status::no_content &&
        response.status != boost::beast::http::status::not_modified) {
        head += "Content-Length: ";
        append_decimal(head, response.body ? response.body->size() : 0);
        head += "\r\n";
    }
    if (!request_id.empty()) {
        head += "X-Request-Id: ";
        head += request_id;
        head += "\r\n";
    }
    for (const auto& [name, value] : response.headers) {
        head += name;
        head += ": ";
        head += value;
        head += "\r\n";
    }
    if (!keep_alive) {
        head += "Connection: close\r\n";
    } else if (version < 11) {
        head += "Connection: keep-alive\r\n";
    }
    head += "\r\n";
}

}  // namespace gs::http
