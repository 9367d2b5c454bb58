#pragma once

// The importer's progress report: a bar redrawn in place on a terminal, a plain line every few
// seconds otherwise (logs, CI).

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace gs::import {

// 1234567 -> "1,234,567".
std::string with_commas(std::size_t value);

// "label [=====>    ]  45%  45,000/100,000 rows  12,345 rows/s  ETA 0:04" within `width`
// columns (the label is shortened first); `bar` false leaves the [...] out.
std::string progress_line(std::string_view label, std::size_t done, std::size_t total,
                          double seconds, std::size_t width, bool bar);

class Progress final {
  public:
    Progress(std::FILE* out, bool terminal, bool enabled);

    void start(std::string label, std::size_t total);
    void update(std::size_t done);
    // Clears the bar (a terminal), so the summary line takes its place.
    void finish();

  private:
    using Clock = std::chrono::steady_clock;
    void draw(std::size_t done);

    std::FILE* out_;
    bool terminal_;
    bool enabled_;
    std::string label_;
    std::size_t total_ = 0;
    Clock::time_point started_;
    Clock::time_point last_draw_;
    bool drawn_ = false;
};

}  // namespace gs::import
