#pragma once

#include <hiredis/hiredis.h>

#include "goldensignals/redis/reply.h"

namespace gs::redis::detail {

// Deep-copies a hiredis reply (hiredis frees it when the callback returns).
Reply to_reply(const redisReply& reply);

}  // namespace gs::redis::detail
