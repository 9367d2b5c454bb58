#include "goldensignals/import/importer.h"

#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bars_client.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/import/csv_import.h"
#include "goldensignals/market/bar_parsing.h"
#include "goldensignals/market/symbol.h"
#include "goldensignals/market/time_format.h"
#include "progress.h"

namespace gs::import {
namespace {

// What one POST may carry (POST /v1/bars refuses more with 413), less room for the header.
constexpr std::size_t kMaxChunkRows = market::kMaxBarsPerRequest;
constexpr std::size_t kMaxChunkBytes = http::kBarsBodyLimit - 64 * 1024;

using Clock = std::chrono::steady_clock;

std::size_t parse_count(std::string_view text, std::size_t min, std::size_t max,
                        std::string_view what) {
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
        value > max) {
        throw config::Error(
            fmt::format("{}: '{}' is not an integer in [{}, {}]", what, text, min, max));
    }
    return value;
}

std::optional<std::string> read_file(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) {
        error = "read error";
        return std::nullopt;
    }
    return std::move(content).str();
}

// The server's {"error": {"code", "message"}}, or the start of whatever it sent.
std::pair<std::string, std::string> server_error(const std::string& body) {
    try {
        const auto json = nlohmann::json::parse(body);
        const auto& error = json.at("error");
        return {error.value("code", ""), error.value("message", "")};
    } catch (const std::exception&) {
        return {"", body.substr(0, 200)};
    }
}

// The server names rows of the chunk as "line N" (its header is line 1): say which line of
// the file that is.
std::string in_file_terms(std::string message, const std::string& path,
                          const std::vector<std::size_t>& lines, std::size_t first,
                          std::size_t count) {
    if (!message.starts_with("line ")) {
        return message;
    }
    std::size_t line = 0;
    const char* begin = message.data() + 5;
    auto [end, ec] = std::from_chars(begin, message.data() + message.size(), line);
    if (ec != std::errc{} || line < 2 || line - 2 >= count) {
        return message;
    }
    return fmt::format("{}:{}{}", path, lines[first + line - 2],
                       message.substr(static_cast<std::size_t>(end - message.data())));
}

struct FileResult {
    bool ok = false;
    std::size_t rows = 0;  // stored
};

class Importer final {
  public:
    Importer(const ImportOptions& options, BarsClient& client, Progress& progress)
        : options_(options), client_(client), progress_(progress) {}

    FileResult import_file(const std::string& path, std::size_t index, std::size_t files);

  private:
    void error(const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); }

    const ImportOptions& options_;
    BarsClient& client_;
    Progress& progress_;
};

