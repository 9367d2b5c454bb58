// POST /v1/backtests, GET|DELETE /v1/backtests/{id} and GET /v1/backtests/{id}/events: universe
// backtests as jobs (backtest::JobRegistry; docs/backtest.md).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/backtest/jobs.h"
#include "goldensignals/backtest/run.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/params.h"
#include "goldensignals/market/excerpt.h"
#include "goldensignals/market/time_format.h"
#include "goldensignals/orchestrator/bar_sync.h"

namespace gs::http {

namespace asio = boost::asio;
using boost::beast::http::status;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kJobBodyLimit = 256 * 1024;
// Progress streams open at once; each polls its job every kEventPoll.
constexpr std::size_t kMaxEventStreams = 256;
constexpr auto kEventPoll = std::chrono::milliseconds(250);
constexpr auto kEventHeartbeat = std::chrono::seconds(15);
constexpr auto kEventWriteTimeout = std::chrono::seconds(10);

[[noreturn]] void invalid(std::string message) {
    throw ClientError(status::bad_request, "invalid_parameter", std::move(message));
}

std::optional<std::int64_t> time_field(const nlohmann::json& body, const char* name) {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        return std::nullopt;
    }
    std::optional<std::int64_t> parsed;
    if (it->is_number_integer()) {
        parsed = it->get<std::int64_t>();
    } else if (it->is_string()) {
        parsed = market::parse_iso8601(it->get<std::string>());
    }
    if (!parsed || *parsed < market::kMinBarTime || *parsed > market::kMaxBarTime) {
        invalid(
            fmt::format("{} must be ISO-8601 UTC or epoch seconds between 1970 and 2200", name));
    }
    return parsed;
}

// The body of POST /v1/backtests, strictly: unknown fields are refused, so a typo does not
// silently run a different backtest.
backtest::JobSpec parse_job(const std::string& text, market::BarStore& store,
                            const backtest::JobLimits& limits) {
    const auto body = nlohmann::json::parse(text, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        throw ClientError(status::bad_request, "invalid_json", "the body must be a JSON object");
    }
    static const std::set<std::string> kFields = {"symbols", "timeframe", "from", "to",
                                                  "horizon", "fee_bps",   "mode", "weighting"};
    for (const auto& [key, value] : body.items()) {
        if (!kFields.contains(key)) {
            invalid(fmt::format("unknown field '{}'", market::excerpt(key)));
        }
    }
    backtest::JobSpec spec;
    if (const auto it = body.find("timeframe"); it != body.end()) {
        const auto parsed =
            it->is_string() ? market::parse_timeframe(it->get<std::string>()) : std::nullopt;
        if (!parsed) {
            throw ClientError(status::bad_request, "invalid_timeframe",
                              "timeframe must be one of 1m 5m 15m 30m 1h 4h 1d 1w");
        }
        spec.timeframe = *parsed;
    }
    spec.from = time_field(body, "from");
    spec.to = time_field(body, "to");
    if (spec.from && spec.to && *spec.from > *spec.to) {
        invalid("from must not be after to");
    }
    if (const auto it = body.find("horizon"); it != body.end()) {
        if (!it->is_number_unsigned() || it->get<std::uint64_t>() < 1 ||
            it->get<std::uint64_t>() > backtest::kMaxHorizon) {
            invalid(fmt::format("horizon must be an integer from 1 to {}", backtest::kMaxHorizon));
        }
        spec.options.horizon = it->get<std::size_t>();
    }
    if (const auto it = body.find("fee_bps"); it != body.end()) {
        if (!it->is_number() || !(it->get<double>() >= 0.0) ||
            it->get<double>() > backtest::kMaxFeeBps) {
            invalid(fmt::format("fee_bps must be a number from 0 to {}", backtest::kMaxFeeBps));
        }
        spec.options.fee_bps = it->get<double>();
    }
    if (const auto it = body.find("mode"); it != body.end()) {
        if (*it == "long_only") {
            spec.options.mode = backtest::Mode::kLongOnly;
        } else if (*it != "long_short") {
            invalid("mode must be long_short or long_only");
        }
    }
    if (const auto it = body.find("weighting"); it != body.end() && *it != "static") {
        invalid(*it == "adaptive"
                    ? "weighting adaptive is not available for universe jobs yet (GET "
                      "/v1/backtest/{symbol} takes it); use static"
                    : "weighting must be static");
    }
    spec.options.periods_per_year = backtest::periods_per_year(spec.timeframe);

    const auto symbols = body.find("symbols");
    if (symbols == body.end()) {
        invalid("symbols is required: a list of symbols, or \"*\" for every symbol held");
    }
    if (*symbols == "*") {
        spec.symbols = store.symbols(spec.timeframe);
        std::sort(spec.symbols.begin(), spec.symbols.end());
        if (spec.symbols.empty()) {
            throw ClientError(
                status::not_found, "unknown_symbol",
                fmt::format("no {} series is held", market::to_string(spec.timeframe)));
        }
    } else if (symbols->is_array() && !symbols->empty()) {
        if (symbols->size() > limits.max_symbols) {
            throw ClientError(
                status::bad_request, "too_many_symbols",
                fmt::format("a universe backtest takes at most {} symbols", limits.max_symbols));
        }
        std::set<std::string> seen;
        for (const auto& raw : *symbols) {
            if (!raw.is_string()) {
                invalid("symbols must be strings");
            }
            auto symbol = params::symbol(raw.get<std::string>());
            if (seen.insert(symbol).second) {
                spec.symbols.push_back(std::move(symbol));
            }
        }
    } else {
        invalid("symbols must be a non-empty list of symbols, or \"*\"");
    }
    if (spec.symbols.size() > limits.max_symbols) {
        throw ClientError(status::bad_request, "too_many_symbols",
                          fmt::format("{} symbols are held; a universe backtest takes at most {}",
                                      spec.symbols.size(), limits.max_symbols));
    }
    return spec;
}

