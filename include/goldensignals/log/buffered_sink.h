#pragma once

#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <string>

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

namespace gs::log {

// Lines to a file descriptor (stdout) in batches: appended to a buffer and written with one
// write(2) when it holds `batch_bytes`, on flush() (spdlog::flush_every runs it every second)
// and at destruction. For the access log, one line per request: the default console sink
// does an fwrite and an fflush per line, one system call per request on the I/O thread.
// Whole lines only, so lines of other sinks on the same descriptor never interleave inside
// one. A crash loses at most the last second of lines.
class BufferedFdSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit BufferedFdSink(int fd = STDOUT_FILENO, std::size_t batch_bytes = 64 * 1024)
        : fd_(fd), batch_bytes_(batch_bytes) {
        buffer_.reserve(batch_bytes_ + 1024);
    }
    ~BufferedFdSink() override {
        std::lock_guard lock(mutex_);
        write_out();
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        buffer_.append(formatted.data(), formatted.size());
        if (buffer_.size() >= batch_bytes_) {
            write_out();
        }
    }
    void flush_() override { write_out(); }

  private:
    void write_out() {
        std::size_t done = 0;
        while (done < buffer_.size()) {
            const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;  // stdout gone: drop the lines rather than block the server
            }
            done += static_cast<std::size_t>(n);
        }
        buffer_.clear();
    }

    int fd_;
    std::size_t batch_bytes_;
    std::string buffer_;
};

}  // namespace gs::log
