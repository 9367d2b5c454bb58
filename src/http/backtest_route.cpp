// GET /v1/backtest/{symbol}: a walk-forward backtest of the consensus over the bars held
// (issue 13; docs/backtest.md). The parameters are checked before any work; the walk runs on
// the compute pool, at most kMaxRunning at once.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <memory>

#include <fmt/format.h>
#include <boost/asio/use_awaitable.hpp>

#include "goldensignals/async/run_on.h"
#include "goldensignals/backtest/figures.h"
#include "goldensignals/backtest/report_json.h"
#include "goldensignals/backtest/run.h"
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

backtest::Weighting weighting_param(const Request& request) {
    auto raw = request.query.get("weighting");
    if (!raw || *raw == "static") {
        return backtest::Weighting::kStatic;
    }
    if (*raw == "adaptive") {
        return backtest::Weighting::kAdaptive;
    }
    invalid("weighting must be static or adaptive");
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
                        asio::any_io_executor compute, orchestrator::BarSync* sync) {
    router.add(
        verb::get, "/v1/backtest/{symbol}",
        [&store, &orchestrator, compute, sync,
         running = std::make_shared<std::atomic<std::size_t>>(0)](
            Request& request) -> asio::awaitable<Response> {
            backtest::ReportMeta meta;
            meta.symbol = params::symbol(request.param("symbol"));
            meta.timeframe = params::timeframe(request);
            const auto from = params::epoch_seconds(request, "from");
            const auto to = params::epoch_seconds(request, "to");
            if (from && to && *from > *to) {
                invalid("from must not be after to");
            }
            meta.options.horizon =
                params::bounded_integer(request, "horizon", 1, 1, backtest::kMaxHorizon);
            meta.options.fee_bps = fee_param(request);
            meta.options.mode = mode_param(request);
            meta.options.periods_per_year = backtest::periods_per_year(meta.timeframe);
            meta.options.weighting = weighting_param(request);
            meta.with_bars = detail_param(request);
            meta.defs = orchestrator.agents();

            // Loaded first when not in memory (docs/memory.md).
            // (An if, not ?: around co_await: g++ 12, docs/coroutines.md.)
            std::shared_ptr<const market::BarSeries> series;
            if (sync != nullptr) {
                series = co_await sync->resident(meta.symbol, meta.timeframe);
            } else {
                series = store.get(meta.symbol, meta.timeframe);
            }
            if (!series || series->empty()) {
                throw ClientError(status::not_found, "unknown_symbol",
                                  fmt::format("no {} bars for {}",
                                              market::to_string(meta.timeframe), meta.symbol));
            }
            const auto view = series->view();
            backtest::Range range;
            try {
                range = backtest::select_range(view.time, from, to);
            } catch (const backtest::TooManyBars& e) {
                throw ClientError(status::bad_request, "too_many_bars", e.what());
            }
            if (range.begin < range.end) {
                meta.from = view.time[range.begin];
                meta.to = view.time[range.end - 1];
            }
            RunningSlot slot(running);

            // Tens of milliseconds of CPU: on the compute pool, not the session's I/O thread.
            auto work = [&] {
                const auto report =
                    backtest::run(meta.defs, orchestrator.config(), view, range, meta.options);
                return backtest::to_json(report, meta);
            };
            std::string body = co_await async::run_on(compute, std::move(work));
            co_return Response::json_body(status::ok,
                                          std::make_shared<const std::string>(std::move(body)));
        });
}

}  // namespace gs::http
