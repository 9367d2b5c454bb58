#include "goldensignals/market/bar_parsing.h"

#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "goldensignals/market/time_format.h"

namespace gs::market {
namespace {

using Kind = BarParseError::Kind;

[[noreturn]] void fail(std::size_t row, std::string_view where, std::string_view why) {
    throw BarParseError(Kind::kInvalid, row, fmt::format("{}: {}", where, why));
}

void check_count(std::size_t rows, std::size_t max_rows) {
    if (rows > max_rows) {
        throw BarParseError(Kind::kTooMany, rows,
                            fmt::format("more than {} bars in one request", max_rows));
    }
}

std::optional<std::int64_t> parse_epoch(std::string_view text) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::int64_t> parse_time_text(std::string_view text) {
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
        return parse_epoch(text);
    }
    return parse_iso8601(text);
}

void validate(const Bar& bar, std::size_t row, std::string_view where) {
    if (auto problem = validate_bar(bar)) {
        fail(row, where, *problem);
    }
}

double json_number(const nlohmann::json& item, const char* field, std::size_t row,
                   std::string_view where) {
    auto it = item.find(field);
    if (it == item.end()) {
        fail(row, where, fmt::format("missing \"{}\"", field));
    }
    if (!it->is_number()) {
        fail(row, where, fmt::format("\"{}\" is not a number", field));
    }
    return it->get<double>();
}

}  // namespace

std::vector<Bar> parse_bars_json(std::string_view body, std::size_t max_rows) {
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(body.begin(), body.end());
    } catch (const nlohmann::json::parse_error& e) {
        throw BarParseError(Kind::kInvalid, 0,
                            fmt::format("body is not valid JSON (at byte {})", e.byte));
    }
    if (!document.is_array()) {
        throw BarParseError(Kind::kInvalid, 0, "body must be a JSON array of bars");
    }
    check_count(document.size(), max_rows);
    if (document.empty()) {
        throw BarParseError(Kind::kInvalid, 0, "no bars in the request");
    }
    std::vector<Bar> bars;
    bars.reserve(document.size());
    for (std::size_t i = 0; i < document.size(); ++i) {
        const auto& item = document[i];
        const std::size_t row = i + 1;
        const std::string where = fmt::format("bar {}", row);
        if (!item.is_object()) {
            fail(row, where, "not an object");
        }
        Bar bar;
        auto time = item.find("time");
        if (time == item.end()) {
            fail(row, where, "missing \"time\"");
        }
        if (time->is_string()) {
            auto parsed = parse_time_text(time->get_ref<const std::string&>());
            if (!parsed) {
                fail(row, where,
                     fmt::format("time \"{}\" is not ISO-8601 UTC or epoch seconds",
                                 time->get_ref<const std::string&>()));
            }
            bar.time = *parsed;
        } else if (time->is_number_integer()) {
            bar.time = time->get<std::int64_t>();
        } else if (time->is_number_float()) {
            const double t = time->get<double>();
            if (!std::isfinite(t) || t != std::floor(t)) {
                fail(row, where, "time must be whole epoch seconds");
            }
            bar.time = static_cast<std::int64_t>(t);
        } else {
            fail(row, where, "time must be an ISO-8601 string or epoch seconds");
        }
        bar.open = json_number(item, "open", row, where);
        bar.high = json_number(item, "high", row, where);
        bar.low = json_number(item, "low", row, where);
        bar.close = json_number(item, "close", row, where);
        bar.volume = json_number(item, "volume", row, where);
        validate(bar, row, where);
        bars.push_back(bar);
    }
    return bars;
}

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

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        if (x != b[i]) {
            return false;
        }
    }
    return true;
}

// Splits a CSV line into exactly `N` fields (no quoting: the format has none).
template <std::size_t N>
bool split_fields(std::string_view line, std::array<std::string_view, N>& fields) {
    std::size_t count = 0;
    while (true) {
        auto comma = line.find(',');
        if (count == N) {
            return false;
        }
        fields[count++] = trim(line.substr(0, comma));
        if (comma == std::string_view::npos) {
            break;
        }
        line.remove_prefix(comma + 1);
    }
    return count == N;
}

bool parse_double(std::string_view text, double& out) {
    if (text.empty()) {
        return false;
    }
    if (text.front() == '+') {
        text.remove_prefix(1);
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::vector<Bar> parse_bars_csv(std::string_view body, std::size_t max_rows) {
    static constexpr std::array<std::string_view, 6> kHeader = {"time", "open",  "high",
                                                                "low",  "close", "volume"};
    std::vector<Bar> bars;
    std::size_t line_number = 0;
    bool header_seen = false;
    while (!body.empty()) {
        auto newline = body.find('\n');
        std::string_view line = body.substr(0, newline);
        body = newline == std::string_view::npos ? std::string_view{} : body.substr(newline + 1);
        ++line_number;
        line = trim(line);
        if (line.empty()) {
            continue;
        }
        std::array<std::string_view, 6> fields;
        if (!header_seen) {
            if (line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") {
                line.remove_prefix(3);  // a UTF-8 byte order mark from spreadsheet exports
            }
            bool ok = split_fields(line, fields);
            for (std::size_t k = 0; ok && k < kHeader.size(); ++k) {
                ok = iequals(fields[k], kHeader[k]);
            }
            if (!ok) {
                throw BarParseError(Kind::kInvalid, 0,
                                    "CSV header must be time,open,high,low,close,volume");
            }
            header_seen = true;
            continue;
        }
        const std::size_t row = bars.size() + 1;
        check_count(row, max_rows);
        const std::string where = fmt::format("line {}", line_number);
        if (!split_fields(line, fields)) {
            fail(row, where, "expected 6 comma-separated fields");
        }
        Bar bar;
        auto time = parse_time_text(fields[0]);
        if (!time) {
            fail(row, where,
                 fmt::format("time \"{}\" is not ISO-8601 UTC or epoch seconds", fields[0]));
        }
        bar.time = *time;
        double* targets[] = {&bar.open, &bar.high, &bar.low, &bar.close, &bar.volume};
        for (std::size_t k = 0; k < 5; ++k) {
            if (!parse_double(fields[k + 1], *targets[k])) {
                fail(row, where,
                     fmt::format("{} \"{}\" is not a number", kHeader[k + 1], fields[k + 1]));
            }
        }
        validate(bar, row, where);
        bars.push_back(bar);
    }
    if (!header_seen) {
        throw BarParseError(Kind::kInvalid, 0, "empty CSV body");
    }
    if (bars.empty()) {
        throw BarParseError(Kind::kInvalid, 0, "no bars in the request");
    }
    return bars;
}

}  // namespace gs::market
