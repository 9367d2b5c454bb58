// GET /v1/symbols and GET /v1/scan: the universe the service holds, and its current signals.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/params.h"
#include "goldensignals/json/writer.h"
#include "goldensignals/market/excerpt.h"
#include "goldensignals/market/time_format.h"

namespace gs::http {

namespace asio = boost::asio;
using boost::beast::http::status;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kMaxSymbolsPage = 1000;
constexpr std::string_view kCursorTag = "s1.";

[[noreturn]] void bad_parameter(std::string message) {
    throw ClientError(status::bad_request, "invalid_parameter", std::move(message));
}

// The cursor names the last symbol of the page, hex-encoded behind a version tag: opaque to
// clients, checked on the way back in.
std::string encode_cursor(std::string_view symbol) {
    std::string out(kCursorTag);
    for (const unsigned char c : symbol) {
        fmt::format_to(std::back_inserter(out), "{:02x}", c);
    }
    return out;
}

std::string decode_cursor(std::string_view raw) {
    auto invalid = [] {
        throw ClientError(status::bad_request, "invalid_cursor",
                          "cursor is not a next_cursor this service gave");
    };
    if (!raw.starts_with(kCursorTag) || raw.size() % 2 != kCursorTag.size() % 2 ||
        raw.size() > kCursorTag.size() + 2 * market::kMaxSymbolLength) {
        invalid();
    }
    std::string symbol;
    for (std::size_t i = kCursorTag.size(); i < raw.size(); i += 2) {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(raw.data() + i, raw.data() + i + 2, value, 16);
        if (ec != std::errc{} || end != raw.data() + i + 2) {
            invalid();
        }
        symbol.push_back(static_cast<char>(value));
    }
    if (market::normalize_symbol(symbol) != symbol) {
        invalid();
    }
    return symbol;
}

// ?timeframe= when given; every timeframe when absent (unlike the per-symbol routes).
std::optional<market::Timeframe> optional_timeframe(const Request& request) {
    if (!request.query.get("timeframe")) {
        return std::nullopt;
    }
    return params::timeframe(request);
}

std::string prefix_param(const Request& request) {
    auto raw = request.query.get("prefix");
    if (!raw || raw->empty()) {
        return {};
    }
    auto normalized = market::normalize_symbol(*raw);
    if (!normalized) {
        bad_parameter(fmt::format("prefix '{}' must be 1 to 20 characters of A-Z a-z 0-9 . - _ ^ =",
                                  market::excerpt(*raw)));
    }
    return *normalized;
}

Response symbols_response(market::BarStore& store, const Request& request) {
    const auto timeframe = optional_timeframe(request);
    const std::string prefix = prefix_param(request);
    const std::size_t limit = params::bounded_integer(request, "limit", 100, 1, kMaxSymbolsPage);
    std::optional<std::string> after;
    if (auto raw = request.query.get("cursor"); raw && !raw->empty()) {
        after = decode_cursor(*raw);
    }
    // Resident series and the stored ones memory does not hold (docs/memory.md "Catalog").
    auto held = store.list_catalog(timeframe);
    std::erase_if(held, [&](const market::CatalogRef& ref) {
        const bool empty = ref.series ? ref.series->empty() : ref.stored.bars == 0;
        return !ref.symbol.starts_with(prefix) || (after && ref.symbol <= *after) || empty;
    });
    std::sort(held.begin(), held.end(), [](const auto& a, const auto& b) {
        return a.symbol != b.symbol ? a.symbol < b.symbol : a.timeframe < b.timeframe;
    });
    nlohmann::json symbols = nlohmann::json::array();
    std::size_t i = 0;
    while (i < held.size() && symbols.size() < limit) {
        nlohmann::json timeframes = nlohmann::json::object();
        const std::string& symbol = held[i].symbol;
        for (; i < held.size() && held[i].symbol == symbol; ++i) {
            market::StoredSeries figures = held[i].stored;
            if (const auto& series = held[i].series) {
                figures = {series->size(), series->bar(0).time, series->last_time()};
            }
            timeframes[std::string(market::to_string(held[i].timeframe))] = {
                {"bars", figures.bars},
                {"first", market::format_iso8601(figures.first)},
                {"last", market::format_iso8601(figures.last)}};
        }
        symbols.push_back({{"symbol", symbol}, {"timeframes", std::move(timeframes)}});
    }
    nlohmann::json next = nullptr;
    if (i < held.size()) {
        next = encode_cursor(held[i - 1].symbol);
    }
    return Response::json(status::ok, {{"symbols", std::move(symbols)}, {"next_cursor", next}});
}

std::optional<double> number_param(const Request& request, std::string_view name, double min,
                                   double max) {
    auto raw = request.query.get(name);
    if (!raw) {
        return std::nullopt;
    }
    double value = 0.0;
    auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
    if (raw->empty() || ec != std::errc{} || end != raw->data() + raw->size() ||
        !std::isfinite(value) || value < min || value > max) {
        bad_parameter(fmt::format("{} must be a number from {} to {}", name, min, max));
    }
    return value;
}

orchestrator::ScanQuery scan_query(const Request& request) {
    orchestrator::ScanQuery query;
    if (auto raw = request.query.get("action")) {
        std::string upper(raw->substr(0, 8));
        std::transform(upper.begin(), upper.end(), upper.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        for (const auto action :
             {agents::Action::kBuy, agents::Action::kSell, agents::Action::kHold}) {
            if (raw->size() == upper.size() && agents::to_string(action) == upper) {
                query.action = action;
            }
        }
        if (!query.action) {
            bad_parameter(
                fmt::format("action '{}' is not one of BUY SELL HOLD", market::excerpt(*raw)));
        }
    }
    query.min_score = number_param(request, "min_score", -1.0, 1.0);
    query.max_score = number_param(request, "max_score", -1.0, 1.0);
    query.min_confidence = number_param(request, "min_confidence", 0.0, 1.0);
    if (query.min_score && query.max_score && *query.min_score > *query.max_score) {
        bad_parameter("min_score must not be above max_score");
    }
    if (auto raw = request.query.get("category")) {
        for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
            const auto category = static_cast<agents::Category>(c);
            if (agents::to_string(category) == *raw) {
                query.category = category;
            }
        }
        if (!query.category) {
            bad_parameter(fmt::format(
                "category '{}' is not one of trend momentum volatility volume pattern statistical",
                market::excerpt(*raw)));
        }
    }
    if (auto raw = request.query.get("sort")) {
        if (*raw == "-score") {
            query.sort = orchestrator::ScanSort::kScoreDescending;
        } else if (*raw == "score") {
            query.sort = orchestrator::ScanSort::kScoreAscending;
        } else if (*raw == "-confidence") {
            query.sort = orchestrator::ScanSort::kConfidence;
        } else if (*raw == "symbol") {
            query.sort = orchestrator::ScanSort::kSymbol;
        } else {
            bad_parameter(fmt::format("sort '{}' is not one of -score score -confidence symbol",
                                      market::excerpt(*raw)));
        }
    }
    query.limit = params::bounded_integer(request, "limit", 50, 1, orchestrator::kMaxScanLimit);
    return query;
}

// The scan's body, written straight to text (a JSON tree cost ~8 us a row: 4 ms for a page of
// 500, bench/RESULTS.md section 17). Keys sorted, as the signal bodies are.
std::string scan_body(market::Timeframe timeframe, const orchestrator::SignalBoard::Answer& answer,
                      const orchestrator::ScanQuery& query) {
    std::string out;
    out.reserve(64 + answer.rows.size() * 170);
    json::Writer w(out);
    w.begin_object().raw_key("results").begin_array();
    for (const auto& row : answer.rows) {
        w.begin_object();
        w.raw_key("action").string(agents::to_string(row.action));
        w.raw_key("as_of").raw_value("\"");
        market::append_iso8601(out, row.as_of);
        out += '"';
        if (query.category) {
            w.raw_key("category_score").number(orchestrator::scan_score(row, query));
        }
        w.raw_key("confidence").number(row.confidence);
        w.raw_key("score").number(row.score);
        w.raw_key("strength").string(consensus::to_string(row.strength));
        w.raw_key("symbol").string(row.symbol);
        w.end_object();
    }
    w.end_array();
    w.raw_key("timeframe").string(market::to_string(timeframe));
    w.raw_key("total").unsigned_integer(answer.total);
    w.end_object();
    return out;
}

}  // namespace

void add_universe_routes(Router& router, market::BarStore& store,
                         orchestrator::SignalBoard& board) {
    router.add(verb::get, "/v1/symbols", sync_handler([&store](Request& request) {
                   return symbols_response(store, request);
               }));

    router.add(verb::get, "/v1/scan", [&board](Request& request) -> asio::awaitable<Response> {
        const auto timeframe = params::timeframe(request);
        const auto query = scan_query(request);
        auto answer = co_await board.scan(timeframe, query);
        co_return Response::json_body(
            status::ok, std::make_shared<const std::string>(scan_body(timeframe, answer, query)));
    });
}

}  // namespace gs::http