Response unknown_job(const std::string& id) {
    return Response::error(status::not_found, "unknown_backtest",
                           fmt::format("no backtest job {} (finished jobs are kept for a while)",
                                       market::excerpt(id)));
}

std::string frame(std::string_view event, const nlohmann::json& data) {
    return fmt::format("event: {}\ndata: {}\n\n", event, data.dump());
}

// Writes one SSE frame; false when the client is gone or stalled past the timeout.
asio::awaitable<bool> send(StreamContext& context, const std::string& text) {
    context.expires_after(kEventWriteTimeout);
    boost::system::error_code ec;
    co_await asio::async_write(context.socket, asio::buffer(text),
                               asio::redirect_error(asio::use_awaitable, ec));
    context.expires_never();
    co_return !ec;
}

// Counts an open progress stream while it lives.
class StreamSlot final {
  public:
    explicit StreamSlot(std::shared_ptr<std::atomic<std::size_t>> open) : open_(std::move(open)) {}
    StreamSlot(const StreamSlot&) = delete;
    StreamSlot& operator=(const StreamSlot&) = delete;
    ~StreamSlot() { open_->fetch_sub(1); }

  private:
    std::shared_ptr<std::atomic<std::size_t>> open_;
};

// `progress` events while the job changes, then one `done` event (status done, cancelled or
// failed) and the end of the stream; `: ping` comments while nothing changes.
StreamBody progress_stream(std::shared_ptr<backtest::JobRegistry> jobs, std::string id,
                           std::shared_ptr<StreamSlot> slot) {
    return [jobs = std::move(jobs), id = std::move(id),
            slot = std::move(slot)](StreamContext& context) -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        std::optional<std::uint64_t> sent;
        auto quiet_since = std::chrono::steady_clock::now();
        if (!co_await send(context, "retry: 3000\n\n")) {
            co_return;
        }
        while (!context.stopping()) {
            const auto revision = jobs->revision(id);
            if (!revision) {
                co_return;  // expired
            }
            if (revision != sent) {
                auto state = jobs->describe(id, false);
                if (!state) {
                    co_return;
                }
                const bool finished =
                    (*state)["status"] != "queued" && (*state)["status"] != "running";
                if (!co_await send(context, frame(finished ? "done" : "progress", *state))) {
                    co_return;
                }
                if (finished) {
                    co_return;
                }
                sent = revision;
                quiet_since = std::chrono::steady_clock::now();
            } else if (std::chrono::steady_clock::now() - quiet_since >= kEventHeartbeat) {
                if (!co_await send(context, ": ping\n\n")) {
                    co_return;
                }
                quiet_since = std::chrono::steady_clock::now();
            }
            timer.expires_after(kEventPoll);
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    };
}

}  // namespace

