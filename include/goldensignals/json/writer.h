#pragma once

// A small JSON writer appending straight into one std::string: no tree, no allocation per
// value (issue 12: the nlohmann tree of a signal body was the largest cost of HTTP ingest).
// Its text is what nlohmann's dump(-1, ' ', false, error_handler_t::replace) writes for the same
// values: strings escaped the same way (invalid UTF-8 replaced by U+FFFD the same way), doubles
// laid out the same way (shortest round-trip digits, "1.0" for integral values, exponent form
// outside 1e-5 .. 1e15), non-finite doubles as null. The caller writes object keys in the order
// it wants them (nlohmann's json sorts them; a caller matching its bodies sorts too).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace gs::json {

// `s` as a JSON string, quotes included.
void append_string(std::string& out, std::string_view s);
// `x` as nlohmann writes a double; NaN and infinities as null.
void append_double(std::string& out, double x);
// The same text written at `at` (room for kMaxDoubleText chars); returns its end.
inline constexpr std::size_t kMaxDoubleText = 32;
char* write_double(char* at, double x) noexcept;
void append_integer(std::string& out, std::int64_t x);
void append_unsigned(std::string& out, std::uint64_t x);

// Commas and colons placed by the writer: begin/end, key, value calls in document order. It
// does not check the structure (a key outside an object is the caller's bug).
class Writer final {
  public:
    explicit Writer(std::string& out) noexcept : out_(out) {}

    Writer& begin_object() {
        separate();
        out_ += '{';
        comma_ = false;
        return *this;
    }
    Writer& end_object() {
        out_ += '}';
        comma_ = true;
        return *this;
    }
    Writer& begin_array() {
        separate();
        out_ += '[';
        comma_ = false;
        return *this;
    }
    Writer& end_array() {
        out_ += ']';
        comma_ = true;
        return *this;
    }
    // The key of the next value. A key known to need no escaping (a literal of the caller's)
    // can go through raw_key.
    Writer& key(std::string_view k) {
        separate();
        append_string(out_, k);
        out_ += ':';
        comma_ = false;
        return *this;
    }
    Writer& raw_key(std::string_view k) {
        // One append for the comma, the quoted key and the colon (the body is mostly these).
        char text[kMaxRawKey + 4];
        char* p = text;
        if (comma_) {
            *p++ = ',';
        }
        if (k.size() <= kMaxRawKey) {
            *p++ = '"';
            std::memcpy(p, k.data(), k.size());
            p += k.size();
            *p++ = '"';
            *p++ = ':';
            out_.append(text, static_cast<std::size_t>(p - text));
        } else {
            out_.append(text, static_cast<std::size_t>(p - text));
            out_ += '"';
            out_ += k;
            out_ += "\":";
        }
        comma_ = false;
        return *this;
    }
    Writer& string(std::string_view s) {
        separate();
        append_string(out_, s);
        comma_ = true;
        return *this;
    }
    Writer& number(double x) {
        char text[kMaxDoubleText + 1];
        char* p = text;
        if (comma_) {
            *p++ = ',';
        }
        p = write_double(p, x);
        out_.append(text, static_cast<std::size_t>(p - text));
        comma_ = true;
        return *this;
    }
    Writer& integer(std::int64_t x) {
        separate();
        append_integer(out_, x);
        comma_ = true;
        return *this;
    }
    Writer& unsigned_integer(std::uint64_t x) {
        separate();
        append_unsigned(out_, x);
        comma_ = true;
        return *this;
    }
    Writer& null() {
        separate();
        out_ += "null";
        comma_ = true;
        return *this;
    }
    // Text the caller knows to be one well-formed JSON value.
    Writer& raw_value(std::string_view json) {
        separate();
        out_ += json;
        comma_ = true;
        return *this;
    }

    std::string& out() noexcept { return out_; }

  private:
    static constexpr std::size_t kMaxRawKey = 60;

    void separate() {
        if (comma_) {
            out_ += ',';
        }
    }

    std::string& out_;
    bool comma_ = false;  // the next key or value follows another
};

}  // namespace gs::json
