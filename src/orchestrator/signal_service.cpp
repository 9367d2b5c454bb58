#include "goldensignals/orchestrator/signal_service.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/orchestrator/signal_pack.h"
#include "goldensignals/store/pg_signal_store.h"

namespace gs::orchestrator {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
// Stateless, so one of each serves every standalone service.
cache::NoSignalTier no_tier;
store::NoSignalArchive no_archive;
}  // namespace

std::string_view to_string(Tier tier) noexcept {
    switch (tier) {
        case Tier::kL1:
            return "L1";
        case Tier::kL2:
            return "L2";
        case Tier::kL3:
            return "L3";
        case Tier::kMiss:
            return "MISS";
    }
    return "MISS";
}

SignalService::SignalService(market::BarStore& bars, Orchestrator& orchestrator,
                             SignalServiceOptions options, SignalTiers tiers)
    : bars_(bars),
      orchestrator_(orchestrator),
      l2_(tiers.l2),
      l3_(tiers.l3),
      sync_(tiers.sync),
      options_(std::move(options)),
      config_hex_(fmt::format("{:016x}", orchestrator.fingerprint())),
      l1_(options_.l1) {}

SignalService::SignalService(market::BarStore& bars, Orchestrator& orchestrator,
                             SignalServiceOptions options)
    : bars_(bars),
      orchestrator_(orchestrator),
      own_sync_(std::make_unique<BarSync>(bars)),
      l2_(no_tier),
      l3_(no_archive),
      sync_(*own_sync_),
      options_(std::move(options)),
      config_hex_(fmt::format("{:016x}", orchestrator.fingerprint())),
      l1_(options_.l1) {}

