#include "goldensignals/store/pg_call_store.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <string_view>
#include <utility>

#include <fmt/compile.h>
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
#include "store/pg_number.h"

namespace gs::store {

namespace asio = boost::asio;

namespace {

// One run of calls: the calls of one (timeframe, track) in a batch, in the order they were
// scored, as the array literals of one live_calls row (sql/0009_live_call_runs.sql).
struct Run {
    market::Timeframe timeframe = market::kDefaultTimeframe;
    const std::string* track = nullptr;
    std::size_t calls = 0;
    std::vector<std::string> symbols;
    std::string signal_times = "{";
    std::string scored_times = "{";
    std::string buys = "{";
    std::string hits = "{";
    std::string forward_returns = "{";

    void add(const accuracy::ScoredCall& call) {
        if (calls != 0) {
            for (auto* text : {&signal_times, &scored_times, &buys, &hits, &forward_returns}) {
                text->push_back(',');
            }
        }
        symbols.push_back(call.symbol);
        // Compiled formats: a live series scores a call per track (the consensus and each
        // voting agent: ~20) for every new bar, and parsing a format string per element was
        // most of this function's time.
        fmt::format_to(std::back_inserter(signal_times), FMT_COMPILE("{}"), call.signal_time);
        fmt::format_to(std::back_inserter(scored_times), FMT_COMPILE("{}"), call.scored_time);
        buys.push_back(call.action == agents::Action::kBuy ? 't' : 'f');
        hits.push_back(call.hit ? 't' : 'f');
        // The shortest text that reads back as the same double (closes are positive and
        // finite, so the return is finite).
        fmt::format_to(std::back_inserter(forward_returns), FMT_COMPILE("{}"), call.forward_return);
        ++calls;
    }
};

// The batch's calls grouped into runs per (timeframe, track), each run in scoring order, the
// runs in the order their first call came.
std::vector<Run> runs_of(const std::vector<accuracy::ScoredCall>& calls) {
    std::vector<Run> runs;
    std::map<std::pair<market::Timeframe, std::string_view>, std::size_t> index;
    for (const auto& call : calls) {
        const auto [it, added] = index.try_emplace({call.timeframe, call.track}, runs.size());
        if (added) {
            Run run;
            run.timeframe = call.timeframe;
            run.track = &call.track;
            runs.push_back(std::move(run));
        }
        runs[it->second].add(call);
    }
    for (auto& run : runs) {
        for (auto* text :
             {&run.signal_times, &run.scored_times, &run.buys, &run.hits, &run.forward_returns}) {
            text->push_back('}');
        }
    }
    return runs;
}

void write_calls(pqxx::connection& connection, const std::vector<accuracy::ScoredCall>& calls) {
    const auto runs = runs_of(calls);
    pqxx::work tx(connection);
    {
        pqxx::stream_to stream(
            tx, "live_calls",
            std::vector<std::string>{"timeframe", "track", "calls", "symbols", "signal_times",
                                     "scored_times", "buys", "hits", "forward_returns"});
        for (const auto& run : runs) {
            stream << std::make_tuple(std::string(market::to_string(run.timeframe)), *run.track,
                                      static_cast<std::int64_t>(run.calls),
                                      text_array_literal(run.symbols), run.signal_times,
                                      run.scored_times, run.buys, run.hits, run.forward_returns);
        }
        stream.complete();
    }
    tx.commit();
}

// The newest `window` calls of each (timeframe, track), oldest first. The newest `window` runs
// of a track (live_calls_track_idx) hold them, since a run holds at least one call; `upto`
// counts the calls from the newest run back to this one's oldest, so upto - n calls are newer
// than element n, and the element is among the newest `window` when that is below it.
constexpr const char* kLoadCalls =
    "SELECT c.timeframe, c.track, u.symbol, u.signal_time, u.scored_time, u.buy, u.hit,"
    " u.forward_return"
    " FROM unnest($1::text[]) AS tf(name) CROSS JOIN unnest($2::text[]) AS tr(name)"
    " CROSS JOIN LATERAL (SELECT l.id, l.timeframe, l.track, l.calls, l.symbols, l.signal_times,"
    " l.scored_times, l.buys, l.hits, l.forward_returns,"
    " sum(l.calls) OVER (ORDER BY l.id DESC) AS upto FROM live_calls l"
    " WHERE l.timeframe = tf.name AND l.track = tr.name ORDER BY l.id DESC LIMIT $3) c"
    " CROSS JOIN LATERAL unnest(c.symbols, c.signal_times, c.scored_times, c.buys, c.hits,"
    " c.forward_returns) WITH ORDINALITY"
    " AS u(symbol, signal_time, scored_time, buy, hit, forward_return, n)"
    " WHERE c.upto - u.n < $3"
    " ORDER BY c.timeframe, c.track, c.id, u.n";

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
        // After a failure, wait before retrying. After a write, linger so that the calls of
        // the next many signals share one transaction and one row per track: live accuracy is
        // read from memory, its rows only matter at the next start, and a write per handful
        // of signals took a third of PostgreSQL's statement time under ingest
        // (bench/RESULTS.md 27).
        const auto pause = failed ? options_.retry : options_.linger;
        if (pause.count() > 0 && (failed || queued() < options_.max_batch)) {
            asio::steady_timer timer(strand_, pause);
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
                call.action = row[5].as<bool>() ? agents::Action::kBuy : agents::Action::kSell;
                call.hit = row[6].as<bool>();
                call.forward_return = as_double(row[7]);
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
