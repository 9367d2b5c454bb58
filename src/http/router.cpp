#include "goldensignals/http/router.h"

#include <stdexcept>

#include <boost/container/small_vector.hpp>

namespace gs::http {
namespace {

// Inline room for the segments of every route we serve: matching a request allocates nothing.
using Segments = boost::container::small_vector<std::string_view, 8>;

Segments split_path(std::string_view path) {
    Segments out;
    std::size_t start = 1;  // paths start with '/'
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            slash = path.size();
        }
        out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

bool is_param(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(boost::beast::http::verb method, std::string pattern, Handler handler,
                 RouteOptions options) {
    if (pattern.empty() || pattern.front() != '/') {
        throw std::invalid_argument("route pattern must start with '/': " + pattern);
    }
    Route route{method, pattern, {}, std::move(handler), options};
    for (auto segment : split_path(pattern)) {
        route.segments.emplace_back(segment);
    }
    routes_.push_back(std::move(route));
}

Router::Match Router::match(boost::beast::http::verb method, std::string_view path) const {
    using boost::beast::http::verb;
    Match result;
    if (path.empty() || path.front() != '/') {
        return result;
    }
    const auto segments = split_path(path);
    const Route* head_fallback = nullptr;
    Params head_params;
    for (const auto& route : routes_) {
        if (route.segments.size() != segments.size()) {
            continue;
        }
        Params params;
        bool matched = true;
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const std::string& expected = route.segments[i];
            if (is_param(expected)) {
                // A parameter never matches an empty segment ("/v1/bars/").
                if (segments[i].empty()) {
                    matched = false;
                    break;
                }
                params.add(expected.substr(1, expected.size() - 2), std::string(segments[i]));
            } else if (expected != segments[i]) {
                matched = false;
                break;
            }
        }
        if (!matched) {
            continue;
        }
        if (route.method == method) {
            result.route = &route;
            result.params = std::move(params);
            result.allow.clear();
            return result;
        }
        if (method == verb::head && route.method == verb::get && head_fallback == nullptr) {
            head_fallback = &route;
            head_params = std::move(params);
        }
        std::string_view name = boost::beast::http::to_string(route.method);
        if (result.allow.find(name) == std::string::npos) {
            if (!result.allow.empty()) {
                result.allow += ", ";
            }
            result.allow.append(name.data(), name.size());
            if (route.method == verb::get) {
                result.allow += ", HEAD";
            }
        }
    }
    if (head_fallback != nullptr) {
        result.route = head_fallback;
        result.params = std::move(head_params);
        result.allow.clear();
    }
    return result;
}

Handler sync_handler(std::function<Response(Request&)> fn) {
    return [fn = std::move(fn)](Request& request) -> boost::asio::awaitable<Response> {
        co_return fn(request);
    };
}

}  // namespace gs::http
