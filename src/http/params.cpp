#include "goldensignals/http/params.h"

#include <charconv>

#include <fmt/format.h>

#include "goldensignals/market/excerpt.h"
#include "goldensignals/market/time_format.h"

namespace gs::http::params {

using boost::beast::http::status;

std::string symbol(std::string_view raw) {
    auto normalized = market::normalize_symbol(raw);
    if (!normalized) {
        throw ClientError(
            status::bad_request, "invalid_symbol",
            fmt::format(
                "symbol '{}' must be 1 to 20 characters of A-Z a-z 0-9 . - _ ^ =, not . or ..",
                market::excerpt(raw)));
    }
    return *normalized;
}

market::Timeframe timeframe(const Request& request) {
    auto raw = request.query.get("timeframe");
    if (!raw) {
        return market::kDefaultTimeframe;
    }
    auto parsed = market::parse_timeframe(*raw);
    if (!parsed) {
        throw ClientError(status::bad_request, "invalid_timeframe",
                          fmt::format("timeframe '{}' is not one of 1m 5m 15m 30m 1h 4h 1d 1w",
                                      market::excerpt(*raw)));
    }
    return *parsed;
}

std::size_t bounded_integer(const Request& request, std::string_view name, std::size_t fallback,
                            std::size_t min, std::size_t max) {
    auto raw = request.query.get(name);
    if (!raw) {
        return fallback;
    }
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
    if (ec != std::errc{} || end != raw->data() + raw->size() || raw->empty() || value < min ||
        value > max) {
        throw ClientError(status::bad_request, "invalid_parameter",
                          fmt::format("{} must be an integer from {} to {}", name, min, max));
    }
    return value;
}

bool boolean(const Request& request, std::string_view name, bool fallback) {
    auto raw = request.query.get(name);
    if (!raw) {
        return fallback;
    }
    if (*raw == "true" || *raw == "1") {
        return true;
    }
    if (*raw == "false" || *raw == "0") {
        return false;
    }
    throw ClientError(status::bad_request, "invalid_parameter",
                      fmt::format("{} must be true or false", name));
}

std::optional<std::int64_t> epoch_seconds(const Request& request, std::string_view name) {
    auto raw = request.query.get(name);
    if (!raw || raw->empty()) {
        return std::nullopt;
    }
    std::optional<std::int64_t> parsed;
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), seconds);
    if (ec == std::errc{} && end == raw->data() + raw->size()) {
        parsed = seconds;
    } else {
        parsed = market::parse_iso8601(*raw);
    }
    if (!parsed || *parsed < market::kMinBarTime || *parsed > market::kMaxBarTime) {
        throw ClientError(
            status::bad_request, "invalid_parameter",
            fmt::format("{} must be ISO-8601 UTC or epoch seconds between 1970 and 2200", name));
    }
    return parsed;
}

}  // namespace gs::http::params
