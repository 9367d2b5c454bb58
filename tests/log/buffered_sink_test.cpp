// The access log's sink: lines reach the descriptor in batches (on flush, when the batch is
// full, at destruction), whole and in order.

#include "goldensignals/log/buffered_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

namespace gs::log {
namespace {

class Pipe {
  public:
    Pipe() {
        EXPECT_EQ(::pipe(fds_.data()), 0);
        ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
    }
    ~Pipe() {
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    int write_end() const { return fds_[1]; }
    std::string drain() {
        std::string out;
        std::array<char, 4096> chunk{};
        for (;;) {
            const auto n = ::read(fds_[0], chunk.data(), chunk.size());
            if (n <= 0) {
                return out;
            }
            out.append(chunk.data(), static_cast<std::size_t>(n));
        }
    }

  private:
    std::array<int, 2> fds_{};
};

TEST(BufferedFdSinkTest, WritesNothingUntilFlushedThenEveryLineInOrder) {
    Pipe pipe;
    auto sink = std::make_shared<BufferedFdSink>(pipe.write_end(), 1 << 20);
    spdlog::logger logger("access-test", sink);
    logger.set_pattern("%v");
    logger.info("GET /a 200");
    logger.info("GET /b 200");
    EXPECT_EQ(pipe.drain(), "");
    logger.flush();
    EXPECT_EQ(pipe.drain(), "GET /a 200\nGET /b 200\n");
}

TEST(BufferedFdSinkTest, WritesWhenTheBatchIsFull) {
    Pipe pipe;
    auto sink = std::make_shared<BufferedFdSink>(pipe.write_end(), 32);
    spdlog::logger logger("access-test", sink);
    logger.set_pattern("%v");
    logger.info("0123456789");  // 11 bytes with the newline
    logger.info("0123456789");
    EXPECT_EQ(pipe.drain(), "");
    logger.info("0123456789");  // 33 >= 32: written, whole lines only
    EXPECT_EQ(pipe.drain(), "0123456789\n0123456789\n0123456789\n");
}

TEST(BufferedFdSinkTest, WritesWhatIsLeftAtDestruction) {
    Pipe pipe;
    {
        auto sink = std::make_shared<BufferedFdSink>(pipe.write_end(), 1 << 20);
        spdlog::logger logger("access-test", sink);
        logger.set_pattern("%v");
        logger.info("last line");
    }
    EXPECT_EQ(pipe.drain(), "last line\n");
}

}  // namespace
}  // namespace gs::log
