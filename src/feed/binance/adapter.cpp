// The Binance kline feed: one loop per feed on its strand.
//   connect (TLS + WebSocket upgrade of /stream?streams=...) -> backfill the gap since the last
//   closed kline of each symbol (REST) -> read the stream -> on any error, wait (exponential
//   backoff with jitter) and start again. stop() sends a close frame and ends the loop.
// The backfill runs before the first read of a new connection, so the stream's messages wait
// in the socket meanwhile, and the stream's closed klines that the history already gave are
// duplicates (counted, skipped).

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket/error.hpp>

#include "feed/binance/rest_backfill.h"
#include "feed/binance/tls.h"
#include "feed/binance/ws_session.h"
#include "goldensignals/feed/binance/binance_feed.h"
#include "goldensignals/feed/binance/kline_parser.h"
#include "goldensignals/feed/final_bar_tracker.h"

namespace gs::feed::binance {

namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    return text;
}

class BinanceFeed final : public LiveFeed, public std::enable_shared_from_this<BinanceFeed> {
  public:
    BinanceFeed(asio::any_io_executor executor, BinanceOptions options, FeedSink& sink)
        : strand_(asio::make_strand(executor)),
          options_(std::move(options)),
          sink_(sink),
          tls_(make_tls_context(options_.ca_file)),
          ws_endpoint_(parse_url(options_.ws_url, "wss")),
          rest_endpoint_(parse_url(options_.rest_url, "https")),
          interval_(market::to_string(options_.timeframe)),
          interval_ms_(market::seconds_of(options_.timeframe) * 1000),
          backoff_timer_(strand_),
          finished_timer_(strand_),
          rng_(std::random_device{}()) {
        if (options_.symbols.empty()) {
            throw std::invalid_argument("binance feed: no symbols");
        }
        std::string streams;
        for (const auto& symbol : options_.symbols) {
            streams +=
                fmt::format("{}{}@kline_{}", streams.empty() ? "" : "/", lower(symbol), interval_);
        }
        target_ = fmt::format("{}/stream?streams={}", ws_endpoint_.path, streams);
        finished_timer_.expires_at(Clock::time_point::max());
    }

    std::string_view name() const noexcept override { return "binance"; }
    const FeedMetrics& metrics() const noexcept override { return metrics_; }

    void start() override { asio::co_spawn(strand_, run(shared_from_this()), asio::detached); }

    asio::awaitable<void> stop() override {
        co_await asio::co_spawn(strand_, stop_on_strand(shared_from_this()), asio::use_awaitable);
    }

  private:
    void status(FeedStatus status, std::string_view detail = {}) {
        if (status != status_) {
            spdlog::info("binance feed: {}{}{}", to_string(status), detail.empty() ? "" : ": ",
                         detail);
        }
        status_ = status;
        metrics_.connected.store(status == FeedStatus::kLive, std::memory_order_relaxed);
        sink_.on_status(name(), status, detail);
    }

    std::chrono::milliseconds next_backoff() {
        // Full range up to the cap doubles per failure; half of it is fixed so a flapping
        // server is not hammered, the other half random so many instances do not align.
        const std::chrono::milliseconds::rep factor = std::chrono::milliseconds::rep{1}
                                                      << std::min(failures_, 20);
        const std::chrono::milliseconds cap =
            std::min(options_.backoff_max, options_.backoff_initial * factor);
        ++failures_;
        std::uniform_int_distribution<long long> jitter(cap.count() / 2, cap.count());
        return std::chrono::milliseconds(jitter(rng_));
    }

    static asio::awaitable<void> run(std::shared_ptr<BinanceFeed> self) {
        try {
            co_await self->loop();
        } catch (const std::exception& e) {
            // A bug (the loop expects no exception): end, so that stop() still completes.
            spdlog::error("binance feed failed: {}", e.what());
        }
        self->status(FeedStatus::kStopped);
        self->finished_ = true;
        self->finished_timer_.cancel();
    }

