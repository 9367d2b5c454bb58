// Wiring only: read the configuration, build the components, run until a signal.

#include <csignal>
#include <cstdio>
#include <optional>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include "goldensignals/accuracy/live_accuracy.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/app/components.h"
#include "goldensignals/app/startup.h"
#include "goldensignals/app/stored_series.h"
#include "goldensignals/app/tiers.h"
#include "goldensignals/backtest/adaptive.h"
#include "goldensignals/config/options.h"
#include "goldensignals/config/paths.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/feed/binance/binance_feed.h"
#include "goldensignals/health/readiness.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/router.h"
#include "goldensignals/http/server.h"
#include "goldensignals/http/static_files.h"
#include "goldensignals/http/system_handlers.h"
#include "goldensignals/import/importer.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/market/demo_data.h"
#include "goldensignals/market/feed_spec.h"
#include "goldensignals/metrics/build_info.h"
#include "goldensignals/metrics/http_metrics.h"
#include "goldensignals/metrics/process_metrics.h"
#include "goldensignals/metrics/registry.h"
#include "goldensignals/orchestrator/bar_sync.h"
#include "goldensignals/orchestrator/feed_runner.h"
#include "goldensignals/orchestrator/ingest_service.h"
#include "goldensignals/orchestrator/live_feed_sink.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/provisional_service.h"
#include "goldensignals/orchestrator/rollup_service.h"
#include "goldensignals/orchestrator/signal_board.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/sse/hub.h"
#include "goldensignals/sse/redis_bridge.h"
#include "goldensignals/sse/signal_publisher.h"
#include "goldensignals/sse/stream_route.h"
#include "goldensignals/store/pg_call_store.h"
#include "goldensignals/webhooks/deliverer.h"
#include "goldensignals/webhooks/memory_outbox.h"
#include "goldensignals/webhooks/pg_outbox.h"
#include "goldensignals/webhooks/sender.h"
#include "goldensignals/webhooks/service.h"

