#include "goldensignals/json/writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace gs::json {

namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// What to do with a byte in a string: 0 copy, 1 escape, 2 start of a multi-byte sequence.
constexpr std::array<unsigned char, 256> byte_classes() {
    std::array<unsigned char, 256> c{};
    for (int b = 0; b < 0x20; ++b) {
        c[b] = 1;
    }
    c['"'] = 1;
    c['\\'] = 1;
    for (int b = 0x80; b < 0x100; ++b) {
        c[b] = 2;
    }
    return c;
}
constexpr auto kClass = byte_classes();

void append_escape(std::string& out, unsigned char b) {
    switch (b) {
        case '\b':
            out += "\\b";
            return;
        case '\t':
            out += "\\t";
            return;
        case '\n':
            out += "\\n";
            return;
        case '\f':
            out += "\\f";
            return;
        case '\r':
            out += "\\r";
            return;
        case '"':
            out += "\\\"";
            return;
        case '\\':
            out += "\\\\";
            return;
        default: {
            // nlohmann's "\\u%04x": lower-case hex.
            const char text[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 0xF]};
            out.append(text, 6);
        }
    }
}

// The multi-byte sequence starting at p[0] (>= 0x80), n bytes left. Returns the bytes it takes:
// `valid` says whether they are one well-formed code point (copied) or not (replaced by one
// U+FFFD). As nlohmann's decoder (Hoehrmann's DFA) with error_handler_t::replace: a byte that
// cannot start a sequence is one replacement; a sequence broken by a byte that cannot continue
// it is one replacement for the bytes before that byte, which is then read afresh; a sequence
// cut off by the end of the string is one replacement. Overlong forms, surrogates and code
// points above U+10FFFF are invalid.
struct Step {
    std::size_t bytes;
    bool valid;
};

Step utf8_step(const unsigned char* p, std::size_t n) {
    const unsigned char lead = p[0];
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        len = 2;
    } else if (lead == 0xE0) {
        len = 3;
        lo = 0xA0;
    } else if (lead >= 0xE1 && lead <= 0xEF) {
        len = 3;
        if (lead == 0xED) {
            hi = 0x9F;  // no surrogates
        }
    } else if (lead == 0xF0) {
        len = 4;
        lo = 0x90;
    } else if (lead >= 0xF1 && lead <= 0xF3) {
        len = 4;
    } else if (lead == 0xF4) {
        len = 4;
        hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return {1, false};  // a continuation byte, C0, C1 or F5..FF
    }
    for (std::size_t j = 1; j < len; ++j) {
        if (j == n) {
            return {n, false};  // cut off by the end
        }
        const unsigned char b = p[j];
        const bool fits = j == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
        if (!fits) {
            return {j, false};
        }
    }
    return {len, true};
}

// nlohmann's detail::format_buffer for `k` shortest digits and the decimal point at `n`
// (value = 0.digits * 10^n), min_exp -4 and max_exp 15. Returns the end.
char* lay_out(char* out, const char* digits, int k, int n) {
    constexpr int kMinExp = -4;
    constexpr int kMaxExp = 15;
    const auto copy = [&](const char* from, int count) {
        std::memcpy(out, from, static_cast<std::size_t>(count));
        out += count;
    };
    const auto zeros = [&](int count) {
        std::memset(out, '0', static_cast<std::size_t>(count));
        out += count;
    };
    if (k <= n && n <= kMaxExp) {
        copy(digits, k);
        zeros(n - k);
        *out++ = '.';
        *out++ = '0';
        return out;
    }
    if (0 < n && n <= kMaxExp) {
        copy(digits, n);
        *out++ = '.';
        copy(digits + n, k - n);
        return out;
    }
    if (kMinExp < n && n <= 0) {
        *out++ = '0';
        *out++ = '.';
        zeros(-n);
        copy(digits, k);
        return out;
    }
    *out++ = digits[0];
    if (k > 1) {
        *out++ = '.';
        copy(digits + 1, k - 1);
    }
    int e = n - 1;
    *out++ = 'e';
    *out++ = e < 0 ? '-' : '+';
    e = e < 0 ? -e : e;
    if (e >= 100) {
        *out++ = static_cast<char>('0' + e / 100);
        e %= 100;
    }
    *out++ = static_cast<char>('0' + e / 10);  // at least two digits, as printf's %g
    *out++ = static_cast<char>('0' + e % 10);
    return out;
}

