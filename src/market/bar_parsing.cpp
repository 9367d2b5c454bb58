#include "goldensignals/market/bar_parsing.h"

#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "goldensignals/market/excerpt.h"
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

// -0.0 equals 0 but prints as "-0" and hashes apart from 0 (BarSeries::content_hash): a
// client's "-0" volume is stored as 0.
void normalize_zeros(Bar& bar) {
    for (double* value : {&bar.open, &bar.high, &bar.low, &bar.close, &bar.volume}) {
        if (*value == 0.0) {
            *value = 0.0;
        }
    }
}

void finish(Bar& bar, std::size_t row, std::string_view where) {
    normalize_zeros(bar);
    if (auto problem = validate_bar(bar)) {
        fail(row, where, *problem);
    }
}

// A bar's fields in the order a missing one is reported.
enum Field : std::size_t { kTime, kOpen, kHigh, kLow, kClose, kVolume, kFieldCount };
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {"time", "open",  "high",
                                                                   "low",  "close", "volume"};
constexpr std::size_t kUnknownField = kFieldCount;
// "final": read only when the caller takes forming bars (parse_posted_bars_json).
constexpr std::size_t kFinalField = kFieldCount + 1;

// Reads a JSON body straight into bars, as the parser meets each value: no document is built,
// and the first value that does not fit the one shape a batch has (an array of flat objects)
// ends the parse where it stands. A hostile body therefore costs one pass over the bytes it
// takes to find its first fault, and memory for the bars before it.
//
// Field rules: the six fields are required; a second copy of one of them in the same bar is
// refused (which one would win is not obvious to the sender); any other field is ignored
// when it holds a scalar and refused when it holds an array or object.
class BarsSax final : public nlohmann::json::json_sax_t {
  public:
    BarsSax(std::vector<Bar>& bars, std::size_t max_rows, std::optional<Bar>* forming = nullptr)
        : bars_(bars), max_rows_(max_rows), forming_(forming) {}

    bool null() override { return scalar_of_wrong_type(); }
    bool boolean(bool value) override {
        if (in_field() && field_ == kFinalField) {
            final_ = value;
            return true;
        }
        return scalar_of_wrong_type();
    }

    bool number_integer(number_integer_t value) override {
        if (!in_field()) {
            return true;
        }
        if (field_ == kFinalField) {
            wrong_type();
        }
        if (field_ == kTime) {
            bar_.time = value;
        } else {
            set_price(static_cast<double>(value));
        }
        return true;
    }

    bool number_unsigned(number_unsigned_t value) override {
        if (!in_field()) {
            return true;
        }
        if (field_ == kFinalField) {
            wrong_type();
        }
        if (field_ == kTime) {
            // Above int64_t's range the value cannot be a time; say so before converting.
            if (value >= static_cast<number_unsigned_t>(kMaxBarTime)) {
                fail_here(time_range_problem(fmt::to_string(value)));
            }
            bar_.time = static_cast<std::int64_t>(value);
        } else {
            set_price(static_cast<double>(value));
        }
        return true;
    }

    bool number_float(number_float_t value, const string_t&) override {
        if (!in_field()) {
            return true;
        }
        if (field_ == kFinalField) {
            wrong_type();
        }
        if (field_ != kTime) {
            set_price(value);
            return true;
        }
        if (!std::isfinite(value) || value != std::floor(value)) {
            fail_here("time must be whole epoch seconds");
        }
        // Converting a double outside int64_t's range is undefined behaviour: check first.
        if (!(value >= static_cast<double>(kMinBarTime) &&
              value < static_cast<double>(kMaxBarTime))) {
            fail_here(time_range_problem(fmt::to_string(value)));
        }
        bar_.time = static_cast<std::int64_t>(value);
        return true;
    }

    bool string(string_t& value) override {
        if (!in_field()) {
            return true;
        }
        if (field_ == kFinalField) {
            wrong_type();
        }
        if (field_ != kTime) {
            fail_here(fmt::format("\"{}\" is not a number", kFieldNames[field_]));
        }
        auto parsed = parse_time_text(value);
        if (!parsed) {
            fail_here(
                fmt::format("time \"{}\" is not ISO-8601 UTC or epoch seconds", excerpt(value)));
        }
        bar_.time = *parsed;
        return true;
    }

