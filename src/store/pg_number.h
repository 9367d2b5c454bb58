#pragma once

#include <charconv>
#include <string>
#include <string_view>
#include <system_error>

#include <pqxx/except>
#include <pqxx/field>

namespace gs::store {

// A double from PostgreSQL's text form. libpqxx 6.4's field::as<double>() parses through a
// stringstream: ~150 ns a value on our host against ~10 for std::from_chars, and a 500-bar
// series load parses 2,500 of them (bench/RESULTS.md section 41). The value is the same:
// PostgreSQL 12+ prints the shortest text that reads back exactly (extra_float_digits 1) and
// both parsers round correctly. PostgreSQL's "NaN", "Infinity" and "-Infinity" are read as
// strtod reads them. Anything else, or trailing bytes, throws like libpqxx's conversion.
inline double parse_pg_double(std::string_view text) {
    double value = 0.0;
    const char* end = text.data() + text.size();
    const auto [at, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || at != end) {
        throw pqxx::conversion_error("not a double precision value: '" + std::string(text) + "'");
    }
    return value;
}

inline double as_double(const pqxx::field& field) {
    if (field.is_null()) {
        throw pqxx::conversion_error("a NULL where a double precision value was expected");
    }
    return parse_pg_double(std::string_view(field.c_str(), field.size()));
}

}  // namespace gs::store
