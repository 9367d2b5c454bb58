#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/market/bar.h"

namespace gs::market {

inline constexpr std::size_t kMaxBarsPerRequest = 100'000;

// The first problem found in posted bars. `row` is 1-based: the n-th bar of a JSON array,
// the n-th data line of a CSV (the header is line 1, so CSV data row n is on line n + 1).
class BarParseError final : public std::runtime_error {
  public:
    enum class Kind { kInvalid, kTooMany };
    BarParseError(Kind kind, std::size_t row, std::string message)
        : std::runtime_error(std::move(message)), kind_(kind), row_(row) {}
    Kind kind() const noexcept { return kind_; }
    std::size_t row() const noexcept { return row_; }

  private:
    Kind kind_;
    std::size_t row_;
};

// A JSON array of {"time", "open", "high", "low", "close", "volume"}; time is an ISO-8601
// string or epoch seconds. Every bar is validated; the whole batch is refused on the first
// bad one. Throws BarParseError.
std::vector<Bar> parse_bars_json(std::string_view body, std::size_t max_rows = kMaxBarsPerRequest);

// A POST's JSON bars: as parse_bars_json, plus `"final": false` on the last bar, which makes it
// a forming bar (its period is still open). `"final"` must be a boolean, at most once per bar;
// only the last bar may be forming, and it must be newer than every final bar of the batch.
// A batch may hold the forming bar alone. Throws BarParseError.
struct PostedBars {
    std::vector<Bar> bars;       // final bars
    std::optional<Bar> forming;  // the forming bar, when the batch ends with one
};
PostedBars parse_posted_bars_json(std::string_view body, std::size_t max_rows = kMaxBarsPerRequest);

// CSV with the header `time,open,high,low,close,volume` (any case, CRLF or LF). Throws
// BarParseError.
std::vector<Bar> parse_bars_csv(std::string_view body, std::size_t max_rows = kMaxBarsPerRequest);

// One row's fields as text, in the order time, open, high, low, close, volume, read and checked
// as parse_bars_csv reads each CSV row (time ISO-8601 UTC or epoch seconds, plain numbers,
// validate_bar). nullopt when `bar` holds the row, else the problem, e.g. `high "x" is not a
// number`. The importer (goldensignals import) reads every CSV dialect through it, so a file it
// accepts is one the server accepts.
std::optional<std::string> parse_bar_fields(std::span<const std::string_view, 6> fields, Bar& bar);

}  // namespace gs::market