std::string SignalService::summary_of(const std::string& full_json) {
    auto body = nlohmann::json::parse(full_json);
    body.erase("agents");
    // The same dump settings as to_json, so the summary is byte for byte the computed one.
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string SignalService::archive_version(const market::BarSeries& series) const {
    return fmt::format("{}-{:016x}", config_hex_, series.content_hash());
}

std::string SignalService::cache_key(const std::string& symbol, market::Timeframe timeframe,
                                     const market::BarSeries& series) const {
    KeyBuffer buffer;
    return std::string(cache_key(symbol, timeframe, series, buffer));
}

std::string_view SignalService::cache_key(const std::string& symbol, market::Timeframe timeframe,
                                          const market::BarSeries& series, KeyBuffer& out) const {
    // Piece by piece: fmt's run-time parse of a format here was 2.5 % of a cached read.
    out.clear();
    auto append = [&out](std::string_view text) {
        out.append(text.data(), text.data() + text.size());
    };
    append(options_.key_prefix);
    append("sig:");
    append(market::to_string(timeframe));
    append(":");
    append(symbol);
    append(":");
    char version[BarVersion::kMaxText];
    append({version, BarVersion::of(series).write(version)});
    append(":");
    append(config_hex_);
    return {out.data(), out.size()};
}

void SignalService::remember(const std::string& key,
                             const std::shared_ptr<const SignalEntry>& entry) {
    const std::size_t bytes = entry->approximate_bytes() + 128;
    l1_.put(key, entry, bytes);
}

void SignalService::retire_previous(std::string_view key, std::size_t series_part) {
    std::string previous;
    {
        std::lock_guard lock(ingested_mutex_);
        auto it = ingested_keys_.find(key.substr(0, series_part));
        if (it == ingested_keys_.end()) {
            ingested_keys_.emplace(std::string(key.substr(0, series_part)), std::string(key));
            return;
        }
        if (it->second == key) {
            return;  // the same bars again
        }
        previous = std::move(it->second);
        it->second.assign(key);
    }
    // Outside the lock: the entry's bodies are freed here, and the next signal's reuse them.
    l1_.erase(previous);
}

asio::awaitable<Lookup> SignalService::current(std::string symbol, market::Timeframe timeframe,
                                               Need need) {
    return lookup(std::move(symbol), timeframe, false, nullptr, need);
}

asio::awaitable<Lookup> SignalService::ingested(std::string symbol, market::Timeframe timeframe) {
    auto signal = co_await compute_ingested(std::move(symbol), timeframe);
    publish(signal.unpublished);
    co_return signal.lookup;
}

asio::awaitable<IngestedSignal> SignalService::compute_ingested(std::string symbol,
                                                                market::Timeframe timeframe) {
    IngestedSignal signal;
    // kSummary: the tiers get the new signal's summary; its full body waits for a reader.
    signal.lookup =
        co_await lookup(std::move(symbol), timeframe, true, &signal.unpublished, Need::kSummary);
    co_return signal;
}

void SignalService::publish(const std::shared_ptr<const SignalEntry>& entry) const {
    if (entry && listener_) {
        listener_(entry);
    }
}

asio::awaitable<Lookup> SignalService::lookup(std::string symbol, market::Timeframe timeframe,
                                              bool after_ingest,
                                              std::shared_ptr<const SignalEntry>* unpublished,
                                              Need need) {
    const auto started = Clock::now();
    // Freshness first (and the load of a series not in memory); after an ingest the writer
    // holds the series pinned and resident.
    // (An if, not ?: around co_await: g++ 12 mishandles the temporaries, docs/coroutines.md.)
    std::shared_ptr<const market::BarSeries> series;
    if (sync_.active() && !after_ingest) {
        series = co_await sync_.fresh(symbol, timeframe);
    } else {
        series = bars_.get(symbol, timeframe);
    }
    if (!series || series->empty()) {
        co_return Lookup{};
    }
    // An L1 hit (the common read) looks the key up from this buffer; only a miss makes a string.
    KeyBuffer key_buffer;
    const std::string_view key_view = cache_key(symbol, timeframe, *series, key_buffer);
    Lookup lookup;
    if (auto hit = l1_.get(key_view)) {
        lookup = Lookup{std::move(hit), Tier::kL1, nullptr};
    } else {
        std::string key(key_view);
        // Computing (or reading the tiers): the budget leaves the series in memory meanwhile.
        const auto pin = bars_.pin(symbol, timeframe);
        // Whether this call leads the flight (a joiner's signal is published by the leader).
        bool led = false;
        const bool publish_now = unpublished == nullptr;
        // Named, then moved: g++ 12 and temporaries in co_await (docs/coroutines.md).
        std::function<asio::awaitable<Lookup>()> make = [this, key, symbol, timeframe, series,
                                                         after_ingest, publish_now, need, &led]() {
            led = true;
            return after_ingest
                       ? computed(key, symbol, timeframe, series, publish_now, Need::kSummary)
                       : fill(key, symbol, timeframe, series, need);
        };
        lookup = co_await flights_.run(key, std::move(make));
        if (led && !publish_now && lookup.tier == Tier::kMiss) {
            *unpublished = lookup.entry;
        }
    }
    if (need == Need::kWithAgents && lookup.entry && !lookup.entry->carries_agents()) {
        // A summary a tier kept (from L1, or a flight led by a summary reader): its agents
        // recomputed once for every reader that wants them, in a flight of its own so that
        // summary readers never wait for it.
        std::string key(key_view);
        std::string agents_key = key + "+agents";
        const auto pin = bars_.pin(symbol, timeframe);
        std::function<asio::awaitable<Lookup>()> make =
            [this, key, symbol, timeframe, series, summary = lookup.entry, tier = lookup.tier]() {
                return with_agents(key, symbol, timeframe, series, summary, tier);
            };
        lookup = co_await flights_.run(agents_key, std::move(make));
    }
    if (after_ingest && lookup.entry) {
        // "<prefix>sig:<timeframe>:<symbol>:" is the series part of the key.
        const std::size_t series_part = options_.key_prefix.size() + 4 +
                                        market::to_string(timeframe).size() + 1 + symbol.size() + 1;
        retire_previous(key_view, series_part);
    }
    const auto t = static_cast<std::size_t>(lookup.tier);
    answered_[t].fetch_add(1, std::memory_order_relaxed);
    latency_[t].observe(Clock::now() - started);
    co_return lookup;
}

asio::awaitable<std::shared_ptr<const std::string>> SignalService::stored_summary(
    std::string symbol, market::Timeframe timeframe) {
    std::optional<store::LatestSignal> latest;
    try {
        latest = co_await l3_.latest(std::move(symbol), timeframe);
    } catch (const std::exception& e) {
        spdlog::debug("L3 lookup for a snapshot failed: {}", e.what());
    }
    if (!latest) {
        co_return nullptr;
    }
    if (!has_agent_list(latest->body)) {
        co_return std::make_shared<const std::string>(std::move(latest->body));
    }
    co_return std::make_shared<const std::string>(summary_of(latest->body));
}

asio::awaitable<Lookup> SignalService::fill(std::string key, std::string symbol,
                                            market::Timeframe timeframe,
                                            std::shared_ptr<const market::BarSeries> series,
                                            Need need) {
    std::optional<cache::SignalBodies> bodies;
    try {
        std::string l2_key = key;
        bodies = co_await l2_.get(std::move(l2_key));
    } catch (const std::exception& e) {
        // A tier is best effort: a failure is a miss.
        spdlog::debug("L2 lookup of {} failed: {}", symbol, e.what());
    }
    if (bodies) {
        auto entry = SignalEntry::summary_only(
            symbol, timeframe, series->last_time(),
            std::make_shared<const std::string>(std::move(bodies->summary)));
        if (!bodies->full.empty()) {
            entry->set_full_json(std::make_shared<const std::string>(std::move(bodies->full)));
        }
        std::shared_ptr<const SignalEntry> shared = entry;
        if (need == Need::kWithAgents && !shared->carries_agents()) {
            co_return co_await with_agents(std::move(key), std::move(symbol), timeframe,
                                           std::move(series), std::move(shared), Tier::kL2);
        }
        remember(key, shared);
        co_return Lookup{shared, Tier::kL2, nullptr};
    }
    const std::string version = archive_version(*series);
    std::optional<store::LatestSignal> latest;
    try {
        std::string l3_symbol = symbol;
        latest = co_await l3_.latest(std::move(l3_symbol), timeframe);
    } catch (const std::exception& e) {
        // Postgres down: fall through to compute.
        spdlog::debug("L3 lookup of {} failed: {}", symbol, e.what());
    }
    if (latest && latest->as_of == series->last_time() && latest->config_version == version) {
        // The archive keeps the full body only when it was written before the row (older rows
        // always have it); otherwise the summary.
        std::shared_ptr<SignalEntry> entry;
        if (has_agent_list(latest->body)) {
            entry = SignalEntry::summary_only(
                symbol, timeframe, latest->as_of,
                std::make_shared<const std::string>(summary_of(latest->body)));
            entry->set_full_json(std::make_shared<const std::string>(std::move(latest->body)));
        } else {
            entry = SignalEntry::summary_only(
                symbol, timeframe, latest->as_of,
                std::make_shared<const std::string>(std::move(latest->body)));
        }
        std::shared_ptr<const SignalEntry> shared = entry;
        if (need == Need::kWithAgents && !shared->carries_agents()) {
            co_return co_await with_agents(std::move(key), std::move(symbol), timeframe,
                                           std::move(series), std::move(shared), Tier::kL3);
        }
        remember(key, shared);
        co_await copy_to_l2(key, shared);
        co_return Lookup{shared, Tier::kL3, nullptr};
    }

    co_return co_await computed(std::move(key), std::move(symbol), timeframe, std::move(series),
                                true, need);
}

asio::awaitable<Lookup> SignalService::with_agents(std::string key, std::string symbol,
                                                   market::Timeframe timeframe,
                                                   std::shared_ptr<const market::BarSeries> series,
                                                   std::shared_ptr<const SignalEntry> summary,
                                                   Tier tier) {
    auto signal = co_await orchestrator_.compute(symbol, timeframe, series);
    computations_.fetch_add(1, std::memory_order_relaxed);
    auto entry =
        SignalEntry::summary_only(symbol, timeframe, summary->as_of, summary->summary_json);
    entry->set_full_json(std::make_shared<const std::string>(
        full_json_with_summary(*signal, *summary->summary_json)));
    std::shared_ptr<const SignalEntry> shared = entry;
    remember(key, shared);
    co_await copy_to_l2(key, shared);
    co_return Lookup{shared, tier, nullptr};
}

asio::awaitable<Lookup> SignalService::computed(std::string key, std::string symbol,
                                                market::Timeframe timeframe,
                                                std::shared_ptr<const market::BarSeries> series,
                                                bool publish, Need need) {
    auto signal = co_await orchestrator_.compute(symbol, timeframe, series);
    computations_.fetch_add(1, std::memory_order_relaxed);
    computed_by_action_[static_cast<std::size_t>(signal->consensus.action)].fetch_add(
        1, std::memory_order_relaxed);
    // The full body waits for its first reader (a live feed supersedes most signals before
    // anyone reads their agents), and the tiers keep it only when it is written before them;
    // a reader computing it wants it at once, and the tiers keep it for the others.
    std::shared_ptr<const SignalEntry> entry = SignalEntry::computed(signal);
    if (need == Need::kWithAgents) {
        entry->full_json();
    }
    remember(key, entry);
    co_await copy_to_l2(key, entry);
    // Standalone there is no archive: no row to build (packing it is work per signal).
    if (l3_.keeps_rows()) {
        store::SignalRow row;
        row.symbol = symbol;
        row.timeframe = timeframe;
        row.as_of = signal->as_of;
        row.action = std::string(agents::to_string(signal->consensus.action));
        row.strength = std::string(consensus::to_string(signal->consensus.strength));
        row.score = signal->consensus.score;
        row.confidence = signal->consensus.confidence;
        row.config_version = archive_version(*series);
        // The summary unless the full body is written already: written for the archive it
        // would cost every ingested bar a 12 KB body (and PostgreSQL its storage) that a
        // live feed supersedes before anyone reads it; a reader recomputes the agents.
        row.shared_body = entry->has_full_json() ? entry->full_json() : entry->summary_json;
        row.packed = pack_signal(*signal);  // the archive then parses no JSON
        // The catalog's row of the series (docs/memory.md): read at start instead of its bars.
        if (!series->empty()) {
            row.bars = static_cast<std::int64_t>(series->size());
            row.first_time = series->bar(0).time;
        }
        for (const auto& category : signal->consensus.categories) {
            row.category_scores.push_back(category.score);
            row.category_voters.push_back(category.voters);
        }
        try {
            // Waits for room when the queue is full: back-pressure, never a dropped row.
            co_await l3_.enqueue(std::move(row));
        } catch (const std::exception& e) {
            spdlog::error("signal for {} not queued for PostgreSQL: {}", symbol, e.what());
        }
    }
    if (publish) {
        this->publish(entry);
    }
    co_return Lookup{entry, Tier::kMiss, std::move(signal)};
}

asio::awaitable<void> SignalService::copy_to_l2(std::string key,
                                                std::shared_ptr<const SignalEntry> entry) {
    if (dynamic_cast<const cache::NoSignalTier*>(&l2_) != nullptr) {
        co_return;
    }
    if (l2_writes_in_flight_.fetch_add(1, std::memory_order_relaxed) >= kMaxL2Writes) {
        // Redis is behind: wait for this one (back-pressure instead of a growing backlog).
        co_await put_l2(key, *entry);
        l2_writes_in_flight_.fetch_sub(1, std::memory_order_relaxed);
        co_return;
    }
    auto executor = co_await asio::this_coro::executor;
    // co_spawn keeps the closure (and so its captures) alive until the write is done.
    auto write = [this, key = std::move(key), entry = std::move(entry)]() -> asio::awaitable<void> {
        co_await put_l2(key, *entry);
        l2_writes_in_flight_.fetch_sub(1, std::memory_order_relaxed);
    };
    asio::co_spawn(executor, std::move(write), asio::detached);
}

asio::awaitable<void> SignalService::put_l2(const std::string& key, const SignalEntry& entry) {
    if (dynamic_cast<const cache::NoSignalTier*>(&l2_) != nullptr) {
        co_return;  // no shared tier: nothing to copy the bodies for
    }
    try {
        std::string l2_key = key;
        // Views of the entry's bodies: the callers keep the entry alive until this returns.
        // The full body only when written (as for the archive); "" tells a reader it is not.
        // (Named first, not ?: inside the co_await: g++ 12 and temporaries, docs/coroutines.md.)
        std::shared_ptr<const std::string> full;
        std::string_view full_view;
        if (entry.has_full_json()) {
            full = entry.full_json();
            full_view = *full;
        }
        co_await l2_.put(std::move(l2_key), full_view, *entry.summary_json);
    } catch (const std::exception& e) {
        spdlog::debug("L2 write of {} failed: {}", entry.symbol, e.what());
    }
}

void SignalService::render_metrics(std::string& out) const {
    out += "# HELP gs_signal_requests_total Signal lookups by the tier that answered.\n";
    out += "# TYPE gs_signal_requests_total counter\n";
    for (std::size_t t = 0; t < 4; ++t) {
        fmt::format_to(std::back_inserter(out), "gs_signal_requests_total{{tier=\"{}\"}} {}\n",
                       to_string(static_cast<Tier>(t)), answered_[t].load());
    }
    out += "# HELP gs_signal_lookup_seconds Time to answer a signal lookup, by tier.\n";
    out += "# TYPE gs_signal_lookup_seconds histogram\n";
    for (std::size_t t = 0; t < 4; ++t) {
        latency_[t].render(out, "gs_signal_lookup_seconds",
                           fmt::format("tier=\"{}\"", to_string(static_cast<Tier>(t))));
    }
    const auto stats = l1_.stats();
    fmt::format_to(std::back_inserter(out),
                   "# TYPE gs_l1_hits_total counter\ngs_l1_hits_total {}\n"
                   "# TYPE gs_l1_misses_total counter\ngs_l1_misses_total {}\n"
                   "# TYPE gs_l1_evictions_total counter\ngs_l1_evictions_total {}\n"
                   "# TYPE gs_l1_entries gauge\ngs_l1_entries {}\n"
                   "# TYPE gs_l1_bytes gauge\ngs_l1_bytes {}\n"
                   "# TYPE gs_signal_computations_total counter\n"
                   "gs_signal_computations_total {}\n",
                   stats.hits, stats.misses, stats.evictions, stats.entries, stats.bytes,
                   computations_.load());
    out +=
        "# HELP gs_signals_computed_total Signals this instance computed, by consensus action.\n"
        "# TYPE gs_signals_computed_total counter\n";
    for (std::size_t a = 0; a < computed_by_action_.size(); ++a) {
        fmt::format_to(std::back_inserter(out), "gs_signals_computed_total{{action=\"{}\"}} {}\n",
                       agents::to_string(static_cast<agents::Action>(a)),
                       computed_by_action_[a].load(std::memory_order_relaxed));
    }
    l2_.render_metrics(out);
}

}  // namespace gs::orchestrator
