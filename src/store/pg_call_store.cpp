#include "goldensignals/store/pg_call_store.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/result>
#include <pqxx/stream_to>
#include <pqxx/transaction>

#include "goldensignals/market/timeframe.h"
#include "goldensignals/store/error.h"
#include "goldensignals/store/partitions.h"
#include "store/log.h"
#include "store/pg_array.h"

namespace gs::store {

namespace asio = boost::asio;

namespace {

void write_calls(pqxx::connection& connection, const std::vector<accuracy::ScoredCall>& calls) {
    pqxx::work tx(connection);
    {
        pqxx::stream_to stream(
            tx, "live_calls",
            std::vector<std::string>{"timeframe", "track", "symbol", "signal_time", "scored_time",
                                     "action", "hit", "forward_return"});
        for (const auto& call : calls) {
            stream << std::make_tuple(std::string(market::to_string(call.timeframe)), call.track,
                                      call.symbol, call.signal_time, call.scored_time,
                                      std::string(agents::to_string(call.action)), call.hit,
                                      call.forward_return);
        }
        stream.complete();
    }
    tx.commit();
}

// The newest `window` rows of each (timeframe, track) through live_calls_track_idx, oldest first.
constexpr const char* kLoadCalls =
    "SELECT c.timeframe, c.track, c.symbol, c.signal_time, c.scored_time, c.action, c.hit,"
    " c.forward_return"
    " FROM unnest($1::text[]) AS tf(name) CROSS JOIN unnest($2::text[]) AS tr(name)"
    " CROSS JOIN LATERAL (SELECT l.id, l.timeframe, l.track, l.symbol, l.signal_time,"
    " l.scored_time, l.action, l.hit, l.forward_return FROM live_calls l"
    " WHERE l.timeframe = tf.name AND l.track = tr.name ORDER BY l.id DESC LIMIT $3) c"
    " ORDER BY c.id";

}  // namespace

PgCallStore::PgCallStore(PgPool& pool, asio::any_io_executor executor, PgCallStoreOptions options)
    : pool_(pool), strand_(asio::make_strand(std::move(executor))), options_(options) {
    options_.max_batch = std::max<std::size_t>(1, options_.max_batch);
    options_.max_queued = std::max(options_.max_queued, options_.max_batch);
}

void PgCallStore::keep(std::vector<accuracy::ScoredCall> calls) {
    bool start = false;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) {
            dropped_.fetch_add(calls.size(), std::memory_order_relaxed);
            return;
        }
        std::move(calls.begin(), calls.end(), std::back_inserter(queue_));
        if (queue_.size() > options_.max_queued) {
            // PostgreSQL has been away long enough: the oldest calls go first.
            const std::size_t excess = queue_.size() - options_.max_queued;
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(excess));
            dropped_.fetch_add(excess, std::memory_order_relaxed);
        }
        start = !std::exchange(draining_, true);
    }
    if (start) {
        asio::co_spawn(strand_, drain(), asio::detached);
    }
}

asio::awaitable<void> PgCallStore::drain() {
    for (;;) {
        std::vector<accuracy::ScoredCall> batch;
        {
            std::lock_guard lock(mutex_);
            const std::size_t n = std::min(queue_.size(), options_.max_batch);
            batch.assign(std::make_move_iterator(queue_.begin()),
                         std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
            in_flight_ = n;
            if (batch.empty()) {
                draining_ = false;
                co_return;
            }
        }
        const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
        bool failed = false;
        try {
            if (options_.maintain_partitions && partitions_day_ != today) {
                const int ahead = options_.partition_months_ahead;
                auto ensure = [today, ahead](pqxx::connection& connection) {
                    return ensure_range_partitions(connection, live_calls_table(), today, ahead);
                };
                co_await pool_.run(std::move(ensure));
                partitions_day_ = today;
            }
            auto write = [&batch](pqxx::connection& connection) { write_calls(connection, batch); };
            co_await pool_.run(std::move(write));
            written_.fetch_add(batch.size(), std::memory_order_relaxed);
            if (std::exchange(failing_, false)) {
                logger()->info("live accuracy calls written to PostgreSQL again");
            }
        } catch (const std::exception& e) {
            if (!std::exchange(failing_, true)) {
                logger()->warn("live accuracy calls not written, retrying: {}", e.what());
            }
            failed = true;
        }
        {
            std::lock_guard lock(mutex_);
            in_flight_ = 0;
            if (failed) {
                // Back in front, in order; past the cap the oldest go.
                queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                              std::make_move_iterator(batch.end()));
                if (queue_.size() > options_.max_queued) {
                    const std::size_t excess = queue_.size() - options_.max_queued;
                    queue_.erase(queue_.begin(),
                                 queue_.begin() + static_cast<std::ptrdiff_t>(excess));
                    dropped_.fetch_add(excess, std::memory_order_relaxed);
                }
                if (stopped_) {
                    draining_ = false;
                    co_return;
                }
            }
        }
        if (failed) {
            asio::steady_timer timer(strand_, options_.retry);
            boost::system::error_code ignored;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
    }
}

std::size_t PgCallStore::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size() + in_flight_;
}

