// SSE load tool: opens many /v1/stream connections, parses the events and reports
// publish-to-receipt latency, events received, lost and duplicated. See bench/sse_load.md.
//
// Client-side latency needs "published_at_us" (Unix microseconds) in the event data; loss and
// duplicate detection need a per-symbol "seq", or daily bars (the service's simulated feed:
// each symbol's "as_of" then steps one day per signal). --self-test and --serve run an
// in-process server whose publisher puts both in. Against the service itself the tool reads
// the server's own publish-to-send histogram and resident memory from /metrics.
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "goldensignals/config/options.h"
#include "goldensignals/http/router.h"
#include "goldensignals/http/server.h"
#include "goldensignals/http/system_handlers.h"
#include "goldensignals/market/time_format.h"
#include "goldensignals/metrics/http_metrics.h"
#include "goldensignals/metrics/process_metrics.h"
#include "goldensignals/metrics/registry.h"
#include "goldensignals/sse/hub.h"
#include "goldensignals/sse/stream_route.h"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 4096;

struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    std::size_t streams = 1000;
    std::size_t symbols = 50;
    std::size_t per_stream = 5;
    double duration = 10;
    std::string timeframe = "1d";
    std::string token;
    std::vector<std::string> names;  // symbol names; generated when empty
    double connect_rate = 2000;      // new connections per second
    bool self_test = false;
    bool serve = false;               // run only the self-test server
    double rate = 200;                // self-test: events per second over all symbols
    std::size_t payload = 200;        // self-test: padding bytes per event
    std::size_t queue_events = 1024;  // self-test: per-stream queue
};

const char* const kUsage = R"(usage: sse_load [options]
  --host H            server address (127.0.0.1)
  --port P            server port (8080)
  --streams N         streams to open (1000)
  --symbols S         symbols in the pool (50)
  --per-stream K      symbols per stream, picked at random from the pool (5)
  --duration SEC      measuring time after every stream is connected (10)
  --timeframe TF      timeframe to subscribe to (1d)
  --token T           the read token, sent as ?access_token= (GS_READ_TOKEN when unset)
  --names A,B,...     symbol names for the pool (default SYM000, SYM001, ...)
  --connect-rate R    connections opened per second (2000)
  --self-test         run an in-process server and publisher on a free port
  --serve             run only the self-test server and publisher (on --port, 0 = free)
                      for --duration seconds, printing open streams and memory; point a
                      second sse_load at it for more streams than one process can hold
  --rate R            self-test: events published per second (200)
  --payload B         self-test: padding bytes per event (200)
  --queue-events Q    self-test: per-stream queue limit (1024)
)";

Options parse_options(int argc, char** argv) {
    Options o;
    if (const char* token = std::getenv("GS_READ_TOKEN")) {
        o.token = token;
    }
    bool port_given = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string value;
        const auto eq = arg.find('=');
        if (eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg.resize(eq);
        }
        auto next = [&]() -> std::string {
            if (eq != std::string::npos) {
                return value;
            }
            if (i + 1 >= argc) {
                throw std::invalid_argument(arg + " needs a value");
            }
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            std::exit(0);
        } else if (arg == "--host") {
            o.host = next();
        } else if (arg == "--port") {
            o.port = static_cast<std::uint16_t>(std::stoul(next()));
            port_given = true;
        } else if (arg == "--streams") {
            o.streams = std::stoul(next());
        } else if (arg == "--symbols") {
            o.symbols = std::stoul(next());
        } else if (arg == "--per-stream") {
            o.per_stream = std::stoul(next());
        } else if (arg == "--duration") {
            o.duration = std::stod(next());
        } else if (arg == "--timeframe") {
            o.timeframe = next();
        } else if (arg == "--token") {
            o.token = next();
        } else if (arg == "--names") {
            std::string list = next();
            std::size_t start = 0;
            while (start <= list.size()) {
                const auto comma = std::min(list.find(',', start), list.size());
                if (comma > start) {
                    o.names.push_back(list.substr(start, comma - start));
                }
                start = comma + 1;
            }
        } else if (arg == "--connect-rate") {
            o.connect_rate = std::stod(next());
        } else if (arg == "--self-test") {
            o.self_test = true;
        } else if (arg == "--serve") {
            o.serve = true;
        } else if (arg == "--rate") {
            o.rate = std::stod(next());
        } else if (arg == "--payload") {
            o.payload = std::stoul(next());
        } else if (arg == "--queue-events") {
            o.queue_events = std::stoul(next());
        } else {
            throw std::invalid_argument("unknown option " + arg);
        }
    }
    if ((o.self_test || o.serve) && !port_given) {
        o.port = 0;
    }
    if (!o.names.empty()) {
        o.symbols = o.names.size();
    }
    if (o.symbols == 0 || o.per_stream == 0 || o.per_stream > o.symbols) {
        throw std::invalid_argument("need 0 < --per-stream <= --symbols");
    }
    for (std::size_t i = o.names.size(); i < o.symbols; ++i) {
        o.names.push_back(fmt::format("SYM{:03}", i));
    }
    return o;
}

