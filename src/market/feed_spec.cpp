#include "goldensignals/market/feed_spec.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "goldensignals/market/symbol.h"

namespace gs::market {
namespace {

// A day: the longest pause between two feed bars, and a bound for the conversion to integer ms.
constexpr double kMaxIntervalMs = 86'400'000.0;

double number(std::string_view text, std::string_view what) {
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || !(value > 0)) {
        throw std::invalid_argument(fmt::format("{} '{}' is not a positive number", what, text));
    }
    return value;
}

// An exchange symbol: letters and digits only (BTCUSDT), which also keeps it safe in a URL.
bool exchange_symbol(std::string_view text) {
    return !text.empty() && text.size() <= kMaxSymbolLength &&
           std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
           });
}

// A single connection carries at most 1024 Binance streams; far fewer keep the backfill short.
constexpr std::size_t kMaxInstruments = 200;

FeedSpec parse_binance(std::string_view rest) {
    FeedSpec spec;
    spec.kind = FeedSpec::Kind::kBinance;
    std::string_view list = rest;
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        list = rest.substr(0, at);
        auto timeframe = parse_timeframe(rest.substr(at + 1));
        if (!timeframe) {
            throw std::invalid_argument(
                fmt::format("binance timeframe '{}' is not one of 1m 5m 15m 30m 1h 4h 1d 1w",
                            rest.substr(at + 1)));
        }
        spec.timeframe = *timeframe;
    }
    while (true) {
        auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        if (!exchange_symbol(item)) {
            throw std::invalid_argument(
                fmt::format("binance symbol '{}' is not 1 to {} letters and digits "
                            "(binance:BTCUSDT,ETHUSDT@1m)",
                            item, kMaxSymbolLength));
        }
        std::string symbol(item);
        std::transform(symbol.begin(), symbol.end(), symbol.begin(),
                       [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
        if (std::find(spec.instruments.begin(), spec.instruments.end(), symbol) ==
            spec.instruments.end()) {
            spec.instruments.push_back(std::move(symbol));
        }
        if (comma == std::string_view::npos) {
            break;
        }
        list = list.substr(comma + 1);
    }
    if (spec.instruments.size() > kMaxInstruments) {
        throw std::invalid_argument(fmt::format("at most {} binance symbols", kMaxInstruments));
    }
    return spec;
}

}  // namespace

FeedSpec parse_feed_spec(std::string_view text) {
    FeedSpec spec;
    if (text.empty() || text == "none") {
        return spec;
    }
    auto colon = text.find(':');
    const std::string_view kind = text.substr(0, colon);
    const std::string_view rest = colon == std::string_view::npos ? "" : text.substr(colon + 1);
    if (kind == "sim") {
        spec.kind = FeedSpec::Kind::kSimulated;
        auto second = rest.find(':');
        const double n = number(rest.substr(0, second), "symbol count");
        if (n > 1000 || n != static_cast<double>(static_cast<std::size_t>(n))) {
            throw std::invalid_argument("symbol count must be a whole number up to 1000");
        }
        spec.symbols = static_cast<std::size_t>(n);
        spec.interval = std::chrono::milliseconds(1000);
        if (second != std::string_view::npos) {
            const double ms = number(rest.substr(second + 1), "interval in ms");
            // Bounded above too: converting a double beyond long long's range is undefined.
            if (ms < 10 || ms > kMaxIntervalMs) {
                throw std::invalid_argument("interval must be 10 ms to one day");
            }
            spec.interval = std::chrono::milliseconds(static_cast<long long>(ms));
        }
        return spec;
    }
    if (kind == "replay") {
        spec.kind = FeedSpec::Kind::kReplay;
        // FILE may itself hold no colon; the rate is after the last one when it is a number.
        std::string_view file = rest;
        double per_second = 1.0;
        if (auto last = rest.rfind(':'); last != std::string_view::npos) {
            try {
                per_second = number(rest.substr(last + 1), "bars per second");
                file = rest.substr(0, last);
            } catch (const std::invalid_argument&) {
                file = rest;
            }
        }
        if (file.empty()) {
            throw std::invalid_argument("replay needs a file: replay:FILE[:BARS_PER_SECOND]");
        }
        if (per_second > 1000) {
            throw std::invalid_argument("at most 1000 bars per second");
        }
        if (1000.0 / per_second > kMaxIntervalMs) {
            throw std::invalid_argument("at least one bar a day");
        }
        spec.file = std::string(file);
        spec.interval = std::chrono::milliseconds(static_cast<long long>(1000.0 / per_second));
        return spec;
    }
    if (kind == "binance") {
        return parse_binance(rest);
    }
    throw std::invalid_argument(fmt::format(
        "feed '{}' is none of sim:N[:MS], replay:FILE[:BARS_PER_SECOND], binance:SYM[,SYM...][@TF]",
        text));
}

}  // namespace gs::market
