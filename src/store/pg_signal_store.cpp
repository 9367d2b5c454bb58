#include "goldensignals/store/pg_signal_store.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/binarystring>
#include <pqxx/prepared_statement>
#include <pqxx/result>
#include <pqxx/stream_to>
#include <pqxx/transaction>

#include "goldensignals/store/compact_history.h"
#include "goldensignals/store/error.h"
#include "goldensignals/store/partitions.h"
#include "store/log.h"
#include "store/pg_array.h"
#include "store/pg_number.h"
#include "store/signal_queries.h"

namespace gs::store {

namespace asio = boost::asio;

namespace {

std::string timestamptz_of_seconds(std::int64_t seconds) {
    return timestamptz_text(
        std::chrono::sys_time<std::chrono::microseconds>{std::chrono::seconds{seconds}});
}

// bytea in its text form (hex), for COPY.
std::string bytea_text(const std::string& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text = "\\x";
    text.reserve(2 + 2 * bytes.size());
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        text.push_back(kHex[byte >> 4]);
        text.push_back(kHex[byte & 0xf]);
    }
    return text;
}

// A float8[] or integer[] column as COPY text, empty for none (written as NULL). Doubles print
// in their shortest exact form.
template <typename T>
std::string number_array(const std::vector<T>& items) {
    return items.empty() ? std::string() : fmt::format("{{{}}}", fmt::join(items, ","));
}

const char* or_null(const std::string& text) {
    return text.empty() ? nullptr : text.c_str();
}

std::optional<std::string> bytes_of(const pqxx::field& field) {
    if (field.is_null()) {
        return std::nullopt;
    }
    const pqxx::binarystring bytes(field);
    return std::string(bytes.str());
}

std::vector<std::string> string_list(const std::string& json_array) {
    return nlohmann::json::parse(json_array).get<std::vector<std::string>>();
}

// The registries a page names; a row naming one that is absent is served with agents_error.
std::map<std::int32_t, AgentRegistry> load_registries(pqxx::transaction_base& tx,
                                                      const std::set<std::int32_t>& ids) {
    std::map<std::int32_t, AgentRegistry> registries;
    if (ids.empty()) {
        return registries;
    }
    const std::string list = "{" + fmt::format("{}", fmt::join(ids, ",")) + "}";
    for (const auto& row : tx.exec_params(queries::kSelectRegistries, list)) {
        AgentRegistry registry;
        registry.id = row[0].as<std::int32_t>();
        registry.agents = string_list(row[1].as<std::string>());
        registry.categories = string_list(row[2].as<std::string>());
        registries.emplace(registry.id, std::move(registry));
    }
    return registries;
}

}  // namespace

std::vector<bool> latest_rows(std::span<const SignalRow> rows) {
    // Per series, the index of its newest row so far; a later row of the same as_of wins, as
    // in the upsert's ORDER BY as_of DESC, seq DESC.
    std::map<std::pair<std::string_view, market::Timeframe>, std::size_t> newest;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].superseded) {
            continue;
        }
        const auto [it, added] =
            newest.try_emplace({std::string_view(rows[i].symbol), rows[i].timeframe}, i);
        if (!added && rows[it->second].as_of <= rows[i].as_of) {
            it->second = i;
        }
    }
    std::vector<bool> latest(rows.size(), false);
    for (const auto& [series, index] : newest) {
        latest[index] = true;
    }
    return latest;
}

