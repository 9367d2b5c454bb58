#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/accuracy/live_scorer.h"
#include "goldensignals/market/timeframe.h"
#include "goldensignals/redis/url.h"

namespace gs::config {

// Raised for any invalid flag or environment value; main prints it and exits non-zero.
class Error final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct ServerOptions {
    std::string bind_address = "0.0.0.0";
    std::uint16_t port = 8080;
    // 0 means one I/O thread per hardware thread.
    unsigned threads = 0;
    std::size_t header_limit_bytes = 16 * 1024;
    std::size_t body_limit_bytes = 1024 * 1024;
    std::chrono::milliseconds read_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
    std::chrono::milliseconds idle_timeout{75'000};
    std::chrono::milliseconds shutdown_grace{10'000};
    bool access_log = true;
    // Open connections allowed; 0 = derived from the open-file limit (less a reserve). At the
    // cap a new client replaces the longest-idle connection, or gets 503 when none is idle.
    std::size_t max_connections = 0;
    // When set, write routes require `Authorization: Bearer <token>`. From GS_API_TOKEN only:
    // secrets never come from flags (they would show in `ps`).
    std::string api_token;
    // When set, read routes (GET /v1/...) and streams require it (or the API token) as
    // `Authorization: Bearer`; streams also take it as `?access_token=`. Unset: reads are open.
    // From GS_READ_TOKEN only. See http/access.h.
    std::string read_token;
};

// Alert webhooks (docs/webhooks.md).
struct WebhookOptions {
    // Loopback, private, link-local, ... addresses allowed as webhook targets: off, since a
    // webhook URL would otherwise let an API client make the service call its own network.
    bool allow_private = false;
    // One delivery attempt: resolve, connect, TLS, write, read.
    std::chrono::milliseconds timeout{10'000};
    std::size_t max_inflight = 32;
    // Retries: full-jitter exponential backoff from `backoff` up to `backoff_max` per wait,
    // until `max_age` after the event was queued; then failed.
    std::chrono::milliseconds backoff{1'000};
    std::chrono::milliseconds backoff_max{600'000};
    std::chrono::seconds max_age{24 * 3600};
    // How often the outbox is polled for due deliveries when nothing new was queued here.
    std::chrono::milliseconds poll{1'000};
    std::size_t max_webhooks = 100;
    // PEM file of CA certificates trusted for https besides the system's; empty = none.
    std::string ca_file;
};

// How long PostgreSQL keeps rows (docs/retention.md); a table without one keeps everything.
struct RetentionOptions {
    // The signal history: 90 days unless told otherwise. It is derived data (the bars and the
    // backtest can recompute what the agents said), it grows with every bar of every series,
    // and a bounded default is what keeps a deployment that never set it from growing without
    // end; 90 days keeps the current month and the two or three before it.
    std::optional<std::chrono::seconds> signals = std::chrono::hours(24 * 90);
    // Bars per timeframe; absent: kept for ever (bars are the source data).
    std::map<market::Timeframe, std::chrono::seconds> bars;
    // Time between retention runs (one instance of a cluster does the work).
    std::chrono::seconds interval{3600};
};

struct Options {
    ServerOptions server;
    WebhookOptions webhooks;
    RetentionOptions retention;
    // Unset: no Redis, in-process cache and pub/sub only.
    std::optional<std::string> redis_url;
    // Unset: no PostgreSQL, bars and signals live in memory only.
    std::optional<std::string> database_url;
    std::string log_level = "info";
    // Bars kept per (symbol, timeframe).
    std::size_t max_bars = 5000;
    // Series (symbol, timeframe) held in memory; bars that would start one more get a 507.
    std::size_t max_symbols = 100'000;
    // The process's memory bound (docs/memory.md): the series resident in memory get what the
    // L1 cache and kProcessReserveBytes leave of it (series_budget); with PostgreSQL the least
    // recently used leave above that. 900 MiB: under the plan's 1 GB per instance.
    std::size_t memory_budget = std::size_t{900} * 1024 * 1024;
    // Live accuracy: horizon (bars) and rolling window (docs/backtest.md "Live accuracy").
    accuracy::ScorerOptions accuracy;
    // Load the bundled demo market data at start.
    bool demo = true;
    // Empty: searched for (see config::resolve_paths); named: must exist.
    std::string demo_dir;
    // Consensus weights and thresholds; empty = the built-in defaults.
    std::string consensus_config;
    // Adaptive consensus (docs/backtest.md "Adaptive weighting"): each agent's weight moves with
    // its last calls on the series, scored at accuracy.horizon, as a weighting=adaptive backtest
    // does. Unset: the consensus config's "weighting" (static when it has none).
    std::optional<bool> adaptive_weighting;
    // Compute threads for the agents; 0 = hardware threads.
    unsigned compute_threads = 0;
    // Agent fan-out: tasks per signal; 0 = one per compute thread.
    unsigned agent_chunks = 0;
    std::chrono::milliseconds agent_budget{250};
    // Numbered SQL migrations applied at start when PostgreSQL is configured.
    // Empty: searched for (see config::resolve_paths); named: must exist.
    std::string sql_dir;
    std::size_t pg_pool = 4;
    // The PostgreSQL signal writer's pause between batches: per series only the newest
    // signal of a batch sends its body (store::PgSignalStoreOptions::linger).
    std::chrono::milliseconds signal_write_linger{1000};
    std::size_t l1_cache_mb = 256;
    std::string redis_prefix = "gs:";
    std::chrono::seconds redis_ttl{3600};
    // Bar-version records kept locally and invalidated by Redis (CLIENT TRACKING) instead of
    // read from Redis on every signal read; docs/consistency.md.
    bool redis_tracking = true;
    // RedisBarVersionRegistry's read lease (docs/consistency.md); every instance the same.
    std::chrono::milliseconds redis_read_lease{0};
    std::size_t max_streams = 20'000;
    std::size_t max_stream_symbols = 100;
    std::chrono::milliseconds heartbeat{15'000};
    // SO_SNDBUF of a stream's socket (the kernel doubles it); 0 = the kernel's autotuning,
    // which lets a client that does not read pin megabytes.
    std::size_t stream_send_buffer = 64 * 1024;
    // A stream whose writes make no progress this long is cut.
    std::chrono::milliseconds stream_stall_timeout{5'000};
    // The dashboard's files, served at /.
    // Empty: searched for (see config::resolve_paths); named: must exist.
    std::string static_dir;
    // A live bar source: sim:N[:MS], replay:FILE[:BARS_PER_SECOND] or
    // binance:SYM[,SYM...][@TF]; empty = none.
    std::string feed;
    // The Binance feed's endpoints (tests point them at a local server) and a PEM CA file to
    // trust instead of the system's CAs.
    std::string binance_ws_url = "wss://stream.binance.com:9443";
    std::string binance_rest_url = "https://api.binance.com";
    std::string binance_ca_file;
    // Posted bars roll up into every longer timeframe (docs/rollup.md).
    bool rollup = true;
    // The posted timeframes that roll up; empty = every one.
    std::vector<market::Timeframe> rollup_from;
    // A period closes by the clock this long after its end when no base bar closed it.
    std::chrono::seconds rollup_grace{60};
    // Provisional signals on forming bars: at most one computation per series in this
    // interval; 0 turns them off (docs/rollup.md).
    std::chrono::milliseconds provisional_interval{1000};
    // ... and all of them together at most this share of the compute pool's time; 0: no cap.
    double provisional_share = 0.1;
    bool show_help = false;
    // Apply the migrations to database_url and exit: a deploy step (Kubernetes init
    // container) so that no replica's start-up, under its probes, waits on a long migration.
    bool migrate_only = false;
};

// Looks an environment variable up; injected so parsing stays a pure function in tests.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the process environment.
EnvLookup process_env();

// Parses flags (`--name=value` or `--name value`) over `GS_*` environment variables over the
// defaults in the option structs. Throws Error with a message naming the bad flag or variable.
Options parse(const std::vector<std::string>& args, const EnvLookup& env);

// The --help text: every flag, its environment variable, its default and what it does.
std::string help_text();

// redis::parse_url (`redis://[:password@]host[:port][/db]`), throwing Error.
redis::Url parse_redis_url(std::string_view url);

// Accepts `postgresql://` and `postgres://` URLs and libpq `key=value` strings; throws Error.
void validate_database_url(std::string_view url);

// A retention: a whole number and a unit, h, d or w (`90d`, `36h`, `4w`), at least an hour and
// at most 100 years; `forever` keeps everything (nullopt). Throws Error saying what is wrong.
std::optional<std::chrono::seconds> parse_retention(std::string_view text);
// Bar retention per timeframe: `1m:30d,5m:180d` (each timeframe at most once; `forever`
// allowed; empty: none). Throws Error naming the bad entry.
std::map<market::Timeframe, std::chrono::seconds> parse_bar_retention(std::string_view text);
// A size in bytes: a whole number and an optional unit, B, KiB, MiB, GiB, TiB (powers of 1024)
// or KB, MB, GB, TB (powers of 1000): `512MiB`, `2GB`, `1048576`. Throws Error saying what is
// wrong.
std::size_t parse_byte_size(std::string_view text);

// What --memory-budget keeps for everything but the series and the L1 cache: the process's
// baseline (~25-30 MB measured: code, threads, pools, connections) and the kept indicator
// columns (at most 128 sets of up to ~250 KB), with room for the allocator's slack.
inline constexpr std::size_t kProcessReserveBytes = std::size_t{64} << 20;
// The smallest share of the budget the series may get (parse refuses a budget leaving less).
inline constexpr std::size_t kMinSeriesBudgetBytes = std::size_t{1} << 20;
// The series' share of --memory-budget: the budget less the L1 cache and kProcessReserveBytes
// (at least kMinSeriesBudgetBytes once parse accepted the options).
std::size_t series_budget(const Options& options) noexcept;

// Threads to run when ServerOptions::threads is 0.
unsigned effective_threads(const ServerOptions& options);

}  // namespace gs::config
