#pragma once

// Read and write access to routes. Two secrets, both from the environment only:
//   GS_API_TOKEN   the write token: write routes need it as `Authorization: Bearer`;
//                  also good for reads. Never taken from a URL: URLs end up in access logs.
//   GS_READ_TOKEN  the read token: when set, read routes (GET /v1/...) need it (or the write
//                  token) as `Authorization: Bearer`; the stream also takes it as
//                  `?access_token=`, since a browser's EventSource cannot send headers.
// Without a read token, reads are open; without a write token, writes are.
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

}  // namespace gs::http