void insert_signals(pqxx::connection& connection, std::span<const SignalRow> rows) {
    if (rows.empty()) {
        return;
    }
    with_store_errors([&] {
        pqxx::work tx(connection);
        tx.exec0(queries::kCreateSignalsStage);
        // Registry ids of the packed rows: one query per distinct agent list in the batch
        // (all rows share one list until the registry changes).
        std::map<const AgentList*, int> registry_ids;
        for (const auto& row : rows) {
            if (row.packed && row.packed->registry &&
                registry_ids.count(row.packed->registry.get()) == 0) {
                const auto& list = *row.packed->registry;
                registry_ids[&list] =
                    tx.exec_params1(queries::kAgentRegistryId, text_array_literal(list.agents),
                                    text_array_literal(list.categories))[0]
                        .as<int>();
            }
        }
        {
            pqxx::stream_to stream(
                tx, queries::kSignalsStageTable,
                std::vector<std::string>{"seq",         "symbol",          "timeframe",
                                         "as_of",       "action",          "strength",
                                         "score",       "confidence",      "config_version",
                                         "body",        "packed",          "registry_id",
                                         "computed_at", "bars_used",       "summary",
                                         "agents",      "latest",          "bars",
                                         "first_time",  "category_scores", "category_voters"});
            const auto latest = latest_rows(rows);
            for (std::size_t seq = 0; seq < rows.size(); ++seq) {
                const auto& row = rows[seq];
                const bool packed = row.packed && row.packed->registry;
                // NULL (a null pointer) for a body nothing reads: the history has the packed
                // row, and latest_signals takes only the latest row's body.
                const char* body = latest[seq] || !packed ? row.body_c_str() : nullptr;
                const std::string scores = number_array(row.category_scores);
                const std::string voters = number_array(row.category_voters);
                stream << std::make_tuple(
                    static_cast<std::int64_t>(seq), row.symbol,
                    std::string(market::to_string(row.timeframe)), row.as_of, row.action,
                    row.strength, row.score, row.confidence, row.config_version, body, packed,
                    packed ? registry_ids[row.packed->registry.get()] : 0,
                    packed ? row.packed->computed_at : 0, packed ? row.packed->bars_used : 0,
                    bytea_text(packed ? row.packed->summary : std::string()),
                    bytea_text(packed ? row.packed->agents : std::string()),
                    static_cast<bool>(latest[seq]), row.bars, row.first_time, or_null(scores),
                    or_null(voters));
            }
            stream.complete();
        }
        tx.exec0(queries::kInsertSignalsFromStage);
        tx.exec0(queries::kUpsertLatestFromStage);
        tx.commit();
    });
}

std::optional<LatestSignal> latest_signal(pqxx::connection& connection, const std::string& symbol,
                                          market::Timeframe timeframe) {
    return with_store_errors([&]() -> std::optional<LatestSignal> {
        connection.prepare(queries::kSelectLatestName, queries::kSelectLatest);
        pqxx::read_transaction tx(connection);
        const auto result = tx.exec_prepared(queries::kSelectLatestName, symbol,
                                             std::string(market::to_string(timeframe)));
        if (result.empty()) {
            return std::nullopt;
        }
        return LatestSignal{result[0][0].as<std::int64_t>(), result[0][1].as<std::string>(),
                            result[0][2].as<std::string>()};
    });
}

HistoryPage signal_history(pqxx::connection& connection, const HistoryQuery& query) {
    std::optional<HistoryCursor> after;
    if (query.cursor) {
        after = decode_history_cursor(*query.cursor);
        if (!after) {
            throw Error(ErrorKind::kBadData, "invalid history cursor");
        }
    }
    const std::size_t limit = std::clamp<std::size_t>(query.limit, 1, kMaxHistoryLimit);
    std::vector<std::string> params{query.symbol, std::string(market::to_string(query.timeframe))};
    const auto placeholder = [&params](std::string value) {
        params.push_back(std::move(value));
        return "$" + std::to_string(params.size());
    };
    std::string sql = queries::kSelectHistory;
    if (query.from) {
        sql += fmt::format(queries::kHistoryFrom, placeholder(timestamptz_of_seconds(*query.from)));
    }
    if (query.to) {
        sql += fmt::format(queries::kHistoryTo, placeholder(timestamptz_of_seconds(*query.to)));
    }
    if (after) {
        const std::string at =
            placeholder(timestamptz_text(std::chrono::sys_time<std::chrono::microseconds>{
                std::chrono::microseconds{after->created_at_us}}));
        const std::string id = placeholder(std::to_string(after->id));
        sql += fmt::format(queries::kHistoryAfter, at, id);
    }
    sql += fmt::format(queries::kHistoryOrderAndLimit, placeholder(std::to_string(limit + 1)));

    return with_store_errors([&] {
        pqxx::read_transaction tx(connection);
        const auto result = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
        const std::size_t take = std::min<std::size_t>(result.size(), limit);
        std::vector<StoredSignal> stored(take);
        std::set<std::int32_t> registry_ids;
        for (std::size_t i = 0; i < take; ++i) {
            const auto& row = result[static_cast<pqxx::result::size_type>(i)];
            auto& out = stored[i];
            out.as_of = row[2].as<std::int64_t>();
            if (!row[3].is_null()) {
                out.computed_at = row[3].as<std::int64_t>();
            }
            out.action = row[4].as<int>();
            out.strength = row[5].as<int>();
            out.score = as_double(row[6]);
            out.confidence = as_double(row[7]);
            if (!row[8].is_null()) {
                out.bars_used = row[8].as<std::int64_t>();
            }
            if (!row[9].is_null()) {
                out.registry_id = row[9].as<std::int32_t>();
                registry_ids.insert(*out.registry_id);
            }
            out.summary = bytes_of(row[10]);
            out.agents = bytes_of(row[11]);
        }
        const auto registries = load_registries(tx, registry_ids);
        HistoryPage page;
        page.rows.reserve(take);
        for (std::size_t i = 0; i < take; ++i) {
            const auto& row = result[static_cast<pqxx::result::size_type>(i)];
            const AgentRegistry* registry = nullptr;
            if (stored[i].registry_id) {
                const auto found = registries.find(*stored[i].registry_id);
                registry = found == registries.end() ? nullptr : &found->second;
            }
            HistoryRow out{row[0].as<std::int64_t>(), row[1].as<std::int64_t>(), stored[i].as_of,
                           history_json(query.symbol, query.timeframe, stored[i], registry)};
            if (stored[i].agents &&
                (registry == nullptr || out.body.find("\"agents_error\"") != std::string::npos)) {
                logger()->warn("history row {} of {}: agents not decodable (registry {})", out.id,
                               query.symbol, stored[i].registry_id.value_or(-1));
            }
            page.rows.push_back(std::move(out));
        }
        if (result.size() > limit && !page.rows.empty()) {
            page.next_cursor =
                encode_history_cursor({page.rows.back().created_at_us, page.rows.back().id});
        }
        return page;
    });
}

