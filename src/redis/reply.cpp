#include <string>
#include <utility>

#include "goldensignals/redis/error.h"
#include "goldensignals/redis/reply.h"
#include "redis/reply_conversion.h"

namespace gs::redis {
namespace {

[[noreturn]] void throw_wrong_type(const Reply& reply, std::string_view wanted) {
    if (reply.is_error()) {
        throw Error(ErrorKind::kServer, reply.str);
    }
    throw Error(ErrorKind::kProtocol, "expected a " + std::string(wanted) + " reply, got " +
                                          std::string(to_string(reply.type)));
}

}  // namespace

std::string_view to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::kNotConnected:
            return "not_connected";
        case ErrorKind::kTimeout:
            return "timeout";
        case ErrorKind::kDisconnected:
            return "disconnected";
        case ErrorKind::kProtocol:
            return "protocol";
        case ErrorKind::kServer:
            return "server";
        case ErrorKind::kClosed:
            return "closed";
    }
    return "unknown";
}

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error("redis " + std::string(to_string(kind)) + ": " + message), kind_(kind) {}

std::string_view to_string(ReplyType type) noexcept {
    switch (type) {
        case ReplyType::kNil:
            return "nil";
        case ReplyType::kStatus:
            return "status";
        case ReplyType::kError:
            return "error";
        case ReplyType::kInteger:
            return "integer";
        case ReplyType::kString:
            return "string";
        case ReplyType::kArray:
            return "array";
    }
    return "unknown";
}

Reply Reply::make_status(std::string text) {
    Reply reply;
    reply.type = ReplyType::kStatus;
    reply.str = std::move(text);
    return reply;
}

Reply Reply::make_error(std::string message) {
    Reply reply;
    reply.type = ReplyType::kError;
    reply.str = std::move(message);
    return reply;
}

Reply Reply::make_integer(long long value) {
    Reply reply;
    reply.type = ReplyType::kInteger;
    reply.integer = value;
    return reply;
}

Reply Reply::make_string(std::string bytes) {
    Reply reply;
    reply.type = ReplyType::kString;
    reply.str = std::move(bytes);
    return reply;
}

Reply Reply::make_array(std::vector<Reply> items) {
    Reply reply;
    reply.type = ReplyType::kArray;
    reply.elements = std::move(items);
    return reply;
}

const std::string& Reply::as_string() const {
    if (type != ReplyType::kString && type != ReplyType::kStatus) {
        throw_wrong_type(*this, "string");
    }
    return str;
}

std::optional<std::string> Reply::as_optional_string() const {
    if (is_nil()) {
        return std::nullopt;
    }
    return as_string();
}

long long Reply::as_integer() const {
    if (type != ReplyType::kInteger) {
        throw_wrong_type(*this, "integer");
    }
    return integer;
}

const std::vector<Reply>& Reply::as_array() const {
    if (type != ReplyType::kArray) {
        throw_wrong_type(*this, "array");
    }
    return elements;
}

namespace detail {

Reply to_reply(const redisReply& reply) {
    Reply out;
    switch (reply.type) {
        case REDIS_REPLY_STATUS:
            out.type = ReplyType::kStatus;
            out.str.assign(reply.str, reply.len);
            break;
        case REDIS_REPLY_ERROR:
            out.type = ReplyType::kError;
            out.str.assign(reply.str, reply.len);
            break;
        case REDIS_REPLY_STRING:
            out.type = ReplyType::kString;
            out.str.assign(reply.str, reply.len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = ReplyType::kInteger;
            out.integer = reply.integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.type = ReplyType::kArray;
            out.elements.reserve(reply.elements);
            for (std::size_t i = 0; i < reply.elements; ++i) {
                out.elements.push_back(to_reply(*reply.element[i]));
            }
            break;
        default:
            // REDIS_REPLY_NIL, and a null array (*-1), which hiredis also reports as nil.
            break;
    }
    return out;
}

}  // namespace detail
}  // namespace gs::redis
