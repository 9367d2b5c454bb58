#include "http/dispatcher.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include "goldensignals/http/access.h"
#include "goldensignals/http/client_error.h"
#include "goldensignals/market/excerpt.h"
#include "goldensignals/orchestrator/bar_sync.h"
#include "http/log_escape.h"

namespace gs::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using bhttp::status;

Dispatcher::Dispatcher(const Router& router, const config::ServerOptions& options)
    : router_(router), options_(options), max_body_limit_(options.body_limit_bytes) {
    for (const auto& route : router_.routes()) {
        max_body_limit_ = std::max(max_body_limit_, route.options.body_limit);
    }
}

namespace {

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

std::optional<Response> check_transfer_encoding(const RawRequest& head) {
    auto [first, last] = head.equal_range(bhttp::field::transfer_encoding);
    if (first == last) {
        return std::nullopt;
    }
    if (head.version() < 11) {
        return Response::error(status::bad_request, "bad_transfer_encoding",
                               "Transfer-Encoding is not allowed in an HTTP/1.0 request");
    }
    // Strict on purpose: exactly one coding, `chunked`, with no parameters.
    std::size_t codings = 0;
    std::string_view final_coding;
    for (auto it = first; it != last; ++it) {
        std::string_view rest = it->value();
        for (;;) {
            const auto comma = rest.find(',');
            final_coding = trim_ows(rest.substr(0, comma));
            ++codings;
            if (comma == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(comma + 1);
        }
    }
    if (!beast::iequals(final_coding, "chunked")) {
        return Response::error(status::bad_request, "bad_transfer_encoding",
                               "Transfer-Encoding must be chunked");
    }
    if (codings != 1) {
        return Response::error(status::not_implemented, "unsupported_transfer_encoding",
                               "only Transfer-Encoding: chunked is supported");
    }
    return std::nullopt;
}

Admission Dispatcher::admit(const RawRequest& head, std::optional<std::uint64_t> content_length,
                            Request& request) const {
    Admission admission;
    admission.route_index = unmatched_index();
    admission.body_limit = options_.body_limit_bytes;
    if ((admission.refusal = check_transfer_encoding(head))) {
        admission.must_close = true;
        return admission;
    }
    if ((admission.refusal = route(head, request, admission))) {
        return admission;
    }
    // Before the body: a client without the token never gets to send one.
    if ((admission.refusal = authorize(options_, *admission.match.route,
                                       head[bhttp::field::authorization], request.query))) {
        return admission;
    }
    if ((admission.refusal = check_body_limit(content_length, admission))) {
        admission.must_close = true;
    }
    return admission;
}

std::optional<Response> Dispatcher::route(const RawRequest& head, Request& request,
                                          Admission& admission) const {
    if (!parse_target(head.target(), request.path, request.query)) {
        return Response::error(status::bad_request, "bad_target",
                               "request target is not a valid path");
    }
    admission.match = router_.match(head.method(), request.path);
    const Route* route = admission.match.route;
    if (route == nullptr) {
        if (admission.match.allow.empty()) {
            return Response::error(status::not_found, "not_found",
                                   "no route for " + market::excerpt(request.path));
        }
        auto refusal = Response::error(status::method_not_allowed, "method_not_allowed",
                                       "method not allowed; allowed: " + admission.match.allow);
        refusal.header("Allow", admission.match.allow);
        return refusal;
    }
    admission.route_index = static_cast<std::size_t>(route - router_.routes().data());
    if (route->options.body_limit != 0) {
        admission.body_limit = route->options.body_limit;
    }
    return std::nullopt;
}

std::optional<Response> Dispatcher::check_body_limit(std::optional<std::uint64_t> content_length,
                                                     const Admission& admission) const {
    // Chunked bodies are held to the limit while they are read.
    if (!content_length || *content_length <= admission.body_limit) {
        return std::nullopt;
    }
    return Response::error(status::payload_too_large, "body_too_large",
                           fmt::format("request body of {} bytes exceeds the limit of {} bytes",
                                       *content_length, admission.body_limit));
}

boost::asio::awaitable<Response> Dispatcher::dispatch(Request& request,
                                                      Admission& admission) const {
    request.path_params = std::move(admission.match.params);
    try {
        co_return co_await admission.match.route->handler(request);
    } catch (...) {
        co_return handler_error_response(request);
    }
}

Response handler_error_response(const Request& request) {
    try {
        throw;
    } catch (const ClientError& e) {
        return Response::error(e.status(), e.code(), e.what());
    } catch (const orchestrator::StorageUnavailable& e) {
        // A series not in memory that PostgreSQL could not give (docs/memory.md).
        return Response::error(status::service_unavailable, "storage_unavailable", e.what());
    } catch (const std::exception& e) {
        spdlog::error("[{}] {} {} failed: {}", request.request_id,
                      escape_for_log(request.message.method_string()), escape_for_log(request.path),
                      e.what());
    }
    return Response::error(status::internal_server_error, "internal", "internal server error");
}

Response read_error_response(const boost::system::error_code& ec, std::size_t body_limit,
                             std::size_t header_limit) {
    if (ec == bhttp::error::body_limit) {
        return Response::error(
            status::payload_too_large, "body_too_large",
            "request body exceeds the limit of " + std::to_string(body_limit) + " bytes");
    }
    // The read buffer holds one head, chunk-size line or trailer section at a time, so a
    // full buffer means one of them is over the head limit.
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
        return Response::error(status::request_header_fields_too_large, "header_too_large",
                               "request head, chunk line or trailers exceed the limit of " +
                                   std::to_string(header_limit) + " bytes");
    }
    return Response::error(status::bad_request, "malformed_request",
                           "malformed HTTP request: " + ec.message());
}

}  // namespace gs::http::detail
