#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/market/bar.h"

namespace gs::feed::binance {

// A message that claims to be a kline and is not a valid one.
class ParseError final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// One Binance kline (candlestick), times in ms as Binance gives them; bar.time in seconds.
struct Kline {
    std::string symbol;    // k.s, as Binance spells it (BTCUSDT); empty from REST
    std::string interval;  // k.i (1m); empty from REST
    market::Bar bar;
    std::int64_t open_time_ms = 0;   // k.t
    std::int64_t close_time_ms = 0;  // k.T: the last millisecond of the period
    bool final = false;              // k.x; REST rows are final when their close time has passed
    std::int64_t event_time_ms = 0;  // E; 0 from REST
};

// A message of the combined stream, {"stream":"btcusdt@kline_1m","data":{"e":"kline",...}}, or
// a raw kline payload. nullopt for a message that is not a kline event (a reply to a
// subscription request); throws ParseError for one that is broken (not JSON, a field missing or
// of the wrong type, a price that is not a number, a bar market::validate_bar refuses).
std::optional<Kline> parse_stream_message(std::string_view text);

// The body of GET /api/v3/klines: an array of
// [openTime, "open", "high", "low", "close", "volume", closeTime, ...] rows, oldest first.
// Throws ParseError naming the first bad row.
std::vector<Kline> parse_rest_klines(std::string_view text);

}  // namespace gs::feed::binance
