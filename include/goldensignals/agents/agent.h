#pragma once

// The contract every analysis agent fulfils. An agent is a pure function of the bars: no
// I/O, no logging, no shared state. Each one lives in its own .cpp under
// src/agents/<category>/ with a header comment giving its indicator and the exact rule
// mapping it to an action and a confidence (also in docs/agents.md); its numbers live in one
// Params struct there.

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <iosfwd>
#include <iterator>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/bars_view.h"

namespace gs::agents {

enum class Action : std::uint8_t { kBuy, kSell, kHold, kAbstain };

enum class Category : std::uint8_t {
    kTrend,
    kMomentum,
    kVolatility,
    kVolume,
    kPattern,
    kStatistical
};
inline constexpr std::size_t kCategoryCount = 6;

std::string_view to_string(Action action) noexcept;
std::string_view to_string(Category category) noexcept;

// The values behind a decision, under the API's key names (`sma_50`, `rsi`, ...).
// NaN serialises as null.
struct IndicatorValue {
    std::string_view key;
    double value;
};

// An agent's human-readable reason, formatted only when read. An agent evaluates every agent
// on every new bar but the text is read only when a signal is serialised (or a test looks), so
// the agent records what to say: a format string with static storage and its arguments, held
// by value (numbers, static strings), no allocation. The format is checked at compile time
// against the arguments (fmt::format_string); str() and append_to() give exactly the text
// fmt::format(format, args...) gives.
//
//   Reason("close {:.6g} above SAR {:.6g}", c, s)  // formatted when read
//   Reason("MACD on its signal line")              // a static text, verbatim
//   Reason(std::string(...))                        // a text made at run time (rare: errors)
//
// Arguments: arithmetic values, std::string_view and string literals / const char* that
// outlive the Reason (static text). A std::string does not compile: it would dangle.
class Reason {
  public:
    Reason() noexcept = default;
    // A static text, verbatim (no format processing): `text` must outlive the Reason.
    Reason(const char* text) noexcept : format_(text) {}  // NOLINT(google-explicit-constructor)
    // A text made at run time, owned.
    Reason(std::string text)  // NOLINT(google-explicit-constructor)
        : owned_(std::make_shared<const std::string>(std::move(text))) {}

    template <typename... Args>
    requires(sizeof...(Args) > 0) Reason(fmt::format_string<Args...> format, const Args&... args)
    noexcept : format_(text_of(format)), render_(&render<Stored<Args>...>) {
        static_assert((check_argument<Args>() && ...));
        static_assert(packed_size<Stored<Args>...>() <= kArgBytes,
                      "too many Reason arguments: raise kArgBytes");
        std::size_t i = 0;
        constexpr auto offsets = offsets_of<Stored<Args>...>();
        (store(offsets[i++], static_cast<Stored<Args>>(args)), ...);
    }

    std::string str() const {
        std::string out;
        append_to(out);
        return out;
    }
    void append_to(std::string& out) const {
        if (owned_ != nullptr) {
            out += *owned_;
        } else if (render_ != nullptr) {
            render_(*this, out);
        } else {
            out += format_;
        }
    }
    bool empty() const { return str().empty(); }

    friend bool operator==(const Reason& a, const Reason& b) { return a.str() == b.str(); }
    friend bool operator==(const Reason& a, std::string_view b) { return a.str() == b; }
    friend bool operator==(const Reason& a, const char* b) { return a.str() == b; }
    friend std::ostream& operator<<(std::ostream& out, const Reason& reason);

    // One argument as the fast formatter sees it (render_fast, in agent.cpp). Not for callers.
    struct ArgView {
        enum class Kind : std::uint8_t { kDouble, kSigned, kUnsigned, kText, kOther };
        Kind kind = Kind::kOther;
        double number = 0;
        long long signed_value = 0;
        unsigned long long unsigned_value = 0;
        std::string_view text;
    };

  private:
    static constexpr std::size_t kArgBytes = 64;

    static constexpr std::string_view text_of(fmt::string_view format) noexcept {
        return {format.data(), format.size()};
    }
    using Render = void (*)(const Reason&, std::string&);