asio::awaitable<std::size_t> PgCallStore::flush(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (queued() > 0 && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(std::chrono::milliseconds(5));
        boost::system::error_code ignored;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    co_return queued();
}

asio::awaitable<std::size_t> PgCallStore::stop(std::chrono::milliseconds timeout) {
    const std::size_t left = co_await flush(timeout);
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    co_return left;
}

asio::awaitable<std::vector<accuracy::ScoredCall>> PgCallStore::load(
    std::vector<std::string> tracks, std::size_t window) {
    std::vector<std::string> timeframes;
    for (const auto tf : market::kAllTimeframes) {
        timeframes.emplace_back(market::to_string(tf));
    }
    auto read = [timeframes = text_array_literal(timeframes), tracks = text_array_literal(tracks),
                 window = static_cast<std::int64_t>(window)](pqxx::connection& connection) {
        std::vector<accuracy::ScoredCall> calls;
        try {
            pqxx::read_transaction tx(connection);
            for (const auto& row : tx.exec_params(kLoadCalls, timeframes, tracks, window)) {
                accuracy::ScoredCall call;
                const auto tf = market::parse_timeframe(row[0].as<std::string>());
                if (!tf) {
                    continue;
                }
                call.timeframe = *tf;
                call.track = row[1].as<std::string>();
                call.symbol = row[2].as<std::string>();
                call.signal_time = row[3].as<std::int64_t>();
                call.scored_time = row[4].as<std::int64_t>();
                call.action = row[5].as<std::string>() == "BUY" ? agents::Action::kBuy
                                                                : agents::Action::kSell;
                call.hit = row[6].as<bool>();
                call.forward_return = row[7].as<double>();
                call.follow_return = call.action == agents::Action::kBuy ? call.forward_return
                                                                         : -call.forward_return;
                calls.push_back(std::move(call));
            }
        } catch (const Error&) {
            throw;
        } catch (const std::exception& e) {
            throw to_store_error(e);
        }
        return calls;
    };
    co_return co_await pool_.run(std::move(read));
}

void PgCallStore::render_metrics(std::string& out) const {
    fmt::format_to(std::back_inserter(out),
                   "# HELP gs_live_calls_written_total Live accuracy calls written to PostgreSQL.\n"
                   "# TYPE gs_live_calls_written_total counter\ngs_live_calls_written_total {}\n"
                   "# HELP gs_live_calls_dropped_total Live accuracy calls dropped unwritten "
                   "(PostgreSQL away past the queue's cap, or after shutdown).\n"
                   "# TYPE gs_live_calls_dropped_total counter\ngs_live_calls_dropped_total {}\n"
                   "# HELP gs_live_calls_queued Live accuracy calls waiting for PostgreSQL.\n"
                   "# TYPE gs_live_calls_queued gauge\ngs_live_calls_queued {}\n",
                   written_.load(std::memory_order_relaxed),
                   dropped_.load(std::memory_order_relaxed), queued());
}

}  // namespace gs::store
