#pragma once

// Server-Sent Events wire format (https://html.spec.whatwg.org/multipage/server-sent-events.html).
// Every function returns complete frames, ready to write as they are.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gs::sse {

// `id: N\nevent: NAME\ndata: ...\n\n`. Data with line breaks (LF, CRLF or CR) becomes one
// `data:` line per line, which a client joins back with LF. Line breaks in `event` are
// replaced by spaces (a field name cannot span lines). No `id:` line when `id` is unset.
std::string format_event(std::string_view event, std::string_view data,
                         std::optional<std::uint64_t> id = std::nullopt);

// Appends the same frame to `out`.
void append_event(std::string& out, std::string_view event, std::string_view data,
                  std::optional<std::uint64_t> id = std::nullopt);

// `: text\n\n`: a comment, ignored by clients; keeps proxies and idle connections alive.
std::string format_comment(std::string_view text);

// `retry: N\n\n`: how long a client waits before reconnecting.
std::string format_retry(std::chrono::milliseconds delay);

}  // namespace gs::sse