    // How an argument is held: text as a string_view (its characters must be static), numbers
    // as themselves (so they format exactly as they would have).
    template <typename T>
    static constexpr bool kIsText = std::is_array_v<T> || std::is_same_v<T, const char*> ||
                                    std::is_same_v<T, char*> || std::is_same_v<T, std::string_view>;
    template <typename T>
    using Stored = std::conditional_t<kIsText<std::remove_cvref_t<T>>, std::string_view,
                                      std::remove_cvref_t<T>>;
    template <typename T>
    static constexpr bool check_argument() {
        using U = std::remove_cvref_t<T>;
        static_assert(!std::is_same_v<U, std::string>,
                      "a Reason holds its arguments by value: pass a static text, not a "
                      "std::string (it would dangle)");
        static_assert(kIsText<U> || std::is_arithmetic_v<U>,
                      "a Reason argument is a number or a static text");
        return true;
    }

    template <typename... S>
    static constexpr std::array<std::size_t, sizeof...(S)> offsets_of() {
        std::array<std::size_t, sizeof...(S)> out{};
        std::size_t at = 0;
        std::size_t i = 0;
        ((at = (at + alignof(S) - 1) / alignof(S) * alignof(S), out[i++] = at, at += sizeof(S)),
         ...);
        return out;
    }
    template <typename... S>
    static constexpr std::size_t packed_size() {
        constexpr auto offsets = offsets_of<S...>();
        constexpr std::size_t sizes[] = {sizeof(S)...};
        return offsets.back() + sizes[sizeof...(S) - 1];
    }

    template <typename T>
    void store(std::size_t offset, const T& value) noexcept {
        std::memcpy(args_.data() + offset, &value, sizeof(T));
    }
    template <typename T>
    T load(std::size_t offset) const noexcept {
        T value;
        std::memcpy(&value, args_.data() + offset, sizeof(T));
        return value;
    }

    template <typename T>
    static ArgView view_of(const T& value) noexcept {
        ArgView v;
        if constexpr (std::is_same_v<T, double>) {
            v.kind = ArgView::Kind::kDouble;
            v.number = value;
        } else if constexpr (std::is_same_v<T, std::string_view>) {
            v.kind = ArgView::Kind::kText;
            v.text = value;
        } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                             !std::is_same_v<T, char> && std::is_signed_v<T>) {
            v.kind = ArgView::Kind::kSigned;
            v.signed_value = value;
        } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                             !std::is_same_v<T, char>) {
            v.kind = ArgView::Kind::kUnsigned;
            v.unsigned_value = value;
        }
        return v;  // float, bool, char: kOther, left to fmt
    }
    // Writes the text for the replacement fields reasons use ({}, {:.Nf}, {:.Ng}, with an
    // optional '+') without fmt's run-time parse, std::to_chars doing the numbers (the same
    // digits as fmt: ReasonTest.FastFormatMatchesFmt). Returns false, having written nothing,
    // for anything else (other specs, a non-finite number, float, bool): fmt does those.
    static bool render_fast(std::string_view format, std::span<const ArgView> args,
                            std::string& out);

    // Reasons are short: a stack buffer takes fmt's text first. fmt 9 writing through a
    // back_inserter into a std::string resized (zero-filled) the string for every piece.
    static constexpr std::size_t kStackText = 512;

    template <typename... S>
    static void render(const Reason& r, std::string& out) {
        constexpr auto offsets = offsets_of<S...>();
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            const std::array<ArgView, sizeof...(S)> views{view_of(r.load<S>(offsets[I]))...};
            if (render_fast(r.format_, views, out)) {
                return;
            }
            char text[kStackText];
            const auto written = fmt::format_to_n(text, sizeof text, fmt::runtime(r.format_),
                                                  r.load<S>(offsets[I])...);
            if (written.size <= sizeof text) {
                out.append(text, written.size);
                return;
            }
            fmt::format_to(std::back_inserter(out), fmt::runtime(r.format_),
                           r.load<S>(offsets[I])...);
        }
        (std::index_sequence_for<S...>{});
    }

    std::string_view format_;
    Render render_ = nullptr;
    alignas(8) std::array<unsigned char, kArgBytes> args_{};
    std::shared_ptr<const std::string> owned_;
};