PgSignalStore::PgSignalStore(PgPool& pool, asio::any_io_executor executor,
                             PgSignalStoreOptions options)
    : pool_(pool),
      strand_(asio::make_strand(std::move(executor))),
      options_(options),
      timer_(strand_) {
    options_.queue_capacity = std::max<std::size_t>(1, options_.queue_capacity);
    options_.batch_size = std::max<std::size_t>(1, options_.batch_size);
}

PgSignalStore::~PgSignalStore() {
    std::lock_guard lock(mutex_);
    if (started_ && !writer_done_) {
        logger()->error("signal store destroyed while its writer runs: call stop() first");
    }
}

void PgSignalStore::start() {
    {
        std::lock_guard lock(mutex_);
        if (started_) {
            return;
        }
        started_ = true;
    }
    asio::co_spawn(strand_, write_loop(), [](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                logger()->error("signal writer failed: {}", e.what());
            }
        }
    });
}

void PgSignalStore::validate(const SignalRow& row) {
    if (row.symbol.empty()) {
        throw Error(ErrorKind::kBadData, "signal without a symbol");
    }
    if (row.body_text().empty()) {
        throw Error(ErrorKind::kBadData, "signal without a body");
    }
    if (!std::isfinite(row.score) || !std::isfinite(row.confidence)) {
        throw Error(ErrorKind::kBadData, "signal with a non-finite score or confidence");
    }
}

namespace {

std::string series_key(const SignalRow& row) {
    std::string key = row.symbol;
    key += '|';
    key += market::to_string(row.timeframe);
    return key;
}

bool is_packed(const SignalRow& row) {
    return row.packed && row.packed->registry;
}

}  // namespace

bool PgSignalStore::push_locked(SignalRow& row) {
    if (stopping_ || queue_.size() >= options_.queue_capacity) {
        return false;
    }
    queue_.push_back(std::move(row));
    body_bytes_ += queue_.back().body_text().size();
    supersede_locked(queue_.back(), enqueued_++);
    wake_writer_locked();
    // A linger ends early before the queue could fill up (ingest would wait for room).
    if (lingering_ && queue_.size() >= linger_cut()) {
        end_linger_locked();
    }
    return true;
}

void PgSignalStore::supersede_locked(const SignalRow& newest, std::uint64_t seq) {
    const auto [it, added] = newest_queued_.try_emplace(series_key(newest), seq);
    if (added) {
        return;
    }
    const std::uint64_t older = std::exchange(it->second, seq);
    // Rows the writer holds (seq < handed_) are read outside the lock: left alone.
    if (older < removed_ || older < handed_) {
        return;
    }
    SignalRow& row = queue_[static_cast<std::size_t>(older - removed_)];
    // Only a packed row goes to the history without its body, and only an older or equal
    // as_of would be replaced by this one in latest_signals.
    if (is_packed(row) && !row.superseded && row.as_of <= newest.as_of) {
        body_bytes_ -= row.body_text().size();
        row.release_body();
        row.category_scores = {};
        row.category_voters = {};
        row.superseded = true;
    }
}