FileResult Importer::import_file(const std::string& path, std::size_t index, std::size_t files) {
    FileResult result;
    const auto started = Clock::now();
    std::string why;
    const auto content = read_file(path, why);
    if (!content) {
        error(fmt::format("{}: cannot read: {}", path, why));
        return result;
    }
    const ParsedCsv parsed = parse_csv(*content);
    if (!parsed.ok()) {
        for (const auto& row : parsed.errors) {
            error(fmt::format("{}:{}: {}", path, row.line, row.reason));
        }
        const std::size_t more = parsed.error_count - parsed.errors.size();
        error(
            fmt::format("{}: not imported, nothing sent: {} bad row{}{}; fix the file (every "
                        "row is checked before any is sent)",
                        path, parsed.error_count, parsed.error_count == 1 ? "" : "s",
                        more > 0 ? fmt::format(", {} more not shown", more) : ""));
        return result;
    }
    std::string symbol;
    if (options_.symbol) {
        symbol = *options_.symbol;
    } else if (auto from_name = symbol_from_path(path)) {
        symbol = *from_name;
    } else {
        error(
            fmt::format("{}: the file name is not a symbol (1-20 of A-Z 0-9 . - _ ^ =); give "
                        "--symbol",
                        path));
        return result;
    }
    market::Timeframe timeframe =
        options_.timeframe.value_or(parsed.timeframe.value_or(market::kDefaultTimeframe));
    if (options_.timeframe && parsed.timeframe && *options_.timeframe != *parsed.timeframe) {
        error(fmt::format("{}: the file's <PER> says {} bars, --timeframe says {}; not imported",
                          path, market::to_string(*parsed.timeframe),
                          market::to_string(*options_.timeframe)));
        return result;
    }
    const std::string_view tf = market::to_string(timeframe);

    const std::string label =
        files > 1 ? fmt::format("[{}/{}] {}", index + 1, files, path) : std::string(path);
    progress_.start(label, parsed.bars.size());
    std::string body;
    std::size_t sent = 0;
    std::span<const market::Bar> bars(parsed.bars);
    while (sent < bars.size()) {
        const std::size_t count = encode_chunk(
            bars.subspan(sent), std::min(options_.chunk_rows, kMaxChunkRows), kMaxChunkBytes, body);
        Reply reply;
        try {
            reply = client_.post_bars(
                symbol, tf, body, [&](const std::string& reason, std::chrono::milliseconds wait) {
                    progress_.finish();
                    error(fmt::format("{}: {}; retrying in {:.1f} s", path, reason,
                                      wait.count() / 1000.0));
                });
        } catch (const TransportError& e) {
            progress_.finish();
            error(fmt::format("{}: cannot reach the service at {}: {}{}", path, options_.url,
                              e.what(),
                              sent > 0 ? fmt::format(" ({} rows stored before it; importing the "
                                                     "file again is safe: bars are upserted)",
                                                     with_commas(sent))
                                       : ""));
            result.rows = sent;
            return result;
        }
        if (reply.status < 200 || reply.status >= 300) {
            progress_.finish();
            auto [code, message] = server_error(reply.body);
            message = in_file_terms(std::move(message), path, parsed.lines, sent, count);
            std::string hint;
            if (reply.status == 401 || reply.status == 403) {
                hint = "; give the write token with --token or GS_API_TOKEN";
            }
            error(fmt::format(
                "{}: rows {}-{} (lines {}-{}): the service answered {}{}{}: {}{}{}", path,
                with_commas(sent + 1), with_commas(sent + count), parsed.lines[sent],
                parsed.lines[sent + count - 1], reply.status, code.empty() ? "" : " ", code,
                message, hint,
                sent > 0 ? fmt::format(" ({} rows stored before it; importing the file again is "
                                       "safe: bars are upserted)",
                                       with_commas(sent))
                         : ""));
            result.rows = sent;
            return result;
        }
        sent += count;
        progress_.update(sent);
    }
    progress_.finish();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    auto [first, last] = std::minmax_element(
        parsed.bars.begin(), parsed.bars.end(),
        [](const market::Bar& a, const market::Bar& b) { return a.time < b.time; });
    std::printf("%s: %s %s, %s format, %s rows%s, %s .. %s, %.2f s, %s rows/s\n", path.c_str(),
                symbol.c_str(), std::string(tf).c_str(),
                std::string(to_string(*parsed.format)).c_str(), with_commas(sent).c_str(),
                parsed.skipped_rows > 0
                    ? fmt::format(" ({} null rows skipped)", parsed.skipped_rows).c_str()
                    : "",
                market::format_iso8601(first->time).c_str(),
                market::format_iso8601(last->time).c_str(), seconds,
                with_commas(static_cast<std::size_t>(seconds > 0 ? sent / seconds : 0)).c_str());
    std::fflush(stdout);
    result.ok = true;
    result.rows = sent;
    return result;
}

}  // namespace

ImportOptions parse_import_args(const std::vector<std::string>& args,
                                const config::EnvLookup& env) {
    ImportOptions options;
    if (auto token = env("GS_API_TOKEN")) {
        options.token = *token;
    }
    bool files_only = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (files_only || !arg.starts_with("-") || arg == "-") {
            options.files.push_back(std::string(arg));
            continue;
        }
        if (arg == "--") {
            files_only = true;
            continue;
        }
        if (arg == "-h" || arg == "--help") {
            options.show_help = true;
            continue;
        }
        std::string_view name = arg.substr(arg.starts_with("--") ? 2 : 1);
        std::optional<std::string_view> value;
        if (auto eq = name.find('='); eq != std::string_view::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const std::string what = fmt::format("--{}", name);
        auto take = [&]() -> std::string_view {
            if (value) {
                return *value;
            }
            if (i + 1 >= args.size()) {
                throw config::Error(fmt::format("{} needs a value", what));
            }
            return args[++i];
        };
        if (name == "url") {
            options.url = std::string(take());
            try {
                parse_endpoint(options.url);
            } catch (const std::invalid_argument& e) {
                throw config::Error(fmt::format("--url: {}", e.what()));
            }
        } else if (name == "timeframe") {
            const auto text = take();
            options.timeframe = market::parse_timeframe(text);
            if (!options.timeframe) {
                throw config::Error(
                    fmt::format("--timeframe: '{}' is not one of 1m 5m 15m 30m 1h 4h 1d 1w", text));
            }
        } else if (name == "token") {
            options.token = std::string(take());
        } else if (name == "symbol") {
            const auto text = take();
            options.symbol = market::normalize_symbol(text);
            if (!options.symbol) {
                throw config::Error(
                    fmt::format("--symbol: '{}' is not 1-20 of A-Z a-z 0-9 . - _ ^ =", text));
            }
        } else if (name == "chunk-rows") {
            options.chunk_rows = parse_count(take(), 1, kMaxChunkRows, what);
        } else if (name == "retries") {
            options.retries = static_cast<unsigned>(parse_count(take(), 0, 20, what));
        } else if (name == "progress") {
            const auto text = take();
            if (text == "auto") {
                options.progress = ImportOptions::Progress::kAuto;
            } else if (text == "always") {
                options.progress = ImportOptions::Progress::kAlways;
            } else if (text == "never") {
                options.progress = ImportOptions::Progress::kNever;
            } else {
                throw config::Error("--progress: one of auto, always, never");
            }
        } else {
            throw config::Error(
                fmt::format("import: unknown flag '{}' (try goldensignals import --help)", arg));
        }
    }
    if (!options.show_help && options.files.empty()) {
        throw config::Error("import: no files given (try goldensignals import --help)");
    }
    return options;
}