std::int64_t unix_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// `"key":` in flat JSON: where its value starts, or npos. No full parse: the tool reads
// a hundred thousand events a second on one core.
std::size_t json_value_at(std::string_view data, std::string_view key) {
    for (std::size_t pos = data.find(key); pos != std::string_view::npos;
         pos = data.find(key, pos + 1)) {
        const std::size_t end = pos + key.size();
        if (pos > 0 && data[pos - 1] == '"' && end + 1 < data.size() && data[end] == '"' &&
            data[end + 1] == ':') {
            std::size_t value = end + 2;
            while (value < data.size() && data[value] == ' ') {
                ++value;
            }
            return value;
        }
    }
    return std::string_view::npos;
}

std::optional<std::int64_t> json_int(std::string_view data, std::string_view key) {
    const auto pos = json_value_at(data, key);
    if (pos == std::string_view::npos) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(data.data() + pos, data.data() + data.size(), value);
    if (ec != std::errc{}) {
        return std::nullopt;
    }
    return value;
}

std::string_view json_string(std::string_view data, std::string_view key) {
    const auto pos = json_value_at(data, key);
    if (pos == std::string_view::npos || data[pos] != '"') {
        return {};
    }
    const auto end = data.find('"', pos + 1);
    return end == std::string_view::npos ? std::string_view{} : data.substr(pos + 1, end - pos - 1);
}

// The event's per-symbol sequence: "seq", else the day number of "as_of" (daily bars).
std::optional<std::int64_t> sequence_of(std::string_view data, bool& from_as_of) {
    if (auto seq = json_int(data, "seq")) {
        return seq;
    }
    const auto as_of = json_string(data, "as_of");
    if (auto seconds = gs::market::parse_iso8601(as_of)) {
        from_as_of = true;
        return *seconds / 86400;
    }
    return std::nullopt;
}

// Everything runs on one client thread: plain counters.
struct Totals {
    std::uint64_t events = 0;
    std::uint64_t lost = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t without_seq = 0;
    bool seq_from_as_of = false;
    std::uint64_t resyncs = 0;
    std::uint64_t reconnects = 0;
    std::uint64_t http_errors = 0;
    std::uint64_t connect_errors = 0;
    std::size_t connected = 0;
    std::vector<std::uint32_t> latency_us;
};

class Client {
  public:
    Client(asio::io_context& io, const Options& options, tcp::endpoint endpoint)
        : io_(io), options_(options), endpoint_(endpoint) {}

    void start() {
        for (std::size_t i = 0; i < options_.streams; ++i) {
            asio::co_spawn(io_, run(i), asio::detached);
        }
    }
    void stop() { stopping_ = true; }
    bool stopping() const { return stopping_; }
    Totals& totals() { return totals_; }

  private:
    struct SymbolState {
        std::string symbol;
        std::int64_t last_seq = -1;
        std::string last_id;  // of the symbol's last event, for reports
        bool soft = false;    // set from a snapshot: the first live event may repeat it
    };

