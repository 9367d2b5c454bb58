#include "goldensignals/config/options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>
#include <thread>

#include <fmt/format.h>

namespace gs::config {
namespace {

constexpr std::string_view kLogLevels[] = {"trace", "debug",    "info", "warn",
                                           "error", "critical", "off"};

template <typename Int>
Int parse_integer(std::string_view text, Int min, Int max, std::string_view what) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
        throw Error(fmt::format("{}: '{}' is not an integer", what, text));
    }
    if (value < static_cast<long long>(min) || value > static_cast<long long>(max)) {
        throw Error(fmt::format("{}: {} is out of range [{}, {}]", what, value, min, max));
    }
    return static_cast<Int>(value);
}

double parse_number(std::string_view text, double min, double max, std::string_view what) {
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() ||
        !std::isfinite(value)) {
        throw Error(fmt::format("{}: '{}' is not a number", what, text));
    }
    if (value < min || value > max) {
        throw Error(fmt::format("{}: {} is out of range [{}, {}]", what, value, min, max));
    }
    return value;
}

bool parse_bool(std::string_view text, std::string_view what) {
    if (text == "1" || text == "true" || text == "yes" || text == "on") {
        return true;
    }
    if (text == "0" || text == "false" || text == "no" || text == "off") {
        return false;
    }
    throw Error(fmt::format("{}: '{}' is not a boolean (true/false)", what, text));
}

std::chrono::milliseconds parse_millis(std::string_view text, std::int64_t min, std::int64_t max,
                                       std::string_view what) {
    return std::chrono::milliseconds{parse_integer<std::int64_t>(text, min, max, what)};
}