std::string import_help_text() {
    return fmt::format(
        "Usage: goldensignals import [--url URL] [--timeframe TF] [--token TOKEN] [--symbol S] "
        "FILE...\n\n"
        "Loads CSV files of bars into a running service through POST /v1/bars, in chunks over\n"
        "one connection. Formats, told apart by the header line:\n"
        "  time,open,high,low,close,volume            this service's own (GET ?format=csv)\n"
        "  Date,Open,High,Low,Close,Adj Close,Volume  Yahoo Finance (Adj Close is not used;\n"
        "                                             rows of nothing but null are skipped)\n"
        "  Date,Open,High,Low,Close[,Volume]          Stooq\n"
        "  <TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>[,<OPENINT>]  Stooq\n"
        "Every row is checked first, as the service checks it: a file with a bad row is not\n"
        "sent at all (its first problems are shown as FILE:LINE: reason), and the next file is\n"
        "tried. Bars are upserted by time: importing a file again changes nothing.\n"
        "Exit status: 0 every file imported, 1 some file failed, 2 bad usage.\n\n"
        "  --url URL          the service, http://host[:port][/prefix] (default {})\n"
        "  --timeframe TF     1m 5m 15m 30m 1h 4h 1d 1w (default: the file's <PER>, else 1d)\n"
        "  --token TOKEN      the write token (default: GS_API_TOKEN; the environment keeps\n"
        "                     it out of `ps`)\n"
        "  --symbol S         the symbol of every file (default: each file's name without\n"
        "                     .csv/.txt, upper-case: aapl.us.txt is AAPL.US)\n"
        "  --chunk-rows N     bars per request (default {}, at most {}; bodies stay under\n"
        "                     {} MB)\n"
        "  --retries N        retries of a request answered 429, 502, 503 or 504 or not\n"
        "                     answered, with exponential backoff (default {})\n"
        "  --progress WHEN    auto (a bar on a terminal, else a line every 5 s), always (the\n"
        "                     bar, terminal or not), never\n",
        ImportOptions{}.url, ImportOptions{}.chunk_rows, kMaxChunkRows,
        http::kBarsBodyLimit / (1024 * 1024), ImportOptions{}.retries);
}

int run_import(const std::vector<std::string>& args, const config::EnvLookup& env) {
    ImportOptions options;
    try {
        options = parse_import_args(args, env);
    } catch (const config::Error& e) {
        std::fprintf(stderr, "goldensignals %s\n",
                     std::string_view(e.what()).starts_with("import:")
                         ? e.what()
                         : fmt::format("import: {}", e.what()).c_str());
        return 2;
    }
    if (options.show_help) {
        std::fputs(import_help_text().c_str(), stdout);
        return 0;
    }
    const bool terminal =
        options.progress == ImportOptions::Progress::kAlways || isatty(fileno(stderr)) != 0;
    Progress progress(stderr, terminal, options.progress != ImportOptions::Progress::kNever);
    BarsClient client(parse_endpoint(options.url), options.token,
                      {.timeout = std::chrono::seconds(120), .retries = options.retries});
    Importer importer(options, client, progress);

    const auto started = Clock::now();
    std::size_t rows = 0;
    std::size_t failed = 0;
    for (std::size_t i = 0; i < options.files.size(); ++i) {
        const auto result = importer.import_file(options.files[i], i, options.files.size());
        rows += result.rows;
        failed += result.ok ? 0 : 1;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const std::size_t files = options.files.size();
    std::printf("imported %zu of %zu file%s: %s rows in %.2f s (%s rows/s)%s\n", files - failed,
                files, files == 1 ? "" : "s", with_commas(rows).c_str(), seconds,
                with_commas(static_cast<std::size_t>(seconds > 0 ? rows / seconds : 0)).c_str(),
                failed > 0 ? fmt::format("; {} failed", failed).c_str() : "");
    return failed > 0 ? 1 : 0;
}

}  // namespace gs::import