std::shared_ptr<backtest::JobRegistry> make_backtest_jobs(
    market::BarStore& store, const orchestrator::Orchestrator& orchestrator,
    asio::any_io_executor compute, backtest::JobLimits limits, orchestrator::BarSync* sync) {
    auto run = [&store, &orchestrator](const std::string& symbol, const backtest::JobSpec& spec) {
        auto series = store.get(symbol, spec.timeframe);
        if (!series || series->empty()) {
            throw std::runtime_error(
                fmt::format("no {} bars for {}", market::to_string(spec.timeframe), symbol));
        }
        const auto view = series->view();
        const auto range = backtest::select_range(view.time, spec.from, spec.to);
        const auto report =
            backtest::run(orchestrator.agents(), orchestrator.config(), view, range, spec.options);
        return backtest::summarize(symbol, report);
    };
    auto count = [&store](const std::string& symbol, const backtest::JobSpec& spec) {
        auto series = store.get(symbol, spec.timeframe);
        if (!series || series->empty()) {
            return std::size_t{0};
        }
        try {
            return backtest::select_range(series->view().time, spec.from, spec.to).end;
        } catch (const backtest::TooManyBars&) {
            return std::size_t{0};  // the symbol fails at once; it walks nothing
        }
    };
    auto jobs = std::make_shared<backtest::JobRegistry>(compute, compute, std::move(run),
                                                        std::move(count), limits);
    if (sync != nullptr && sync->active()) {
        jobs->set_loader(
            [&store, sync](std::string symbol,
                           market::Timeframe timeframe) -> asio::awaitable<std::shared_ptr<void>> {
                // Pinned first: the budget cannot evict it between its load and its run.
                auto pin = std::make_shared<market::SeriesPin>(store.pin(symbol, timeframe));
                co_await sync->resident(symbol, timeframe);
                co_return pin;
            });
    }
    return jobs;
}

void add_backtest_job_routes(Router& router, market::BarStore& store,
                             std::shared_ptr<backtest::JobRegistry> jobs) {
    const RouteOptions kSubmit{.body_limit = kJobBodyLimit, .access = Access::kRead};
    router.add(
        verb::post, "/v1/backtests",
        [&store, jobs](Request& request) -> asio::awaitable<Response> {
            auto spec = parse_job(request.message.body(), store, jobs->limits());
            std::string id;
            try {
                id = jobs->submit(std::move(spec));
            } catch (const backtest::JobsBusy& e) {
                throw ClientError(status::too_many_requests, "backtests_busy", e.what());
            }
            auto response = Response::json(status::accepted, *jobs->describe(id, false));
            // Named: g++ 12 misreports literal temporaries here (docs/coroutines.md).
            std::string location = "Location";
            response.header(std::move(location), "/v1/backtests/" + id);
            co_return response;
        },
        kSubmit);

    router.add(verb::get, "/v1/backtests/{id}",
               [jobs](Request& request) -> asio::awaitable<Response> {
                   const std::string id(request.param("id"));
                   auto body = jobs->describe(id);
                   co_return body ? Response::json(status::ok, *body) : unknown_job(id);
               });

    router.add(verb::delete_, "/v1/backtests/{id}",
               [jobs](Request& request) -> asio::awaitable<Response> {
                   const std::string id(request.param("id"));
                   if (!jobs->cancel(id)) {
                       co_return unknown_job(id);
                   }
                   auto body = jobs->describe(id);
                   co_return body ? Response::json(status::ok, *body) : unknown_job(id);
               },
               {.access = Access::kRead});

    // A read like /v1/stream, and like it the read token may come as ?access_token= (a
    // browser's EventSource cannot send headers).
    router.add(verb::get, "/v1/backtests/{id}/events",
               [jobs, open = std::make_shared<std::atomic<std::size_t>>(0)](
                   Request& request) -> asio::awaitable<Response> {
                   const std::string id(request.param("id"));
                   if (!jobs->revision(id)) {
                       co_return unknown_job(id);
                   }
                   if (open->fetch_add(1) >= kMaxEventStreams) {
                       open->fetch_sub(1);
                       co_return Response::error(status::service_unavailable, "too_many_streams",
                                                 "too many backtest progress streams; retry later");
                   }
                   auto slot = std::make_shared<StreamSlot>(open);
                   Response response;
                   response.content_type = "text/event-stream";
                   response.header("Cache-Control", "no-cache");
                   response.header("X-Accel-Buffering", "no");
                   response.stream = progress_stream(jobs, id, std::move(slot));
                   co_return response;
               },
               {.access = Access::kRead, .token_in_query = true});
}

}  // namespace gs::http
