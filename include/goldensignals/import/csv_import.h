#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/timeframe.h"

namespace gs::import {

// The CSV dialects `goldensignals import` reads, told apart by their header line.
enum class CsvFormat {
    kGoldenSignals,  // time,open,high,low,close,volume (what POST /v1/bars takes and GET gives)
    kYahoo,          // Date,Open,High,Low,Close,Adj Close,Volume (Datetime for intraday)
    kStooq,          // Date,Open,High,Low,Close[,Volume]
    kStooqAscii,     // <TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>[,<OPENINT>]
};

std::string_view to_string(CsvFormat format) noexcept;

// The dialect of a header line (any case, spaces around names, a UTF-8 byte order mark and
// Stooq's <...> ignored); nullopt when it is none of them.
std::optional<CsvFormat> detect_format(std::string_view header_line);

struct RowError {
    std::size_t line = 0;  // 1-based line of the file; the header is line 1
    std::string reason;
};

struct ParsedCsv {
    std::optional<CsvFormat> format;  // nullopt: the header was not recognised (see errors)
    std::vector<market::Bar> bars;    // in file order
    std::vector<std::size_t> lines;   // the file line of each bar
    std::vector<RowError> errors;     // the first `max_errors` problems, in file order
    std::size_t error_count = 0;      // every problem found
    // Yahoo's rows with every price "null" (days it has no quote for): skipped, counted.
    std::size_t skipped_rows = 0;
    // The period a Stooq ASCII file states in <PER> (D, W, 1, 5, 15, 30, 60).
    std::optional<market::Timeframe> timeframe;

    bool ok() const noexcept { return error_count == 0 && format.has_value(); }
};

// Reads a whole file. Every row is checked with the rules the server applies
// (market::parse_bar_fields); the importer refuses a file with any problem, so nothing of a
// half-good file is stored. Never throws on bad input.
ParsedCsv parse_csv(std::string_view content, std::size_t max_errors = 5);

// The symbol a file's name stands for: its name without a .csv or .txt extension, upper-case
// (`data/aapl.us.txt` -> `AAPL.US`, `BRK.B.csv` -> `BRK.B`); nullopt when that is not a valid
// symbol (market::normalize_symbol).
std::optional<std::string> symbol_from_path(std::string_view path);

// Appends to `body` (cleared first) a CSV request body for POST /v1/bars of the first bars of
// `bars`: at most `max_rows` of them and, unless a single row is already larger, at most
// `max_bytes` bytes. Times are epoch seconds and numbers the shortest text that reads back to
// the same double, so the server stores exactly the parsed values. Returns the bars taken.
std::size_t encode_chunk(std::span<const market::Bar> bars, std::size_t max_rows,
                         std::size_t max_bytes, std::string& body);

}  // namespace gs::import