// How many leading bytes need no escape and no UTF-8 check. Eight at a time: a signal body's
// strings (reasons, names) are almost always plain, and the byte-by-byte scan was most of
// append_string's time (bench/RESULTS.md section 31).
std::size_t plain_prefix(const unsigned char* p, std::size_t n) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    // Per byte, the high bit of (v - 1) & ~v is set where v is 0 (exact as to whether any
    // byte is: a borrow only starts at a zero byte); likewise (x - 0x20) & ~x for x < 0x20.
    const auto zero_byte = [](std::uint64_t v) { return (v - kOnes) & ~v; };
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x;
        std::memcpy(&x, p + i, 8);
        const std::uint64_t special = ((x - kOnes * 0x20) & ~x) | zero_byte(x ^ (kOnes * '"')) |
                                      zero_byte(x ^ (kOnes * '\\')) | x;
        if ((special & kHighs) != 0) {
            break;
        }
    }
    while (i < n && kClass[p[i]] == 0) {
        ++i;
    }
    return i;
}

}  // namespace

void append_string(std::string& out, std::string_view s) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t plain = plain_prefix(bytes, s.size());
    if (plain == s.size() && s.size() <= 254) {
        // The common case (names, reasons): one append.
        char text[256];
        text[0] = '"';
        std::memcpy(text + 1, s.data(), s.size());
        text[s.size() + 1] = '"';
        out.append(text, s.size() + 2);
        return;
    }
    out += '"';
    const auto* p = bytes;
    const std::size_t n = s.size();
    std::size_t copied = 0;  // bytes before this are written
    std::size_t i = plain;
    while (i < n) {
        const unsigned char c = kClass[p[i]];
        if (c == 0) {
            ++i;
            continue;
        }
        out.append(s.data() + copied, i - copied);
        if (c == 1) {
            append_escape(out, p[i]);
            ++i;
        } else {
            const Step step = utf8_step(p + i, n - i);
            if (step.valid) {
                out.append(s.data() + i, step.bytes);
            } else {
                out += kReplacement;
            }
            i += step.bytes;
        }
        copied = i;
    }
    out.append(s.data() + copied, n - copied);
    out += '"';
}

char* write_double(char* at, double x) noexcept {
    if (!std::isfinite(x)) {
        std::memcpy(at, "null", 4);
        return at + 4;
    }
    if (std::signbit(x)) {
        *at++ = '-';
        x = -x;
    }
    if (x == 0.0) {
        std::memcpy(at, "0.0", 3);
        return at + 3;
    }
    // The shortest digits that read back as x, laid out as nlohmann does. Dragonbox (fmt's,
    // the algorithm behind fmt::format("{}", x)) gives them as an integer and a power of ten:
    // x = significand * 10^exponent, no trailing zeros. It was std::to_chars' scientific text
    // (Ryu) parsed back into digits and exponent, a third of a signal body's cost (bench/
    // RESULTS.md section 31); both give the shortest correctly rounded digits, and the tests
    // hold the two to the same text. (fmt::detail: a later fmt may move it, and the build
    // would stop here.)
    const auto decimal = fmt::detail::dragonbox::to_decimal(x);
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, decimal.significand).ptr;
    const int k = static_cast<int>(end - digits);
    return lay_out(at, digits, k, k + decimal.exponent);
}

void append_double(std::string& out, double x) {
    char text[kMaxDoubleText];
    out.append(text, static_cast<std::size_t>(write_double(text, x) - text));
}

void append_integer(std::string& out, std::int64_t x) {
    char text[24];
    const auto result = std::to_chars(text, text + sizeof text, x);
    out.append(text, result.ptr);
}

void append_unsigned(std::string& out, std::uint64_t x) {
    char text[24];
    const auto result = std::to_chars(text, text + sizeof text, x);
    out.append(text, result.ptr);
}

}  // namespace gs::json
