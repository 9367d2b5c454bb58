#pragma once

// Reading and validating request parameters; every failure is a ClientError with a reason.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "goldensignals/http/client_error.h"
#include "goldensignals/http/request.h"
#include "goldensignals/market/symbol.h"
#include "goldensignals/market/timeframe.h"

namespace gs::http::params {

std::string symbol(std::string_view raw);
market::Timeframe timeframe(const Request& request);
// ?name=N within [min, max], `fallback` when absent.
std::size_t bounded_integer(const Request& request, std::string_view name, std::size_t fallback,
                            std::size_t min, std::size_t max);
// ?name=true|false (also 1/0), `fallback` when absent.
bool boolean(const Request& request, std::string_view name, bool fallback);
// ?name= as ISO-8601 UTC or epoch seconds, within the bar times the store takes (1970-2200);
// nullopt when absent or empty.
std::optional<std::int64_t> epoch_seconds(const Request& request, std::string_view name);

}  // namespace gs::http::params
