#include "http/dispatcher.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/beast/core/string.hpp>

#include "goldensignals/http/access.h"
#include "goldensignals/http/client_error.h"
#include "goldensignals/market/excerpt.h"
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
    if (auto refused = check_transfer_encoding(head)) {
        admission.refusal = std::move(refused);
        admission.must_close = true;
        return admission;
    }
    if (!parse_target(head.target(), request.path, request.query)) {
        admission.refusal = Response::error(status::bad_request, "bad_target",
                                            "request target is not a valid path");
        return admission;
    }
    admission.match = router_.match(head.method(), request.path);
    const Route* route = admission.match.route;
    if (route == nullptr) {
        if (!admission.match.allow.empty()) {
            admission.refusal =
                Response::error(status::method_not_allowed, "method_not_allowed",
                                "method not allowed; allowed: " + admission.match.allow);
            admission.refusal->header("Allow", admission.match.allow);
        } else {
            admission.refusal = Response::error(status::not_found, "not_found",
                                                "no route for " + market::excerpt(request.path));
        }
        return admission;
    }
    admission.route_index = static_cast<std::size_t>(route - router_.routes().data());
    if (route->options.body_limit != 0) {
        admission.body_limit = route->options.body_limit;
    }
    // Before the body: a client without the token never gets to send one.
    const auto verdict = check_access(options_, route_access(*route),
                                      head[bhttp::field::authorization], request.query);
    if (verdict != AccessVerdict::kAllowed) {
        admission.refusal = access_error(verdict);
        return admission;
    }
    // Chunked bodies are held to the limit while they are read.
    if (content_length && *content_length > admission.body_limit) {
        admission.refusal =
            Response::error(status::payload_too_large, "body_too_large",
                            fmt::format("request body of {} bytes exceeds the limit of {} bytes",
                                        *content_length, admission.body_limit));
        admission.must_close = true;
    }
    return admission;
}

boost::asio::awaitable<Response> Dispatcher::dispatch(Request& request,
                                                      Admission& admission) const {
    request.path_params = std::move(admission.match.params);
    try {
        co_return co_await admission.match.route->handler(request);
    } catch (const ClientError& e) {
        co_return Response::error(e.status(), e.code(), e.what());
    } catch (const std::exception& e) {
        spdlog::error("[{}] {} {} failed: {}", request.request_id,
                      escape_for_log(request.message.method_string()), escape_for_log(request.path),
                      e.what());
    }
    co_return Response::error(status::internal_server_error, "internal", "internal server error");
}

}  // namespace gs::http::detail
