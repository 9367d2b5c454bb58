#pragma once

// An agent's parameters, written once: each agent keeps its numbers in one `Params` struct
// and lists the served ones with `params_json({...})`, which renders at compile time the
// JSON object GET /v1/agents serves (AgentDef::parameters). The evaluate path reads the
// struct's fields, never the JSON, so serving parameters costs nothing per evaluation.
//
// Rendering: a number prints with the shortest of up to 9 decimals (14, 30, 0.015), a
// string quoted, a list as an array. Two parameters have always been served with a point
// ("threshold":2.0); Param::kPoint keeps it for them.

#include <array>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string_view>

namespace gs::agents {

class Param {
  public:
    constexpr Param(std::string_view key, int value) noexcept
        : key_(key), kind_(Kind::kInt), number_(value) {}
    constexpr Param(std::string_view key, std::size_t value) noexcept
        : key_(key), kind_(Kind::kInt), number_(static_cast<double>(value)) {}
    enum Style { kShortest, kPoint };
    constexpr Param(std::string_view key, double value, Style style = kShortest) noexcept
        : key_(key), kind_(Kind::kReal), number_(value), point_(style == kPoint) {}
    constexpr Param(std::string_view key, const char* text) noexcept
        : key_(key), kind_(Kind::kText), text_(text) {}
    constexpr Param(std::string_view key, std::span<const int> list) noexcept
        : key_(key), kind_(Kind::kIntList), ints_(list) {}
    constexpr Param(std::string_view key, std::span<const double> list) noexcept
        : key_(key), kind_(Kind::kRealList), reals_(list) {}

    template <class Out>
    constexpr void render(Out& out) const {
        out.quoted(key_);
        out.put(':');
        switch (kind_) {
            case Kind::kInt:
                out.integer(static_cast<long long>(number_));
                break;
            case Kind::kReal:
                out.real(number_, point_);
                break;
            case Kind::kText:
                out.quoted(text_);
                break;
            case Kind::kIntList:
                out.put('[');
                for (std::size_t i = 0; i < ints_.size(); ++i) {
                    if (i > 0) {
                        out.put(',');
                    }
                    out.integer(ints_[i]);
                }
                out.put(']');
                break;
            case Kind::kRealList:
                out.put('[');
                for (std::size_t i = 0; i < reals_.size(); ++i) {
                    if (i > 0) {
                        out.put(',');
                    }
                    out.real(reals_[i], false);
                }
                out.put(']');
                break;
        }
    }

  private:
    enum class Kind { kInt, kReal, kText, kIntList, kRealList };
    std::string_view key_;
    Kind kind_;
    double number_ = 0.0;
    bool point_ = false;
    std::string_view text_;
    std::span<const int> ints_;
    std::span<const double> reals_;
};

// Text built at compile time in a fixed buffer: an agent's parameters JSON (params_json) and
// the labels its reasons use ("SMA 50"), so that neither costs anything per evaluation.
class FixedText {
  public:
    static constexpr std::size_t kCapacity = 160;

    constexpr std::string_view view() const noexcept { return {buf_.data(), size_}; }

    constexpr FixedText& put(char c) {
        if (size_ == kCapacity) {
            throw "FixedText: raise kCapacity";  // a compile error in a constant expression
        }
        buf_[size_++] = c;
        return *this;
    }
    constexpr FixedText& text(std::string_view s) {
        for (char c : s) {
            put(c);
        }
        return *this;
    }
    constexpr FixedText& quoted(std::string_view s) { return put('"').text(s).put('"'); }
    constexpr FixedText& integer(long long v) {
        if (v < 0) {
            put('-');
            v = -v;
        }
        char digits[20] = {};
        int count = 0;
        do {
            digits[count++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v > 0);
        while (count > 0) {
            put(digits[--count]);
        }
        return *this;
    }
    // Up to 9 decimals, trailing zeros dropped (all of them unless `point`): enough for
    // parameters, which are short decimals (0.015, 1.5); a test checks that every served
    // value parses back to the agent's own.
    constexpr FixedText& real(double v, bool point = false) {
        if (v < 0) {
            put('-');
            v = -v;
        }
        constexpr long long kScale = 1'000'000'000;
        const auto scaled = static_cast<long long>(v * kScale + 0.5);
        integer(scaled / kScale);
        long long frac = scaled % kScale;
        if (frac == 0) {
            return point ? text(".0") : *this;
        }
        put('.');
        char digits[9] = {};
        for (int i = 8; i >= 0; --i) {
            digits[i] = static_cast<char>('0' + frac % 10);
            frac /= 10;
        }
        int last = 0;
        for (int i = 0; i < 9; ++i) {
            if (digits[i] != '0') {
                last = i;
            }
        }
        for (int i = 0; i <= last; ++i) {
            put(digits[i]);
        }
        return *this;
    }

  private:
    std::array<char, kCapacity> buf_{};
    std::size_t size_ = 0;
};

// The JSON object of `params`, in order: {"period":14,"oversold":30}.
constexpr FixedText params_json(std::initializer_list<Param> params) {
    FixedText out;
    out.put('{');
    bool first = true;
    for (const Param& p : params) {
        if (!first) {
            out.put(',');
        }
        first = false;
        p.render(out);
    }
    out.put('}');
    return out;
}

// Text from pieces: strings as they are, numbers as FixedText renders them. Used for reason
// format strings with the agent's numbers written in at compile time
// (format_text("RSI {:.1f} at or below ", kParams.band.oversold)), so that a reason costs what
// a literal format string costs instead of formatting constants on every evaluation.
constexpr void append_to(FixedText& out, std::string_view s) {
    out.text(s);
}
constexpr void append_to(FixedText& out, const char* s) {
    out.text(s);
}
constexpr void append_to(FixedText& out, int v) {
    out.integer(v);
}
constexpr void append_to(FixedText& out, std::size_t v) {
    out.integer(static_cast<long long>(v));
}
constexpr void append_to(FixedText& out, double v) {
    out.real(v);
}
template <class... Parts>
constexpr FixedText format_text(const Parts&... parts) {
    FixedText out;
    (append_to(out, parts), ...);
    return out;
}

// "SMA 50": a reason's name for a line, from the agent's own period.
constexpr FixedText label(std::string_view name, int period) {
    FixedText out;
    out.text(name).put(' ').integer(period);
    return out;
}

}  // namespace gs::agents
