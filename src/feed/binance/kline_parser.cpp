#include "goldensignals/feed/binance/kline_parser.h"

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace gs::feed::binance {
namespace {

using nlohmann::json;

// Binance sends prices and volumes as decimal strings ("16541.77000000"), exactly as documented;
// a number in their place means the format changed, which is worth a malformed count.
double decimal(const json& value, std::string_view field) {
    if (!value.is_string()) {
        throw ParseError(fmt::format("{} is not a decimal string", field));
    }
    const auto& text = value.get_ref<const std::string&>();
    double out = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
        throw ParseError(fmt::format("{} '{}' is not a number", field, text));
    }
    return out;
}

std::int64_t millis(const json& value, std::string_view field) {
    if (!value.is_number_integer()) {
        throw ParseError(fmt::format("{} is not an integer time in ms", field));
    }
    return value.get<std::int64_t>();
}

const json& member(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end()) {
        throw ParseError(fmt::format("no '{}'", key));
    }
    return *it;
}

// Open time and OHLCV into a bar the store takes, or ParseError.
market::Bar make_bar(std::int64_t open_ms, std::int64_t close_ms, double open, double high,
                     double low, double close, double volume) {
    // 1970..2200 in ms; beyond it the conversion below would mean nothing.
    if (open_ms < 0 || open_ms > 7'258'118'400'000 || close_ms <= open_ms) {
        throw ParseError(
            fmt::format("open time {} / close time {} out of range", open_ms, close_ms));
    }
    if (open_ms % 1000 != 0) {
        throw ParseError(fmt::format("open time {} is not on a whole second", open_ms));
    }
    market::Bar bar{open_ms / 1000, open, high, low, close, volume};
    if (auto problem = market::validate_bar(bar)) {
        throw ParseError(*problem);
    }
    return bar;
}

}  // namespace

std::optional<Kline> parse_stream_message(std::string_view text) {
    const json message = json::parse(text.begin(), text.end(), nullptr, false);
    if (message.is_discarded()) {
        throw ParseError("not JSON");
    }
    if (!message.is_object()) {
        throw ParseError("not a JSON object");
    }
    const json* payload = &message;
    if (auto data = message.find("data"); data != message.end()) {
        payload = &*data;
    } else if (message.contains("stream")) {
        throw ParseError("combined-stream message without 'data'");
    }
    if (!payload->is_object()) {
        throw ParseError("'data' is not an object");
    }
    auto event = payload->find("e");
    if (event == payload->end()) {
        // {"result":null,"id":1} and the like: replies to requests, not market data.
        if (payload->contains("result") || payload->contains("id")) {
            return std::nullopt;
        }
        throw ParseError("no event type 'e'");
    }
    if (*event != "kline") {
        return std::nullopt;
    }
    try {
        const json& k = member(*payload, "k");
        if (!k.is_object()) {
            throw ParseError("'k' is not an object");
        }
        Kline kline;
        const json& symbol = member(k, "s");
        const json& interval = member(k, "i");
        const json& closed = member(k, "x");
        if (!symbol.is_string() || !interval.is_string() || !closed.is_boolean()) {
            throw ParseError("k.s, k.i or k.x of the wrong type");
        }
        kline.symbol = symbol.get<std::string>();
        kline.interval = interval.get<std::string>();
        kline.final = closed.get<bool>();
        kline.event_time_ms = millis(member(*payload, "E"), "E");
        kline.open_time_ms = millis(member(k, "t"), "k.t");
        kline.close_time_ms = millis(member(k, "T"), "k.T");
        kline.bar =
            make_bar(kline.open_time_ms, kline.close_time_ms, decimal(member(k, "o"), "k.o"),
                     decimal(member(k, "h"), "k.h"), decimal(member(k, "l"), "k.l"),
                     decimal(member(k, "c"), "k.c"), decimal(member(k, "v"), "k.v"));
        return kline;
    } catch (const ParseError& e) {
        throw ParseError(fmt::format("kline: {}", e.what()));
    }
}

std::vector<Kline> parse_rest_klines(std::string_view text) {
    const json rows = json::parse(text.begin(), text.end(), nullptr, false);
    if (rows.is_discarded() || !rows.is_array()) {
        throw ParseError("klines response is not a JSON array");
    }
    std::vector<Kline> out;
    out.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const json& row = rows[i];
        try {
            if (!row.is_array() || row.size() < 7) {
                throw ParseError("not an array of at least 7 fields");
            }
            Kline kline;
            kline.open_time_ms = millis(row[0], "open time");
            kline.close_time_ms = millis(row[6], "close time");
            kline.bar = make_bar(kline.open_time_ms, kline.close_time_ms, decimal(row[1], "open"),
                                 decimal(row[2], "high"), decimal(row[3], "low"),
                                 decimal(row[4], "close"), decimal(row[5], "volume"));
            kline.final = true;
            out.push_back(std::move(kline));
        } catch (const ParseError& e) {
            throw ParseError(fmt::format("kline row {}: {}", i, e.what()));
        }
    }
    return out;
}

}  // namespace gs::feed::binance
