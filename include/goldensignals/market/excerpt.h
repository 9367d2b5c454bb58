#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gs::market {

// Client input quoted in an error message is cut to this many bytes: enough to recognise a
// time or a symbol, never a 10 MB field echoed back in a 10 MB error body.
inline constexpr std::size_t kExcerptBytes = 40;

// A short, printable prefix of client input for an error message: at most `max_bytes` bytes
// (a cut never splits a UTF-8 sequence) followed by "..." when cut; control characters become
// '?' so an echo cannot break a log line.
std::string excerpt(std::string_view text, std::size_t max_bytes = kExcerptBytes);

}  // namespace gs::market