std::size_t PgSignalStore::linger_cut() const {
    return std::min(options_.batch_size, std::max<std::size_t>(1, options_.queue_capacity / 2));
}

void PgSignalStore::end_linger_locked() {
    if (lingering_) {
        lingering_ = false;
        asio::post(strand_, [this] { timer_.cancel(); });
    }
}

asio::awaitable<void> PgSignalStore::linger() {
    {
        std::lock_guard lock(mutex_);
        // Not while a flush waits for rows or a full batch is queued already.
        if (stopping_ || options_.linger.count() <= 0 || !flush_waiters_.empty() ||
            queue_.size() >= linger_cut()) {
            co_return;
        }
        lingering_ = true;
    }
    // No suspension between the flag and the wait: a cancel posted to the strand by
    // end_linger_locked() runs after async_wait has started, so it is never lost.
    co_await sleep(options_.linger);
    std::lock_guard lock(mutex_);
    lingering_ = false;
}

void PgSignalStore::wake_writer_locked() {
    if (writer_idle_) {
        writer_idle_ = false;
        asio::post(strand_, [this] { timer_.cancel(); });
    }
}

bool PgSignalStore::try_enqueue(SignalRow& row) {
    validate(row);
    std::lock_guard lock(mutex_);
    return push_locked(row);
}

auto PgSignalStore::wait_for_room() {
    return async::park([this](async::Waiter waiter) {
        std::unique_lock lock(mutex_);
        if (stopping_ || queue_.size() < options_.queue_capacity) {
            lock.unlock();
            std::move(waiter).resume();
            return;
        }
        room_waiters_.push_back(std::move(waiter));
    });
}

auto PgSignalStore::wait_until_removed(std::uint64_t target) {
    return async::park([this, target](async::Waiter waiter) {
        std::unique_lock lock(mutex_);
        if (removed_ >= target || writer_done_) {
            lock.unlock();
            std::move(waiter).resume();
            return;
        }
        flush_waiters_.push_back({target, std::move(waiter)});
        // In the same critical section as the waiter's registration: the writer either sees
        // the waiter before it lingers (and does not) or is lingering now and is woken.
        end_linger_locked();
    });
}

auto PgSignalStore::wait_for_writer_exit() {
    return async::park([this](async::Waiter waiter) {
        std::unique_lock lock(mutex_);
        if (!started_ || writer_done_) {
            lock.unlock();
            std::move(waiter).resume();
            return;
        }
        exit_waiters_.push_back(std::move(waiter));
    });
}

// A plain function handing the row to a coroutine through a unique_ptr: a by-value
// coroutine parameter is what g++ 12 can miscompile (docs/coroutines.md).
asio::awaitable<void> PgSignalStore::enqueue(SignalRow row) {
    auto held = std::make_unique<SignalRow>(std::move(row));
    return enqueue_held(std::move(held));
}

asio::awaitable<void> PgSignalStore::enqueue_held(std::unique_ptr<SignalRow> row) {
    validate(*row);
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) {
                throw Error(ErrorKind::kUnavailable, "signal store is stopped");
            }
            if (push_locked(*row)) {
                co_return;
            }
        }
        co_await wait_for_room();
    }
}

asio::awaitable<void> PgSignalStore::flush() {
    std::uint64_t target = 0;
    {
        std::lock_guard lock(mutex_);
        target = enqueued_;
    }
    co_await wait_until_removed(target);
}

asio::awaitable<std::size_t> PgSignalStore::stop(std::chrono::milliseconds drain_timeout) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            stopping_ = true;
            stop_deadline_ = std::chrono::steady_clock::now() + drain_timeout;
        }
        // Wake the writer from an idle wait, a linger or a back-off sleep alike.
        writer_idle_ = false;
        lingering_ = false;
        asio::post(strand_, [this] { timer_.cancel(); });
        async::resume_all(std::exchange(room_waiters_, {}));
    }
    co_await wait_for_writer_exit();
    std::lock_guard lock(mutex_);
    co_return queue_.size();
}

