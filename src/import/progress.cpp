#include "progress.h"

#include <sys/ioctl.h>
#include <unistd.h>
#include <algorithm>

#include <fmt/format.h>

namespace gs::import {

std::string with_commas(std::size_t value) {
    std::string digits = std::to_string(value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out.push_back(',');
        }
        out.push_back(digits[i]);
    }
    return out;
}

std::string progress_line(std::string_view label, std::size_t done, std::size_t total,
                          double seconds, std::size_t width, bool bar) {
    const double fraction = total == 0 ? 1.0 : static_cast<double>(done) / total;
    const double rate = seconds > 0 ? done / seconds : 0.0;
    std::string eta = "ETA -:--";
    if (rate > 0 && done < total) {
        const auto left = static_cast<long long>((total - done) / rate + 0.5);
        eta = fmt::format("ETA {}:{:02}", left / 60, left % 60);
    } else if (done >= total) {
        eta = fmt::format("{:.1f} s", seconds);
    }
    const std::string figures =
        fmt::format("{:3.0f}%  {}/{} rows  {} rows/s  {}", fraction * 100, with_commas(done),
                    with_commas(total), with_commas(static_cast<std::size_t>(rate)), eta);
    std::string name(label);
    constexpr std::size_t kBarCells = 24;
    const std::size_t fixed = figures.size() + (bar ? kBarCells + 4 : 2);
    const std::size_t room = width > fixed + 8 ? width - fixed : 8;
    if (name.size() > room) {
        name = "..." + name.substr(name.size() - (room - 3));
    }
    if (!bar) {
        return fmt::format("{}: {}", name, figures);
    }
    const auto filled = static_cast<std::size_t>(fraction * kBarCells);
    std::string cells(kBarCells, ' ');
    std::fill_n(cells.begin(), std::min(filled, kBarCells), '=');
    if (filled < kBarCells) {
        cells[filled] = '>';
    }
    return fmt::format("{} [{}] {}", name, cells, figures);
}

Progress::Progress(std::FILE* out, bool terminal, bool enabled)
    : out_(out), terminal_(terminal), enabled_(enabled) {}

void Progress::start(std::string label, std::size_t total) {
    label_ = std::move(label);
    total_ = total;
    started_ = last_draw_ = Clock::now();
    drawn_ = false;
    if (enabled_ && terminal_) {
        draw(0);
    }
}

void Progress::update(std::size_t done) {
    if (!enabled_) {
        return;
    }
    const auto now = Clock::now();
    // A terminal redraws ten times a second at most; a log gets a line every 5 s.
    const auto every = terminal_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
    if (now - last_draw_ < every && done < total_) {
        return;
    }
    if (!terminal_ && done >= total_) {
        return;  // the summary line says it
    }
    last_draw_ = now;
    draw(done);
}

void Progress::draw(std::size_t done) {
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    if (!terminal_) {
        std::fprintf(out_, "%s\n",
                     progress_line(label_, done, total_, seconds, 200, false).c_str());
        std::fflush(out_);
        return;
    }
    std::size_t width = 80;
    winsize size{};
    if (ioctl(fileno(out_), TIOCGWINSZ, &size) == 0 && size.ws_col > 20) {
        width = size.ws_col;
    }
    // Leave the last column free: writing there makes some terminals wrap.
    std::fprintf(out_, "\r\x1b[K%s",
                 progress_line(label_, done, total_, seconds, width - 1, true).c_str());
    std::fflush(out_);
    drawn_ = true;
}

void Progress::finish() {
    if (enabled_ && terminal_ && drawn_) {
        std::fputs("\r\x1b[K", out_);
        std::fflush(out_);
    }
    drawn_ = false;
}

}  // namespace gs::import
