#include "goldensignals/market/time_format.h"

#include <charconv>

#include <fmt/format.h>

namespace gs::market {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian
// calendar, no time zone database, no locale.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

bool is_leap(std::int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at `pos`.
bool read_digits(std::string_view text, std::size_t pos, std::size_t width, int& out) {
    if (pos + width > text.size()) {
        return false;
    }
    int value = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        value = value * 10 + (text[i] - '0');
    }
    out = value;
    return true;
}

// `value` (0-99) as two digits at `at`.
void write_two_digits(char* at, unsigned value) noexcept {
    at[0] = static_cast<char>('0' + value / 10);
    at[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

void append_iso8601(std::string& out, std::int64_t epoch_seconds) {
    std::int64_t days = epoch_seconds / 86400;
    std::int64_t rem = epoch_seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    std::int64_t y = 0;
    unsigned m = 0;
    unsigned d = 0;
    civil_from_days(days, y, m, d);
    if (y < 0 || y > 9999) {
        fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d,
                       rem / 3600, (rem % 3600) / 60, rem % 60);
        return;
    }
    // The usual years by hand: fmt parsed the format at run time on every call, 2.4 % of a
    // standalone ingest's CPU (two timestamps per signal body).
    const auto hour = static_cast<unsigned>(rem / 3600);
    const auto minute = static_cast<unsigned>((rem % 3600) / 60);
    const auto second = static_cast<unsigned>(rem % 60);
    const auto year = static_cast<unsigned>(y);
    char text[] = "YYYY-MM-DDThh:mm:ssZ";
    write_two_digits(text, year / 100);
    write_two_digits(text + 2, year % 100);
    write_two_digits(text + 5, m);
    write_two_digits(text + 8, d);
    write_two_digits(text + 11, hour);
    write_two_digits(text + 14, minute);
    write_two_digits(text + 17, second);
    out.append(text, sizeof text - 1);
}

std::string format_iso8601(std::int64_t epoch_seconds) {
    std::string out;
    out.reserve(20);
    append_iso8601(out, epoch_seconds);
    return out;
}

std::optional<std::int64_t> parse_iso8601(std::string_view text) {
    int year = 0;
    int month = 0;
    int day = 0;
    if (!read_digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' ||
        !read_digits(text, 5, 2, month) || text[7] != '-' || !read_digits(text, 8, 2, day)) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 ||
        static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month))) {
        return std::nullopt;
    }
    int hour = 0;
    int minute = 0;
    int second = 0;
    std::size_t pos = 10;
    if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
        if (!read_digits(text, pos + 1, 2, hour) || pos + 3 >= text.size() ||
            text[pos + 3] != ':' || !read_digits(text, pos + 4, 2, minute)) {
            return std::nullopt;
        }
        pos += 6;
        if (pos < text.size() && text[pos] == ':') {
            if (!read_digits(text, pos + 1, 2, second)) {
                return std::nullopt;
            }
            pos += 3;
            if (pos < text.size() && text[pos] == '.') {
                ++pos;
                const std::size_t digits_start = pos;
                while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                    ++pos;
                }
                if (pos == digits_start) {
                    return std::nullopt;
                }
            }
        }
        if (hour > 23 || minute > 59 || second > 59) {
            return std::nullopt;
        }
    }
    std::int64_t offset_seconds = 0;
    if (pos < text.size()) {
        if (text[pos] == 'Z' || text[pos] == 'z') {
            ++pos;
        } else if (text[pos] == '+' || text[pos] == '-') {
            const int sign = text[pos] == '-' ? -1 : 1;
            int oh = 0;
            int om = 0;
            if (!read_digits(text, pos + 1, 2, oh)) {
                return std::nullopt;
            }
            std::size_t next = pos + 3;
            if (next < text.size() && text[next] == ':') {
                ++next;
            }
            if (!read_digits(text, next, 2, om) || oh > 23 || om > 59) {
                return std::nullopt;
            }
            offset_seconds = sign * (oh * 3600 + om * 60);
            pos = next + 2;
        }
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    const std::int64_t days =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    return days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
}

}  // namespace gs::market
