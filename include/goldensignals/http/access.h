#pragma once

// Read and write access to routes. Two secrets, both from the environment only:
//   GS_API_TOKEN   the write token: write routes need it as `Authorization: Bearer`;
//                  also good for reads. Never taken from a URL: URLs end up in access logs.
//   GS_READ_TOKEN  the read token: when set, read routes (GET /v1/...) need it (or the write
//                  token) as `Authorization: Bearer`; the stream also takes it as
//                  `?access_token=`, since a browser's EventSource cannot send headers.
// Without a read token, reads are open; without a write token, writes are.
#include <optional>
#include <string_view>

#include "goldensignals/config/options.h"
#include "goldensignals/http/request.h"
#include "goldensignals/http/response.h"
#include "goldensignals/http/router.h"

namespace gs::http {

enum class AccessVerdict {
    kAllowed,
    kUnauthorized,     // 401: no token, or not one that grants this access
    kWriteTokenInUrl,  // 400: the write token came in the query string
};

// The access a route needs: its RouteOptions::access, or else kWrite for write routes, kRead
// for the others under /v1/, kOpen for the rest (/healthz, /readyz, /metrics, the dashboard).
Access route_access(const Route& route);

// Decides a request for a route needing `access`. `authorization` is the Authorization
// header's value; `query` the decoded query. `token_in_query`: the route also takes the read
// token as `?access_token=` (the SSE stream). Whatever the route, a query parameter
// `access_token` or `token` equal to the write token gives kWriteTokenInUrl. Tokens are
// compared in constant time. A pure function: the server and the stream route both call it.
AccessVerdict check_access(const config::ServerOptions& options, Access access,
                           std::string_view authorization, const Params& query,
                           bool token_in_query = false);

// The JSON error for a verdict other than kAllowed: 401 `unauthorized` with
// `WWW-Authenticate: Bearer`, or 400 `token_in_url`.
Response access_error(AccessVerdict verdict, bool token_in_query = false);

// The auth step of every request, run on the head before a byte of the body is read: the
// route's access (route_access) and RouteOptions::token_in_query, checked against the
// server's tokens. nullopt when allowed, else the error to answer.
std::optional<Response> authorize(const config::ServerOptions& options, const Route& route,
                                  std::string_view authorization, const Params& query);

// Compares without an early exit, so response time does not reveal how much of a guessed
// token was right. False when `expected` is empty.
bool constant_time_equals(std::string_view given, std::string_view expected);

}  // namespace gs::http
