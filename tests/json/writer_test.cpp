// json::Writer writes what nlohmann's dump(-1, ' ', false, error_handler_t::replace) writes:
// strings (escapes, invalid UTF-8 replaced) byte for byte, doubles as the shortest text that
// reads back bit for bit, laid out as nlohmann lays them out.
#include "goldensignals/json/writer.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gs::json {
namespace {

std::string reference(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string written_string(std::string_view s) {
    std::string out;
    append_string(out, s);
    return out;
}

std::string written_double(double x) {
    std::string out;
    append_double(out, x);
    return out;
}

TEST(JsonWriterTest, StringsEscapeAsNlohmannDoes) {
    std::vector<std::string> cases = {
        "",
        "plain ASCII, 0123456789",
        "quote \" backslash \\ slash / del \x7f",
        std::string("nul \0 inside", 12),
        "\b\f\n\r\t\x01\x1f\x0b",
        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x88",  // 2, 3 and 4 byte sequences
        "\xFF",                                       // never valid
        "\x80 lone continuation",
        "\xC3",              // cut off at the end
        "\xE2\x82",          // cut off at the end
        "\xC3(",             // broken by an ASCII byte, which stays
        "\xE2\x28\xA1",      // broken, then a lone continuation
        "\xC0\xAF",          // overlong
        "\xE0\x80\xAF",      // overlong
        "\xED\xA0\x80",      // surrogate
        "\xF4\x90\x80\x80",  // above U+10FFFF
        "\xF0\x9F\x93",      // 4-byte cut off
        "\xF0\x9F\x93\"",    // 4-byte broken by a quote, which is escaped
        "\xC2\x80\xDF\xBF\xEF\xBF\xBF\xF4\x8F\xBF\xBF",  // range ends, all valid
    };
    for (const auto& s : cases) {
        EXPECT_EQ(written_string(s), reference(nlohmann::json(s)))
            << nlohmann::json(s).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    }
}

TEST(JsonWriterTest, RandomBytesMatchNlohmann) {
    // Mostly high bytes and control characters, so every decoder state and error is reached.
    std::mt19937_64 rng(12);
    const std::string alphabet =
        "ab\"\\\n\x01\x1f\x7f\x80\x8f\x90\x9f\xa0\xbf\xc0\xc1\xc2\xdf\xe0\xe1\xec\xed\xee\xef"
        "\xf0\xf1\xf3\xf4\xf5\xff";
    for (int n = 0; n < 200'000; ++n) {
        std::string s(rng() % 12, ' ');
        for (auto& c : s) {
            c = rng() % 4 == 0 ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
        }
        ASSERT_EQ(written_string(s), reference(nlohmann::json(s)))
            << nlohmann::json(s).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    }
}

TEST(JsonWriterTest, OneSpecialByteAnywhereInALongPlainString) {
    // The plain prefix is found eight bytes at a time: a byte that needs an escape or a UTF-8
    // check (and its plain neighbours in value, which must not) at every position of a word.
    const std::string specials("\"\\\x00\x01\x1f\x20\x21\x5b\x5c\x5d\x7e\x7f\x80\xc3\xff", 15);
    for (std::size_t length : {7u, 8u, 9u, 16u, 23u, 40u}) {
        for (std::size_t at = 0; at < length; ++at) {
            for (const char special : specials) {
                std::string s(length, 'a');
                s[at] = special;
                ASSERT_EQ(written_string(s), reference(nlohmann::json(s)))
                    << "length " << length << ", byte " << static_cast<int>(special) << " at "
                    << at;
            }
        }
    }
}

// Digits as 'd': the layout of a number's text.
std::string shape(std::string s) {
    for (auto& c : s) {
        if (c >= '0' && c <= '9') {
            c = 'd';
        }
    }
    return s;
}

// The text reads back as exactly x and is no longer than nlohmann's (Grisu2, which now and then
// writes one digit more than needed, or another last digit); with as many digits, it is laid
// out as nlohmann's (point, ".0", exponent form and its digits).
void expect_double(double x) {
    const std::string ours = written_double(x);
    if (!std::isfinite(x)) {
        EXPECT_EQ(ours, "null");
        return;
    }
    const std::string theirs = reference(nlohmann::json(x));
    const double back = std::strtod(ours.c_str(), nullptr);
    ASSERT_EQ(std::bit_cast<std::uint64_t>(back), std::bit_cast<std::uint64_t>(x))
        << ours << " for " << theirs;
    const auto parsed = nlohmann::json::parse(ours);
    ASSERT_TRUE(parsed.is_number_float()) << ours;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(parsed.get<double>()), std::bit_cast<std::uint64_t>(x));
    EXPECT_LE(ours.size(), theirs.size()) << ours << " vs " << theirs;
    if (ours.size() == theirs.size()) {
        EXPECT_EQ(shape(ours), shape(theirs)) << ours << " vs " << theirs;
    } else {
        EXPECT_EQ(std::strtod(theirs.c_str(), nullptr), x);
    }
}

TEST(JsonWriterTest, SpecialDoubles) {
    const double values[] = {0.0,
                             -0.0,
                             1.0,
                             -1.0,
                             0.1,
                             1e-300,
                             -1e-300,
                             1e300,
                             std::numeric_limits<double>::denorm_min(),
                             -std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::min(),
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::lowest(),
                             2.2250738585072009e-308,  // largest denormal
                             1e-5,
                             1e-4,
                             0.00012345,
                             123456789012345.0,
                             1234567890123456.0,
                             1e15,
                             1e16,
                             1e21,
                             1e22,
                             123.456,
                             5e-324,
                             0.3,
                             2.0 / 3.0,
                             9007199254740993.0,
                             100.0};
    for (double x : values) {
        expect_double(x);
    }
    EXPECT_EQ(written_double(-0.0), "-0.0");
    EXPECT_EQ(written_double(100.0), "100.0");
    EXPECT_EQ(written_double(1e-5), "1e-05");
    EXPECT_EQ(written_double(1e16), "1e+16");
    EXPECT_EQ(written_double(std::nan("")), "null");
    EXPECT_EQ(written_double(std::numeric_limits<double>::infinity()), "null");
    EXPECT_EQ(written_double(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonWriterTest, RandomDoublesReadBackBitForBit) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::uniform_int_distribution<int> exponent(-320, 308);
    for (int n = 0; n < 200'000; ++n) {
        // Any bit pattern, and values of every scale with few and many digits.
        expect_double(std::bit_cast<double>(rng()));
        expect_double(unit(rng) * std::pow(10.0, exponent(rng)));
        expect_double(std::round(unit(rng) * 1e6) / 100.0);
    }
}

// A number's text as its significant digits and the power of ten of the first one:
// "-0.00125" and "1.25e-03" are both {"125", -3}.
std::pair<std::string, int> significant(std::string_view text) {
    if (!text.empty() && text[0] == '-') {
        text.remove_prefix(1);
    }
    const auto e = text.find_first_of("eE");
    const int power =
        e == std::string_view::npos ? 0 : std::atoi(std::string(text.substr(e + 1)).c_str());
    const std::string_view mantissa = text.substr(0, e);
    const auto point = mantissa.find('.');
    int before_point = static_cast<int>(point == std::string_view::npos ? mantissa.size() : point);
    std::string digits;
    for (const char c : mantissa) {
        if (c != '.') {
            digits += c;
        }
    }
    while (digits.size() > 1 && digits.front() == '0') {
        digits.erase(digits.begin());
        --before_point;
    }
    while (digits.size() > 1 && digits.back() == '0') {
        digits.pop_back();
    }
    return {digits, before_point - 1 + power};
}

TEST(JsonWriterTest, DoublesHaveStdToCharsShortestDigits) {
    // An independent implementation (libstdc++'s Ryu) of the same shortest, correctly rounded
    // digits: the bodies' numbers are byte for byte what they were before the writer used fmt's
    // Dragonbox.
    ASSERT_EQ(significant("-0.00125"), std::make_pair(std::string("125"), -3));
    ASSERT_EQ(significant("1.25e-03"), std::make_pair(std::string("125"), -3));
    ASSERT_EQ(significant("120.0"), std::make_pair(std::string("12"), 2));
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::uniform_int_distribution<int> exponent(-320, 308);
    const auto check = [](double x) {
        if (!std::isfinite(x) || x == 0.0) {
            return;
        }
        char text[64];
        const auto end =
            std::to_chars(text, text + sizeof text, x, std::chars_format::scientific).ptr;
        ASSERT_EQ(significant(written_double(x)), significant(std::string_view(text, end - text)))
            << written_double(x) << " vs " << std::string_view(text, end - text);
    };
    for (int n = 0; n < 200'000; ++n) {
        check(std::bit_cast<double>(rng()));
        check(unit(rng) * std::pow(10.0, exponent(rng)));
        check(std::round(unit(rng) * 1e8) / 1e4);  // prices
        check(unit(rng) * 1e-6);                   // sub-cent coins
    }
    for (double x : {1.0, 0.1, 100.0, 1e15, 1e16, 1e22, 5e-324, 1.7976931348623157e308}) {
        check(x);
    }
}

TEST(JsonWriterTest, IntegersAndStructure) {
    std::string out;
    Writer w(out);
    w.begin_object();
    w.key("a\"b").integer(std::numeric_limits<std::int64_t>::min());
    w.raw_key("u").unsigned_integer(std::numeric_limits<std::uint64_t>::max());
    w.raw_key("list").begin_array();
    w.null().number(1.5).string("x").begin_object().end_object().begin_array().end_array();
    w.end_array();
    w.raw_key("empty").begin_array().end_array();
    w.end_object();
    EXPECT_EQ(out, R"({"a\"b":-9223372036854775808,"u":18446744073709551615,)"
                   R"("list":[null,1.5,"x",{},[]],"empty":[]})");
    EXPECT_NO_THROW(static_cast<void>(nlohmann::json::parse(out)));
}

}  // namespace
}  // namespace gs::json
