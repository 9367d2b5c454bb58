#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include "goldensignals/http/request.h"
#include "goldensignals/http/response.h"

namespace gs::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

// Who may call a route; http::check_access() (access.h) decides for a request.
//   kOpen   anyone (health, readiness, metrics, the dashboard's files)
//   kRead   anyone while no read token is set (GS_READ_TOKEN); then the read or the write token
//   kWrite  anyone while no write token is set (GS_API_TOKEN); then the write token
enum class Access { kOpen, kRead, kWrite };

struct RouteOptions {
    // Largest body this route accepts; 0 = the server's default limit.
    std::size_t body_limit = 0;
    // Write routes require the API token when one is configured.
    bool write = false;
    // Unset: kWrite for write routes, kRead for other routes under /v1/, kOpen for the rest.
    // See http::route_access().
    std::optional<Access> access = std::nullopt;
    // The route also takes the read token as `?access_token=`: only the SSE stream, since a
    // browser's EventSource cannot send headers. The write token never (see http/access.h).
    bool token_in_query = false;
};

struct Route {
    boost::beast::http::verb method;
    std::string pattern;  // e.g. "/v1/bars/{symbol}"; also the metrics label
    std::vector<std::string> segments;
    Handler handler;
    RouteOptions options;
};

// Matches a method and a decoded path against `/literal/{param}` patterns.
class Router final {
  public:
    void add(boost::beast::http::verb method, std::string pattern, Handler handler,
             RouteOptions options = {});

    struct Match {
        const Route* route = nullptr;  // set when path and method match
        Params params;
        // When the path matched but the method did not: the value of the Allow header.
        std::string allow;
    };

    // HEAD falls back to the GET route; the session drops the body.
    Match match(boost::beast::http::verb method, std::string_view path) const;

    const std::vector<Route>& routes() const { return routes_; }

  private:
    std::vector<Route> routes_;
};

// The route's handler wrapped for a plain function that needs no co_await.
Handler sync_handler(std::function<Response(Request&)> fn);

}  // namespace gs::http
