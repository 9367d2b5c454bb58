#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "goldensignals/config/options.h"
#include "goldensignals/http/request.h"
#include "goldensignals/http/response.h"
#include "goldensignals/http/router.h"

namespace gs::http::detail {

// What the head of a request decides before a byte of its body is read: where it goes, how
// much body it may bring, and whether it is refused (unknown route, wrong method, missing
// token, body too large, framing we do not accept).
struct Admission {
    Router::Match match;
    // The metrics slot: the route's index, or the router's size for "unmatched".
    std::size_t route_index = 0;
    std::size_t body_limit = 0;
    // Set when the request is refused on its head: the session answers this and never reads
    // (or asks for, with 100 Continue) the body.
    std::optional<Response> refusal;
    // The refusal leaves the connection in an unknown state: answer, then close.
    bool must_close = false;
};

// The pure part of a request's life: head in, admission out; request in, response out.
// No socket I/O here (Beast's examples keep handle_request apart from the session), so it
// is tested and fuzzed without a connection.
class Dispatcher final {
  public:
    Dispatcher(const Router& router, const config::ServerOptions& options);

    // Decides on the head and the Content-Length it declares (nullopt when none or chunked).
    // Fills `request.path` and `request.query`.
    Admission admit(const RawRequest& head, std::optional<std::uint64_t> content_length,
                    Request& request) const;

    // Runs the admitted route's handler; what it throws becomes error_response().
    boost::asio::awaitable<Response> dispatch(Request& request, Admission& admission) const;

    // The largest body any route takes: what the parser may allow before the route is known.
    std::size_t max_body_limit() const noexcept { return max_body_limit_; }
    std::size_t unmatched_index() const noexcept { return router_.routes().size(); }

  private:
    // The steps of admit(), in order; each answers nullopt to go on or the refusal.
    std::optional<Response> route(const RawRequest& head, Request& request,
                                  Admission& admission) const;
    std::optional<Response> check_body_limit(std::optional<std::uint64_t> content_length,
                                             const Admission& admission) const;

    const Router& router_;
    const config::ServerOptions& options_;
    std::size_t max_body_limit_ = 0;
};

// RFC 9112 6.1 and 6.3: a request may carry Transfer-Encoding only as exactly `chunked`
// (we implement no other coding) and only in HTTP/1.1. Anything else, with or without a
// final `chunked`, could be framed differently by a proxy in front of us (request
// smuggling): refused, and the connection closed. nullopt when the framing is acceptable.
std::optional<Response> check_transfer_encoding(const RawRequest& head);

// The error mapping, in one place. A handler's exception: ClientError as its 4xx, anything
// else as a logged 500 (call from a catch block, as dispatch() does).
Response handler_error_response(const Request& request);
// A read that failed for a reason worth telling the client (not a disconnect): 413, 431 or
// 400. `body_limit` and `header_limit` are quoted in the message.
Response read_error_response(const boost::system::error_code& ec, std::size_t body_limit,
                             std::size_t header_limit);

}  // namespace gs::http::detail