// "all" (every timeframe) or a comma-separated list of timeframes.
std::vector<market::Timeframe> parse_rollup_from(std::string_view text, std::string_view what) {
    std::vector<market::Timeframe> timeframes;
    if (text == "all") {
        return timeframes;
    }
    while (true) {
        const auto comma = text.find(',');
        const auto item = text.substr(0, comma);
        const auto timeframe = market::parse_timeframe(item);
        if (!timeframe) {
            throw Error(fmt::format(
                "{}: '{}' is not a timeframe (1m 5m 15m 30m 1h 4h 1d 1w) or all", what, item));
        }
        if (std::find(timeframes.begin(), timeframes.end(), *timeframe) == timeframes.end()) {
            timeframes.push_back(*timeframe);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    return timeframes;
}

// One row per option: the flag, its environment variable, the default shown in --help and
// how a value is applied. Adding an option is adding a row.
struct OptionSpec {
    std::string_view flag;
    std::string_view env;
    std::string_view default_text;
    std::string_view help;
    bool is_switch;
    std::function<void(Options&, std::string_view value, std::string_view what)> apply;
};

const std::vector<OptionSpec>& specs() {
    static const std::vector<OptionSpec> table = {
        {"port", "GS_PORT", "8080", "TCP port to listen on (0 picks a free port)", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.server.port = parse_integer<std::uint16_t>(v, 0, 65535, w);
         }},
        {"bind", "GS_BIND", "0.0.0.0", "address to listen on", false,
         [](Options& o, std::string_view v, std::string_view w) {
             if (v.empty()) {
                 throw Error(fmt::format("{}: must not be empty", w));
             }
             o.server.bind_address = std::string(v);
         }},
        {"threads", "GS_THREADS", "0 (= hardware threads)", "I/O threads", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.server.threads = parse_integer<unsigned>(v, 0, 256, w);
         }},
        {"redis-url", "GS_REDIS_URL", "unset (no Redis)",
         "Redis for the L2 cache and pub/sub, redis://[:password@]host[:port][/db]", false,
         [](Options& o, std::string_view v, std::string_view w) {
             if (v.empty()) {
                 o.redis_url.reset();
                 return;
             }
             try {
                 parse_redis_url(v);
             } catch (const Error& e) {
                 throw Error(fmt::format("{}: {}", w, e.what()));
             }
             o.redis_url = std::string(v);
         }},
        {"database-url", "GS_DATABASE_URL", "unset (no PostgreSQL)",
         "PostgreSQL for bars and signals, postgresql://user@host:port/db", false,
         [](Options& o, std::string_view v, std::string_view w) {
             if (v.empty()) {
                 o.database_url.reset();
                 return;
             }
             try {
                 validate_database_url(v);
             } catch (const Error& e) {
                 throw Error(fmt::format("{}: {}", w, e.what()));
             }
             o.database_url = std::string(v);
         }},
        {"log-level", "GS_LOG_LEVEL", "info", "trace, debug, info, warn, error, critical, off",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             if (std::find(std::begin(kLogLevels), std::end(kLogLevels), v) ==
                 std::end(kLogLevels)) {
                 throw Error(fmt::format(
                     "{}: '{}' is not one of trace, debug, info, warn, error, critical, off", w,
                     v));
             }
             o.log_level = std::string(v);
         }},
        {"access-log", "GS_ACCESS_LOG", "true", "log one line per request", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.server.access_log = parse_bool(v, w);
         }},
        {"body-limit", "GS_BODY_LIMIT", "1048576",
         "largest request body in bytes (routes such as bar ingestion may allow more)", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.server.body_limit_bytes = parse_integer<std::size_t>(v, 1, 1ull << 30, w);
         }},
        {"header-limit", "GS_HEADER_LIMIT", "16384", "largest request head in bytes", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.server.header_limit_bytes = parse_integer<std::size_t>(v, 1024, 1 << 20, w);
         }},
        {"read-timeout-ms", "GS_READ_TIMEOUT_MS", "30000", "deadline to read one request", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.server.read_timeout = parse_millis(v, 1, 3'600'000, w);
         }},
        {"write-timeout-ms", "GS_WRITE_TIMEOUT_MS", "30000", "deadline to write one response",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.server.write_timeout = parse_millis(v, 1, 3'600'000, w);
         }},
        {"idle-timeout-ms", "GS_IDLE_TIMEOUT_MS", "75000",
         "how long a keep-alive connection may wait for its next request", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.server.idle_timeout = parse_millis(v, 1, 3'600'000, w);
         }},
        {"max-connections", "GS_MAX_CONNECTIONS", "0 (= open-file limit less a tenth)",
         "open client connections; at the cap the longest-idle one is closed for a new one", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.server.max_connections = parse_integer<std::size_t>(v, 0, 10'000'000, w);
         }},
        {"shutdown-grace-ms", "GS_SHUTDOWN_GRACE_MS", "10000",
         "how long shutdown waits for in-flight requests", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.server.shutdown_grace = parse_millis(v, 0, 600'000, w);
         }},
        {"max-bars", "GS_MAX_BARS", "5000", "bars kept per symbol and timeframe", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.max_bars = parse_integer<std::size_t>(v, 10, 1'000'000, w);
         }},
        {"max-symbols", "GS_MAX_SYMBOLS", "100000",
         "series (symbol, timeframe) held in memory; bars for a new one beyond it get 507", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.max_symbols = parse_integer<std::size_t>(v, 1, 100'000'000, w);
         }},
        {"memory-budget", "GS_MEMORY_BUDGET", "900MiB",
         "the process's memory bound: the series held in memory get what the L1 cache "
         "(--l1-cache-mb) and a 64 MiB reserve leave of it; with PostgreSQL the least recently "
         "used are evicted above that and loaded again on use",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             try {
                 o.memory_budget = parse_byte_size(v);
             } catch (const Error& e) {
                 throw Error(fmt::format("{}: {}", w, e.what()));
             }
         }},
        {"accuracy-horizon", "GS_ACCURACY_HORIZON", "1",
         "bars after a live signal at which it is scored (live accuracy, every timeframe)", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.accuracy.horizon = parse_integer<std::size_t>(v, 1, accuracy::kMaxHorizon, w);
         }},
        {"accuracy-window", "GS_ACCURACY_WINDOW", "500",
         "scored calls per agent, category and consensus and timeframe in live accuracy", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.accuracy.window = parse_integer<std::size_t>(v, 1, accuracy::kMaxWindow, w);
         }},
        {"demo", "GS_DEMO", "true", "load the bundled demo market data at start", false,
         [](Options& o, std::string_view v, std::string_view w) { o.demo = parse_bool(v, w); }},
        {"demo-dir", "GS_DEMO_DIR", "./data/demo, else beside the binary (must exist if set)",
         "folder of demo CSV files (SYMBOL.csv)", false,
         [](Options& o, std::string_view v, std::string_view) { o.demo_dir = std::string(v); }},
        {"consensus-config", "GS_CONSENSUS_CONFIG", "unset (built-in, as config/consensus.json)",
         "JSON file of consensus weights and thresholds", false,
         [](Options& o, std::string_view v, std::string_view) {
             o.consensus_config = std::string(v);
         }},
        {"weighting", "GS_WEIGHTING", "unset (the consensus config's \"weighting\", static)",
         "consensus weights: static, or adaptive (each agent's weight moves with its last 50 "
         "calls on the series, scored at --accuracy-horizon, as a weighting=adaptive backtest); "
         "overrides the consensus config's",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             if (v == "static" || v == "adaptive") {
                 o.adaptive_weighting = v == "adaptive";
                 return;
             }
             throw Error(fmt::format("{}: '{}' is not static or adaptive", w, v));
         }},
        {"compute-threads", "GS_COMPUTE_THREADS", "0 (= hardware threads)",
         "threads that run the agents", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.compute_threads = parse_integer<unsigned>(v, 0, 256, w);
         }},
        {"agent-chunks", "GS_AGENT_CHUNKS", "0 (= compute threads)",
         "tasks the 51 agents are split into per signal", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.agent_chunks = parse_integer<unsigned>(v, 0, 51, w);
         }},
        {"agent-budget-ms", "GS_AGENT_BUDGET_MS", "250",
         "an agent still running after this counts as ABSTAIN", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.agent_budget = parse_millis(v, 1, 60'000, w);
         }},
        {"sql-dir", "GS_SQL_DIR", "./sql, else beside the binary (must exist if set)",
         "folder of numbered SQL migrations", false,
         [](Options& o, std::string_view v, std::string_view) { o.sql_dir = std::string(v); }},
        {"pg-pool", "GS_PG_POOL", "4", "PostgreSQL connections (each on its own thread)", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.pg_pool = parse_integer<std::size_t>(v, 1, 64, w);
         }},
        {"signal-write-linger-ms", "GS_SIGNAL_WRITE_LINGER_MS", "1000",
         "PostgreSQL's signal writer waits this long between batches (0: none)", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.signal_write_linger = parse_millis(v, 0, 60'000, w);
         }},
        {"l1-cache-mb", "GS_L1_CACHE_MB", "256", "in-process signal cache size in MB", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.l1_cache_mb = parse_integer<std::size_t>(v, 1, 65536, w);
         }},
        {"redis-prefix", "GS_REDIS_PREFIX", "gs:", "prefix of every Redis key and channel", false,
         [](Options& o, std::string_view v, std::string_view) { o.redis_prefix = std::string(v); }},
        {"redis-ttl-s", "GS_REDIS_TTL_S", "3600", "lifetime of signals cached in Redis", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.redis_ttl = std::chrono::seconds(parse_integer<std::int64_t>(v, 1, 30 * 86400, w));
         }},
        {"redis-tracking", "GS_REDIS_TRACKING", "true",
         "bar versions kept locally, invalidated by Redis (false: one Redis read per signal read)",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.redis_tracking = parse_bool(v, w);
         }},
        {"redis-read-lease-ms", "GS_REDIS_READ_LEASE_MS", "0",
         "tracked bar versions: a read barrier also serves reads this long after it left; "
         "writes are acked this long after Redis confirmed them (same on every instance; 0: "
         "a barrier per read)",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.redis_read_lease = parse_millis(v, 0, 1000, w);
         }},
        {"max-streams", "GS_MAX_STREAMS", "20000", "open SSE streams allowed on this instance",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.max_streams = parse_integer<std::size_t>(v, 1, 1'000'000, w);
         }},
        {"max-stream-symbols", "GS_MAX_STREAM_SYMBOLS", "100", "symbols one stream may ask for",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.max_stream_symbols = parse_integer<std::size_t>(v, 1, 10'000, w);
         }},
        {"heartbeat-ms", "GS_HEARTBEAT_MS", "15000", "SSE comment heartbeat interval", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.heartbeat = parse_millis(v, 10, 600'000, w);
         }},
        {"stream-send-buffer", "GS_STREAM_SEND_BUFFER", "65536",
         "SO_SNDBUF of an SSE stream's socket in bytes (0 = kernel autotuning)", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.stream_send_buffer = parse_integer<std::size_t>(v, 0, 64 << 20, w);
         }},
        {"stream-stall-ms", "GS_STREAM_STALL_MS", "5000",
         "an SSE stream whose writes make no progress this long is cut", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.stream_stall_timeout = parse_millis(v, 100, 600'000, w);
         }},
        {"static-dir", "GS_STATIC_DIR", "./web, else beside the binary (must exist if set)",
         "the dashboard's files, served at /", false,
         [](Options& o, std::string_view v, std::string_view) { o.static_dir = std::string(v); }},
        {"feed", "GS_FEED", "unset (none)",
         "live bars: sim:N[:MS] (N synthetic random-walk symbols, a bar every MS ms), "
         "replay:FILE[:BARS_PER_SECOND] or binance:SYM[,SYM...][@TF] (Binance spot klines)",
         false, [](Options& o, std::string_view v, std::string_view) { o.feed = std::string(v); }},
        {"binance-ws-url", "GS_BINANCE_WS_URL", "wss://stream.binance.com:9443",
         "the Binance feed's WebSocket base (wss://); its combined stream is at /stream", false,
         [](Options& o, std::string_view v, std::string_view) {
             o.binance_ws_url = std::string(v);
         }},
        {"binance-rest-url", "GS_BINANCE_REST_URL", "https://api.binance.com",
         "the Binance feed's REST base (https://), for the klines that fill a gap", false,
         [](Options& o, std::string_view v, std::string_view) {
             o.binance_rest_url = std::string(v);
         }},
        {"binance-ca-file", "GS_BINANCE_CA_FILE", "unset (the system's CAs)",
         "PEM file of the CAs the Binance feed trusts", false,
         [](Options& o, std::string_view v, std::string_view) {
             o.binance_ca_file = std::string(v);
         }},
        {"rollup", "GS_ROLLUP", "true",
         "posted bars roll up into every longer timeframe (5m ... 1w) that is not posted itself",
         false,
         [](Options& o, std::string_view v, std::string_view w) { o.rollup = parse_bool(v, w); }},
        {"rollup-from", "GS_ROLLUP_FROM", "all",
         "posted timeframes that roll up: all, or a list such as 1m,5m", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.rollup_from = parse_rollup_from(v, w);
         }},
        {"rollup-grace-s", "GS_ROLLUP_GRACE_S", "60",
         "a rolled-up period closes this long after its end when no later base bar closed it",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.rollup_grace = std::chrono::seconds(parse_integer<std::int64_t>(v, 0, 7 * 86400, w));
         }},
        {"provisional-interval-ms", "GS_PROVISIONAL_INTERVAL_MS", "1000",
         "provisional signals on forming bars: at most one per series in this interval (the "
         "newest bar wins); 0 turns them off",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.provisional_interval =
                 std::chrono::milliseconds(parse_integer<std::int64_t>(v, 0, 3'600'000, w));
         }},
        {"provisional-share", "GS_PROVISIONAL_SHARE", "0.1",
         "at most this share of the compute pool's time goes to provisional signals, all series "
         "together (beyond it they wait their turn, the newest bar still winning); 0 = no cap",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.provisional_share = parse_number(v, 0.0, 1.0, w);
         }},
        {"webhook-allow-private", "GS_WEBHOOK_ALLOW_PRIVATE", "false",
         "let webhooks reach loopback, private, link-local and other non-public addresses", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.webhooks.allow_private = parse_bool(v, w);
         }},
        {"webhook-timeout-ms", "GS_WEBHOOK_TIMEOUT_MS", "10000",
         "deadline of one webhook delivery attempt (resolve, connect, TLS, write, read)", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.webhooks.timeout = parse_millis(v, 100, 600'000, w);
         }},
        {"webhook-max-inflight", "GS_WEBHOOK_MAX_INFLIGHT", "32",
         "webhook delivery attempts at once on this instance", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.webhooks.max_inflight = parse_integer<std::size_t>(v, 1, 10'000, w);
         }},
        {"webhook-backoff-ms", "GS_WEBHOOK_BACKOFF_MS", "1000",
         "first webhook retry waits up to this; each later one up to twice the one before", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.webhooks.backoff = parse_millis(v, 1, 3'600'000, w);
         }},
        {"webhook-backoff-max-ms", "GS_WEBHOOK_BACKOFF_MAX_MS", "600000",
         "longest wait between two webhook retries", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.webhooks.backoff_max = parse_millis(v, 1, 86'400'000, w);
         }},
        {"webhook-max-age-s", "GS_WEBHOOK_MAX_AGE_S", "86400",
         "a webhook event not delivered this long after it was queued is marked failed", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.webhooks.max_age =
                 std::chrono::seconds(parse_integer<std::int64_t>(v, 1, 30 * 86400, w));
         }},
        {"webhook-poll-ms", "GS_WEBHOOK_POLL_MS", "1000",
         "how often the webhook outbox is checked for due deliveries", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.webhooks.poll = parse_millis(v, 10, 600'000, w);
         }},
        {"max-webhooks", "GS_MAX_WEBHOOKS", "100", "webhooks that may be registered", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.webhooks.max_webhooks = parse_integer<std::size_t>(v, 1, 100'000, w);
         }},
        {"webhook-ca-file", "GS_WEBHOOK_CA_FILE", "unset (system CAs only)",
         "PEM file of CA certificates trusted for https webhooks besides the system's", false,
         [](Options& o, std::string_view v, std::string_view) {
             o.webhooks.ca_file = std::string(v);
         }},
        {"signal-retention", "GS_SIGNAL_RETENTION", "90d",
         "how long the signal history and its live accuracy calls are kept: 90d, 36h, 4w, or "
         "forever",
         false,
         [](Options& o, std::string_view v, std::string_view w) {
             try {
                 o.retention.signals = parse_retention(v);
             } catch (const Error& e) {
                 throw Error(fmt::format("{}: {}", w, e.what()));
             }
         }},
        {"bar-retention", "GS_BAR_RETENTION", "unset (every timeframe kept for ever)",
         "how long bars are kept per timeframe, e.g. 1m:30d,5m:180d", false,
         [](Options& o, std::string_view v, std::string_view w) {
             try {
                 o.retention.bars = parse_bar_retention(v);
             } catch (const Error& e) {
                 throw Error(fmt::format("{}: {}", w, e.what()));
             }
         }},
        {"retention-interval-s", "GS_RETENTION_INTERVAL_S", "3600",
         "time between retention runs (partitions created ahead, old ones dropped)", false,
         [](Options& o, std::string_view v, std::string_view w) {
             o.retention.interval =
                 std::chrono::seconds(parse_integer<std::int64_t>(v, 1, 7 * 86400, w));
         }},
        {"migrate-only", "", "",
         "apply the SQL migrations to the database (--database-url) and exit", true,
         [](Options& o, std::string_view, std::string_view) { o.migrate_only = true; }},
        {"help", "", "", "print this help and exit", true,
         [](Options& o, std::string_view, std::string_view) { o.show_help = true; }},
    };
    return table;
}

