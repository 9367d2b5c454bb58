#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gs::http::detail {

// Client text made safe for a log line: control bytes (CR, LF, ESC, ...), DEL, bytes above
// 0x7f, the quote and the backslash become \xNN, as nginx writes its access log, so a
// request cannot forge a line or drive the terminal that reads the log. Cut to `max_bytes`
// of input with "..." after, so one request cannot flood the log either.
std::string escape_for_log(std::string_view text, std::size_t max_bytes = 512);
// The same for the access log's every line: `text` itself when it needs no escaping and no
// cut (the usual path and method: no copy), else the escaped text written into `scratch`.
std::string_view escape_for_log(std::string_view text, std::size_t max_bytes, std::string& scratch);

}  // namespace gs::http::detail
