#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gs::redis {

enum class ReplyType { kNil, kStatus, kError, kInteger, kString, kArray };

std::string_view to_string(ReplyType type) noexcept;

// An owned copy of one RESP2 reply (hiredis frees its own reply as soon as the callback
// returns). Strings are binary-safe.
struct Reply {
    ReplyType type = ReplyType::kNil;
    // The bytes of a status, error or string reply.
    std::string str;
    // The value of an integer reply.
    long long integer = 0;
    // The items of an array reply.
    std::vector<Reply> elements;

    static Reply make_nil() { return {}; }
    static Reply make_status(std::string text);
    static Reply make_error(std::string message);
    static Reply make_integer(long long value);
    static Reply make_string(std::string bytes);
    static Reply make_array(std::vector<Reply> items);

    bool is_nil() const noexcept { return type == ReplyType::kNil; }
    bool is_status() const noexcept { return type == ReplyType::kStatus; }
    bool is_error() const noexcept { return type == ReplyType::kError; }
    bool is_integer() const noexcept { return type == ReplyType::kInteger; }
    bool is_string() const noexcept { return type == ReplyType::kString; }
    bool is_array() const noexcept { return type == ReplyType::kArray; }

    // The bytes of a string or status reply. Throws Error: kServer for an error reply (its
    // message included), kProtocol for any other type.
    const std::string& as_string() const;
    // As as_string(), but nil gives nullopt (GET of a missing key).
    std::optional<std::string> as_optional_string() const;
    // The value of an integer reply; throws Error as as_string().
    long long as_integer() const;
    // The items of an array reply; throws Error as as_string().
    const std::vector<Reply>& as_array() const;

    friend bool operator==(const Reply&, const Reply&) = default;
};

}  // namespace gs::redis
