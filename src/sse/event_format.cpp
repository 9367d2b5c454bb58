#include "goldensignals/sse/event_format.h"

#include <fmt/format.h>

namespace gs::sse {

namespace {

// A single-line field value: CR and LF would end the line early.
void append_single_line(std::string& out, std::string_view value) {
    for (char c : value) {
        out.push_back(c == '\n' || c == '\r' ? ' ' : c);
    }
}

}  // namespace

void append_event(std::string& out, std::string_view event, std::string_view data,
                  std::optional<std::uint64_t> id) {
    out.reserve(out.size() + data.size() + event.size() + 40);
    if (id) {
        fmt::format_to(std::back_inserter(out), "id: {}\n", *id);
    }
    if (!event.empty()) {
        out += "event: ";
        append_single_line(out, event);
        out.push_back('\n');
    }
    // One `data:` line per line of data; CRLF counts as one line break.
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = data.find_first_of("\r\n", start);
        out += "data: ";
        if (end == std::string_view::npos) {
            out.append(data.substr(start));
            out.push_back('\n');
            break;
        }
        out.append(data.substr(start, end - start));
        out.push_back('\n');
        start = end + 1;
        if (data[end] == '\r' && start < data.size() && data[start] == '\n') {
            ++start;
        }
    }
    out.push_back('\n');
}

std::string format_event(std::string_view event, std::string_view data,
                         std::optional<std::uint64_t> id) {
    std::string out;
    append_event(out, event, data, id);
    return out;
}

std::string format_comment(std::string_view text) {
    std::string out = ": ";
    append_single_line(out, text);
    out += "\n\n";
    return out;
}

std::string format_retry(std::chrono::milliseconds delay) {
    return fmt::format("retry: {}\n\n", delay.count());
}

}  // namespace gs::sse
