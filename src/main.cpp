// Wiring only: read the configuration, build the components, run until a signal.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/app/components.h"
#include "goldensignals/app/tiers.h"
#include "goldensignals/build_info.h"
#include "goldensignals/config/options.h"
#include "goldensignals/config/paths.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/health/readiness.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/router.h"
#include "goldensignals/http/server.h"
#include "goldensignals/http/static_files.h"
#include "goldensignals/http/system_handlers.h"
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
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/redis/client.h"
#include "goldensignals/redis/subscriber.h"
#include "goldensignals/sse/hub.h"
#include "goldensignals/sse/redis_bridge.h"
#include "goldensignals/sse/signal_publisher.h"
#include "goldensignals/sse/stream_route.h"
#include "goldensignals/store/error.h"
#include "goldensignals/store/migrations.h"
#include "goldensignals/store/pg_bar_repository.h"
#include "goldensignals/store/pg_pool.h"
#include "goldensignals/store/pg_signal_store.h"

namespace {

namespace asio = boost::asio;

// Configuration that names files and folders, checked before anything starts so a mistake
// exits at once with a message naming it. Throws gs::config::Error.
struct StartupFiles {
    gs::consensus::Config consensus;
    std::vector<std::string> warnings;
};

StartupFiles check_startup_files(gs::config::Options& options) {
    StartupFiles files;
    files.warnings = gs::config::resolve_paths(options, gs::config::executable_dir());
    if (options.database_url) {
        try {
            if (gs::store::list_migrations(options.sql_dir).empty()) {
                throw gs::config::Error("--sql-dir/GS_SQL_DIR: folder '" + options.sql_dir +
                                        "' holds no NNNN_name.sql migration");
            }
        } catch (const gs::store::Error& e) {
            throw gs::config::Error(std::string("--sql-dir/GS_SQL_DIR: ") + e.what());
        }
    }
    if (!options.consensus_config.empty()) {
        try {
            files.consensus = gs::consensus::load_config(options.consensus_config);
        } catch (const std::exception& e) {
            throw gs::config::Error("--consensus-config/GS_CONSENSUS_CONFIG '" +
                                    options.consensus_config + "': " + e.what());
        }
    }
    return files;
}

// Each stream holds a descriptor, so the soft limit (often 1,024) is raised to the hard one, as
// servers meant for many connections do; a limit below the stream limit is reported.
void raise_open_file_limit(std::size_t max_streams) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    // Room for the streams plus other clients, the pools and the files served.
    constexpr std::size_t kOtherDescriptors = 256;
    if (limit.rlim_cur < max_streams + kOtherDescriptors) {
        spdlog::warn(
            "open file limit is {}: fewer than the {} streams GS_MAX_STREAMS allows can open "
            "(raise the limit, e.g. ulimit -n or compose's ulimits.nofile)",
            limit.rlim_cur, max_streams);
    }
}

