#include "goldensignals/agents/agent.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ostream>

namespace gs::agents {

std::string_view to_string(Action action) noexcept {
    switch (action) {
        case Action::kBuy:
            return "BUY";
        case Action::kSell:
            return "SELL";
        case Action::kHold:
            return "HOLD";
        case Action::kAbstain:
            return "ABSTAIN";
    }
    return "ABSTAIN";
}

std::string_view to_string(Category category) noexcept {
    switch (category) {
        case Category::kTrend:
            return "trend";
        case Category::kMomentum:
            return "momentum";
        case Category::kVolatility:
            return "volatility";
        case Category::kVolume:
            return "volume";
        case Category::kPattern:
            return "pattern";
        case Category::kStatistical:
            return "statistical";
    }
    return "unknown";
}

double AgentResult::value(std::string_view key) const noexcept {
    for (const auto& v : values()) {
        if (v.key == key) {
            return v.value;
        }
    }
    return std::nan("");
}

namespace {

// One replacement field's format spec, as far as the fast path understands it.
struct FieldSpec {
    bool plus = false;
    int precision = -1;  // -1: none
    char type = 0;       // 0, 'f' or 'g'
};

// Parses the field starting after its '{' at `at`; leaves `at` after its '}'. False for an
// argument id, a spec beyond [+][.N][f|g], or a malformed field.
bool parse_field(std::string_view format, std::size_t& at, FieldSpec& spec) {
    if (at < format.size() && format[at] == ':') {
        ++at;
        if (at < format.size() && format[at] == '+') {
            spec.plus = true;
            ++at;
        }
        if (at < format.size() && format[at] == '.') {
            ++at;
            int precision = 0;
            std::size_t digits = 0;
            while (at < format.size() && format[at] >= '0' && format[at] <= '9' && digits < 2) {
                precision = precision * 10 + (format[at] - '0');
                ++at;
                ++digits;
            }
            if (digits == 0) {
                return false;
            }
            spec.precision = precision;
        }
        if (at < format.size() && (format[at] == 'f' || format[at] == 'g')) {
            spec.type = format[at];
            ++at;
        }
    }
    if (at >= format.size() || format[at] != '}') {
        return false;
    }
    ++at;
    return true;
}

bool append_field(const FieldSpec& spec, const Reason::ArgView& arg, std::string& out) {
    using Kind = Reason::ArgView::Kind;
    char text[96];
    char* end = text;
    switch (arg.kind) {
        case Kind::kText:
            if (spec.plus || spec.precision >= 0 || spec.type != 0) {
                return false;
            }
            out += arg.text;
            return true;
        case Kind::kSigned:
        case Kind::kUnsigned: {
            if (spec.precision >= 0 || spec.type != 0) {
                return false;
            }
            const bool negative = arg.kind == Kind::kSigned && arg.signed_value < 0;
            if (spec.plus && !negative) {
                out += '+';
            }
            end = arg.kind == Kind::kSigned
                      ? std::to_chars(text, text + sizeof text, arg.signed_value).ptr
                      : std::to_chars(text, text + sizeof text, arg.unsigned_value).ptr;
            break;
        }
        case Kind::kDouble: {
            if (!std::isfinite(arg.number)) {
                return false;  // fmt's "nan"/"inf" spelling and sign rules: left to fmt
            }
            if (spec.precision < 0 && spec.type == 0 && !spec.plus) {
                // "{}": fmt's shortest form (its own choice of fixed or exponent notation).
                const auto written = fmt::format_to_n(text, sizeof text, "{}", arg.number);
                if (written.size > sizeof text) {
                    return false;
                }
                end = text + written.size;
                break;
            }
            // {:.Nf} and {:.Ng} are printf's %.Nf and %.Ng, as std::to_chars writes them.
            if (spec.precision < 0 || spec.type == 0) {
                return false;
            }
            if (spec.plus && !std::signbit(arg.number)) {
                out += '+';
            }
            const auto format =
                spec.type == 'f' ? std::chars_format::fixed : std::chars_format::general;
            const auto result =
                std::to_chars(text, text + sizeof text, arg.number, format, spec.precision);
            if (result.ec != std::errc{}) {
                return false;
            }
            end = result.ptr;
            break;
        }
        case Kind::kOther:
            return false;
    }
    out.append(text, end);
    return true;
}

}  // namespace

bool Reason::render_fast(std::string_view format, std::span<const ArgView> args, std::string& out) {
    const std::size_t start = out.size();
    auto give_up = [&] {
        out.resize(start);
        return false;
    };
    std::size_t next_arg = 0;
    std::size_t at = 0;
    while (at < format.size()) {
        // The literal text up to the next field, found with one memchr (find_first_of("{}")
        // would call memchr once per character). A '}' in it can only be the "}}" escape,
        // rare in reasons: fmt writes those.
        const char* rest = format.data() + at;
        const std::size_t left = format.size() - at;
        const auto* open = static_cast<const char*>(std::memchr(rest, '{', left));
        const std::size_t literal = open == nullptr ? left : static_cast<std::size_t>(open - rest);
        if (std::memchr(rest, '}', literal) != nullptr) {
            return give_up();
        }
        out.append(rest, literal);
        if (open == nullptr) {
            break;
        }
        at += literal + 1;
        if (at < format.size() && format[at] == '{') {  // "{{"
            out += '{';
            ++at;
            continue;
        }
        FieldSpec spec;
        if (!parse_field(format, at, spec) || next_arg >= args.size() ||
            !append_field(spec, args[next_arg++], out)) {
            return give_up();
        }
    }
    return next_arg == args.size() ? true : give_up();
}

std::ostream& operator<<(std::ostream& out, const Reason& reason) {
    return out << reason.str();
}

std::span<double> Workspace::take(std::size_t n) {
    if (used_ == buffers_.size()) {
        buffers_.emplace_back();
    }
    auto& buffer = buffers_[used_++];
    if (buffer.size() < n) {
        buffer.resize(n);
    }
    return {buffer.data(), n};
}

}  // namespace gs::agents
