#include "goldensignals/import/csv_import.h"

#include <algorithm>
#include <array>
#include <filesystem>

#include <fmt/format.h>

#include "goldensignals/market/bar_parsing.h"
#include "goldensignals/market/excerpt.h"
#include "goldensignals/market/symbol.h"

namespace gs::import {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return out;
}

// Fields of a line, trimmed (the formats have no quoting).
void split(std::string_view line, std::vector<std::string_view>& out) {
    out.clear();
    while (true) {
        auto comma = line.find(',');
        out.push_back(trim(line.substr(0, comma)));
        if (comma == std::string_view::npos) {
            return;
        }
        line.remove_prefix(comma + 1);
    }
}

std::vector<std::string> header_names(std::string_view line) {
    if (line.starts_with("\xEF\xBB\xBF")) {
        line.remove_prefix(3);  // a UTF-8 byte order mark from spreadsheet exports
    }
    std::vector<std::string_view> fields;
    split(trim(line), fields);
    std::vector<std::string> names;
    for (auto field : fields) {
        if (field.size() >= 2 && field.front() == '<' && field.back() == '>') {
            field = trim(field.substr(1, field.size() - 2));
        }
        names.push_back(lower(field));
    }
    return names;
}

using Names = std::vector<std::string_view>;

bool same(const std::vector<std::string>& names, const Names& want) {
    return std::equal(names.begin(), names.end(), want.begin(), want.end());
}

// Stooq's <PER>: D(aily), W(eekly) or minutes. Monthly and longer have no timeframe here.
std::optional<market::Timeframe> stooq_period(std::string_view per) {
    using market::Timeframe;
    static constexpr std::array<std::pair<std::string_view, Timeframe>, 8> kPeriods = {{
        {"D", Timeframe::k1d},
        {"W", Timeframe::k1w},
        {"1", Timeframe::k1m},
        {"5", Timeframe::k5m},
        {"15", Timeframe::k15m},
        {"30", Timeframe::k30m},
        {"60", Timeframe::k1h},
        {"240", Timeframe::k4h},
    }};
    for (const auto& [name, timeframe] : kPeriods) {
        if (lower(per) == lower(name)) {
            return timeframe;
        }
    }
    return std::nullopt;
}

bool all_digits(std::string_view s, std::size_t size) {
    return s.size() == size &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Stooq ASCII's DATE (YYYYMMDD) and TIME (HHMMSS) as ISO-8601; empty when malformed.
std::string stooq_time(std::string_view date, std::string_view time) {
    if (!all_digits(date, 8) || !all_digits(time, 6)) {
        return {};
    }
    return fmt::format("{}-{}-{}T{}:{}:{}", date.substr(0, 4), date.substr(4, 2), date.substr(6, 2),
                       time.substr(0, 2), time.substr(2, 2), time.substr(4, 2));
}

}  // namespace

std::string_view to_string(CsvFormat format) noexcept {
    switch (format) {
        case CsvFormat::kGoldenSignals:
            return "goldensignals";
        case CsvFormat::kYahoo:
            return "yahoo";
        case CsvFormat::kStooq:
            return "stooq";
        case CsvFormat::kStooqAscii:
            return "stooq-ascii";
    }
    return "unknown";
}

std::optional<CsvFormat> detect_format(std::string_view header_line) {
    const auto names = header_names(header_line);
    if (same(names, {"time", "open", "high", "low", "close", "volume"})) {
        return CsvFormat::kGoldenSignals;
    }
    if (same(names, {"date", "open", "high", "low", "close", "adj close", "volume"}) ||
        same(names, {"datetime", "open", "high", "low", "close", "adj close", "volume"})) {
        return CsvFormat::kYahoo;
    }
    if (same(names, {"date", "open", "high", "low", "close", "volume"}) ||
        same(names, {"date", "open", "high", "low", "close"})) {
        return CsvFormat::kStooq;
    }
    if (same(names,
             {"ticker", "per", "date", "time", "open", "high", "low", "close", "vol", "openint"}) ||
        same(names, {"ticker", "per", "date", "time", "open", "high", "low", "close", "vol"})) {
        return CsvFormat::kStooqAscii;
    }
    return std::nullopt;
}

