#include "goldensignals/sse/direct_send.h"

#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

namespace gs::sse {
namespace {

using State = DirectSend::State;
using SendResult = DirectSend::SendResult;

class DirectSendTest : public ::testing::Test {
  protected:
    DirectSendTest() {
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        direct.attach(fds[0]);
    }
    ~DirectSendTest() override {
        ::close(fds[0]);
        if (fds[1] >= 0) {
            ::close(fds[1]);
        }
    }

    int fds[2] = {-1, -1};
    DirectSend direct;
    std::size_t sent = 99;
};

TEST_F(DirectSendTest, StartsWithTheWriterOwningTheSocket) {
    EXPECT_EQ(direct.state(), State::kWriterOwns);
    EXPECT_EQ(direct.send("data", sent), SendResult::kQueue);
    EXPECT_EQ(sent, 0u);
    EXPECT_EQ(direct.state(), State::kWriterOwns);
}

TEST_F(DirectSendTest, SendsWhileTheWriterIsIdle) {
    direct.writer_idle();
    EXPECT_EQ(direct.send("data", sent), SendResult::kSent);
    EXPECT_EQ(direct.state(), State::kIdle);
    char buffer[8] = {};
    EXPECT_EQ(::read(fds[1], buffer, sizeof buffer), 4);
    // The writer claims the socket back (a heartbeat, taken events).
    direct.writer_busy();
    EXPECT_EQ(direct.send("more", sent), SendResult::kQueue);
}

TEST_F(DirectSendTest, ADetachedSocketIsNeverWrittenTo) {
    direct.writer_idle();
    direct.detach();
    EXPECT_EQ(direct.send("data", sent), SendResult::kQueue);
    EXPECT_EQ(direct.state(), State::kWriterOwns);
}

TEST_F(DirectSendTest, AFullSocketHandsTheRestToTheWriter) {
    int size = 4096;
    ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    direct.writer_idle();
    const std::string big(1 << 20, 'x');
    EXPECT_EQ(direct.send(big, sent), SendResult::kQueue);
    EXPECT_LT(sent, big.size());
    EXPECT_EQ(direct.state(), State::kWriterOwns);
}

TEST_F(DirectSendTest, AFailedSendBreaksTheStreamForGood) {
    ::close(fds[1]);
    fds[1] = -1;
    direct.writer_idle();
    EXPECT_EQ(direct.send("data", sent), SendResult::kBroken);
    EXPECT_EQ(direct.state(), State::kBroken);
    EXPECT_TRUE(direct.ended());
    direct.writer_idle();
    direct.overflow();
    EXPECT_EQ(direct.state(), State::kBroken);
}

TEST_F(DirectSendTest, AnOverflowIsFinal) {
    direct.writer_idle();
    direct.overflow();
    EXPECT_EQ(direct.state(), State::kOverflowed);
    direct.writer_idle();
    direct.writer_busy();
    EXPECT_EQ(direct.state(), State::kOverflowed);
}

}  // namespace
}  // namespace gs::sse