const OptionSpec* find_spec(std::string_view flag) {
    for (const auto& spec : specs()) {
        if (spec.flag == flag) {
            return &spec;
        }
    }
    return nullptr;
}

}  // namespace

EnvLookup process_env() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) {
            return std::nullopt;
        }
        return std::string(value);
    };
}

Options parse(const std::vector<std::string>& args, const EnvLookup& env) {
    Options options;
    if (auto token = env("GS_API_TOKEN")) {
        options.server.api_token = *token;
    }
    if (auto token = env("GS_READ_TOKEN")) {
        options.server.read_token = *token;
    }
    // Environment first, then flags, so flags win.
    for (const auto& spec : specs()) {
        if (spec.env.empty()) {
            continue;
        }
        if (auto value = env(spec.env)) {
            spec.apply(options, *value, spec.env);
        }
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == "-h") {
            arg = "--help";
        }
        if (!arg.starts_with("--")) {
            throw Error(fmt::format("unexpected argument '{}' (try --help)", arg));
        }
        arg.remove_prefix(2);
        std::string_view name = arg;
        std::optional<std::string_view> value;
        if (auto eq = arg.find('='); eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        }
        const OptionSpec* spec = find_spec(name);
        if (spec == nullptr) {
            throw Error(fmt::format("unknown flag '--{}' (try --help)", name));
        }
        if (spec->is_switch) {
            if (value) {
                throw Error(fmt::format("--{} takes no value", name));
            }
            spec->apply(options, "", "");
            continue;
        }
        if (!value) {
            if (i + 1 >= args.size()) {
                throw Error(fmt::format("--{} needs a value", name));
            }
            value = args[++i];
        }
        spec->apply(options, *value, fmt::format("--{}", name));
    }
    const std::size_t fixed = (options.l1_cache_mb << 20) + kProcessReserveBytes;
    if (options.memory_budget < fixed + kMinSeriesBudgetBytes) {
        throw Error(fmt::format(
            "--memory-budget ({} MiB) leaves no room for series after the L1 cache "
            "(--l1-cache-mb {}) and the process's reserve (64 MiB): give at least {} MiB, or "
            "lower --l1-cache-mb",
            options.memory_budget >> 20, options.l1_cache_mb,
            (fixed + kMinSeriesBudgetBytes) >> 20));
    }
    return options;
}