inline constexpr std::size_t kMaxIndicators = 8;

// One agent's verdict on the latest bar.
//  - BUY:  score = +confidence, SELL: score = -confidence (confidence in (0, 1]).
//  - HOLD: score is the lean in (-1, 1) short of a signal; confidence says how clearly the
//          market is neutral for this agent.
//  - ABSTAIN: not enough data (or degenerate data); left out of the vote; reason says why.
struct AgentResult {
    Action action = Action::kAbstain;
    double confidence = 0.0;
    double score = 0.0;
    Reason reason;
    std::uint8_t indicator_count = 0;

    AgentResult() noexcept = default;
    AgentResult(const AgentResult& other) noexcept
        : action(other.action),
          confidence(other.confidence),
          score(other.score),
          reason(other.reason),
          indicator_count(other.indicator_count) {
        copy_values(other);
    }
    AgentResult(AgentResult&& other) noexcept
        : action(other.action),
          confidence(other.confidence),
          score(other.score),
          reason(std::move(other.reason)),
          indicator_count(other.indicator_count) {
        copy_values(other);
    }
    AgentResult& operator=(const AgentResult& other) noexcept {
        if (this != &other) {
            assign(other);
            reason = other.reason;
        }
        return *this;
    }
    AgentResult& operator=(AgentResult&& other) noexcept {
        if (this != &other) {
            assign(other);
            reason = std::move(other.reason);
        }
        return *this;
    }
    ~AgentResult() = default;

    void add(std::string_view key, double value) noexcept {
        if (indicator_count < kMaxIndicators) {
            ::new (static_cast<void*>(slots_ + indicator_count * sizeof(IndicatorValue)))
                IndicatorValue{key, value};
            ++indicator_count;
        }
    }
    // The indicators added, in order.
    std::span<const IndicatorValue> values() const noexcept {
        return {std::launder(reinterpret_cast<const IndicatorValue*>(slots_)), indicator_count};
    }
    // The value under `key`, NaN when absent.
    double value(std::string_view key) const noexcept;

  private:
    static_assert(std::is_trivially_copyable_v<IndicatorValue> &&
                  std::is_trivially_destructible_v<IndicatorValue>);

    // Everything but the reason.
    void assign(const AgentResult& other) noexcept {
        action = other.action;
        confidence = other.confidence;
        score = other.score;
        indicator_count = other.indicator_count;
        copy_values(other);
    }
    void copy_values(const AgentResult& other) noexcept {
        std::uninitialized_copy_n(other.values().data(), indicator_count,
                                  reinterpret_cast<IndicatorValue*>(slots_));
    }

    // Raw slots: only the first indicator_count hold an IndicatorValue (add() constructs it
    // there), and only they are copied. A result is built and moved for every agent on every
    // new bar (`r = buy(...)`): initialising all the slots was most of its few hundred bytes.
    alignas(IndicatorValue) unsigned char slots_[kMaxIndicators * sizeof(IndicatorValue)];
};

// Builders that keep the score/confidence invariants in one place. `confidence` must be in
// [0, 1] (asserted in debug builds; tests run every agent over real and random series to
// check it); `lean` is clamped to (-1, 1).
//
// Inline: every agent calls one per bar, and inlined the result is built in place.
namespace detail {
// No clamp: a formula that leaves [0, 1] is a bug in that agent, caught here in debug builds
// and by tests/agents/confidence_range_test.cpp in every build. (The orchestrator still
// answers ABSTAIN for a confidence out of range, so a release build never serves one.)
inline double checked_unit(double confidence) noexcept {
    assert(confidence >= 0.0 && confidence <= 1.0 && "agent confidence out of [0, 1]");
    return confidence;
}
}  // namespace detail

inline AgentResult buy(double confidence, Reason reason) {
    AgentResult r;
    r.action = Action::kBuy;
    r.confidence = detail::checked_unit(confidence);
    r.score = r.confidence;
    r.reason = std::move(reason);
    return r;
}

inline AgentResult sell(double confidence, Reason reason) {
    AgentResult r;
    r.action = Action::kSell;
    r.confidence = detail::checked_unit(confidence);
    r.score = -r.confidence;
    r.reason = std::move(reason);
    return r;
}

