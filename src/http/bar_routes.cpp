#include <fmt/format.h>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/async/run_on.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/params.h"
#include "goldensignals/market/bar_parsing.h"
#include "goldensignals/market/time_format.h"

namespace gs::http {

namespace asio = boost::asio;
using boost::beast::http::field;
using boost::beast::http::status;
using boost::beast::http::verb;

namespace {

// Bodies this small parse faster than a hop to the compute pool and back.
constexpr std::size_t kInlineParseBytes = 64 * 1024;

enum class BodyFormat { kJson, kCsv };

BodyFormat body_format(const Request& request) {
    std::string_view type = request.message[field::content_type];
    type = type.substr(0, type.find(';'));
    while (!type.empty() && type.back() == ' ') {
        type.remove_suffix(1);
    }
    if (boost::beast::iequals(type, "application/json")) {
        return BodyFormat::kJson;
    }
    if (boost::beast::iequals(type, "text/csv")) {
        return BodyFormat::kCsv;
    }
    throw ClientError(status::unsupported_media_type, "unsupported_media_type",
                      "Content-Type must be application/json or text/csv");
}

market::PostedBars parse_body(BodyFormat format, std::string_view body) {
    try {
        if (format == BodyFormat::kJson) {
            return market::parse_posted_bars_json(body);
        }
        return market::PostedBars{market::parse_bars_csv(body), std::nullopt};
    } catch (const market::BarParseError& e) {
        if (e.kind() == market::BarParseError::Kind::kTooMany) {
            throw ClientError(status::payload_too_large, "too_many_bars", e.what());
        }
        throw ClientError(status::bad_request, "invalid_bars", e.what());
    }
}

// ?format=json (the default) or csv.
bool csv_wanted(const Request& request) {
    auto format = request.query.get("format");
    if (!format || *format == "json") {
        return false;
    }
    if (*format == "csv") {
        return true;
    }
    throw ClientError(status::bad_request, "invalid_parameter", "format must be json or csv");
}

// The newest `count` bars in the CSV form POST takes back (ISO 8601 times), so an export
// re-imports as is.
std::string bars_csv(const market::BarSeries& series, std::size_t count) {
    std::string body = "time,open,high,low,close,volume\n";
    body.reserve(body.size() + count * 80);
    for (std::size_t i = series.size() - count; i < series.size(); ++i) {
        const auto bar = series.bar(i);
        market::append_iso8601(body, bar.time);
        fmt::format_to(std::back_inserter(body), ",{},{},{},{},{}\n", bar.open, bar.high, bar.low,
                       bar.close, bar.volume);
    }
    return body;
}

std::string_view to_string(orchestrator::ProvisionalService::Offer offer) {
    using Offer = orchestrator::ProvisionalService::Offer;
    switch (offer) {
        case Offer::kScheduled:
            return "scheduled";
        case Offer::kCoalesced:
            return "coalesced";
        case Offer::kStale:
            return "stale";
        case Offer::kNoSeries:
            return "no_series";
        case Offer::kDisabled:
            return "disabled";
    }
    return "disabled";
}

}  // namespace

void add_bar_routes(Router& router, market::BarStore& store, orchestrator::IngestService& ingest,
                    asio::any_io_executor compute, const orchestrator::RollupService* rollup,
                    orchestrator::ProvisionalService* provisional) {
    router.add(
        verb::post, "/v1/bars/{symbol}",
        [&ingest, &store, compute, provisional](Request& request) -> asio::awaitable<Response> {
            const std::string symbol = params::symbol(request.param("symbol"));
            const auto timeframe = params::timeframe(request);
            const BodyFormat format = body_format(request);
            const std::string& body = request.message.body();
            market::PostedBars bars;
            if (body.size() <= kInlineParseBytes) {
                bars = parse_body(format, body);
            } else {
                // Keep a 10 MB parse off the I/O threads: on the compute pool.
                auto parse = [&] { return parse_body(format, body); };
                bars = co_await async::run_on(compute, std::move(parse));
            }
            market::UpsertResult result;
            bool have_last = !bars.bars.empty();
            if (have_last) {
                try {
                    std::string name = symbol;
                    result =
                        co_await ingest.ingest(std::move(name), timeframe, std::move(bars.bars));
                } catch (const orchestrator::StorageUnavailable& e) {
                    throw ClientError(status::service_unavailable, "storage_unavailable", e.what());
                } catch (const market::SeriesLimitError& e) {
                    throw ClientError(status::insufficient_storage, "symbol_limit", e.what());
                }
                co_await ingest.before_ack();
            } else if (auto held = store.get(symbol, timeframe); held && !held->empty()) {
                result.last_time = held->last_time();  // a forming bar alone
                have_last = true;
            }
            nlohmann::json out = {{"symbol", symbol},
                                  {"timeframe", market::to_string(timeframe)},
                                  {"accepted", result.accepted},
                                  {"last_time", nullptr}};
            if (have_last) {
                out["last_time"] = market::format_iso8601(result.last_time);
            }
            if (bars.forming) {
                // After the final bars: the forming bar is newer than all of them.
                const auto offer = provisional != nullptr
                                       ? provisional->offer(symbol, timeframe, *bars.forming)
                                       : orchestrator::ProvisionalService::Offer::kDisabled;
                out["forming"] = {{"time", market::format_iso8601(bars.forming->time)},
                                  {"provisional", std::string(to_string(offer))}};
            }
            co_return Response::json(status::ok, std::move(out));
        },
        {.body_limit = kBarsBodyLimit, .write = true});

    // The response from the bars in memory; the route below loads a series first.
    auto bars_response = [&store, rollup](Request& request) -> Response {
        const std::string symbol = params::symbol(request.param("symbol"));
        const auto timeframe = params::timeframe(request);
        const std::size_t limit = params::bounded_integer(request, "limit", 500, 1, 100'000);
        const bool csv = csv_wanted(request);
        const bool with_forming = params::boolean(request, "forming", false);
        std::optional<market::Bar> forming;
        if (with_forming && rollup != nullptr) {
            forming = rollup->forming(symbol, timeframe);
        }
        auto series = store.get(symbol, timeframe);
        const bool held = series && !series->empty();
        // A derived series before its first period closed has only a forming bar.
        if (!held && !(forming && !csv)) {
            throw ClientError(
                status::not_found, "unknown_symbol",
                fmt::format("no {} bars for {}", market::to_string(timeframe), symbol));
        }
        const std::size_t size = held ? series->size() : 0;
        const std::size_t count = std::min(limit, size);
        if (csv) {
            return Response::text(status::ok, bars_csv(*series, count), "text/csv; charset=utf-8");
        }
        std::string body;
        body.reserve(64 + count * 120);
        body += R"({"symbol":)";
        body += nlohmann::json(symbol).dump();
        body += R"(,"timeframe":")";
        body += market::to_string(timeframe);
        body += R"(","bars":[)";
        for (std::size_t i = size - count; i < size; ++i) {
            const auto bar = series->bar(i);
            if (i != size - count) {
                body += ',';
            }
            body += R"({"time":")";
            market::append_iso8601(body, bar.time);
            fmt::format_to(std::back_inserter(body),
                           R"(","open":{},"high":{},"low":{},"close":{},"volume":{}}})", bar.open,
                           bar.high, bar.low, bar.close, bar.volume);
        }
        body += ']';
        if (with_forming) {
            // Read-only: the rolled-up period still open, never part of "bars".
            body += R"(,"forming":)";
            if (forming) {
                body += R"({"time":")";
                market::append_iso8601(body, forming->time);
                fmt::format_to(std::back_inserter(body),
                               R"(","open":{},"high":{},"low":{},"close":{},"volume":{}}})",
                               forming->open, forming->high, forming->low, forming->close,
                               forming->volume);
            } else {
                body += "null";
            }
        }
        body += '}';
        return Response::json_body(status::ok,
                                   std::make_shared<const std::string>(std::move(body)));
    };
    router.add(verb::get, "/v1/bars/{symbol}",
               [&store, &ingest, bars_response](Request& request) -> asio::awaitable<Response> {
                   const std::string symbol = params::symbol(request.param("symbol"));
                   const auto timeframe = params::timeframe(request);
                   // A series not in memory is loaded first (docs/memory.md), pinned until read.
                   const auto pin = store.pin(symbol, timeframe);
                   co_await ingest.bar_sync().resident(symbol, timeframe);
                   co_return bars_response(request);
               });

    router.add(
        verb::delete_, "/v1/bars/{symbol}",
        [&ingest](Request& request) -> asio::awaitable<Response> {
            const std::string symbol = params::symbol(request.param("symbol"));
            const auto timeframe = params::timeframe(request);
            std::size_t removed = 0;
            try {
                std::string name = symbol;
                removed = co_await ingest.remove(std::move(name), timeframe);
            } catch (const orchestrator::StorageUnavailable& e) {
                throw ClientError(status::service_unavailable, "storage_unavailable", e.what());
            }
            co_await ingest.before_ack();
            if (removed == 0) {
                throw ClientError(
                    status::not_found, "unknown_symbol",
                    fmt::format("no {} bars for {}", market::to_string(timeframe), symbol));
            }
            co_return Response::json(status::ok, {{"symbol", symbol},
                                                  {"timeframe", market::to_string(timeframe)},
                                                  {"removed", removed}});
        },
        {.write = true});
}

}  // namespace gs::http