    asio::awaitable<void> loop() {
        started_ = true;
        bool first = true;
        while (!stopping_) {
            status(FeedStatus::kConnecting);
            if (!first) {
                metrics_.reconnects.fetch_add(1, std::memory_order_relaxed);
            }
            auto session = std::make_shared<WsSession>(strand_, tls_);
            session->on_ping([this] { metrics_.count(MessageKind::kPing); });
            session_ = session;
            std::string why;
            const WsSession::Timeouts timeouts{options_.connect_timeout, options_.idle_timeout};
            const auto ec = co_await session->connect(ws_endpoint_, target_, timeouts);
            Clock::time_point live_since{};
            if (ec) {
                why = fmt::format("connect to {}:{}: {}", ws_endpoint_.host, ws_endpoint_.port,
                                  ec.message());
            } else if (!stopping_) {
                why = co_await backfill(first);
                if (why.empty() && !stopping_) {
                    status(FeedStatus::kLive);
                    live_since = Clock::now();
                    why = co_await read_stream(*session);
                }
            }
            first = false;
            if (stopping_) {
                co_await session->close();
                session_.reset();
                break;
            }
            if (session->is_open()) {
                co_await session->close();
            }
            session_.reset();
            if (live_since != Clock::time_point{} &&
                Clock::now() - live_since >= options_.stable_after) {
                failures_ = 0;
            }
            const auto delay = next_backoff();
            status(FeedStatus::kDisconnected,
                   fmt::format("{}; reconnecting in {} ms", why, delay.count()));
            backoff_timer_.expires_after(delay);
            co_await backoff_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        session_.reset();
    }

    // Fills each symbol's gap since its last closed kline (at the first connection: the last
    // `history_bars`). Returns why it failed, empty on success; a failure drops the connection
    // so the next one retries from the same point and no bar goes missing.
    asio::awaitable<std::string> backfill(bool first) {
        const std::int64_t now = now_ms();
        bool any = false;
        rest_.emplace(strand_, tls_, rest_endpoint_, options_.request_timeout);
        for (const auto& symbol : options_.symbols) {
            auto last = tracker_.last(symbol);
            std::int64_t start = 0;
            if (last) {
                start = *last * 1000 + interval_ms_;
            } else if (first && options_.history_bars > 0) {
                start = (now / interval_ms_ - static_cast<std::int64_t>(options_.history_bars)) *
                        interval_ms_;
            } else {
                continue;
            }
            if (start >= now) {
                continue;
            }
            if (!any) {
                status(FeedStatus::kBackfilling);
                any = true;
            }
            BackfillRange range{symbol, interval_,           start,
                                now,    options_.page_limit, options_.max_pages};
            try {
                const auto requests =
                    co_await binance::backfill(*rest_, range, [&](std::vector<Kline> rows) {
                        return deliver_history(symbol, std::move(rows));
                    });
                metrics_.backfill_requests.fetch_add(requests, std::memory_order_relaxed);
            } catch (const BackfillError& e) {
                metrics_.backfill_requests.fetch_add(1, std::memory_order_relaxed);
                rest_.reset();
                co_return fmt::format("backfill of {}: {}", symbol, e.what());
            }
            if (stopping_) {
                break;
            }
        }
        rest_.reset();
        co_return std::string{};
    }

    asio::awaitable<void> deliver_history(const std::string& symbol, std::vector<Kline> rows) {
        for (auto& kline : rows) {
            if (!tracker_.accept(symbol, kline.bar.time)) {
                metrics_.count(MessageKind::kDuplicate);
                continue;
            }
            metrics_.backfilled_bars.fetch_add(1, std::memory_order_relaxed);
            // A named local, never a braced temporary in the co_await (see handle()).
            BarEvent event{symbol, options_.timeframe, kline.bar, true, true, kline.event_time_ms};
            co_await sink_.on_bar(std::move(event));
        }
    }

    // Reads until the connection ends; returns why.
    asio::awaitable<std::string> read_stream(WsSession& session) {
        std::string text;
        while (true) {
            const auto ec = co_await session.read(text);
            if (ec) {
                co_return ec == boost::beast::websocket::error::closed
                    ? std::string("closed by the server")
                    : fmt::format("read: {}", ec.message());
            }
            co_await handle(text);
            if (stopping_) {
                co_return std::string("stopping");
            }
        }
    }

    asio::awaitable<void> handle(const std::string& text) {
        std::optional<Kline> kline;
        try {
            kline = parse_stream_message(text);
        } catch (const ParseError& e) {
            metrics_.count(MessageKind::kMalformed);
            spdlog::debug("binance feed: malformed message skipped ({}): {:.200}", e.what(), text);
            co_return;
        }
        if (!kline) {
            metrics_.count(MessageKind::kOther);
            co_return;
        }
        if (kline->interval != interval_ ||
            std::find(options_.symbols.begin(), options_.symbols.end(), kline->symbol) ==
                options_.symbols.end()) {
            metrics_.count(MessageKind::kMalformed);
            spdlog::debug("binance feed: kline of {} {} not subscribed", kline->symbol,
                          kline->interval);
            co_return;
        }
        metrics_.observe_lag(std::chrono::milliseconds(now_ms() - kline->event_time_ms));
        const std::string& symbol = kline->symbol;
        if (kline->final) {
            if (!tracker_.accept(symbol, kline->bar.time)) {
                metrics_.count(MessageKind::kDuplicate);
                co_return;
            }
            metrics_.count(MessageKind::kFinal);
        } else {
            // A forming kline of a period already closed is stale.
            if (auto last = tracker_.last(symbol); last && kline->bar.time <= *last) {
                metrics_.count(MessageKind::kDuplicate);
                co_return;
            }
            metrics_.count(MessageKind::kForming);
        }
        // Not `co_await sink_.on_bar({...})`: g++ 12 relocates a braced aggregate temporary
        // that is an argument inside a co_await bitwise, so event.symbol's small-string pointer
        // still points into its first home and the sink's frame frees that address
        // ("munmap_chunk(): invalid pointer"; clang is right). A named local is moved properly.
        BarEvent event{symbol, options_.timeframe,  kline->bar, kline->final,
                       false,  kline->event_time_ms};
        co_await sink_.on_bar(std::move(event));
    }

    static asio::awaitable<void> stop_on_strand(std::shared_ptr<BinanceFeed> self) {
        self->stopping_ = true;
        self->backoff_timer_.cancel();
        if (self->rest_) {
            self->rest_->cancel();
        }
        if (auto session = self->session_) {
            co_await session->close();
        }
        if (self->started_ && !self->finished_) {
            co_await self->finished_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }

    asio::strand<asio::any_io_executor> strand_;
    BinanceOptions options_;
    FeedSink& sink_;
    asio::ssl::context tls_;
    Endpoint ws_endpoint_;
    Endpoint rest_endpoint_;
    std::string interval_;
    std::int64_t interval_ms_;
    std::string target_;
    FeedMetrics metrics_;
    FinalBarTracker tracker_;  // bar times in seconds, per exchange symbol

    // Touched on the strand only.
    asio::steady_timer backoff_timer_;
    asio::steady_timer finished_timer_;
    std::shared_ptr<WsSession> session_;
    std::optional<RestClient> rest_;
    std::mt19937_64 rng_;
    FeedStatus status_ = FeedStatus::kStopped;
    int failures_ = 0;
    bool started_ = false;
    bool stopping_ = false;
    bool finished_ = false;
};

}  // namespace

std::shared_ptr<LiveFeed> make_binance_feed(asio::any_io_executor executor, BinanceOptions options,
                                            FeedSink& sink) {
    return std::make_shared<BinanceFeed>(std::move(executor), std::move(options), sink);
}

}  // namespace gs::feed::binance