inline AgentResult hold(double confidence, double lean, Reason reason) {
    AgentResult r;
    r.action = Action::kHold;
    r.confidence = detail::checked_unit(confidence);
    r.score = std::isnan(lean) ? 0.0 : std::clamp(lean, -0.999, 0.999);
    r.reason = std::move(reason);
    return r;
}

inline AgentResult abstain(Reason reason) {
    AgentResult r;
    r.action = Action::kAbstain;
    r.reason = std::move(reason);
    return r;
}

// Scratch memory for one agent evaluation, reused across evaluations on the same thread so
// the hot path does not allocate. take() hands out zero-filled-or-not (unspecified) buffers
// valid until reset().
class Workspace final {
  public:
    std::span<double> take(std::size_t n);
    void reset() noexcept { used_ = 0; }

  private:
    std::vector<std::vector<double>> buffers_;
    std::size_t used_ = 0;
};

// An agent's indicator keys as full series aligned with the bars (NaN during warm-up),
// for GET /v1/indicators and the dashboard's chart.
//
// One idiom for every agent: add() for one output, add_all() for several, taking the spans
// they return. Both are valid until the set is destroyed (a deque never moves its elements on
// emplace_back), so no agent indexes `series` or does arithmetic on element addresses.
struct SeriesSet {
    std::deque<std::pair<std::string_view, std::vector<double>>> series;

    std::span<double> add(std::string_view key, std::size_t n) {
        series.emplace_back(key, std::vector<double>(n));
        return series.back().second;
    }

    // All of `keys`, in order, each n long.
    template <std::size_t N>
    std::array<std::span<double>, N> add_all(const std::array<std::string_view, N>& keys,
                                             std::size_t n) {
        std::array<std::span<double>, N> out;
        for (std::size_t i = 0; i < N; ++i) {
            out[i] = add(keys[i], n);
        }
        return out;
    }
};

// The streaming form of an agent (issue 12): a small state per series that takes each new bar
// in O(1) and from which the agent evaluates the latest bar without reading the history. The
// state is a value type seen only through these functions (src/agents/streaming.h makes them
// from a class), so a series keeps every agent's state in one block (AgentStates).
struct StreamOps {
    std::size_t size;
    std::size_t align;
    void (*construct)(void* at);
    void (*copy_construct)(void* at, const void* from);
    void (*destroy)(void* at) noexcept;
    // The next bar, strictly newer than every bar the state has taken.
    void (*update)(void* state, const market::Bar& bar);
    // The verdict on the newest bar taken; called once at least min_bars bars were taken.
    AgentResult (*evaluate)(const void* state);
    // The same verdict built in `out`'s place (out is destroyed, then constructed from the
    // agent's result without a move): the engine's form, run for every agent on every new bar,
    // where moving a few hundred bytes per agent showed in the profile. When the agent throws,
    // `out` is left a default AgentResult and the exception propagates.
    void (*evaluate_into)(const void* state, AgentResult& out);
};

struct AgentDef {
    std::string_view name;
    Category category;
    // Parameters as a JSON object, e.g. {"fast":50,"slow":200}: the view of the agent's
    // params_json(), rendered at compile time from its Params (src/agents/params.h).
    std::string_view parameters;
    // Fewer bars than this: the orchestrator answers ABSTAIN without calling evaluate().
    // Derived from the indicators' lookbacks (src/agents/lookback.h) plus the bars the rule
    // itself looks back over.
    std::size_t min_bars;
    // Called with at least min_bars bars.
    AgentResult (*evaluate)(const market::BarsView& bars, Workspace& workspace);
    // Fills the full series of the agent's indicator keys; called with any number of bars.
    void (*series)(const market::BarsView& bars, SeriesSet& out);
    // The streaming form; evaluating it after bars b0..bn were taken one by one gives exactly
    // evaluate() over b0..bn (tests/agents/streaming_parity_test.cpp). nullptr: not streamed
    // yet, the engine calls evaluate() over the bars held.
    const StreamOps* stream = nullptr;
};

}  // namespace gs::agents
