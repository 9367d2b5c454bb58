#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace gs::http {

using RawRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Decoded `name=value` pairs, in the order they came.
class Params {
  public:
    void add(std::string name, std::string value) {
        items_.emplace_back(std::move(name), std::move(value));
    }
    // The first value under `name`, if any.
    std::optional<std::string_view> get(std::string_view name) const {
        for (const auto& [key, value] : items_) {
            if (key == name) {
                return std::string_view(value);
            }
        }
        return std::nullopt;
    }
    const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
    void clear() { items_.clear(); }

  private:
    std::vector<std::pair<std::string, std::string>> items_;
};

// What a handler sees: the parsed message plus what the router and session worked out.
struct Request {
    RawRequest message;
    std::string path;  // percent-decoded, without the query
    Params query;
    Params path_params;
    std::string request_id;

    // A path parameter the route pattern guarantees to exist.
    std::string_view param(std::string_view name) const {
        auto value = path_params.get(name);
        return value ? *value : std::string_view{};
    }
};

// Percent-decodes `text`; `plus_is_space` for query strings. nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Splits a request target into decoded path and query. nullopt when it cannot be decoded.
bool parse_target(std::string_view target, std::string& path, Params& query);

}  // namespace gs::http