ParsedCsv parse_csv(std::string_view content, std::size_t max_errors) {
    ParsedCsv out;
    auto problem = [&](std::size_t line, std::string reason) {
        ++out.error_count;
        if (out.errors.size() < max_errors) {
            out.errors.push_back({line, std::move(reason)});
        }
    };

    std::size_t line_number = 0;
    std::size_t columns = 0;
    std::optional<std::string> period;  // Stooq ASCII: the first row's <PER>
    std::vector<std::string_view> fields;
    fields.reserve(10);
    std::array<std::string_view, 6> bar_fields;
    std::string time_text;
    while (!content.empty()) {
        auto newline = content.find('\n');
        std::string_view line = content.substr(0, newline);
        content =
            newline == std::string_view::npos ? std::string_view{} : content.substr(newline + 1);
        ++line_number;
        if (trim(line).empty()) {
            continue;
        }
        if (!out.format) {
            out.format = detect_format(line);
            if (!out.format) {
                problem(line_number,
                        fmt::format("header \"{}\" is none of: time,open,high,low,close,volume "
                                    "(goldensignals); Date,Open,High,Low,Close,Adj "
                                    "Close,Volume (Yahoo Finance); Date,Open,High,Low,Close,Volume "
                                    "or <TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,"
                                    "<VOL>,<OPENINT> (Stooq)",
                                    market::excerpt(trim(line))));
                return out;
            }
            columns = header_names(line).size();
            continue;
        }
        split(trim(line), fields);
        if (fields.size() != columns) {
            problem(line_number, fmt::format("expected {} comma-separated fields, found {}",
                                             columns, fields.size()));
            continue;
        }
        switch (*out.format) {
            case CsvFormat::kGoldenSignals:
                std::copy_n(fields.begin(), 6, bar_fields.begin());
                break;
            case CsvFormat::kYahoo: {
                // Yahoo writes "null" for every value of a day it has no quote for.
                const bool all_null = std::all_of(fields.begin() + 1, fields.end(),
                                                  [](std::string_view f) { return f == "null"; });
                if (all_null) {
                    ++out.skipped_rows;
                    continue;
                }
                bar_fields = {fields[0], fields[1], fields[2], fields[3], fields[4], fields[6]};
                break;
            }
            case CsvFormat::kStooq:
                std::copy_n(fields.begin(), 5, bar_fields.begin());
                // Indices come without volume (no column, or an empty one).
                bar_fields[5] = columns == 6 && !fields[5].empty() ? fields[5] : "0";
                break;
            case CsvFormat::kStooqAscii: {
                if (!period) {
                    period = std::string(fields[1]);
                    out.timeframe = stooq_period(fields[1]);
                    if (!out.timeframe) {
                        problem(line_number,
                                fmt::format("period <PER> \"{}\" has no timeframe here (D, W, "
                                            "1, 5, 15, 30, 60 do)",
                                            market::excerpt(fields[1])));
                        continue;
                    }
                } else if (fields[1] != *period) {
                    problem(line_number, fmt::format("period <PER> \"{}\" differs from the first "
                                                     "row's \"{}\"",
                                                     market::excerpt(fields[1]), *period));
                    continue;
                }
                time_text = stooq_time(fields[2], fields[3]);
                if (time_text.empty()) {
                    problem(line_number,
                            fmt::format("<DATE> \"{}\" <TIME> \"{}\" is not YYYYMMDD HHMMSS",
                                        market::excerpt(fields[2]), market::excerpt(fields[3])));
                    continue;
                }
                bar_fields = {time_text, fields[4],
                              fields[5], fields[6],
                              fields[7], fields[8].empty() ? std::string_view("0") : fields[8]};
                break;
            }
        }
        market::Bar bar;
        if (auto why = market::parse_bar_fields(bar_fields, bar)) {
            problem(line_number, std::move(*why));
            continue;
        }
        out.bars.push_back(bar);
        out.lines.push_back(line_number);
    }
    if (!out.format) {
        problem(line_number == 0 ? 1 : line_number, "empty file: no header");
    } else if (out.bars.empty() && out.error_count == 0) {
        problem(line_number, "no rows after the header");
    }
    return out;
}

std::optional<std::string> symbol_from_path(std::string_view path) {
    const std::filesystem::path file(path);
    std::string name = file.filename().string();
    const std::string extension = lower(file.extension().string());
    if (extension == ".csv" || extension == ".txt") {
        name.resize(name.size() - extension.size());
    }
    return market::normalize_symbol(name);
}

std::size_t encode_chunk(std::span<const market::Bar> bars, std::size_t max_rows,
                         std::size_t max_bytes, std::string& body) {
    body.assign("time,open,high,low,close,volume\n");
    std::size_t taken = 0;
    char line[256];
    for (const auto& bar : bars) {
        if (taken == max_rows) {
            break;
        }
        // "{}" is the shortest text that reads back to the same double (and ints as ints).
        const auto end = fmt::format_to_n(line, sizeof line, "{},{},{},{},{},{}\n", bar.time,
                                          bar.open, bar.high, bar.low, bar.close, bar.volume);
        const std::size_t size = std::min(end.size, sizeof line);
        if (taken > 0 && body.size() + size > max_bytes) {
            break;
        }
        body.append(line, size);
        ++taken;
    }
    return taken;
}

}  // namespace gs::import
