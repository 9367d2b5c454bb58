// Wiring only: read the configuration, build the components, run until a signal.
#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/build_info.h"
#include "goldensignals/config/options.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/health/prober.h"
#include "goldensignals/health/readiness.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/router.h"
#include "goldensignals/http/server.h"
#include "goldensignals/http/system_handlers.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/market/demo_data.h"
#include "goldensignals/metrics/build_info.h"
#include "goldensignals/metrics/http_metrics.h"
#include "goldensignals/metrics/registry.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/redis/ping.h"
#include "goldensignals/store/ping.h"

namespace {

std::vector<std::string> route_labels(const gs::http::Router& router) {
    std::vector<std::string> labels;
    for (const auto& route : router.routes()) {
        labels.push_back(route.pattern);
    }
    return labels;
}

int run(const gs::config::Options& options) {
    spdlog::set_level(spdlog::level::from_str(options.log_level));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
    spdlog::info("goldensignals {} ({}) starting", gs::build_info::kVersion,
                 gs::build_info::kGitCommit);

    gs::health::Readiness readiness;
    gs::health::Prober prober(readiness, std::chrono::seconds(2));
    if (options.redis_url) {
        auto url = gs::config::parse_redis_url(*options.redis_url);
        readiness.set("redis", gs::health::State::kDown);
        prober.add("redis", [url] { return gs::redis::ping(url, std::chrono::seconds(1)); });
    } else {
        readiness.set("redis", gs::health::State::kDisabled);
        spdlog::info("no Redis configured: in-process cache and pub/sub only");
    }
    if (options.database_url) {
        readiness.set("postgres", gs::health::State::kDown);
        prober.add("postgres", [url = *options.database_url] {
            return gs::store::ping(url, std::chrono::seconds(1));
        });
    } else {
        readiness.set("postgres", gs::health::State::kDisabled);
        spdlog::info("no PostgreSQL configured: bars and signals are kept in memory only");
    }

    if (options.server.api_token.empty()) {
        spdlog::warn("GS_API_TOKEN is not set: write routes (POST /v1/bars) are open to anyone");
    } else {
        spdlog::info("write routes require the API token (GS_API_TOKEN)");
    }

    gs::consensus::Config consensus_config;
    if (!options.consensus_config.empty()) {
        consensus_config = gs::consensus::load_config(options.consensus_config);
        spdlog::info("consensus config from {}", options.consensus_config);
    }

    gs::market::MemoryBarStore bar_store(options.max_bars);
    if (options.demo) {
        try {
            auto symbols = gs::market::load_demo_data(bar_store, options.demo_dir);
            spdlog::info("demo data: {} symbol(s) from {}", symbols, options.demo_dir);
        } catch (const std::exception& e) {
            spdlog::warn(
                "demo data not loaded: {} (run from the repository root, set "
                "--demo-dir, or --demo=false)",
                e.what());
        }
    }

    const unsigned compute_threads = options.compute_threads != 0
                                         ? options.compute_threads
                                         : std::max(1u, std::thread::hardware_concurrency());
    boost::asio::thread_pool compute_pool(compute_threads);
    gs::orchestrator::Orchestrator orchestrator(
        compute_pool.get_executor(), compute_threads, gs::agents::all_agents(), consensus_config,
        {.chunks = options.agent_chunks, .agent_budget = options.agent_budget});
    gs::orchestrator::SignalService signal_service(bar_store, orchestrator);

    gs::metrics::Registry registry;
    gs::http::Router router;
    gs::http::add_system_routes(router, readiness, registry);
    gs::http::add_bar_routes(router, bar_store, compute_pool.get_executor());
    gs::http::add_signal_routes(router, bar_store, signal_service);
    gs::metrics::HttpMetrics http_metrics(route_labels(router));
    registry.add_collector([&](std::string& out) { http_metrics.render(out); });
    registry.add_collector(gs::metrics::render_build_info);

    const unsigned threads = gs::config::effective_threads(options.server);
    boost::asio::io_context io(static_cast<int>(threads));
    gs::http::Server server(io, options.server, router, http_metrics);
    try {
        server.listen();
    } catch (const boost::system::system_error& e) {
        spdlog::critical("cannot listen on {}:{}: {}", options.server.bind_address,
                         options.server.port, e.code().message());
        return 1;
    }
    server.start();
    prober.start();
    spdlog::info("listening on {}:{} with {} I/O thread(s)", options.server.bind_address,
                 server.port(), threads);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (ec) {
            return;
        }
        spdlog::info("signal {}: shutting down", signal_number);
        server.shutdown([&io] { io.stop(); });
    });

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) {
        pool.emplace_back([&io] { io.run(); });
    }
    io.run();
    for (auto& t : pool) {
        t.join();
    }
    prober.stop();
    compute_pool.stop();
    compute_pool.join();
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
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
    try {
        return run(options);
    } catch (const std::exception& e) {
        spdlog::critical("fatal: {}", e.what());
        return 1;
    }
}