std::size_t series_budget(const Options& options) noexcept {
    const std::size_t fixed = (options.l1_cache_mb << 20) + kProcessReserveBytes;
    return options.memory_budget > fixed ? options.memory_budget - fixed : 0;
}

std::string help_text() {
    std::string out =
        "goldensignals: trading signals from market bars, over REST and Server-Sent Events\n\n"
        "Usage: goldensignals [--flag=value ...]\n"
        "       goldensignals import [...] FILE...   load CSV files of bars into a running\n"
        "                                            service (goldensignals import --help)\n"
        "Flags win over GS_* environment variables, which win over the defaults.\n"
        "GS_API_TOKEN (environment only): when set, write routes need\n"
        "  `Authorization: Bearer <token>` (never in a URL); unset, writes are open.\n"
        "GS_READ_TOKEN (environment only): when set, GET /v1/... routes need it (or the\n"
        "  API token) as `Authorization: Bearer <token>`; /v1/stream also takes it as\n"
        "  ?access_token=. Unset, reads are open. /healthz, /readyz, /metrics stay open.\n\n";
    for (const auto& spec : specs()) {
        std::string flag = fmt::format("--{}", spec.flag);
        out += fmt::format("  {:<22} {}\n", flag, spec.help);
        if (!spec.env.empty()) {
            out += fmt::format("  {:<22} env {}, default {}\n", "", spec.env, spec.default_text);
        }
    }
    return out;
}

