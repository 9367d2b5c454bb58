// GET /v1/backtest/{symbol}: a walk-forward backtest of the consensus over the bars held
// (issue 13; docs/backtest.md). The parameters are checked before any work; the walk runs on
// the compute pool, at most kMaxRunning at once.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "goldensignals/backtest/figures.h"
#include "goldensignals/backtest/report_json.h"
#include "goldensignals/backtest/walk_forward.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/params.h"
#include "goldensignals/market/excerpt.h"
#include "goldensignals/market/time_format.h"

namespace gs::http {

namespace asio = boost::asio;
using boost::beast::http::status;
using boost::beast::http::verb;

namespace {

[[noreturn]] void invalid(std::string message) {
    throw ClientError(status::bad_request, "invalid_parameter", std::move(message));
}

// ?name= as ISO-8601 UTC or epoch seconds, within the bar times the store takes.
std::optional<std::int64_t> time_param(const Request& request, std::string_view name) {
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
        invalid(
            fmt::format("{} must be ISO-8601 UTC or epoch seconds between 1970 and 2200", name));
    }
    return parsed;
}

double fee_param(const Request& request) {
    auto raw = request.query.get("fee_bps");
    if (!raw) {
        return 0.0;
    }
    double value = 0.0;
    auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
    if (raw->empty() || ec != std::errc{} || end != raw->data() + raw->size() ||
        !std::isfinite(value) || value < 0.0 || value > backtest::kMaxFeeBps) {
        invalid(fmt::format("fee_bps must be a number from 0 to {}", backtest::kMaxFeeBps));
    }
    return value;
}

backtest::Mode mode_param(const Request& request) {
    auto raw = request.query.get("mode");
    if (!raw || *raw == "long_short") {
        return backtest::Mode::kLongShort;
    }
    if (*raw == "long_only") {
        return backtest::Mode::kLongOnly;
    }
    invalid("mode must be long_short or long_only");
}

void check_weighting(const Request& request) {
    auto raw = request.query.get("weighting");
    if (raw && *raw != "static") {
        invalid(*raw == "adaptive" ? "weighting=adaptive is not available yet; use static"
                                   : "weighting must be static");
    }
}

bool detail_param(const Request& request) {
    auto raw = request.query.get("detail");
    if (!raw || raw->empty()) {
        return false;
    }
    if (*raw != "bars") {
        invalid("detail must be bars");
    }
    return true;
}

// Holds one of the kMaxRunning places while a backtest runs.
class RunningSlot final {
  public:
    explicit RunningSlot(std::shared_ptr<std::atomic<std::size_t>> running)
        : running_(std::move(running)) {
        if (running_->fetch_add(1) >= backtest::kMaxRunning) {
            running_->fetch_sub(1);
            throw ClientError(
                status::service_unavailable, "backtests_busy",
                fmt::format("{} backtests are running; retry shortly", backtest::kMaxRunning));
        }
    }
    RunningSlot(const RunningSlot&) = delete;
    RunningSlot& operator=(const RunningSlot&) = delete;
    ~RunningSlot() { running_->fetch_sub(1); }

  private:
    std::shared_ptr<std::atomic<std::size_t>> running_;
};

}  // namespace

void add_backtest_route(Router& router, market::BarStore& store,
                        const orchestrator::Orchestrator& orchestrator,
                        asio::any_io_executor compute) {
    router.add(
        verb::get, "/v1/backtest/{symbol}",
        [&store, &orchestrator, compute, running = std::make_shared<std::atomic<std::size_t>>(0)](
            Request& request) -> asio::awaitable<Response> {
            backtest::ReportMeta meta;
            meta.symbol = params::symbol(request.param("symbol"));
            meta.timeframe = params::timeframe(request);
            const auto from = time_param(request, "from");
            const auto to = time_param(request, "to");
            if (from && to && *from > *to) {
                invalid("from must not be after to");
            }
            meta.options.horizon =
                params::bounded_integer(request, "horizon", 1, 1, backtest::kMaxHorizon);
            meta.options.fee_bps = fee_param(request);
            meta.options.mode = mode_param(request);
            meta.options.periods_per_year = backtest::periods_per_year(meta.timeframe);
            check_weighting(request);
            meta.with_bars = detail_param(request);
            meta.defs = orchestrator.agents();

            auto series = store.get(meta.symbol, meta.timeframe);
            if (!series || series->empty()) {
                throw ClientError(status::not_found, "unknown_symbol",
                                  fmt::format("no {} bars for {}",
                                              market::to_string(meta.timeframe), meta.symbol));
            }
            const auto view = series->view();
            const auto begin =
                static_cast<std::size_t>(std::lower_bound(view.time.begin(), view.time.end(),
                                                          from.value_or(market::kMinBarTime)) -
                                         view.time.begin());
            const auto end =
                static_cast<std::size_t>(std::upper_bound(view.time.begin(), view.time.end(),
                                                          to.value_or(market::kMaxBarTime)) -
                                         view.time.begin());
            // The walk takes every bar up to the range's last (the warm-up included).
            if (end > backtest::kMaxBars) {
                throw ClientError(status::bad_request, "too_many_bars",
                                  fmt::format("a backtest walks at most {} bars (the range and "
                                              "every bar before it); {} here: set an earlier to",
                                              backtest::kMaxBars, end));
            }
            if (begin < end) {
                meta.from = view.time[begin];
                meta.to = view.time[end - 1];
            }
            RunningSlot slot(running);

            // Tens of milliseconds of CPU: off the I/O threads, then back to the session.
            auto home = co_await asio::this_coro::executor;
            co_await asio::post(compute, asio::use_awaitable);
            std::string body;
            std::exception_ptr error;
            try {
                const auto walked = market::BarsView{view.time.first(end),  view.open.first(end),
                                                     view.high.first(end),  view.low.first(end),
                                                     view.close.first(end), view.volume.first(end)};
                const auto trace = backtest::walk_forward(meta.defs, orchestrator.config(), walked);
                const auto report = backtest::evaluate(
                    {walked.time, walked.close, &trace, std::min(begin, end), end}, meta.options);
                body = backtest::to_json(report, meta);
            } catch (...) {
                error = std::current_exception();
            }
            co_await asio::post(home, asio::use_awaitable);
            if (error) {
                std::rethrow_exception(error);
            }
            co_return Response::json_body(status::ok,
                                          std::make_shared<const std::string>(std::move(body)));
        });
}

}  // namespace gs::http