int run(const gs::config::Options& options, const gs::market::FeedSpec& feed,
        const StartupFiles& files) {
    auto logger = spdlog::stdout_color_mt("gs");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(options.log_level));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
    spdlog::info("goldensignals {} ({}) starting", gs::build_info::kVersion,
                 gs::build_info::kGitCommit);
    if (options.server.api_token.empty()) {
        spdlog::warn("GS_API_TOKEN is not set: write routes (POST /v1/bars) are open to anyone");
    } else {
        spdlog::info("write routes require the API token (GS_API_TOKEN)");
    }
    if (options.server.read_token.empty()) {
        spdlog::info("GS_READ_TOKEN is not set: reads (GET /v1/..., streams) are open");
    } else {
        spdlog::info("reads (GET /v1/..., streams) require the read or the API token");
    }

    raise_open_file_limit(options.max_streams);

    for (const auto& warning : files.warnings) {
        spdlog::warn("{}", warning);
    }
    const gs::consensus::Config& consensus_config = files.consensus;
    if (!options.consensus_config.empty()) {
        spdlog::info("consensus config from {}", options.consensus_config);
    }

    gs::market::MemoryBarStore bar_store(options.max_bars, options.max_symbols);
    if (options.demo) {
        try {
            auto symbols = gs::market::load_demo_data(bar_store, options.demo_dir);
            spdlog::info("demo data: {} symbol(s) from {}", symbols, options.demo_dir);
        } catch (const std::exception& e) {
            spdlog::warn("demo data not loaded: {} (set --demo-dir, or --demo=false)", e.what());
        }
    }
    if (options.database_url) {
        // In a compose stack the database may still be starting: wait up to 30 s for it.
        try {
            const auto applied = gs::store::migrate_with_retry(
                *options.database_url, options.sql_dir, 30, std::chrono::seconds(1));
            spdlog::info("PostgreSQL schema ready ({} migration(s) from {} applied now)",
                         applied.size(), options.sql_dir);
        } catch (const gs::store::Error& e) {
            spdlog::critical("cannot prepare PostgreSQL: {}", e.what());
            return 1;
        }
        // Bars this instance lacks come from PostgreSQL, which holds every acked bar.
        const auto loaded = gs::store::load_all_bars(
            *options.database_url, options.max_bars,
            [&bar_store](const std::string& symbol, gs::market::Timeframe timeframe,
                         std::span<const gs::market::Bar> bars) {
                bar_store.replace(symbol, timeframe, bars);
            });
        spdlog::info("loaded {} series from PostgreSQL", loaded);
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

    gs::orchestrator::Orchestrator orchestrator(
        compute_pool.get_executor(), compute_threads, gs::agents::all_agents(), consensus_config,
        {.chunks = options.agent_chunks, .agent_budget = options.agent_budget});
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
    components.start();

    // New signals go to the live streams: through Redis to every instance when configured
    // (bar-version messages share its subscriber), straight into this instance's hub otherwise.
    auto signal_publisher = gs::sse::make_signal_publisher(
        hub, io.get_executor(), redis_client, redis_subscriber, options.redis_prefix,
        {{bar_sync.channel(), [&io, &bar_sync](std::string_view payload) {
              asio::co_spawn(io, bar_sync.on_message(std::string(payload)), asio::detached);
          }}});
    signal_service.on_new_signal(
        [&signal_publisher](std::shared_ptr<const gs::orchestrator::SignalEntry> entry) {
            signal_publisher->publish(entry->symbol, entry->timeframe, entry->summary_json);
        });

    gs::http::Router router;
    gs::http::add_system_routes(router, readiness, registry);
    gs::http::add_bar_routes(router, bar_store, ingest, compute_pool.get_executor());
    gs::http::add_history_route(router, tiers.signal_store());
    gs::http::add_signal_routes(router, bar_store, signal_service, compute_pool.get_executor());
    gs::sse::add_stream_route(
        router, hub,
        [&signal_service](const std::string& symbol, gs::market::Timeframe timeframe)
            -> asio::awaitable<std::shared_ptr<const std::string>> {
            std::string name = symbol;
            auto lookup = co_await signal_service.current(std::move(name), timeframe);
            co_return lookup.entry ? lookup.entry->summary_json : nullptr;
        },
        [&bar_store](gs::market::Timeframe timeframe) { return bar_store.symbols(timeframe); },
        {.max_streams = options.max_streams,
         .max_symbols = options.max_stream_symbols,
         .heartbeat = options.heartbeat,
         .retry = std::chrono::milliseconds(3000),
         .stall_timeout = options.stream_stall_timeout,
         .send_buffer = options.stream_send_buffer,
         .queue = {}});
    gs::http::add_static_routes(router, options.static_dir);

    if (feed.kind != gs::market::FeedSpec::Kind::kNone) {
        // On a strand: the orchestrator wakes its caller by posting to the caller's executor.
        asio::co_spawn(asio::make_strand(io), gs::orchestrator::run_feed(feed, ingest),
                       asio::detached);
    }

    gs::metrics::HttpMetrics http_metrics(gs::http::metric_labels(router));
    registry.add_collector([&](std::string& out) { http_metrics.render(out); });
    registry.add_collector([&](std::string& out) { signal_service.render_metrics(out); });
    registry.add_collector([&](std::string& out) { hub.render(out); });
    registry.add_collector([&](std::string& out) { bar_store.render_metrics(out); });
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
    StartupFiles files;
    try {
        files = check_startup_files(options);
    } catch (const gs::config::Error& e) {
        std::fprintf(stderr, "goldensignals: %s\n", e.what());
        return 2;
    }
    try {
        return run(options, feed, files);
    } catch (const std::exception& e) {
        spdlog::critical("fatal: {}", e.what());
        return 1;
    }
}