redis::Url parse_redis_url(std::string_view url) {
    try {
        return redis::parse_url(url);
    } catch (const std::invalid_argument& e) {
        throw Error(e.what());
    }
}

void validate_database_url(std::string_view url) {
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        auto rest = url.substr(url.find("://") + 3);
        if (rest.empty()) {
            throw Error("the URL has no host or database");
        }
        return;
    }
    // libpq keyword/value form, e.g. "host=127.0.0.1 port=5432 dbname=gs".
    if (url.find('=') != std::string_view::npos) {
        return;
    }
    // The value may hold a password: never echo it.
    throw Error("neither a postgresql:// URL nor a libpq key=value string");
}

std::optional<std::chrono::seconds> parse_retention(std::string_view text) {
    if (text == "forever") {
        return std::nullopt;
    }
    const auto bad = [text](std::string_view why) {
        return Error(
            fmt::format("'{}' is not a retention: {} (a whole number and h, d or w, "
                        "e.g. 90d; or forever)",
                        text, why));
    };
    if (text.empty()) {
        throw bad("empty");
    }
    std::int64_t unit = 0;
    switch (text.back()) {
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86'400;
            break;
        case 'w':
            unit = 7 * 86'400;
            break;
        default:
            throw bad("no unit");
    }
    const std::string_view digits = text.substr(0, text.size() - 1);
    std::int64_t count = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    if (digits.empty() || ec == std::errc::invalid_argument ||
        end != digits.data() + digits.size()) {
        throw bad("not a whole number before the unit");
    }
    constexpr std::int64_t kMax = 100LL * 366 * 86'400;
    if (ec == std::errc::result_out_of_range || count > kMax / unit) {
        throw bad("more than 100 years");
    }
    if (count <= 0) {
        throw bad("must be at least 1h");
    }
    return std::chrono::seconds(count * unit);
}