    // One stream, reconnecting with Last-Event-ID until stopped. Parameters are plain values:
    // g++ 12 mishandles some by-value class parameters of coroutines.
    asio::awaitable<void> run(std::size_t index) {
        auto executor = co_await asio::this_coro::executor;
        asio::steady_timer timer(executor);
        // Spread the connects out.
        timer.expires_after(std::chrono::microseconds(
            static_cast<std::int64_t>(1e6 * static_cast<double>(index) / options_.connect_rate)));
        co_await timer.async_wait(kUseTuple);

        std::mt19937 rng(static_cast<unsigned>(index) * 7919u + 1u);
        std::vector<std::size_t> pool(options_.symbols);
        for (std::size_t i = 0; i < pool.size(); ++i) {
            pool[i] = i;
        }
        std::shuffle(pool.begin(), pool.end(), rng);
        std::vector<SymbolState> symbols;
        std::string list;
        for (std::size_t i = 0; i < options_.per_stream; ++i) {
            SymbolState state;
            state.symbol = options_.names[pool[i]];
            symbols.push_back(std::move(state));
            list += (i == 0 ? "" : ",") + options_.names[pool[i]];
        }
        std::string target =
            fmt::format("/v1/stream?symbols={}&timeframe={}", list, options_.timeframe);
        if (!options_.token.empty()) {
            target += "&access_token=" + options_.token;
        }

        std::string last_id;
        bool counted_connected = false;
        std::string pending;
        while (!stopping_) {
            tcp::socket socket(executor);
            auto [connect_ec] = co_await socket.async_connect(endpoint_, kUseTuple);
            if (connect_ec) {
                if (++totals_.connect_errors <= 3) {
                    std::cerr << "connect failed: " << connect_ec.message() << "\n";
                }
                timer.expires_after(std::chrono::milliseconds(500));
                co_await timer.async_wait(kUseTuple);
                continue;
            }
            socket.set_option(tcp::no_delay(true));
            std::string request =
                fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\n", target, options_.host);
            if (!last_id.empty()) {
                request += "Last-Event-ID: " + last_id + "\r\n";
            }
            request += "\r\n";
            auto [write_ec, written] =
                co_await asio::async_write(socket, asio::buffer(request), kUseTuple);
            if (write_ec) {
                continue;
            }
            const std::int64_t connected_at = unix_us();
            const bool fresh = last_id.empty();
            std::string snapshot_id;
            bool head_done = false;
            bool first_event = true;
            pending.clear();
            bool open = true;
            while (open && !stopping_) {
                // A read straight into the stream's tail: Asio tries it at once and only then
                // waits on the socket's edge. (async_wait(wait_read) costs an epoll_ctl per
                // event: it re-arms the descriptor every time.)
                const std::size_t held = pending.size();
                pending.resize(held + kReadChunk);
                auto [read_ec, n] = co_await socket.async_read_some(
                    asio::buffer(pending.data() + held, kReadChunk), kUseTuple);
                pending.resize(held + n);
                if (read_ec) {
                    if (!stopping_ && ++closes_reported_ <= 3) {
                        std::cerr << "stream ended: " << read_ec.message() << "\n";
                    }
                    break;
                }
                std::size_t consumed = 0;
                if (!head_done) {
                    const auto end = pending.find("\r\n\r\n");
                    if (end == std::string::npos) {
                        continue;
                    }
                    if (pending.compare(0, 12, "HTTP/1.1 200") != 0) {
                        ++totals_.http_errors;
                        if (totals_.http_errors <= 3) {
                            std::cerr
                                << "stream refused: " << pending.substr(0, pending.find("\r\n"))
                                << "\n";
                        }
                        open = false;
                        break;
                    }
                    head_done = true;
                    consumed = end + 4;
                    if (!counted_connected) {
                        counted_connected = true;
                        ++totals_.connected;
                    }
                }
                for (;;) {
                    const auto end = pending.find("\n\n", consumed);
                    if (end == std::string::npos) {
                        break;
                    }
                    std::string_view block(pending.data() + consumed, end - consumed);
                    consumed = end + 2;
                    handle_block(block, symbols, last_id, connected_at, fresh, first_event,
                                 snapshot_id);
                }
                pending.erase(0, consumed);
            }
            if (!stopping_) {
                ++totals_.reconnects;
                timer.expires_after(std::chrono::milliseconds(100));
                co_await timer.async_wait(kUseTuple);
            }
        }
    }

