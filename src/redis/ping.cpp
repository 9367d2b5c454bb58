#include "goldensignals/redis/ping.h"

#include <memory>
#include <string>

#include <hiredis/hiredis.h>

namespace gs::redis {
namespace {

struct ContextDeleter {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
};
struct ReplyDeleter {
    void operator()(void* r) const noexcept { freeReplyObject(r); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

ReplyPtr command(redisContext* c, const char* format, const std::string& arg = {}) {
    void* reply = arg.empty() ? redisCommand(c, format) : redisCommand(c, format, arg.c_str());
    return ReplyPtr(static_cast<redisReply*>(reply));
}

bool is_error(const ReplyPtr& reply) {
    return reply == nullptr || reply->type == REDIS_REPLY_ERROR;
}

}  // namespace

bool ping(const Url& url, std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<long>(timeout.count() / 1000);
    tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
    ContextPtr context(redisConnectWithTimeout(url.host.c_str(), url.port, tv));
    if (context == nullptr || context->err != 0) {
        return false;
    }
    redisSetTimeout(context.get(), tv);
    if (!url.password.empty() && is_error(command(context.get(), "AUTH %s", url.password))) {
        return false;
    }
    if (url.db != 0 && is_error(command(context.get(), "SELECT %s", std::to_string(url.db)))) {
        return false;
    }
    auto reply = command(context.get(), "PING");
    return !is_error(reply) && reply->type == REDIS_REPLY_STATUS;
}

}  // namespace gs::redis