std::size_t parse_byte_size(std::string_view text) {
    const auto bad = [text](std::string_view why) {
        return Error(
            fmt::format("'{}' is not a size: {} (a whole number and B, KiB, MiB, GiB, "
                        "KB, MB or GB, e.g. 512MiB)",
                        text, why));
    };
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        ++digits;
    }
    if (digits == 0) {
        throw bad("no number");
    }
    std::uint64_t count = 0;
    if (std::from_chars(text.data(), text.data() + digits, count).ec != std::errc{}) {
        throw bad("too large");
    }
    const std::string_view unit = text.substr(digits);
    static constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {
        {"", 1},
        {"B", 1},
        {"KiB", 1ULL << 10},
        {"MiB", 1ULL << 20},
        {"GiB", 1ULL << 30},
        {"TiB", 1ULL << 40},
        {"KB", 1'000},
        {"MB", 1'000'000},
        {"GB", 1'000'000'000},
        {"TB", 1'000'000'000'000},
    };
    for (const auto& [name, factor] : kUnits) {
        if (unit == name) {
            if (count > std::numeric_limits<std::uint64_t>::max() / factor) {
                throw bad("too large");
            }
            if (count == 0) {
                throw bad("must be more than 0");
            }
            return static_cast<std::size_t>(count * factor);
        }
    }
    throw bad("unknown unit");
}

std::map<market::Timeframe, std::chrono::seconds> parse_bar_retention(std::string_view text) {
    std::map<market::Timeframe, std::chrono::seconds> result;
    std::set<market::Timeframe> seen;
    if (text.empty()) {
        return result;
    }
    std::size_t start = 0;
    for (;;) {
        const auto comma = text.find(',', start);
        const std::string_view entry =
            text.substr(start, comma == std::string_view::npos ? comma : comma - start);
        const auto colon = entry.find(':');
        if (colon == std::string_view::npos) {
            throw Error(fmt::format("'{}' is not TIMEFRAME:RETENTION (e.g. 1m:30d)", entry));
        }
        const auto timeframe = market::parse_timeframe(entry.substr(0, colon));
        if (!timeframe) {
            throw Error(fmt::format("'{}' is not a timeframe (1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w)",
                                    entry.substr(0, colon)));
        }
        if (!seen.insert(*timeframe).second) {
            throw Error(fmt::format("timeframe {} is given twice", entry.substr(0, colon)));
        }
        if (auto keep = parse_retention(entry.substr(colon + 1))) {
            result[*timeframe] = *keep;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    return result;
}

unsigned effective_threads(const ServerOptions& options) {
    if (options.threads != 0) {
        return options.threads;
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace gs::config