    void handle_block(std::string_view block, std::vector<SymbolState>& symbols,
                      std::string& last_id, std::int64_t connected_at, bool fresh,
                      bool& first_event, std::string& snapshot_id) {
        std::string_view id;
        std::string_view event;
        std::string_view data;  // our events have one data line
        bool has_data = false;
        while (!block.empty()) {
            const auto nl = block.find('\n');
            std::string_view line = block.substr(0, nl);
            block = nl == std::string_view::npos ? std::string_view{} : block.substr(nl + 1);
            auto field = [&line](std::string_view name) -> std::optional<std::string_view> {
                if (line.size() > name.size() && line.substr(0, name.size()) == name &&
                    line[name.size()] == ':') {
                    auto v = line.substr(name.size() + 1);
                    return v.starts_with(' ') ? v.substr(1) : v;
                }
                return std::nullopt;
            };
            if (auto v = field("id")) {
                id = *v;
            } else if (auto e = field("event")) {
                event = *e;
            } else if (auto d = field("data")) {
                data = *d;
                has_data = true;
            }
        }
        if (!has_data) {
            return;  // comment, retry
        }
        if (!id.empty()) {
            last_id.assign(id);
        }
        if (event == "resync") {
            ++totals_.resyncs;
            for (auto& s : symbols) {
                s.last_seq = -1;
            }
            return;
        }
        if (event != "signal") {
            return;
        }
        ++totals_.events;
        // A fresh connection starts with the snapshot: every event carrying the first id.
        if (first_event) {
            first_event = false;
            if (fresh) {
                snapshot_id.assign(id);
            }
        }
        const bool snapshot = fresh && !snapshot_id.empty() && id == snapshot_id;
        if (auto published = json_int(data, "published_at_us");
            published && *published >= connected_at && !snapshot) {
            const auto latency = std::max<std::int64_t>(0, unix_us() - *published);
            totals_.latency_us.push_back(static_cast<std::uint32_t>(
                std::min<std::int64_t>(latency, std::numeric_limits<std::uint32_t>::max())));
        }
        const auto symbol = json_string(data, "symbol");
        const auto seq = sequence_of(data, totals_.seq_from_as_of);
        if (symbol.empty() || !seq) {
            ++totals_.without_seq;
            return;
        }
        auto it = std::find_if(symbols.begin(), symbols.end(),
                               [symbol](const SymbolState& s) { return s.symbol == symbol; });
        if (it == symbols.end()) {
            return;
        }
        if (it->last_seq < 0) {
            it->last_seq = *seq;
            it->last_id.assign(id);
            it->soft = snapshot;
            return;
        }
        const std::string previous_id = std::exchange(it->last_id, std::string(id));
        if (*seq == it->last_seq + 1) {
            it->last_seq = *seq;
        } else if (*seq > it->last_seq + 1) {
            totals_.lost += static_cast<std::uint64_t>(*seq - it->last_seq - 1);
            it->last_seq = *seq;
        } else if (!(it->soft && *seq == it->last_seq)) {
            if (++totals_.duplicated <= 3) {
                std::cerr << fmt::format(
                    "duplicate: {} seq {} after seq {} (event id {}, last id {}{})\n", symbol, *seq,
                    it->last_seq, id, previous_id, it->soft ? ", after the snapshot" : "");
            }
        }
        it->soft = false;
    }

    asio::io_context& io_;
    const Options& options_;
    tcp::endpoint endpoint_;
    bool stopping_ = false;
    std::uint64_t closes_reported_ = 0;
    Totals totals_;
};