void PgSignalStore::remove_front(std::size_t count, std::size_t rejected) {
    std::vector<async::Waiter> ready;
    {
        std::lock_guard lock(mutex_);
        count = std::min(count, queue_.size());
        for (std::size_t i = 0; i < count; ++i) {
            const SignalRow& row = queue_[i];
            body_bytes_ -= row.body_text().size();
            const auto newest = newest_queued_.find(series_key(row));
            if (newest != newest_queued_.end() && newest->second == removed_ + i) {
                newest_queued_.erase(newest);
            }
        }
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
        removed_ += count;
        written_ += count - std::min(count, rejected);
        rejected_ += rejected;
        ready.swap(room_waiters_);
        auto done =
            std::stable_partition(flush_waiters_.begin(), flush_waiters_.end(),
                                  [this](const FlushWaiter& w) { return w.target > removed_; });
        for (auto it = done; it != flush_waiters_.end(); ++it) {
            ready.push_back(std::move(it->waiter));
        }
        flush_waiters_.erase(done, flush_waiters_.end());
    }
    async::resume_all(std::move(ready));
}

asio::awaitable<void> PgSignalStore::sleep(std::chrono::milliseconds duration) {
    timer_.expires_after(duration);
    boost::system::error_code ignored;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

asio::awaitable<void> PgSignalStore::maintain_partitions() {
    const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    if (!options_.maintain_partitions || partitions_day_ == today) {
        co_return;
    }
    const int months_ahead = options_.partition_months_ahead;
    try {
        co_await pool_.run([today, months_ahead](pqxx::connection& connection) {
            return ensure_partitions(connection, today, months_ahead);
        });
        partitions_day_ = today;
    } catch (const Error& e) {
        // Rows still land in the DEFAULT partition; the next batch tries again.
        logger()->warn("could not create signal partitions: {}", e.what());
    }
}

asio::awaitable<void> PgSignalStore::write_one_by_one(const std::vector<const SignalRow*>& queued) {
    for (const SignalRow* source : queued) {
        // A copy with its body: alone, the row is its series' latest (unless superseded:
        // then it has no body and goes to the history only).
        const SignalRow row = *source;
        bool refused = false;
        try {
            co_await pool_.run([&row](pqxx::connection& connection) {
                insert_signals(connection, std::span<const SignalRow>(&row, 1));
            });
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::kBadData) {
                throw;
            }
            logger()->error("dropping a signal of {} that postgres refuses: {}", row.symbol,
                            e.what());
            refused = true;
        }
        remove_front(1, refused ? 1 : 0);
    }
}

std::vector<SignalRow> PgSignalStore::batch_of(const std::vector<const SignalRow*>& queued) {
    // Copied without the bodies first: only the rows insert_signals sends a body for get
    // theirs (at 1,000 series and a backlog, most rows of a batch have a newer one).
    std::vector<SignalRow> batch;
    batch.reserve(queued.size());
    for (const SignalRow* row : queued) {
        auto& copy = batch.emplace_back();
        copy.symbol = row->symbol;
        copy.timeframe = row->timeframe;
        copy.as_of = row->as_of;
        copy.action = row->action;
        copy.strength = row->strength;
        copy.score = row->score;
        copy.confidence = row->confidence;
        copy.config_version = row->config_version;
        copy.packed = row->packed;
        copy.superseded = row->superseded;
    }
    const auto latest = latest_rows(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (latest[i] || !(batch[i].packed && batch[i].packed->registry)) {
            batch[i].body = queued[i]->body;
            batch[i].shared_body = queued[i]->shared_body;
        }
        // The catalog columns go to latest_signals only (sql/0008).
        if (latest[i]) {
            batch[i].bars = queued[i]->bars;
            batch[i].first_time = queued[i]->first_time;
            batch[i].category_scores = queued[i]->category_scores;
            batch[i].category_voters = queued[i]->category_voters;
        }
    }
    return batch;
}

