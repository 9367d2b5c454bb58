// Redis replies: raw RESP bytes through hiredis' own reader (as the client's connection reads
// them), fed in network-sized chunks, each reply converted by detail::to_reply.
//
// Checks: the conversion is faithful (type, bytes, integer and every element match the
// hiredis reply); cutting the input into other chunks gives the same replies; a converted
// reply written back as RESP and read again converts to the same Reply; the typed accessors
// throw Error kServer for an error reply and kProtocol for any other wrong type, never
// anything else.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <hiredis/hiredis.h>

#include "fuzz_check.h"
#include "goldensignals/redis/error.h"
#include "goldensignals/redis/reply.h"
#include "redis/reply_conversion.h"

namespace {

using gs::redis::Reply;
using gs::redis::ReplyType;

struct ReaderDeleter {
    void operator()(redisReader* reader) const noexcept { redisReaderFree(reader); }
};
struct ReplyDeleter {
    void operator()(void* reply) const noexcept { freeReplyObject(reply); }
};

// hiredis 0.14 allocates an array's element table from the declared count before any element
// arrives: `*2147483647\r\n` asks calloc for 16 GiB, which libFuzzer reports as out-of-memory.
// The peer is our own Redis, so that is no finding of ours; refuse such arrays (hiredis then
// reports an out-of-memory reader error) and fuzz everything else.
constexpr int kMaxArrayElements = 1 << 16;
redisReplyObjectFunctions g_functions;
void* (*g_create_array)(const redisReadTask*, int) = nullptr;

void* capped_create_array(const redisReadTask* task, int elements) {
    return elements > kMaxArrayElements ? nullptr : g_create_array(task, elements);
}

std::unique_ptr<redisReader, ReaderDeleter> make_reader() {
    std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
    if (g_create_array == nullptr) {
        g_functions = *reader->fn;
        g_create_array = g_functions.createArray;
        g_functions.createArray = capped_create_array;
    }
    reader->fn = &g_functions;
    return reader;
}

// Every complete reply in `resp`, fed `chunk` bytes at a time (0: all at once), each checked
// against the hiredis reply it came from. Stops at a protocol error.
std::vector<Reply> read_all(std::string_view resp, std::size_t chunk);

void check_faithful(const redisReply& raw, const Reply& reply) {
    switch (raw.type) {
        case REDIS_REPLY_STATUS:
            GS_FUZZ_CHECK(reply.type == ReplyType::kStatus);
            break;
        case REDIS_REPLY_ERROR:
            GS_FUZZ_CHECK(reply.type == ReplyType::kError);
            break;
        case REDIS_REPLY_STRING:
            GS_FUZZ_CHECK(reply.type == ReplyType::kString);
            break;
        case REDIS_REPLY_INTEGER:
            GS_FUZZ_CHECK(reply.type == ReplyType::kInteger && reply.integer == raw.integer);
            return;
        case REDIS_REPLY_ARRAY:
            GS_FUZZ_CHECK(reply.type == ReplyType::kArray);
            GS_FUZZ_CHECK(reply.elements.size() == raw.elements);
            for (std::size_t i = 0; i < raw.elements; ++i) {
                check_faithful(*raw.element[i], reply.elements[i]);
            }
            return;
        default:
            GS_FUZZ_CHECK(reply.type == ReplyType::kNil);
            return;
    }
    GS_FUZZ_CHECK(reply.str == std::string_view(raw.str, raw.len));
}

std::vector<Reply> read_all(std::string_view resp, std::size_t chunk) {
    auto reader = make_reader();
    std::vector<Reply> out;
    std::size_t fed = 0;
    while (true) {
        void* raw = nullptr;
        if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) {
            return out;
        }
        if (raw != nullptr) {
            std::unique_ptr<void, ReplyDeleter> owned(raw);
            const auto& hiredis_reply = *static_cast<redisReply*>(raw);
            out.push_back(gs::redis::detail::to_reply(hiredis_reply));
            check_faithful(hiredis_reply, out.back());
            continue;
        }
        if (fed == resp.size()) {
            return out;
        }
        const std::size_t n = chunk == 0 ? resp.size() - fed : std::min(chunk, resp.size() - fed);
        GS_FUZZ_CHECK(redisReaderFeed(reader.get(), resp.data() + fed, n) == REDIS_OK);
        fed += n;
    }
}

void write_resp(const Reply& reply, std::string& out) {
    switch (reply.type) {
        case ReplyType::kNil:
            out += "$-1\r\n";
            break;
        case ReplyType::kStatus:
            out += '+' + reply.str + "\r\n";
            break;
        case ReplyType::kError:
            out += '-' + reply.str + "\r\n";
            break;
        case ReplyType::kInteger:
            out += ':' + std::to_string(reply.integer) + "\r\n";
            break;
        case ReplyType::kString:
            out += '$' + std::to_string(reply.str.size()) + "\r\n" + reply.str + "\r\n";
            break;
        case ReplyType::kArray:
            out += '*' + std::to_string(reply.elements.size()) + "\r\n";
            for (const Reply& item : reply.elements) {
                write_resp(item, out);
            }
            break;
    }
}

// Calls `access` and checks it either succeeds (when `fits`) or throws the documented kind.
template <typename Access>
void check_accessor(const Reply& reply, bool fits, Access access) {
    try {
        access();
        GS_FUZZ_CHECK(fits);
    } catch (const gs::redis::Error& e) {
        GS_FUZZ_CHECK(!fits);
        GS_FUZZ_CHECK(e.kind() == (reply.is_error() ? gs::redis::ErrorKind::kServer
                                                    : gs::redis::ErrorKind::kProtocol));
    }
}

void check_accessors(const Reply& reply) {
    check_accessor(reply, reply.is_string() || reply.is_status(), [&] { reply.as_string(); });
    check_accessor(reply, reply.is_string() || reply.is_status() || reply.is_nil(),
                   [&] { reply.as_optional_string(); });
    check_accessor(reply, reply.is_integer(), [&] { reply.as_integer(); });
    check_accessor(reply, reply.is_array(), [&] { reply.as_array(); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    // The first byte picks how the bytes arrive: all at once or in chunks of 1..255.
    const std::size_t chunk = data[0];
    const std::string_view resp(reinterpret_cast<const char*>(data + 1), size - 1);

    const std::vector<Reply> replies = read_all(resp, 0);
    GS_FUZZ_CHECK(read_all(resp, chunk) == replies);
    for (const Reply& reply : replies) {
        check_accessors(reply);
        std::string written;
        write_resp(reply, written);
        const std::vector<Reply> again = read_all(written, 0);
        GS_FUZZ_CHECK(again.size() == 1 && again.front() == reply);
    }
    return 0;
}