// The server's /metrics, by series (`name{labels}`), or empty when it has none.
using Series = std::map<std::string, double, std::less<>>;

Series parse_prometheus(std::string_view text) {
    Series series;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const auto space = line.rfind(' ');
        if (line.empty() || line.front() == '#' || space == std::string_view::npos) {
            continue;
        }
        series[std::string(line.substr(0, space))] =
            std::strtod(std::string(line.substr(space + 1)).c_str(), nullptr);
    }
    return series;
}

double delta(const Series& before, const Series& after, std::string_view name) {
    auto a = after.find(name);
    auto b = before.find(name);
    return (a == after.end() ? 0.0 : a->second) - (b == before.end() ? 0.0 : b->second);
}

// The upper bound of the bucket holding quantile `q` of a histogram's observations between
// two scrapes (Prometheus buckets are cumulative). Infinity past the last bound.
double histogram_quantile(const Series& before, const Series& after, std::string_view name,
                          double q, double& count) {
    const std::string prefix = std::string(name) + "_bucket{le=\"";
    std::vector<std::pair<double, double>> buckets;  // (le, cumulative count)
    for (auto it = after.lower_bound(prefix); it != after.end() && it->first.starts_with(prefix);
         ++it) {
        const std::string le =
            it->first.substr(prefix.size(), it->first.size() - prefix.size() - 2);
        const double bound = le == "+Inf" ? std::numeric_limits<double>::infinity()
                                          : std::strtod(le.c_str(), nullptr);
        buckets.emplace_back(bound, delta(before, after, it->first));
    }
    std::sort(buckets.begin(), buckets.end());
    count = buckets.empty() ? 0 : buckets.back().second;
    for (const auto& [bound, cumulative] : buckets) {
        if (cumulative >= q * count) {
            return bound;
        }
    }
    return std::numeric_limits<double>::infinity();
}

// GET /metrics on a connection of its own; empty when the server has none (or is away).
// References to objects main() keeps: g++ 12 mishandles some by-value class parameters of
// coroutines.
asio::awaitable<Series> scrape_metrics(const tcp::endpoint& endpoint, const Options& options) {
    const std::string& host = options.host;
    const std::string& token = options.token;
    tcp::socket socket(co_await asio::this_coro::executor);
    auto [connect_ec] = co_await socket.async_connect(endpoint, kUseTuple);
    if (connect_ec) {
        co_return Series{};
    }
    std::string request =
        fmt::format("GET /metrics HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", host);
    if (!token.empty()) {
        request += "Authorization: Bearer " + token + "\r\n";
    }
    request += "\r\n";
    auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(request), kUseTuple);
    std::string response;
    std::array<char, 16 * 1024> chunk{};
    for (;;) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), kUseTuple);
        response.append(chunk.data(), n);
        if (ec) {
            break;
        }
    }
    const auto body = response.find("\r\n\r\n");
    if (write_ec || !response.starts_with("HTTP/1.1 200") || body == std::string::npos) {
        co_return Series{};
    }
    co_return parse_prometheus(std::string_view(response).substr(body + 4));
}