    bool binary(binary_t&) override { return scalar_of_wrong_type(); }  // not in JSON text

    bool start_object(std::size_t) override {
        switch (state_) {
            case State::kBeforeArray:
                not_an_array();
            case State::kInArray:
                check_count(bars_.size() + 1, max_rows_);
                bar_ = Bar{};
                seen_ = 0;
                final_ = true;
                final_seen_ = false;
                state_ = State::kInBar;
                return true;
            case State::kInBar:
                nested_value();
            case State::kAfterArray:
                break;
        }
        return false;  // the parser reports trailing content before this can happen
    }

    bool key(string_t& name) override {
        field_ = kUnknownField;
        if (forming_ != nullptr && name == "final") {
            if (final_seen_) {
                fail_here(R"(duplicate "final")");
            }
            final_seen_ = true;
            field_ = kFinalField;
            return true;
        }
        for (std::size_t f = 0; f < kFieldCount; ++f) {
            if (name == kFieldNames[f]) {
                field_ = f;
            }
        }
        if (field_ == kUnknownField) {
            unknown_name_ = excerpt(name);
            return true;
        }
        const unsigned bit = 1u << field_;
        if ((seen_ & bit) != 0) {
            fail_here(fmt::format("duplicate \"{}\"", kFieldNames[field_]));
        }
        seen_ |= bit;
        return true;
    }

    bool end_object() override {
        // Only a bar ends here: any inner object was refused at its start.
        for (std::size_t f = 0; f < kFieldCount; ++f) {
            if ((seen_ & (1u << f)) == 0) {
                fail_here(fmt::format("missing \"{}\"", kFieldNames[f]));
            }
        }
        finish(bar_, row(), where());
        if (forming_ != nullptr && forming_->has_value()) {
            fail(row() + 1, fmt::format("bar {}", row() + 1),
                 R"(follows a forming bar: only the last bar of a batch may have "final": false)");
        }
        if (!final_) {
            *forming_ = bar_;  // kept apart: stored bars are final ones
        } else {
            bars_.push_back(bar_);
        }
        state_ = State::kInArray;
        return true;
    }

    bool start_array(std::size_t) override {
        switch (state_) {
            case State::kBeforeArray:
                state_ = State::kInArray;
                return true;
            case State::kInArray:
                fail_here("not an object");
            case State::kInBar:
                nested_value();
            case State::kAfterArray:
                break;
        }
        return false;
    }

    bool end_array() override {
        // Only the outer array ends here: any inner one was refused at its start.
        state_ = State::kAfterArray;
        return true;
    }

    bool parse_error(std::size_t position, const std::string& last_token,
                     const nlohmann::json::exception& error) override {
        // 406: a number beyond double's range (1e309); the parser refuses it before any SAX
        // event, so name the row and field here rather than call the body malformed.
        constexpr int kNumberOverflow = 406;
        if (error.id == kNumberOverflow) {
            if (state_ == State::kBeforeArray) {
                not_an_array();
            }
            if (state_ == State::kInArray) {
                fail_here("not an object");
            }
            if (state_ == State::kInBar) {
                if (field_ == kFinalField) {
                    wrong_type();
                }
                const std::string name = field_ == kUnknownField
                                             ? fmt::format("\"{}\"", unknown_name_)
                                             : std::string(kFieldNames[field_]);
                fail_here(fmt::format("{} {} is out of range", name, excerpt(last_token)));
            }
        }
        throw BarParseError(Kind::kInvalid, 0,
                            fmt::format("body is not valid JSON (at byte {})", position));
    }

    bool finished() const noexcept { return state_ == State::kAfterArray; }

  private:
    enum class State { kBeforeArray, kInArray, kInBar, kAfterArray };

    std::size_t row() const noexcept { return bars_.size() + 1; }
    std::string where() const { return fmt::format("bar {}", row()); }
    [[noreturn]] void fail_here(std::string_view why) const { fail(row(), where(), why); }

    [[noreturn]] static void not_an_array() {
        throw BarParseError(Kind::kInvalid, 0, "body must be a JSON array of bars");
    }