namespace {

namespace asio = boost::asio;

// Refills live accuracy's windows from PostgreSQL before anything is served (the pool's own
// threads do the work; a private io_context runs the wait). PostgreSQL down: start empty.
void restore_live_accuracy(gs::store::PgCallStore& store, gs::accuracy::LiveAccuracy& accuracy) {
    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    std::thread runner([&io] { io.run(); });
    auto loaded = asio::co_spawn(io, store.load(accuracy.track_names(), accuracy.options().window),
                                 asio::use_future);
    try {
        const auto calls = loaded.get();
        accuracy.restore(calls);
        spdlog::info("live accuracy: {} scored call(s) restored from PostgreSQL", calls.size());
    } catch (const std::exception& e) {
        spdlog::error("live accuracy not restored from PostgreSQL, starting empty: {}", e.what());
    }
    guard.reset();
    runner.join();
}

int run(const gs::config::Options& options, const gs::market::FeedSpec& feed,
        const gs::app::StartupFiles& files) {
    gs::app::configure_logging(options);
    gs::app::raise_open_file_limit(options.max_streams);

    for (const auto& warning : files.warnings) {
        spdlog::warn("{}", warning);
    }
    const gs::consensus::Config& consensus_config = files.consensus;
    if (!options.consensus_config.empty()) {
        spdlog::info("consensus config from {}", options.consensus_config);
    }

    gs::market::MemoryBarStore bar_store(options.max_bars, options.max_symbols);
    bar_store.set_budget(gs::config::series_budget(options));
    if (options.demo) {
        try {
            auto symbols = gs::market::load_demo_data(bar_store, options.demo_dir);
            spdlog::info("demo data: {} symbol(s) from {}", symbols, options.demo_dir);
        } catch (const std::exception& e) {
            spdlog::warn("demo data not loaded: {} (set --demo-dir, or --demo=false)", e.what());
        }
    }
    if (options.database_url && !gs::app::prepare_postgres(options, bar_store)) {
        return 1;
    }

    // Declared before the io_context: streams and the cache outlive every session.
    // With Redis, ids come from its shared sequence: every instance starts its history at 0
    // and takes the ids it is given. Alone, ids start from the clock (see HubOptions).
    gs::sse::HubOptions hub_options;
    if (options.redis_url) {
        hub_options.initial_id = 0;
    }
    gs::sse::Hub hub(hub_options);
    gs::health::Readiness readiness;
    gs::metrics::Registry registry;

    const unsigned threads = gs::config::effective_threads(options.server);
    asio::io_context io(static_cast<int>(threads));
    const unsigned compute_threads = options.compute_threads != 0
                                         ? options.compute_threads
                                         : std::max(1u, std::thread::hardware_concurrency());
    asio::thread_pool compute_pool(compute_threads);

    // --weighting when given, else the consensus config's "weighting".
    const bool adaptive = options.adaptive_weighting.value_or(consensus_config.adaptive);
    if (adaptive) {
        spdlog::info(
            "consensus: adaptive weighting (each agent's last {} calls, scored at {} bars)",
            gs::backtest::kAdaptiveWindow, options.accuracy.horizon);
    }
    gs::orchestrator::Orchestrator orchestrator(
        compute_pool.get_executor(), compute_threads, gs::agents::all_agents(), consensus_config,
        {.chunks = options.agent_chunks,
         .agent_budget = options.agent_budget,
         .adaptive = adaptive ? std::optional<gs::backtest::AdaptiveOptions>(
                                    {.horizon = options.accuracy.horizon,
                                     .window = gs::backtest::kAdaptiveWindow})
                              : std::nullopt});
    // An evicted series' streaming states go with its bars (rebuilt on its next load).
    bar_store.on_evict([&orchestrator](const std::string& symbol, gs::market::Timeframe timeframe) {
        orchestrator.forget(symbol, timeframe);
    });
    // Redis and PostgreSQL when configured, null objects otherwise; each registers its
    // start and stop steps.
    gs::app::Components components;
    gs::app::Tiers tiers(options, io.get_executor(), bar_store, components);
    const auto& redis_client = tiers.redis_client();
    const auto& redis_subscriber = tiers.redis_subscriber();
    gs::orchestrator::BarSync& bar_sync = tiers.bar_sync();
    gs::orchestrator::SignalService signal_service(
        bar_store, orchestrator,
        {.key_prefix = options.redis_prefix,
         .l1 = {.max_bytes = options.l1_cache_mb * 1024 * 1024,
                .max_entries = 100'000,
                .shards = 16}},
        tiers.signal_tiers());
    gs::orchestrator::IngestService ingest(bar_store, tiers.bar_repository(), bar_sync,
                                           signal_service);
    // Live accuracy: every signal an ingest computes, scored when its horizon bar arrives.
    std::vector<std::string> agent_names;
    for (const auto* agent : gs::agents::all_agents()) {
        agent_names.emplace_back(agent->name);
    }
    // Kept in PostgreSQL when configured: the windows are refilled from it before serving.
    // live_calls' partitions are created ahead at start and by the retention job, never on the
    // write path (as the signals').
    std::unique_ptr<gs::store::PgCallStore> call_store;
    if (tiers.pg_pool() != nullptr) {
        call_store = std::make_unique<gs::store::PgCallStore>(
            *tiers.pg_pool(), io.get_executor(),
            gs::store::PgCallStoreOptions{.maintain_partitions = false});
    }
    gs::accuracy::LiveAccuracy live_accuracy(std::move(agent_names), options.accuracy,
                                             call_store.get());
    if (call_store) {
        restore_live_accuracy(*call_store, live_accuracy);
        components.add("live accuracy writer", nullptr, [&call_store]() -> asio::awaitable<void> {
            const auto lost = co_await call_store->stop(std::chrono::seconds(5));
            if (lost > 0) {
                spdlog::error("{} live accuracy call(s) not written to PostgreSQL", lost);
            }
        });
    }
    ingest.score_with(&live_accuracy);
    // Provisional signals on forming bars (posted with "final": false, rolled-up periods still
    // open, a feed's unclosed klines), rate-limited per series; never stored (docs/rollup.md).
    gs::orchestrator::ProvisionalService provisional(bar_store, orchestrator, io.get_executor(),
                                                     compute_pool.get_executor(),
                                                     {.interval = options.provisional_interval,
                                                      .share = options.provisional_share,
                                                      .compute_threads = compute_threads});
    if (provisional.enabled()) {
        ingest.set_provisional(&provisional);
    }
    // Posted bars roll up into the longer timeframes through the same ingest path
    // (docs/rollup.md); a timer closes the periods a stopped feed leaves open.
    std::unique_ptr<gs::orchestrator::RollupService> rollup;
    if (options.rollup) {
        rollup = std::make_unique<gs::orchestrator::RollupService>(
            ingest, bar_store,
            gs::orchestrator::RollupOptions{.from = options.rollup_from,
                                            .grace = options.rollup_grace});
        if (provisional.enabled()) {
            rollup->on_forming([&provisional](const std::string& symbol,
                                              gs::market::Timeframe timeframe,
                                              const gs::market::Bar& bar) {
                provisional.offer(symbol, timeframe, bar);
            });
        }
        components.add(
            "rollup", [&rollup, &io] { rollup->start(asio::make_strand(io)); },
            [&rollup]() -> asio::awaitable<void> { co_await rollup->stop(); });
    }
    components.add(
        "provisional signals", [] {},
        [&provisional]() -> asio::awaitable<void> {
            provisional.stop();
            co_return;
        });

    // /readyz follows the clients the process uses (see health/readiness.h).
    if (options.redis_url) {
        readiness.set("redis", gs::health::State::kDown);
        redis_client->on_state_change(readiness.follow("redis"));
    } else {
        readiness.set("redis", gs::health::State::kDisabled);
        spdlog::info("no Redis configured: in-process cache and pub/sub only");
    }
    if (options.database_url) {
        readiness.set("postgres", gs::health::State::kDown);
        tiers.pg_pool()->on_state_change(readiness.follow("postgres"));
    } else {
        readiness.set("postgres", gs::health::State::kDisabled);
        spdlog::info("no PostgreSQL configured: bars and signals are kept in memory only");
    }
    // Alert webhooks: the outbox in PostgreSQL when configured (shared, durable), in memory
    // otherwise.
    std::unique_ptr<gs::webhooks::Outbox> outbox;
    if (tiers.pg_pool() != nullptr) {
        outbox = std::make_unique<gs::webhooks::PgOutbox>(*tiers.pg_pool());
    } else {
        outbox = std::make_unique<gs::webhooks::MemoryOutbox>();
    }
    std::unique_ptr<gs::webhooks::Sender> sender;
    try {
        sender = gs::webhooks::make_beast_sender(io.get_executor(),
                                                 {.timeout = options.webhooks.timeout,
                                                  .allow_private = options.webhooks.allow_private,
                                                  .ca_file = options.webhooks.ca_file});
    } catch (const std::runtime_error& e) {
        spdlog::critical("{}", e.what());
        return 2;
    }
    if (options.webhooks.allow_private) {
        spdlog::warn(
            "GS_WEBHOOK_ALLOW_PRIVATE is on: webhooks may reach loopback and private "
            "addresses");
    }
    gs::webhooks::Deliverer deliverer(
        io.get_executor(), *outbox, *sender,
        {.retry = {.base = options.webhooks.backoff,
                   .cap = options.webhooks.backoff_max,
                   .max_age = options.webhooks.max_age},
         .max_inflight = options.webhooks.max_inflight,
         .poll = options.webhooks.poll,
         // Longer than any attempt: a lost instance's claims come due again after it.
         .lease = options.webhooks.timeout + std::chrono::seconds(5)});
    gs::webhooks::Service webhooks(io.get_executor(), *outbox, deliverer,
                                   {.allow_private = options.webhooks.allow_private,
                                    .max_webhooks = options.webhooks.max_webhooks,
                                    .refresh = std::chrono::seconds(2)});
    components.add(
        "webhooks", [&webhooks] { webhooks.start(); },
        [&webhooks]() -> asio::awaitable<void> { co_await webhooks.stop(); });
    // A live provider's feed stops (close frame, timers) with the other components; added
    // after the webhooks so it stops before them (its bars end in webhook deliveries).
    gs::orchestrator::LiveFeedSink feed_sink(
        ingest, [&provisional](const gs::feed::BarEvent& event) {
            provisional.offer(event.symbol, event.timeframe, event.bar);
        });
    std::shared_ptr<gs::feed::LiveFeed> live_feed;
    if (feed.kind == gs::market::FeedSpec::Kind::kBinance) {
        try {
            live_feed = gs::feed::binance::make_binance_feed(io.get_executor(),
                                                             {.symbols = feed.instruments,
                                                              .timeframe = feed.timeframe,
                                                              .ws_url = options.binance_ws_url,
                                                              .rest_url = options.binance_rest_url,
                                                              .ca_file = options.binance_ca_file},
                                                             feed_sink);
        } catch (const std::exception& e) {
            spdlog::critical("--feed {}: {}", options.feed, e.what());
            return 2;
        }
        components.add(
            "binance feed", [feed = live_feed] { feed->start(); },
            [feed = live_feed]() -> asio::awaitable<void> { co_await feed->stop(); });
    }
    // The most recently active series in the background, once the server listens: reads
    // never wait for it (docs/memory.md).
    if (bar_sync.active()) {
        gs::app::add_series_warm_up(components, io, bar_sync, bar_store);
    }
    components.start();

    // New signals go to the live streams: through Redis to every instance when configured
    // (bar-version messages share its subscriber), straight into this instance's hub otherwise.
    auto signal_publisher = gs::sse::make_signal_publisher(
        hub, io.get_executor(), redis_client, redis_subscriber, options.redis_prefix,
        {{bar_sync.channel(), [&io, &bar_sync](std::string_view payload) {
              asio::co_spawn(io, bar_sync.on_message(std::string(payload)), asio::detached);
          }}});
    signal_service.on_new_signal(
        [&signal_publisher, &webhooks](std::shared_ptr<const gs::orchestrator::SignalEntry> entry) {
            signal_publisher->publish(entry->symbol, entry->timeframe, entry->summary_json);
            webhooks.on_signal(entry->symbol, entry->timeframe, entry->as_of, entry->summary_json);
        });
    // Provisional signals go to the streams only (no webhook, no archive).
    provisional.on_provisional([&signal_publisher](
                                   std::shared_ptr<const gs::orchestrator::SignalEntry> entry) {
        signal_publisher->publish_provisional(entry->symbol, entry->timeframe, entry->summary_json);
    });

    gs::http::Router router;
    gs::http::add_system_routes(router, readiness, registry);
    gs::http::add_bar_routes(router, bar_store, ingest, compute_pool.get_executor(), rollup.get(),
                             &provisional);
    gs::http::add_history_route(router, tiers.signal_store());
    gs::http::add_signal_routes(router, bar_store, signal_service, compute_pool.get_executor(),
                                &provisional, &live_accuracy);
    gs::orchestrator::SignalBoard signal_board(bar_store, signal_service);
    if (bar_sync.active()) {
        gs::app::load_catalog(bar_sync, signal_board);
    }
    gs::http::add_universe_routes(router, bar_store, signal_board);
    gs::http::add_backtest_route(router, bar_store, orchestrator, compute_pool.get_executor(),
                                 &bar_sync);
    gs::http::add_backtest_job_routes(
        router, bar_store,
        gs::http::make_backtest_jobs(bar_store, orchestrator, compute_pool.get_executor(), {},
                                     &bar_sync));
    gs::sse::add_stream_route(
        router, hub, gs::app::stream_snapshot(signal_service, bar_store, bar_sync),
        [&bar_store](gs::market::Timeframe timeframe) { return bar_store.symbols(timeframe); },
        {.max_streams = options.max_streams,
         .max_symbols = options.max_stream_symbols,
         .heartbeat = options.heartbeat,
         .retry = std::chrono::milliseconds(3000),
         .stall_timeout = options.stream_stall_timeout,
         .send_buffer = options.stream_send_buffer,
         .queue = {},
         // A stream's named series stay in memory while it is open (docs/memory.md).
         .hold = gs::app::stream_hold(bar_store)});
    gs::http::add_webhook_routes(router, webhooks);
    gs::http::add_static_routes(router, options.static_dir);

    if (feed.kind == gs::market::FeedSpec::Kind::kSimulated ||
        feed.kind == gs::market::FeedSpec::Kind::kReplay) {
        // On a strand: the orchestrator wakes its caller by posting to the caller's executor.
        asio::co_spawn(asio::make_strand(io), gs::orchestrator::run_feed(feed, ingest),
                       asio::detached);
    }

    gs::metrics::HttpMetrics http_metrics(gs::http::metric_labels(router));
    registry.add_collector([&](std::string& out) { http_metrics.render(out); });
    registry.add_collector([&](std::string& out) { signal_service.render_metrics(out); });
    registry.add_collector([&](std::string& out) { hub.render(out); });
    registry.add_collector([&](std::string& out) { bar_store.render_metrics(out); });
    registry.add_collector([&](std::string& out) { bar_sync.render_metrics(out); });
    registry.add_collector([&](std::string& out) { ingest.render_metrics(out); });
    registry.add_collector([&](std::string& out) { live_accuracy.render_metrics(out); });
    if (call_store) {
        registry.add_collector([&](std::string& out) { call_store->render_metrics(out); });
    }
    registry.add_collector([&](std::string& out) { provisional.render_metrics(out); });
    if (rollup) {
        registry.add_collector([&](std::string& out) { rollup->render_metrics(out); });
    }
    registry.add_collector([&](std::string& out) { readiness.render_metrics(out); });
    registry.add_collector([&](std::string& out) { deliverer.render_metrics(out); });
    if (auto* signal_store = tiers.signal_store()) {
        registry.add_collector(
            [signal_store](std::string& out) { signal_store->render_metrics(out); });
    }
    if (auto* retention = tiers.retention()) {
        registry.add_collector([retention](std::string& out) { retention->render_metrics(out); });
    }
    if (live_feed) {
        registry.add_collector([&](std::string& out) {
            live_feed->metrics().render(out, live_feed->name());
            feed_sink.render_metrics(out, live_feed->name());
        });
    }
    registry.add_collector(gs::metrics::render_build_info);
    registry.add_collector(gs::metrics::render_process_metrics);

    gs::http::Server server(io, options.server, router, http_metrics);
    try {
        server.listen();
    } catch (const boost::system::system_error& e) {
        spdlog::critical("cannot listen on {}:{}: {}", options.server.bind_address,
                         options.server.port, e.code().message());
        return 1;
    }
    server.start();
    spdlog::info("listening on {}:{} with {} I/O thread(s)", options.server.bind_address,
                 server.port(), threads);

    // Shutdown: the server stops taking requests and finishes its sessions, then the
    // components stop in reverse order, then the I/O threads end.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (ec) {
            return;
        }
        spdlog::info("signal {}: shutting down", signal_number);
        server.shutdown(
            [&] { asio::co_spawn(io, components.stop(), [&](std::exception_ptr) { io.stop(); }); });
    });

    gs::app::run_on_threads(io, threads);
    compute_pool.stop();
    compute_pool.join();
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // hiredis writes with write(): a vanished peer must be an error, not a fatal signal.
    std::signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && std::string_view(argv[1]) == "import") {
        return gs::import::run_import(std::vector<std::string>(argv + 2, argv + argc),
                                      gs::config::process_env());
    }
    gs::config::Options options;
    try {
        options = gs::config::parse(std::vector<std::string>(argv + 1, argv + argc),
                                    gs::config::process_env());
    } catch (const gs::config::Error& e) {
        std::fprintf(stderr, "goldensignals: %s\n", e.what());
        return 2;
    }
    if (options.show_help) {
        std::fputs(gs::config::help_text().c_str(), stdout);
        return 0;
    }
    gs::market::FeedSpec feed;
    try {
        feed = gs::market::parse_feed_spec(options.feed);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "goldensignals: --feed/GS_FEED: %s\n", e.what());
        return 2;
    }
    gs::app::StartupFiles files;
    try {
        files = gs::app::check_startup_files(options);
    } catch (const gs::config::Error& e) {
        std::fprintf(stderr, "goldensignals: %s\n", e.what());
        return 2;
    }
    if (options.migrate_only) {
        return gs::app::migrate_only(options);
    }
    try {
        return run(options, feed, files);
    } catch (const std::exception& e) {
        spdlog::critical("fatal: {}", e.what());
        return 1;
    }
}
