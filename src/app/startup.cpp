// Process start-up steps main() runs before it builds the components.
#include "goldensignals/app/startup.h"

#include <sys/resource.h>

#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "goldensignals/build_info.h"
#include "goldensignals/config/paths.h"
#include "goldensignals/log/buffered_sink.h"
#include "goldensignals/store/error.h"
#include "goldensignals/store/migrations.h"
#include "goldensignals/store/partitions.h"
#include "goldensignals/store/pg_bar_repository.h"

namespace gs::app {

StartupFiles check_startup_files(config::Options& options) {
    StartupFiles files;
    files.warnings = config::resolve_paths(options, config::executable_dir());
    if (options.database_url) {
        try {
            if (store::list_migrations(options.sql_dir).empty()) {
                throw config::Error("--sql-dir/GS_SQL_DIR: folder '" + options.sql_dir +
                                    "' holds no NNNN_name.sql migration");
            }
        } catch (const store::Error& e) {
            throw config::Error(std::string("--sql-dir/GS_SQL_DIR: ") + e.what());
        }
    }
    if (!options.consensus_config.empty()) {
        try {
            files.consensus = consensus::load_config(options.consensus_config);
        } catch (const std::exception& e) {
            throw config::Error("--consensus-config/GS_CONSENSUS_CONFIG '" +
                                options.consensus_config + "': " + e.what());
        }
    }
    return files;
}

namespace {
// The partitions of this month and the next three, of signals, live_calls and every bars table,
// before anything is served: no read or write ever waits on their DDL (issue 15: the first history
// read on a fresh database used to deadlock with the partition creation of the first signal
// write and answer 503 after a second). The retention job keeps them ahead from then on.
void create_partitions_ahead(const std::string& url) {
    pqxx::connection connection(url);
    const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const auto created = store::ensure_all_partitions(connection, today);
    spdlog::info("partitions ready ({} created now)", created.size());
}

void make_default_logger(const config::Options& options) {
    auto logger = spdlog::stdout_color_mt("gs");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(options.log_level));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
}
}  // namespace

void configure_logging(const config::Options& options) {
    make_default_logger(options);
    if (options.server.access_log) {
        // One line per request: batched writes, not a write and flush per line (bench/RESULTS.md,
        // issue 12). initialize_logger gives it the pattern and level above.
        spdlog::initialize_logger(
            std::make_shared<spdlog::logger>("access", std::make_shared<log::BufferedFdSink>()));
        spdlog::flush_every(std::chrono::seconds(1));
    }
    spdlog::info("goldensignals {} ({}) starting", build_info::kVersion, build_info::kGitCommit);
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
}

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

int migrate_only(const config::Options& options) {
    if (!options.database_url) {
        std::fprintf(stderr,
                     "goldensignals: --migrate-only needs --database-url/GS_DATABASE_URL\n");
        return 2;
    }
    make_default_logger(options);
    spdlog::info("goldensignals {} ({}): applying migrations only", build_info::kVersion,
                 build_info::kGitCommit);
    try {
        const auto applied = store::migrate_with_retry(*options.database_url, options.sql_dir, 30,
                                                       std::chrono::seconds(1));
        spdlog::info("PostgreSQL schema ready ({} migration(s) from {} applied now)",
                     applied.size(), options.sql_dir);
        store::with_store_errors([&] { create_partitions_ahead(*options.database_url); });
    } catch (const store::Error& e) {
        spdlog::critical("cannot prepare PostgreSQL: {}", e.what());
        return 1;
    }
    return 0;
}

bool prepare_postgres(const config::Options& options, market::MemoryBarStore& bar_store) {
    // In a compose stack the database may still be starting: wait up to 30 s for it.
    try {
        const auto applied = store::migrate_with_retry(*options.database_url, options.sql_dir, 30,
                                                       std::chrono::seconds(1));
        spdlog::info("PostgreSQL schema ready ({} migration(s) from {} applied now)",
                     applied.size(), options.sql_dir);
    } catch (const store::Error& e) {
        spdlog::critical("cannot prepare PostgreSQL: {}", e.what());
        return false;
    }
    try {
        store::with_store_errors([&] { create_partitions_ahead(*options.database_url); });
    } catch (const store::Error& e) {
        // Rows land in the DEFAULT partitions meanwhile; the retention job tries again.
        spdlog::warn("could not create the partitions ahead: {}", e.what());
    }
    // No bars are loaded here: each series comes from PostgreSQL on first use, and the most
    // recently active ones in the background once the server listens (docs/memory.md).
    // Series in memory now (the demo bars) are not in PostgreSQL: they stay; later ones may be
    // evicted under the budget.
    bar_store.enable_eviction();
    return true;
}

}  // namespace gs::app