    // True when the scalar just read is the value of a bar field. A scalar as the whole
    // body or as an element of the array is refused here.
    bool in_field() const {
        switch (state_) {
            case State::kBeforeArray:
                not_an_array();
            case State::kInArray:
                fail_here("not an object");
            case State::kInBar:
                return field_ != kUnknownField;
            case State::kAfterArray:
                break;
        }
        return false;
    }

    bool scalar_of_wrong_type() {
        if (in_field()) {
            wrong_type();
        }
        return true;
    }

    // An array or object as the value of a field.
    [[noreturn]] void nested_value() const {
        if (field_ == kUnknownField) {
            fail_here(fmt::format("\"{}\" holds an array or object: bar fields are scalars",
                                  unknown_name_));
        }
        wrong_type();
    }

    [[noreturn]] void wrong_type() const {
        if (field_ == kFinalField) {
            fail_here(R"("final" must be true or false)");
        }
        if (field_ == kTime) {
            fail_here("time must be an ISO-8601 string or epoch seconds");
        }
        fail_here(fmt::format("\"{}\" is not a number", kFieldNames[field_]));
    }

    void set_price(double value) {
        double* targets[] = {nullptr, &bar_.open, &bar_.high, &bar_.low, &bar_.close, &bar_.volume};
        *targets[field_] = value;
    }

    std::vector<Bar>& bars_;
    const std::size_t max_rows_;
    State state_ = State::kBeforeArray;
    Bar bar_;
    unsigned seen_ = 0;
    std::size_t field_ = kUnknownField;
    std::string unknown_name_;
    std::optional<Bar>* forming_;  // null: "final" is an unknown field like any other
    bool final_ = true;
    bool final_seen_ = false;
};

}  // namespace

std::vector<Bar> parse_bars_json(std::string_view body, std::size_t max_rows) {
    std::vector<Bar> bars;
    BarsSax handler(bars, max_rows);
    // Every fault throws from the handler; a parse that returns has read one whole array.
    nlohmann::json::sax_parse(body.begin(), body.end(), &handler);
    if (!handler.finished()) {
        throw BarParseError(Kind::kInvalid, 0, "body is not valid JSON");
    }
    if (bars.empty()) {
        throw BarParseError(Kind::kInvalid, 0, "no bars in the request");
    }
    return bars;
}

PostedBars parse_posted_bars_json(std::string_view body, std::size_t max_rows) {
    PostedBars posted;
    BarsSax handler(posted.bars, max_rows, &posted.forming);
    nlohmann::json::sax_parse(body.begin(), body.end(), &handler);
    if (!handler.finished()) {
        throw BarParseError(Kind::kInvalid, 0, "body is not valid JSON");
    }
    if (posted.bars.empty() && !posted.forming) {
        throw BarParseError(Kind::kInvalid, 0, "no bars in the request");
    }
    if (posted.forming) {
        const std::size_t row = posted.bars.size() + 1;
        for (const auto& bar : posted.bars) {
            if (bar.time >= posted.forming->time) {
                fail(row, fmt::format("bar {}", row),
                     "a forming bar must be newer than every final bar of its batch");
            }
        }
    }
    return posted;
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

std::optional<std::string> parse_bar_fields(std::span<const std::string_view, 6> fields, Bar& bar) {
    static constexpr std::array<std::string_view, 5> kNames = {"open", "high", "low", "close",
                                                               "volume"};
    auto time = parse_time_text(fields[0]);
    if (!time) {
        return fmt::format("time \"{}\" is not ISO-8601 UTC or epoch seconds", excerpt(fields[0]));
    }
    bar.time = *time;
    double* targets[] = {&bar.open, &bar.high, &bar.low, &bar.close, &bar.volume};
    for (std::size_t k = 0; k < 5; ++k) {
        if (!parse_double(fields[k + 1], *targets[k])) {
            return fmt::format("{} \"{}\" is not a number", kNames[k], excerpt(fields[k + 1]));
        }
    }
    normalize_zeros(bar);
    return validate_bar(bar);
}

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
        if (auto problem = parse_bar_fields(fields, bar)) {
            fail(row, where, *problem);
        }
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
