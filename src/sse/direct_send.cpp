#include "goldensignals/sse/direct_send.h"

#include <sys/socket.h>

#include <cerrno>

namespace gs::sse {

DirectSend::SendResult DirectSend::send(std::string_view frame, std::size_t& sent) {
    sent = 0;
    if (state_ != State::kIdle || socket_fd_ < 0) {
        move(Step::kWriterBusy);
        return SendResult::kQueue;
    }
    const ssize_t n = ::send(socket_fd_, frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(frame.size())) {
        return SendResult::kSent;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        // Reset or half-closed by the client: its reader ends the stream.
        move(Step::kSendFailed);
        return SendResult::kBroken;
    }
    // The socket buffer is full (or took part of the frame): the writer finishes it.
    sent = n > 0 ? static_cast<std::size_t>(n) : 0;
    move(Step::kWriterBusy);
    return SendResult::kQueue;
}

void DirectSend::move(Step step) noexcept {
    if (ended()) {
        return;
    }
    switch (step) {
        case Step::kWriterIdle:
            state_ = State::kIdle;
            break;
        case Step::kWriterBusy:
            state_ = State::kWriterOwns;
            break;
        case Step::kOverflow:
            state_ = State::kOverflowed;
            break;
        case Step::kSendFailed:
            state_ = State::kBroken;
            socket_fd_ = -1;
            break;
    }
}

}  // namespace gs::sse