// --self-test: the hub and stream route on a free port, and a publisher thread.
class SelfTestServer {
  public:
    explicit SelfTestServer(const Options& options)
        : options_(options), hub_(gs::sse::HubOptions{}) {
        gs::sse::StreamOptions stream_options;
        stream_options.max_streams = options.streams + 100;
        stream_options.max_symbols = std::max<std::size_t>(100, options.per_stream);
        stream_options.queue.max_events = options.queue_events;
        gs::sse::add_stream_route(
            router_, hub_,
            [this](const std::string& symbol,
                   gs::market::Timeframe) -> asio::awaitable<std::shared_ptr<const std::string>> {
                std::lock_guard lock(mutex_);
                auto it = current_.find(symbol);
                co_return it == current_.end() ? nullptr : it->second;
            },
            [this](gs::market::Timeframe) {
                std::lock_guard lock(mutex_);
                std::vector<std::string> out;
                for (const auto& [symbol, data] : current_) {
                    out.push_back(symbol);
                }
                return out;
            },
            stream_options);
        registry_.add_collector([this](std::string& out) { hub_.render(out); });
        registry_.add_collector(gs::metrics::render_process_metrics);
        router_.add(boost::beast::http::verb::get, "/metrics",
                    gs::http::sync_handler([this](gs::http::Request&) {
                        return gs::http::Response::text(boost::beast::http::status::ok,
                                                        registry_.render(), "text/plain");
                    }));
        gs::config::ServerOptions server_options;
        server_options.bind_address = "127.0.0.1";
        server_options.port = options.port;
        server_options.access_log = false;
        server_options.shutdown_grace = std::chrono::milliseconds(2000);
        metrics_ = std::make_unique<gs::metrics::HttpMetrics>(gs::http::metric_labels(router_));
        server_ = std::make_unique<gs::http::Server>(io_, server_options, router_, *metrics_);
        port_ = server_->listen();
        server_->start();
        io_thread_ = std::thread([this] { io_.run(); });
        publisher_ = std::thread([this] { publish_loop(); });
    }

    ~SelfTestServer() { stop(); }

    void stop() {
        if (stopped_) {
            return;
        }
        stopped_ = true;
        publishing_ = false;
        publisher_.join();
        server_->shutdown([this] { io_.stop(); });
        io_thread_.join();
    }

    std::uint16_t port() const { return port_; }
    gs::sse::Hub& hub() { return hub_; }
    std::uint64_t published() const { return published_; }

  private:
    void publish_loop() {
        const auto timeframe =
            gs::market::parse_timeframe(options_.timeframe).value_or(gs::market::kDefaultTimeframe);
        std::vector<std::int64_t> seq(options_.names.size(), 0);
        const std::string pad(options_.payload, 'x');
        const auto interval = std::chrono::duration<double>(1.0 / options_.rate);
        auto next = SteadyClock::now();
        std::size_t i = 0;
        while (publishing_) {
            const std::size_t s = i++ % options_.names.size();
            const auto& symbol = options_.names[s];
            auto data = std::make_shared<const std::string>(fmt::format(
                R"({{"symbol":"{}","seq":{},"published_at_us":{},"action":"BUY","pad":"{}"}})",
                symbol, ++seq[s], unix_us(), pad));
            {
                std::lock_guard lock(mutex_);
                current_[symbol] = data;
            }
            hub_.publish_local(symbol, timeframe, data);
            ++published_;
            next += std::chrono::duration_cast<SteadyClock::duration>(interval);
            std::this_thread::sleep_until(next);
        }
    }

    const Options& options_;
    asio::io_context io_{1};
    gs::http::Router router_;
    gs::sse::Hub hub_;
    gs::metrics::Registry registry_;
    std::unique_ptr<gs::metrics::HttpMetrics> metrics_;
    std::unique_ptr<gs::http::Server> server_;
    std::uint16_t port_ = 0;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<const std::string>> current_;
    std::atomic<bool> publishing_{true};
    std::atomic<std::uint64_t> published_{0};
    bool stopped_ = false;
    std::thread io_thread_;
    std::thread publisher_;
};

void raise_fd_limit(std::size_t wanted) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return;
    }
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < wanted) {
        std::cerr << fmt::format(
            "warning: {} descriptors needed, the limit is {}; some streams will fail\n", wanted,
            limit.rlim_cur);
    }
}

// Resident memory of this process in KiB (0 when unknown).
std::size_t rss_kib() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) {
        return 0;
    }
    char line[256];
    std::size_t kib = 0;
    while (std::fgets(line, sizeof(line), f) != nullptr) {
        if (std::string_view(line).starts_with("VmRSS:")) {
            kib = std::strtoul(line + 6, nullptr, 10);
            break;
        }
    }
    std::fclose(f);
    return kib;
}