asio::awaitable<void> PgSignalStore::write_loop() {
    auto backoff = options_.retry_initial;
    bool failing = false;
    for (;;) {
        // The batch's rows stay in the queue until written (a failed batch is retried): the
        // writer alone removes from the front, and a deque's push_back leaves references to
        // its elements valid, so these pointers hold until remove_front.
        std::vector<const SignalRow*> front;
        bool idle = false;
        {
            std::lock_guard lock(mutex_);
            if (stopping_ &&
                (queue_.empty() || std::chrono::steady_clock::now() >= stop_deadline_)) {
                break;
            }
            if (queue_.empty()) {
                writer_idle_ = true;
                idle = true;
            } else {
                const std::size_t n = std::min(queue_.size(), options_.batch_size);
                handed_ = std::max(handed_, removed_ + n);
                front.reserve(n);
                for (std::size_t i = 0; i < n; ++i) {
                    front.push_back(&queue_[i]);
                }
            }
        }
        if (idle) {
            co_await sleep(std::chrono::hours(24));
            continue;
        }
        const auto batch = batch_of(front);
        std::optional<Error> failure;
        bool refused = false;
        try {
            co_await maintain_partitions();
            co_await pool_.run(
                [&batch](pqxx::connection& connection) { insert_signals(connection, batch); });
            remove_front(batch.size(), 0);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::kBadData) {
                refused = true;
            } else {
                failure = e;
            }
        }
        if (refused) {
            // Some row of the batch is refused for good: find it, keep the others.
            try {
                co_await write_one_by_one(front);
            } catch (const Error& e) {
                failure = e;
            }
        }
        if (!failure) {
            if (failing) {
                logger()->info("signal writes resumed");
                failing = false;
            }
            backoff = options_.retry_initial;
            co_await linger();
            continue;
        }
        if (!failing) {
            logger()->warn("signal writes failing, {} rows kept queued: {}", queued(),
                           failure->what());
            failing = true;
        }
        auto pause = backoff;
        {
            std::lock_guard lock(mutex_);
            if (stopping_) {
                pause = std::min(pause, std::chrono::duration_cast<std::chrono::milliseconds>(
                                            stop_deadline_ - std::chrono::steady_clock::now()));
            }
        }
        if (pause.count() > 0) {
            co_await sleep(pause);
        }
        backoff = std::min(backoff * 2, options_.retry_max);
    }
    std::vector<async::Waiter> ready;
    {
        std::lock_guard lock(mutex_);
        writer_done_ = true;
        writer_idle_ = false;
        if (!queue_.empty()) {
            logger()->error("signal writer stopped with {} rows unwritten", queue_.size());
        }
        ready = std::exchange(room_waiters_, {});
        for (auto& flush_waiter : flush_waiters_) {
            ready.push_back(std::move(flush_waiter.waiter));
        }
        flush_waiters_.clear();
        for (auto& waiter : exit_waiters_) {
            ready.push_back(std::move(waiter));
        }
        exit_waiters_.clear();
    }
    async::resume_all(std::move(ready));
}

std::size_t PgSignalStore::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void PgSignalStore::render_metrics(std::string& out) const {
    std::size_t queued = 0;
    std::size_t body_bytes = 0;
    std::uint64_t written = 0;
    std::uint64_t rejected = 0;
    {
        std::lock_guard lock(mutex_);
        queued = queue_.size();
        body_bytes = body_bytes_;
        written = written_;
        rejected = rejected_;
    }
    fmt::format_to(
        std::back_inserter(out),
        "# HELP gs_signal_archive_written_total Signals written to PostgreSQL's history.\n"
        "# TYPE gs_signal_archive_written_total counter\ngs_signal_archive_written_total {}\n"
        "# HELP gs_signal_archive_rejected_total Signals PostgreSQL refused for good (logged).\n"
        "# TYPE gs_signal_archive_rejected_total counter\ngs_signal_archive_rejected_total {}\n"
        "# HELP gs_signal_archive_queued Signals waiting for PostgreSQL (a linger's worth under "
        "load; growing while PostgreSQL is away).\n"
        "# TYPE gs_signal_archive_queued gauge\ngs_signal_archive_queued {}\n"
        "# HELP gs_signal_archive_queued_body_bytes Bytes of signal bodies held by that queue "
        "(about one per series).\n"
        "# TYPE gs_signal_archive_queued_body_bytes gauge\n"
        "gs_signal_archive_queued_body_bytes {}\n",
        written, rejected, queued, body_bytes);
}

std::size_t PgSignalStore::queued_body_bytes() const {
    std::lock_guard lock(mutex_);
    return body_bytes_;
}

std::uint64_t PgSignalStore::written() const {
    std::lock_guard lock(mutex_);
    return written_;
}

std::uint64_t PgSignalStore::rejected() const {
    std::lock_guard lock(mutex_);
    return rejected_;
}

asio::awaitable<std::optional<LatestSignal>> PgSignalStore::latest(std::string symbol,
                                                                   market::Timeframe timeframe) {
    return pool_.run([symbol = std::move(symbol), timeframe](pqxx::connection& connection) {
        return latest_signal(connection, symbol, timeframe);
    });
}

asio::awaitable<HistoryPage> PgSignalStore::history(HistoryQuery query) {
    return pool_.run([query = std::move(query)](pqxx::connection& connection) {
        return signal_history(connection, query);
    });
}

}  // namespace gs::store