double percentile(std::vector<std::uint32_t>& sorted, double p) {
    if (sorted.empty()) {
        return 0;
    }
    const auto rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(rank, sorted.size() - 1)] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    try {
        options = parse_options(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "sse_load: " << e.what() << "\n" << kUsage;
        return 2;
    }
    raise_fd_limit(options.streams * (options.self_test ? 2 : 1) + 64);

    if (options.serve) {
        const std::size_t rss_before = rss_kib();
        SelfTestServer server(options);
        std::cout << "listening on 127.0.0.1:" << server.port() << std::endl;
        const auto end = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                  std::chrono::duration<double>(options.duration));
        std::size_t peak_streams = 0;
        std::size_t peak_rss = 0;
        while (SteadyClock::now() < end) {
            std::this_thread::sleep_for(std::chrono::seconds(1));
            const auto s = server.hub().stats();
            const std::size_t rss = rss_kib();
            if (s.open_streams >= peak_streams) {
                peak_streams = s.open_streams;
                peak_rss = rss;
            }
            std::cout << fmt::format(
                             "streams {}, published {}, sent {}, dropped {}, slow {}, "
                             "RSS {:.1f} MiB\n",
                             s.open_streams, s.published, s.sent, s.dropped, s.slow_disconnects,
                             static_cast<double>(rss) / 1024.0)
                      << std::flush;
        }
        if (peak_streams != 0 && peak_rss > rss_before) {
            std::cout << fmt::format(
                "server memory: {:.1f} KiB per stream at {} streams\n",
                static_cast<double>(peak_rss - rss_before) / static_cast<double>(peak_streams),
                peak_streams);
        }
        server.stop();
        return 0;
    }

    std::unique_ptr<SelfTestServer> self_test;
    if (options.self_test) {
        self_test = std::make_unique<SelfTestServer>(options);
        options.port = self_test->port();
    }

    asio::io_context io{1};
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(options.host, std::to_string(options.port));
    const tcp::endpoint endpoint = *endpoints.begin();
    Client client(io, options, endpoint);
    Series server_before;
    Series server_after;
    double client_cpu_before = 0;
    double client_cpu_after = 0;
    SteadyClock::time_point window_end;
    const std::size_t rss_before = rss_kib();
    std::size_t rss_connected = 0;
    client.start();

    // Connect phase, then the measured window; reported from the client thread.
    const auto started = SteadyClock::now();
    asio::steady_timer timer(io);
    std::uint64_t events_before = 0;
    SteadyClock::time_point window_start;
    std::size_t latency_before = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            const auto connect_deadline = started + std::chrono::seconds(60);
            while (client.totals().connected < options.streams &&
                   SteadyClock::now() < connect_deadline) {
                timer.expires_after(std::chrono::milliseconds(100));
                co_await timer.async_wait(kUseTuple);
            }
            server_before = co_await scrape_metrics(endpoint, options);
            client_cpu_before = gs::metrics::read_process_stats().cpu_seconds;
            window_start = SteadyClock::now();
            rss_connected = rss_kib();
            events_before = client.totals().events;
            latency_before = client.totals().latency_us.size();
            std::cerr << fmt::format("{} of {} streams connected in {:.2f} s; measuring {} s\n",
                                     client.totals().connected, options.streams,
                                     std::chrono::duration<double>(window_start - started).count(),
                                     options.duration);
            timer.expires_after(std::chrono::duration_cast<SteadyClock::duration>(
                std::chrono::duration<double>(options.duration)));
            co_await timer.async_wait(kUseTuple);
            window_end = SteadyClock::now();
            client_cpu_after = gs::metrics::read_process_stats().cpu_seconds;
            server_after = co_await scrape_metrics(endpoint, options);
            client.stop();
            io.stop();
        },
        asio::detached);
    io.run();
    const double window = std::chrono::duration<double>(window_end - window_start).count();

    auto& totals = client.totals();
    std::vector<std::uint32_t> latency(
        totals.latency_us.begin() + static_cast<std::ptrdiff_t>(latency_before),
        totals.latency_us.end());
    std::sort(latency.begin(), latency.end());
    const std::uint64_t window_events = totals.events - events_before;
    std::cout << fmt::format(
        "streams {} (connected {}, reconnects {}, resyncs {}, refused {}, connect errors {}), "
        "symbols {}, per stream {}\n",
        options.streams, totals.connected, totals.reconnects, totals.resyncs, totals.http_errors,
        totals.connect_errors, options.symbols, options.per_stream);
    std::cout << fmt::format(
        "events received {} in {:.1f} s ({:.0f}/s), {} in all; lost {}, duplicated {}{}\n",
        window_events, window, static_cast<double>(window_events) / window, totals.events,
        totals.lost, totals.duplicated,
        totals.without_seq != 0
            ? fmt::format(" ({} events without seq: not checked)", totals.without_seq)
            : std::string());
    if (latency.empty()) {
        std::cout << "latency: no events carried published_at_us\n";
    } else {
        std::cout << fmt::format(
            "latency publish->receipt: p50 {:.3f} ms, p99 {:.3f} ms, p99.9 {:.3f} ms, max {:.3f} "
            "ms (n={})\n",
            percentile(latency, 0.50), percentile(latency, 0.99), percentile(latency, 0.999),
            latency.back() / 1000.0, latency.size());
    }
    if (totals.seq_from_as_of) {
        std::cout << "sequence: from as_of (one bar per day per symbol, as the simulated feed "
                     "makes)\n";
    }
    std::cout << fmt::format("client CPU {:.2f} s in the window ({:.0f}% of a core)\n",
                             client_cpu_after - client_cpu_before,
                             100.0 * (client_cpu_after - client_cpu_before) / window);
    if (server_before.empty() || server_after.empty()) {
        std::cout << "server metrics: /metrics not available\n";
    } else {
        constexpr std::string_view kLatency = "gs_sse_publish_to_send_seconds";
        double count = 0;
        const double p50 = histogram_quantile(server_before, server_after, kLatency, 0.50, count);
        const double p99 = histogram_quantile(server_before, server_after, kLatency, 0.99, count);
        const double p999 = histogram_quantile(server_before, server_after, kLatency, 0.999, count);
        const double cpu = delta(server_before, server_after, "process_cpu_seconds_total");
        std::cout << fmt::format(
            "server (its /metrics, over the window): publish->send p50 <= {} ms, p99 <= {} ms, "
            "p99.9 <= {} ms (bucket bounds, n={:.0f}); sent {:.0f} ({:.0f}/s), dropped {:.0f}, "
            "slow disconnects {:.0f}; RSS {:.1f} MiB; CPU {:.2f} s ({:.0f}% of a core)\n",
            p50 * 1000, p99 * 1000, p999 * 1000, count,
            delta(server_before, server_after, "gs_sse_events_sent_total"),
            delta(server_before, server_after, "gs_sse_events_sent_total") / window,
            delta(server_before, server_after, "gs_sse_events_dropped_total"),
            delta(server_before, server_after, "gs_sse_slow_disconnects_total"),
            server_after["process_resident_memory_bytes"] / (1024.0 * 1024.0), cpu,
            100.0 * cpu / window);
    }
    if (totals.connected != 0 && rss_connected > rss_before) {
        std::cout << fmt::format(
            "memory: RSS grew {:.1f} MiB with the streams open, {:.1f} KiB per stream ({})\n",
            static_cast<double>(rss_connected - rss_before) / 1024.0,
            static_cast<double>(rss_connected - rss_before) / static_cast<double>(totals.connected),
            self_test ? "client and server sides together" : "client side only");
    }
    if (self_test) {
        self_test->stop();
        const auto s = self_test->hub().stats();
        std::cout << fmt::format(
            "self-test server: published {}, sent {}, dropped {}, slow disconnects {}, "
            "resyncs {}\n",
            s.published, s.sent, s.dropped, s.slow_disconnects, s.resyncs);
    }
    return totals.lost == 0 && totals.duplicated == 0 ? 0 : 1;
}
